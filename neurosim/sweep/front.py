"""Pareto fronts that respect uncertainty: a configuration is dominated only where the
difference is significant over chip instances (and folds).

Each configuration has, per objective, a set of *observations* keyed by what they share with
another configuration's: ``(instance, seed)`` for a unit's value, ``(instance, seed, fold)``
for a metric whose report holds per-fold figures (``<...>.value`` beside ``<...>.per_fold``,
e.g. the cross-validated accuracy). The test (:func:`significantly_better`):

* paired: over the keys both configurations have (at least 2), a one-sided paired t-test of
  the differences at level :data:`ALPHA` (5 %); differences with no spread (to rounding) count
  as significant when their mean is above zero;
* otherwise (fewer than 2 common keys), a one-sided Welch t-test of the two sets at the same
  level, when each has at least 2 observations; with fewer, nothing is significant.

Configuration *j* dominates *i* when, on **every** objective, *j* is significantly better than *i*
or the two are identical (the same value on every paired key, e.g. an energy that a swept
readout key does not change), and they are not identical on both. So two configurations
whose spreads overlap on one objective are both on the front, whatever their means.

:func:`front_share` counts, per configuration, on how many chip instances (instance, seed) it is
on the plain (mean-free, single-value) front of that instance's units.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "dominates", "front_share", "significant_front", "significantly_better"]

#: Significance level of the one-sided tests.
ALPHA = 0.05

#: Observations of one objective of one configuration: key (instance, seed[, fold]) → value,
#: oriented so that higher is better.
Observations = dict[tuple, float]


def _identical(x: Observations, y: Observations) -> bool:
    common = x.keys() & y.keys()
    return bool(common) and common == x.keys() == y.keys() and all(x[k] == y[k] for k in common)


def significantly_better(x: Observations, y: Observations, alpha: float = ALPHA) -> bool:
    """Whether ``x`` is significantly higher than ``y`` (see the module docstring for the test)."""
    common = sorted(x.keys() & y.keys())
    if len(common) >= 2:
        d = np.array([x[k] - y[k] for k in common], dtype=np.float64)
        if np.ptp(d) <= 1e-12 * np.abs(d).max():  # no spread (to rounding): a constant shift is certain
            return bool(d.mean() > 0)
        return bool(stats.ttest_1samp(d, 0.0, alternative="greater").pvalue < alpha)
    a, b = np.fromiter(x.values(), np.float64), np.fromiter(y.values(), np.float64)
    if a.size < 2 or b.size < 2:
        return False
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return bool(a[0] > b[0])
    return bool(stats.ttest_ind(a, b, equal_var=False, alternative="greater").pvalue < alpha)


def dominates(j: list[Observations], i: list[Observations], alpha: float = ALPHA) -> bool:
    """Whether configuration ``j`` dominates ``i``; each is a list of observations, one per
    objective (higher is better)."""
    same = [_identical(a, b) for a, b in zip(j, i)]
    if all(same):
        return False
    return all(s or significantly_better(a, b, alpha) for s, a, b in zip(same, j, i))


def significant_front(configs: list[list[Observations]], alpha: float = ALPHA) -> list[int]:
    """Indices of the configurations no other dominates (:func:`dominates`)."""
    return [i for i, c in enumerate(configs)
            if not any(dominates(other, c, alpha) for j, other in enumerate(configs) if j != i)]


def front_share(values: list[list[dict[tuple, float]]]) -> list[tuple[int, int]]:
    """Per configuration, ``(on the front, instances)``: over the (instance, seed) keys every
    configuration has, how often its unit is on that key's plain Pareto front.

    ``values``: per configuration, per objective, (instance, seed) → value (higher is better).
    """
    from neurosim.sweep.compare import pareto_front

    keys = set.intersection(*(set(obj) for c in values for obj in c)) if values else set()
    on = [0] * len(values)
    for key in keys:
        first = [c[0][key] for c in values]
        # pareto_front wants (higher-better, lower-better): negate the second objective
        for i in pareto_front(first, [-c[1][key] for c in values]):
            on[i] += 1
    return [(n, len(keys)) for n in on]
