"""Statistics every task reports with its figures: intervals for accuracies and tests against chance.

A bottom-layer module (sweeps, tasks, learning and data use it): it imports numpy, scipy and
nothing of ``neurosim`` above :mod:`neurosim.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Interval", "binomial_test_vs_chance", "corrected_resampled_interval", "corrected_resampled_p",
           "mcnemar_p", "mean_interval", "t_test_vs_chance", "wilson_interval"]


def _scipy_stats():
    # imported at first use, not with this module: the commands that compute no statistic
    # (`neurosim --help`, `config`, `chips`) start without SciPy's statistics (≈0.5 s)
    from scipy import stats

    return stats


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval ``[low, high]`` at ``level``."""

    value: float
    low: float
    high: float
    level: float = 0.95

    def as_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high, "level": self.level}


def wilson_interval(correct: int, total: int, level: float = 0.95) -> Interval:
    """Wilson score interval of a proportion ``correct / total`` (better than the normal
    approximation near 0 and 1, e.g. accuracies near 100 %)."""
    if total <= 0:
        raise ValueError("wilson_interval needs total > 0")
    p = correct / total
    z = _scipy_stats().norm.ppf(0.5 + level / 2)
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * np.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    low = 0.0 if correct == 0 else max(0.0, float(centre - half))
    high = 1.0 if correct == total else min(1.0, float(centre + half))
    return Interval(p, low, high, level)


def mean_interval(values, level: float = 0.95) -> Interval:
    """Mean of ``values`` (e.g. accuracies over seeds or folds) with a Student-t interval
    (``[mean, mean]`` for a single value)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        raise ValueError("mean_interval needs at least one value")
    m = float(v.mean())
    if v.size < 2:
        return Interval(m, m, m, level)
    half = float(_scipy_stats().t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return Interval(m, m - half, m + half, level)


def binomial_test_vs_chance(correct: int, total: int, chance: float) -> float:
    """One-sided p-value that ``correct`` of ``total`` trials beat a per-trial ``chance`` rate."""
    return float(_scipy_stats().binomtest(int(correct), int(total), chance, alternative="greater").pvalue)


def mcnemar_p(correct_a, correct_b) -> float:
    """Two-sided exact McNemar test that classifiers A and B, scored on the same samples (bool arrays,
    True = right), are equally accurate: a binomial test on the samples exactly one of them gets right."""
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    if only_a + only_b == 0:
        return 1.0
    return float(_scipy_stats().binomtest(only_a, only_a + only_b, 0.5).pvalue)


def t_test_vs_chance(values, chance: float) -> float:
    """One-sided p-value that the mean of ``values`` (e.g. accuracies over seeds) is above
    ``chance`` (one-sample Student t-test); 1.0 for fewer than 2 values or no spread at or
    below chance, 0.0 for no spread above it."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        return 1.0
    if float(v.std(ddof=1)) == 0.0:
        return 0.0 if float(v.mean()) > chance else 1.0
    return float(_scipy_stats().ttest_1samp(v, chance, alternative="greater").pvalue)


def _corrected_moments(values, n_train: float, n_test: float) -> tuple[np.ndarray, float, float]:
    """``(values, mean, corrected standard error)`` of :func:`corrected_resampled_interval`."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise ValueError(f"the corrected resampled t statistic needs ≥ 2 train/test splits, got {v.size}")
    if n_train <= 0 or n_test <= 0:
        raise ValueError(f"n_train and n_test must be > 0, got {n_train} and {n_test}")
    variance = (1.0 / v.size + n_test / n_train) * float(v.var(ddof=1))
    return v, float(v.mean()), float(np.sqrt(variance))


def corrected_resampled_interval(values, n_train: float, n_test: float, level: float = 0.95) -> Interval:
    """Mean of per-split accuracies ``values`` (``J`` train/test splits, e.g. ``r`` repeats × ``k`` folds)
    with the corrected resampled t interval of Nadeau & Bengio (2003, Machine Learning 52:239):
    variance ``(1/J + n_test/n_train)·s²`` (``s²`` the sample variance of the ``J`` values), Student t
    with ``J − 1`` degrees of freedom. The ``n_test/n_train`` term accounts for the splits sharing
    training samples, which the plain ``s²/J`` ignores (too narrow an interval).
    ``n_train``/``n_test``: samples per training and test set (means over the splits)."""
    v, mean, se = _corrected_moments(values, n_train, n_test)
    half = float(_scipy_stats().t.ppf(0.5 + level / 2, v.size - 1)) * se
    return Interval(mean, mean - half, mean + half, level)


def corrected_resampled_p(differences, n_train: float, n_test: float) -> float:
    """Two-sided p-value of the corrected resampled t-test (Nadeau & Bengio 2003) that the mean of
    per-split accuracy ``differences`` (A − B on the same ``J`` splits) is zero; 1.0 when every
    difference is 0, 0.0 when they are all equal and non-zero."""
    v, mean, se = _corrected_moments(differences, n_train, n_test)
    if se == 0.0:
        return 1.0 if mean == 0.0 else 0.0
    return float(2 * _scipy_stats().t.sf(abs(mean) / se, v.size - 1))
