"""Events to the reservoir's input spikes: transforms, then equal time bins, then one spike per busy cell."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from neurosim.errors import ConfigError
from neurosim.events.batch import EventBatch
from neurosim.events.binning import bin_events
from neurosim.events.transforms import CenterCrop, SelectPolarity

Transform = Callable[[EventBatch], EventBatch]

__all__ = ["input_transforms", "to_raster"]


def input_transforms(settings: Any) -> tuple[Transform, ...]:
    """The transforms that input settings name, in the order they apply.

    ``settings``: anything with ``polarity`` (0 or 1 keeps that polarity, -1 keeps both as
    separate channels) and ``crop`` (centre crop size in pixels, 0 keeps the whole sensor),
    e.g. a config's ``[input]`` section (``config.input``).
    """
    polarity = None if settings.polarity < 0 else settings.polarity
    return SelectPolarity(polarity), CenterCrop(settings.crop)


def to_raster(batch: EventBatch, transforms: Sequence[Transform] | Any = (), n_bins: int | None = None) -> np.ndarray:
    """The reservoir's input spikes, bool ``[samples, n_bins, channels]``.

    Applies ``transforms`` to ``batch`` in order, then splits each sample's span into
    ``n_bins`` equal bins (:func:`neurosim.events.bin_events`); a channel that saw one or more
    events in a bin spikes once in it. ``channels`` is that of the transformed batch's sensor
    (e.g. 16 × 16 × 1 = 256 for N-MNIST cropped to 16 px, one polarity).

    ``transforms``: a sequence of callables ``EventBatch -> EventBatch`` (e.g.
    :class:`~neurosim.events.SelectPolarity`, :class:`~neurosim.events.CenterCrop`), or input
    settings such as ``config.input``, which stand for :func:`input_transforms` of them and give
    the default ``n_bins``. ``n_bins``: time steps per sample (required with a sequence).
    """
    if hasattr(transforms, "n_bins"):   # input settings, e.g. config.input
        n_bins = transforms.n_bins if n_bins is None else n_bins
        transforms = input_transforms(transforms)
    if n_bins is None:
        raise ConfigError("to_raster: give n_bins (time steps per sample) with a sequence of transforms")
    for transform in transforms:
        batch = transform(batch)
    return bin_events(batch, n_bins) > 0
