"""Choosing samples of a dataset from its labels: a stratified subset."""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.errors import DataError

__all__ = ["stratified_indices"]


def stratified_indices(labels: np.ndarray, n_samples: int, seed: int = 0) -> np.ndarray:
    """Pick ``n_samples`` positions of ``labels``, as equal per class as possible.

    Deterministic from ``seed`` (its stream ``("data", "subset")``, :mod:`neurosim.seeds`): each class's
    members are shuffled, then taken round-robin over the classes (in a shuffled class
    order) until ``n_samples`` are chosen; a class that runs out simply stops
    contributing. Returns the chosen positions sorted ascending (int64).
    """
    labels = np.asarray(labels)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise DataError(f"n_samples must be a positive integer or None, got {n_samples!r}")
    if n_samples > len(labels):
        raise DataError(f"n_samples={n_samples} but the dataset has only {len(labels)} samples")
    rng = seeds.rng(seed, "data", "subset")
    classes = np.unique(labels)
    class_priority = dict(zip(classes.tolist(), rng.permutation(len(classes)).tolist()))
    shuffled = rng.permutation(len(labels))
    lab = labels[shuffled]
    # rank of each (shuffled) sample inside its class: 0, 1, 2, ...
    order = np.argsort(lab, kind="stable")
    starts = np.searchsorted(lab[order], lab[order], side="left")
    rank = np.empty(len(lab), dtype=np.int64)
    rank[order] = np.arange(len(lab)) - starts
    priority = np.array([class_priority[c] for c in lab.tolist()], dtype=np.int64)
    chosen = shuffled[np.lexsort((priority, rank))[:n_samples]]
    return np.sort(chosen).astype(np.int64)
