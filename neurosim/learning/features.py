"""Features a readout learns from: reservoir spikes in time windows, and the no-reservoir baselines.

Every function takes one chunk of samples and returns one row per sample, so that
:class:`neurosim.tasks.pipeline.Pipeline` can build the features chunk by chunk.
"""

from __future__ import annotations

import numpy as np

from neurosim.config import ReadoutConfig
from neurosim.events import EventBatch, bin_events
from neurosim.events.binning import window_starts, window_sums

__all__ = ["BASELINES", "baseline_features", "pixel_counts", "raster_windows", "reservoir_features",
           "window_traces"]

#: The no-reservoir baselines, in the order reports list them.
BASELINES = ("pixel counts", "input raster", "windowed input counts")


def window_traces(raster: np.ndarray, n_windows: int, decay: float) -> np.ndarray:
    """A low-pass spike trace ``x_b = decay·x_{b−1} + s_b`` (``x_{−1} = 0``) read at the last bin of each
    window: ``[samples, bins, channels]`` → float64 ``[samples, n_windows, channels]``."""
    bins = raster.shape[1]
    ends = np.append(window_starts(bins, n_windows)[1:], bins) - 1
    trace = np.zeros((raster.shape[0], raster.shape[2]))
    out = np.empty((raster.shape[0], n_windows, raster.shape[2]))
    k = 0
    for b in range(bins):
        trace *= decay
        trace += raster[:, b]
        if b == ends[k]:
            out[:, k] = trace
            k += 1
    return out


def reservoir_features(spikes: np.ndarray, readout: ReadoutConfig) -> np.ndarray:
    """The readout's input from a spike raster bool ``[samples, bins, neurons]``: float32
    ``[samples, windows·neurons]`` (window-major), as ``readout.feature`` and ``readout.windows`` say."""
    windows = min(readout.windows, spikes.shape[1])
    per_window = (window_traces(spikes, windows, readout.trace_decay) if readout.feature == "trace"
                  else window_sums(spikes, windows))
    return per_window.reshape(len(spikes), -1).astype(np.float32)


def pixel_counts(batch: EventBatch) -> np.ndarray:
    """Events per sensor pixel and polarity over the whole sample and the whole sensor (no crop, both
    polarities): int32 ``[samples, W·H·P]`` (for audio, ``W`` channels and ``H = 1``)."""
    return bin_events(batch, 1)[:, 0, :]


def raster_windows(bins: int, channels: int, max_features: int | None) -> int:
    """Time windows of the "input raster" baseline: all ``bins`` (the flattened raster itself) when
    ``bins · channels ≤ max_features`` (or no limit, None), else the most windows whose
    ``windows · channels`` features stay within ``max_features`` (at least one)."""
    if max_features is None or bins * channels <= max_features:
        return bins
    return max(1, min(bins, max_features // channels))


def baseline_features(batch: EventBatch, raster: np.ndarray, readout: ReadoutConfig,
                      max_raster_features: int | None = None) -> dict[str, np.ndarray]:
    """The no-reservoir baselines of one chunk (:data:`BASELINES`), each float32 ``[samples, features]``:
    per-pixel event counts, the input raster (``bins·channels``; with more features than
    ``max_raster_features``, its bins summed into :func:`raster_windows` equal windows), and the input
    spikes in the readout's time windows (``windows·channels``)."""
    windows = min(readout.windows, raster.shape[1])
    pooled = raster_windows(raster.shape[1], raster.shape[2], max_raster_features)
    flat = (raster if pooled == raster.shape[1] else window_sums(raster, pooled)).reshape(len(raster), -1)
    return {
        "pixel counts": pixel_counts(batch).astype(np.float32),
        "input raster": flat.astype(np.float32),
        "windowed input counts": window_sums(raster, windows).reshape(len(raster), -1).astype(np.float32),
    }
