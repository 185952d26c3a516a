"""Choosing continual-learning hyperparameters on a validation split, never on the test samples,
and comparing methods by paired differences over seeds.

A *grid* maps a training setting (a field of :class:`~neurosim.learning.continual.TrainSettings`) to
the values tried. Each method is tried only on the settings it reads (:data:`METHOD_KEYS`: fine-tuning
ignores the Hebbian rate, so it is not retrained for each rate), at every combination of them
(:func:`method_points`). The validation split is carved from the training samples, stratified by
class (:func:`validation_split`); the networks tried are trained on the rest and scored on it, and
:func:`choose` picks the point of highest mean validation ACC over the seeds.
"""

from __future__ import annotations

import itertools

import numpy as np

from neurosim.errors import ConfigError
from neurosim.stats import Interval, mean_interval

__all__ = ["METHOD_KEYS", "SHARED_KEYS", "choose", "method_points", "paired_difference", "validation_split"]

#: Settings every method reads (the trained network and its SGD).
SHARED_KEYS = ("hidden", "epochs", "batch_size", "lr", "momentum", "bias")

#: Settings each method reads besides :data:`SHARED_KEYS`.
METHOD_KEYS = {
    "finetune": (),
    "hlop": ("lateral_neurons", "variance_threshold", "hebbian_rate", "hebbian_iterations", "hebbian_epochs",
             "hebbian_adaptive"),
    "exact": ("lateral_neurons", "variance_threshold"),
    "replay": ("replay_per_class",),
    "multitask": (),
}


def method_points(method: str, grid: dict[str, tuple]) -> list[dict]:
    """Every combination of the grid's values for the keys ``method`` reads, in the grid's order
    (the first key varies slowest); ``[{}]`` (the settings as they are) when it reads none of them."""
    if method not in METHOD_KEYS:
        raise ConfigError(f"unknown continual method {method!r} (choose from {', '.join(METHOD_KEYS)})")
    keys = [k for k in grid if k in SHARED_KEYS or k in METHOD_KEYS[method]]
    return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]


def validation_split(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Positions into ``labels`` (the training samples' labels) of the samples kept for fitting and
    of those held out for validation: ``round(fraction × n_c)`` of each class's ``n_c`` samples,
    drawn by ``rng``, at least one of a class of ≥ 2 samples and never all of them. Both sorted."""
    if not 0.0 < fraction < 1.0:
        raise ConfigError(f"continual.val_fraction = {fraction}: expected a fraction strictly between 0 and 1, "
                          "e.g. 0.2")
    labels = np.asarray(labels)
    val = []
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        if len(where) < 2:
            continue
        take = min(max(int(round(fraction * len(where))), 1), len(where) - 1)
        val.append(rng.choice(where, size=take, replace=False))
    val_idx = np.sort(np.concatenate(val)) if val else np.zeros(0, np.int64)
    fit_idx = np.setdiff1d(np.arange(len(labels)), val_idx)
    return fit_idx, val_idx


def choose(scores: np.ndarray) -> int:
    """The index of the grid point with the highest mean score over seeds (``scores``: points × seeds,
    e.g. validation ACC); the earliest point in grid order on a tie."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] == 0:
        raise ValueError(f"choose needs a points × seeds array of scores, got shape {s.shape}")
    return int(np.argmax(s.mean(axis=1)))


def paired_difference(a, b, level: float = 0.95) -> Interval:
    """Mean of the per-seed differences ``a − b`` (the same seeds, in the same order) with a Student-t
    interval: a paired comparison, which removes what the two share on each seed (chip, tasks, split,
    initial weights)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired_difference needs the same seeds on both sides, got {a.shape} and {b.shape}")
    return mean_interval(a - b, level)
