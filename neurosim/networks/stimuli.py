"""Stimuli that probe a reservoir: noisy copies of one input, a rate-coded input stream.

Inputs for the metrics of :mod:`neurosim.networks.metrics` (generalisation rank, memory
capacity). Every function draws its randomness from an explicit
:class:`numpy.random.Generator`; rasters are bool ``[samples, bins, channels]``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["jitter_raster", "rate_coded_stream"]


def jitter_raster(raster: np.ndarray, copies: int, rng: np.random.Generator,
                  drop: float = 0.1, shift: float = 0.1, max_shift: int = 1) -> np.ndarray:
    """``copies`` noisy versions of one input raster (bool ``[bins, channels]``).

    Each input spike is independently deleted with probability ``drop``; each
    surviving spike is moved, with probability ``shift``, by a uniformly drawn
    non-zero offset of at most ``max_shift`` bins (clipped to the raster; spikes
    landing on the same cell merge). Returns bool ``[copies, bins, channels]``.
    """
    raster = np.asarray(raster, dtype=bool)
    if raster.ndim != 2:
        raise ValueError(f"raster must be [bins, channels], got shape {raster.shape}")
    if not (0.0 <= drop <= 1.0 and 0.0 <= shift <= 1.0) or max_shift < 0:
        raise ValueError(f"need 0 ≤ drop, shift ≤ 1 and max_shift ≥ 0, got {drop}, {shift}, "
                         f"{max_shift}")
    bins, _ = raster.shape
    b, c = np.nonzero(raster)
    out = np.zeros((copies,) + raster.shape, dtype=bool)
    offsets = np.concatenate([np.arange(-max_shift, 0), np.arange(1, max_shift + 1)])
    for k in range(copies):
        keep = rng.random(b.size) >= drop
        move = rng.random(b.size) < shift
        delta = rng.choice(offsets, size=b.size) if offsets.size else np.zeros(b.size, dtype=int)
        nb = np.clip(b + np.where(move, delta, 0), 0, bins - 1)
        out[k, nb[keep], c[keep]] = True
    return out


def rate_coded_stream(u: np.ndarray, n_inputs: int, channels: np.ndarray,
                      rng: np.random.Generator, max_prob: float = 1.0) -> np.ndarray:
    """Encode a stream ``u`` (``(bins,)``, values in [0, 1]) as input spikes.

    In bin ``t`` each channel in ``channels`` spikes independently with
    probability ``max_prob · u(t)`` (a population rate code); the other channels
    stay silent. Returns bool ``[1, bins, n_inputs]``: one long sample.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 1 or (u.size and (u.min() < 0 or u.max() > 1)):
        raise ValueError("u must be 1-D with values in [0, 1]")
    if not 0.0 < max_prob <= 1.0:
        raise ValueError(f"max_prob must be in (0, 1], got {max_prob}")
    channels = np.asarray(channels, dtype=np.int64)
    out = np.zeros((1, u.size, n_inputs), dtype=bool)
    out[0][:, channels] = rng.random((u.size, channels.size)) < max_prob * u[:, None]
    return out
