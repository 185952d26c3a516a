"""Pairing the samples of two datasets by label (e.g. events and speech for zero-shot learning)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from neurosim.errors import DataError

__all__ = ["pair_by_label"]


def _labels(labels: np.ndarray, which: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise DataError(f"pair_by_label: labels_{which} must be a 1-D integer array, got "
                        f"shape {arr.shape} dtype {arr.dtype}")
    return arr


def pair_by_label(
    labels_a: np.ndarray,
    labels_b: np.ndarray,
    rng: np.random.Generator,
    classes: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pair every sample of dataset A with a sample of dataset B that has the same label.

    Args:
        labels_a: labels of A, integer ``(n_a,)``.
        labels_b: labels of B, integer ``(n_b,)``.
        rng: the only source of randomness (``numpy.random.Generator``); the same state
            gives the same pairs.
        classes: the labels to pair (default: every label present in A); samples of A
            with other labels are left out.

    Returns:
        ``(idx_a, idx_b)``, int64 arrays of equal length: positions into A (every A sample
        of the chosen classes, ascending) and, aligned with them, positions into B of a
        sample with the same label. Within a class, B's samples are used in a random
        order, each once while they last; when B has fewer samples of the class than A,
        the remaining pairs draw B's samples of that class again, uniformly with
        replacement. Classes are processed in ascending order.

    Raises:
        DataError: labels that are not 1-D integer arrays, ``rng`` not a Generator, or a
            chosen class with no sample in A or in B (the message names the classes).
    """
    a, b = _labels(labels_a, "a"), _labels(labels_b, "b")
    if not isinstance(rng, np.random.Generator):
        raise DataError(f"pair_by_label: rng must be a numpy.random.Generator, got {type(rng).__name__}")
    wanted = np.unique(a) if classes is None else np.unique(np.asarray(classes, dtype=np.int64))
    for which, labels in (("A", a), ("B", b)):
        missing = np.setdiff1d(wanted, labels)
        if missing.size:
            raise DataError(f"pair_by_label: class(es) {missing.tolist()} have no sample in dataset "
                            f"{which}; pair only classes present in both (classes=...)")
    idx_a = np.flatnonzero(np.isin(a, wanted)).astype(np.int64)
    idx_b = np.empty_like(idx_a)
    for c in wanted.tolist():
        at = a[idx_a] == c
        pool = np.flatnonzero(b == c)
        n = int(at.sum())
        first = rng.permutation(pool)[:n]
        extra = rng.choice(pool, size=n - len(first), replace=True)
        idx_b[at] = np.concatenate([first, extra])
    return idx_a, idx_b.astype(np.int64)
