"""Finite-difference checks of written-out gradients (every trainable layer is tested with this)."""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

__all__ = ["numerical_gradient", "gradient_error"]


def numerical_gradient(loss: Callable[[], float], param: np.ndarray, eps: float = 1e-6,
                       max_entries: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Central differences ``(L(p+ε) − L(p−ε)) / 2ε`` of the scalar ``loss()`` for entries of ``param``.

    ``param`` (float64 numpy array) is perturbed in place and restored bit-exactly.
    ``max_entries``: check this many entries picked at random (stream ``seed``) instead of
    all. Returns ``(flat_indices, gradient_values)``.
    """
    flat = param.reshape(-1)
    n = flat.size
    idx = (np.arange(n) if max_entries is None or max_entries >= n
           else np.sort(np.random.default_rng(seed).choice(n, max_entries, replace=False)))
    out = np.empty(len(idx))
    for k, i in enumerate(idx):
        old = flat[i]
        flat[i] = old + eps
        up = loss()
        flat[i] = old - eps
        down = loss()
        flat[i] = old
        out[k] = (up - down) / (2 * eps)
    return idx, out


def gradient_error(loss: Callable[[], float], params: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], eps: float = 1e-6,
                   max_entries: int | None = 200, seed: int = 0) -> float:
    """Largest relative error ``|g − g_fd| / max(1e-8, |g| + |g_fd|)`` over the checked entries of
    every parameter (``grads`` are the analytic gradients at the current ``params``)."""
    worst = 0.0
    for name, p in params.items():
        idx, numeric = numerical_gradient(loss, p, eps, max_entries, seed)
        analytic = np.asarray(grads[name]).reshape(-1)[idx]
        rel = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
        worst = max(worst, float(rel.max(initial=0.0)))
    return worst
