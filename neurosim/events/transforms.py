"""Event transforms on a whole :class:`EventBatch`.

Each transform is a small frozen dataclass (its parameters) whose ``__call__``
delegates to a pure function, following tonic's ``transforms``/``functional`` split.
Each function works on the flat event array of the batch with vectorised numpy (no
per-sample loop) and returns a new batch; the input batch is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import DataError
from neurosim.events.batch import EventBatch, masked_offsets


def select_polarity(batch: EventBatch, polarity: int | None) -> EventBatch:
    """Keep only events with ``p == polarity`` (``None`` keeps both).

    The result has ``sensor_size`` ``(W, H, 1)``; its events keep their ``p`` value.
    """
    if polarity is None:
        return batch
    if polarity not in (0, 1):
        raise DataError(f"SelectPolarity: polarity must be 0 (OFF), 1 (ON) or None, got {polarity!r}")
    w, h, _ = batch.sensor_size
    return batch.keep_events(batch.events["p"] == polarity, sensor_size=(w, h, 1))


def center_crop(batch: EventBatch, size: int) -> EventBatch:
    """Keep events inside the centred ``size`` x ``size`` pixel window.

    The window starts at ``((W - size) // 2, (H - size) // 2)``; kept events have
    coordinates shifted so the window's corner is (0, 0), and the result's
    ``sensor_size`` is ``(size, size, P)``. ``size == 0`` or ``size`` at least the
    sensor's width and height returns the batch unchanged; a dimension smaller than
    ``size`` is left uncropped. Audio batches (channels, not pixels) pass unchanged.
    """
    if size < 0:
        raise DataError(f"CenterCrop: size must be >= 0 pixels, got {size}")
    if batch.modality == "audio":
        return batch
    w, h, p = batch.sensor_size
    new_w, new_h = min(size, w), min(size, h)
    if size == 0 or (new_w, new_h) == (w, h):
        return batch
    x0, y0 = (w - new_w) // 2, (h - new_h) // 2
    x, y = batch.events["x"], batch.events["y"]
    keep = (x >= x0) & (x < x0 + new_w) & (y >= y0) & (y < y0 + new_h)
    events = batch.events[keep]  # a copy
    events["x"] -= x0
    events["y"] -= y0
    offsets = masked_offsets(batch.offsets, keep)
    return EventBatch(events, offsets, batch.labels, (new_w, new_h, p), batch.is_test, batch.name,
                      batch.modality, batch.skipped)


#: Length of N-MNIST's first saccade in µs. The ATIS moved in three saccades of about
#: 100 ms each (Orchard et al., Front. Neurosci. 9:437, 2015); the stabilisation
#: code of the dataset's authors, ported in tonic (``tonic.datasets.nmnist.stabilize``),
#: switches saccade at 105 ms and 210 ms.
NMNIST_SACCADE_US = 105_000

ORIGINS = ("first_event", "zero")


def _check_time(name: str, value, what: str) -> None:
    """Raise DataError unless ``value`` is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise DataError(f"{name}: {what} must be a finite number of µs, got {value!r}")


def _check_window(name: str, start_us, stop_us, origin: str) -> None:
    _check_time(name, start_us, "start_us")
    _check_time(name, stop_us, "stop_us")
    if start_us < 0 or stop_us <= start_us:
        raise DataError(
            f"{name}: need 0 <= start_us < stop_us (µs after the sample's origin), "
            f"got start_us={start_us!r}, stop_us={stop_us!r}"
        )
    if origin not in ORIGINS:
        raise DataError(f"{name}: origin must be one of {ORIGINS}, got {origin!r}")


def _check_saccade(duration_us, origin: str) -> None:
    _check_time("FirstSaccade", duration_us, "duration_us")
    if duration_us <= 0:
        raise DataError(f"FirstSaccade: duration_us must be > 0 µs, got {duration_us!r}")
    if origin not in ORIGINS:
        raise DataError(f"FirstSaccade: origin must be one of {ORIGINS}, got {origin!r}")


def sample_start_times(batch: EventBatch) -> np.ndarray:
    """Earliest timestamp of each sample in µs, int64, shape ``(n,)``; 0 for empty samples."""
    t = batch.events["t"]
    counts = batch.counts()
    starts = np.zeros(len(batch), dtype=np.int64)
    nonempty = np.flatnonzero(counts > 0)
    if nonempty.size:
        # segments between consecutive non-empty starts are exactly those samples' events
        starts[nonempty] = np.minimum.reduceat(t, batch.offsets[nonempty])
    return starts


def time_window(
    batch: EventBatch, start_us: float, stop_us: float, origin: str = "first_event"
) -> EventBatch:
    """Keep the events of each sample with ``start_us <= t - t0 < stop_us``.

    ``t0`` is the sample's earliest timestamp (``origin="first_event"``, see
    :func:`sample_start_times`) or 0 (``origin="zero"``: times as recorded, tonic's
    convention, e.g. ``tonic.datasets.NMNIST(first_saccade_only=True)`` keeps ``t < 1e5``).
    Timestamps are not shifted. Samples left without events stay in the batch (empty).
    """
    _check_window("TimeWindow", start_us, stop_us, origin)
    rel = batch.events["t"]
    if origin == "first_event":
        rel = rel - np.repeat(sample_start_times(batch), batch.counts())
    return batch.keep_events((rel >= start_us) & (rel < stop_us))


def first_saccade(
    batch: EventBatch, duration_us: float = NMNIST_SACCADE_US, origin: str = "first_event"
) -> EventBatch:
    """Keep the events of each sample's first ``duration_us`` µs (N-MNIST's first saccade).

    The same as ``time_window(batch, 0, duration_us, origin)``.
    """
    _check_saccade(duration_us, origin)
    return time_window(batch, 0, duration_us, origin)


@dataclass(frozen=True)
class SelectPolarity:
    """Keep one polarity: 0 (OFF), 1 (ON), or ``None`` for both. See :func:`select_polarity`."""

    polarity: int | None = 0

    def __call__(self, batch: EventBatch) -> EventBatch:
        return select_polarity(batch, self.polarity)


@dataclass(frozen=True)
class CenterCrop:
    """Crop to the centred ``size`` x ``size`` pixel window. See :func:`center_crop`."""

    size: int

    def __call__(self, batch: EventBatch) -> EventBatch:
        return center_crop(batch, self.size)


@dataclass(frozen=True)
class TimeWindow:
    """Keep events with ``start_us <= t - t0 < stop_us`` in each sample. See :func:`time_window`.

    Attributes:
        start_us, stop_us: window in µs after the sample's origin, ``0 <= start_us < stop_us``.
        origin: ``"first_event"`` (t0 = the sample's earliest event) or ``"zero"`` (t0 = 0).
    """

    start_us: float
    stop_us: float
    origin: str = "first_event"

    def __post_init__(self) -> None:
        _check_window("TimeWindow", self.start_us, self.stop_us, self.origin)

    def __call__(self, batch: EventBatch) -> EventBatch:
        return time_window(batch, self.start_us, self.stop_us, self.origin)


@dataclass(frozen=True)
class FirstSaccade:
    """Keep each sample's first ``duration_us`` µs, N-MNIST's first saccade (default 105 ms,
    :data:`NMNIST_SACCADE_US`). See :func:`first_saccade`."""

    duration_us: float = NMNIST_SACCADE_US
    origin: str = "first_event"

    def __post_init__(self) -> None:
        _check_saccade(self.duration_us, self.origin)

    def __call__(self, batch: EventBatch) -> EventBatch:
        return first_saccade(batch, self.duration_us, self.origin)
