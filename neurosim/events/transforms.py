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
                      batch.modality)


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
