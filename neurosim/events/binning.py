"""Bin a batch of events into per-sample count rasters (time bins x input channels).

Unlike tonic's ``ToFrame`` (half-open time windows, which drops an event that falls
exactly on the end of the last window), no event is ever dropped here: each sample's
span ``[t_first, t_last]`` is split into ``n_bins`` equal bins and the final bin is
closed, so the sample's last event lands in the last bin.
"""

from __future__ import annotations

import numpy as np

from neurosim.errors import DataError
from neurosim.events.batch import EventBatch


def channels(sensor_size: tuple[int, int, int]) -> int:
    """Number of input channels ``W * H * P`` for a sensor of size ``(W, H, P)``."""
    w, h, p = (int(s) for s in sensor_size)
    return w * h * p


def channel_index(batch: EventBatch) -> np.ndarray:
    """Input channel of every event, int64, shape ``(N,)``.

    ``channel = (p_index * H + y) * W + x`` where ``p_index = p`` when the sensor has
    ``P > 1`` polarity channels and ``0`` when ``P == 1`` (a single kept polarity).
    """
    w, h, p = batch.sensor_size
    ev = batch.events
    p_index = ev["p"] if p > 1 else 0
    return (p_index * h + ev["y"]) * w + ev["x"]


def time_bin_index(batch: EventBatch, n_bins: int) -> np.ndarray:
    """Time bin of every event, int64 in ``[0, n_bins)``, shape ``(N,)``.

    For a sample with span ``T = t_last - t_first`` (µs), an event at time ``t`` goes to
    bin ``floor((t - t_first) * n_bins / T)``, clipped to ``n_bins - 1`` so the last
    event falls in the last bin. Exact integer arithmetic. A sample whose events all
    share one timestamp (``T == 0``) puts them all in bin 0.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise DataError(f"bin_events: n_bins must be a positive integer, got {n_bins!r}")
    t = batch.events["t"]
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    counts = batch.counts()
    starts = batch.offsets[:-1][counts > 0]  # reduceat needs non-empty segments
    t_first = np.repeat(np.minimum.reduceat(t, starts), counts[counts > 0])
    t_last = np.repeat(np.maximum.reduceat(t, starts), counts[counts > 0])
    span = np.maximum(t_last - t_first, 1)  # T == 0 -> numerator is 0 -> bin 0
    return np.minimum((t - t_first) * n_bins // span, n_bins - 1)


def bin_events(batch: EventBatch, n_bins: int) -> np.ndarray:
    """Count events per sample, time bin and channel.

    Args:
        batch: the events; its ``sensor_size`` ``(W, H, P)`` defines the channels.
        n_bins: number of equal time bins per sample (each sample uses its own span).

    Returns:
        int32 array of shape ``[n_samples, n_bins, channels(sensor_size)]``. Counts are
        int32 (no int16 wrap-around); the raster holds every event, so
        ``out.sum() == len(batch.events)`` and ``out[i].sum() == batch.counts()[i]``.
        Memory is ``n_samples * n_bins * channels * 4`` bytes; bin large datasets in
        chunks (``batch.subset``).
    """
    n, c = len(batch), channels(batch.sensor_size)
    bins = time_bin_index(batch, n_bins)
    flat = (batch.sample_ids() * n_bins + bins) * c + channel_index(batch)
    out = np.zeros(n * n_bins * c, dtype=np.int32)
    np.add.at(out, flat, 1)
    return out.reshape(n, n_bins, c)
