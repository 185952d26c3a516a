"""How closely two engines' spikes agree (the statistical tolerance for float32/GPU runs)."""

from __future__ import annotations

import numpy as np


def count_correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation over samples of each neuron's spike count, shape ``(neurons,)``.

    ``a`` and ``b`` are spike rasters ``[samples, bins, neurons]``. A neuron whose
    counts are identical in both runs scores 1 (also when they are constant); one
    whose counts differ but are constant in either run scores 0.
    """
    ca, cb = a.sum(axis=1).astype(float), b.sum(axis=1).astype(float)
    out = np.ones(ca.shape[1])
    for j in range(ca.shape[1]):
        if not np.array_equal(ca[:, j], cb[:, j]):
            out[j] = np.corrcoef(ca[:, j], cb[:, j])[0, 1] if ca[:, j].std() and cb[:, j].std() else 0.0
    return out
