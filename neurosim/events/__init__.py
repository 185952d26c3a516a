"""Event data: :class:`EventBatch` (flat events + per-sample offsets), transforms, binning,
and :func:`to_raster` (events to the reservoir's input spikes).

Events are tonic structured arrays with fields x, y, t, p (t in µs).
"""

from neurosim.events.batch import AUDIO_DTYPE, VISION_DTYPE, EventBatch, as_audio_events, as_vision_events
from neurosim.events.binning import (
    SparseRaster,
    bin_events,
    bin_packed,
    bin_sparse,
    channel_index,
    channels,
    time_bin_index,
)
from neurosim.events.packed import PackedEvents, pack
from neurosim.events.raster import input_transforms, to_raster
from neurosim.events.transforms import (
    CenterCrop,
    FirstSaccade,
    SelectPolarity,
    TimeWindow,
    center_crop,
    first_saccade,
    select_polarity,
    time_window,
)

__all__ = [
    "AUDIO_DTYPE",
    "VISION_DTYPE",
    "as_audio_events",
    "EventBatch",
    "as_vision_events",
    "bin_events",
    "bin_packed",
    "bin_sparse",
    "SparseRaster",
    "PackedEvents",
    "pack",
    "channel_index",
    "channels",
    "time_bin_index",
    "CenterCrop",
    "FirstSaccade",
    "TimeWindow",
    "first_saccade",
    "time_window",
    "SelectPolarity",
    "center_crop",
    "select_polarity",
    "input_transforms",
    "to_raster",
]
