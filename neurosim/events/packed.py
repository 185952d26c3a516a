"""PackedEvents: a batch's events as plain 1-D arrays on numpy or CuPy.

CuPy has no structured arrays, so the binning kernels (and the engines) take the events
of an :class:`~neurosim.events.batch.EventBatch` as separate plain arrays, all on one
namespace. The input channel of every event is computed once, here, by
:func:`channel_of`; the binning in :mod:`neurosim.events.binning` uses it on both backends.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import ModuleType
from typing import Any

import numpy as np

from neurosim import backend
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

__all__ = ["PackedEvents", "channel_of", "channels", "pack"]

_INT32_MAX = 2**31 - 1


def channels(sensor_size: tuple[int, int, int]) -> int:
    """Number of input channels ``W * H * P`` for a sensor of size ``(W, H, P)``."""
    w, h, p = (int(s) for s in sensor_size)
    return w * h * p


def channel_of(x: Any, y: Any, p: Any, sensor_size: tuple[int, int, int]) -> Any:
    """Input channel of events at pixel ``(x, y)`` with polarity ``p`` (int arrays, any xp).

    ``channel = (p_index * H + y) * W + x`` where ``p_index = p`` when the sensor has
    ``P > 1`` polarity channels and ``0`` when ``P == 1`` (a single kept polarity, whose
    events keep their original ``p``). Channels lie in ``[0, W * H * P)``.
    """
    w, h, n_p = (int(s) for s in sensor_size)
    p_index = p if n_p > 1 else 0
    return (p_index * h + y) * w + x


@dataclass(frozen=True, eq=False)
class PackedEvents:
    """The events of ``n`` samples as plain 1-D arrays on one namespace (numpy or cupy).

    Attributes:
        channel: int32, shape ``(N,)``: input channel of each event (:func:`channel_of`).
        t: int64, shape ``(N,)``: timestamp of each event, µs.
        sample: int64, shape ``(N,)``: index of the sample each event belongs to
            (non-decreasing; sample ``i`` owns ``offsets[i]:offsets[i + 1]``).
        offsets: int64, shape ``(n + 1,)``: per-sample event offsets, as in EventBatch.
        t_first: int64, shape ``(n,)``: each sample's first (smallest) timestamp, µs;
            0 for an empty sample.
        t_last: int64, shape ``(n,)``: each sample's last (largest) timestamp, µs;
            0 for an empty sample.
        n_channels: number of input channels ``W * H * P``.

    Build it with :func:`pack`; move it with :meth:`to`. Arrays are made contiguous.
    """

    channel: Any
    t: Any
    sample: Any
    offsets: Any
    t_first: Any
    t_last: Any
    n_channels: int

    def __post_init__(self) -> None:
        arrays = [getattr(self, f.name) for f in fields(self) if f.name != "n_channels"]
        xp = backend.get_namespace(*arrays)
        dtypes = {"channel": np.int32, "t": np.int64, "sample": np.int64, "offsets": np.int64,
                  "t_first": np.int64, "t_last": np.int64}
        for name, dtype in dtypes.items():
            a = getattr(self, name)
            if not hasattr(a, "dtype") or a.ndim != 1 or a.dtype != dtype:
                raise DataError(f"PackedEvents.{name} must be a 1-D {np.dtype(dtype)} array, "
                                f"got {getattr(a, 'dtype', type(a).__name__)} "
                                f"shape {getattr(a, 'shape', None)}")
            object.__setattr__(self, name, xp.ascontiguousarray(a))
        n_events, n = len(self.t), len(self.offsets) - 1
        if n < 0 or len(self.channel) != n_events or len(self.sample) != n_events:
            raise DataError("PackedEvents: channel, t and sample must have one entry per event "
                            "and offsets at least one entry")
        if len(self.t_first) != n or len(self.t_last) != n:
            raise DataError(f"PackedEvents: t_first and t_last must have shape ({n},)")
        if isinstance(self.n_channels, bool) or not 1 <= int(self.n_channels) <= _INT32_MAX:
            raise DataError(f"PackedEvents: n_channels must lie in [1, 2**31), got {self.n_channels}")
        object.__setattr__(self, "n_channels", int(self.n_channels))

    @property
    def xp(self) -> ModuleType:
        """The namespace (numpy or cupy) holding the arrays."""
        return backend.get_namespace(self.t)

    @property
    def n_samples(self) -> int:
        """Number of samples ``n``."""
        return len(self.offsets) - 1

    @property
    def n_events(self) -> int:
        """Number of events ``N`` in all samples."""
        return len(self.t)

    def to(self, xp: ModuleType) -> "PackedEvents":
        """The same events on namespace ``xp`` (numpy or cupy); ``self`` if already there."""
        if backend.get_namespace(self.t) is backend.get_namespace(xp=xp):
            return self
        moved = {f.name: backend.asarray(getattr(self, f.name), xp)
                 for f in fields(self) if f.name != "n_channels"}
        return PackedEvents(**moved, n_channels=self.n_channels)

    def __repr__(self) -> str:
        return (f"PackedEvents(n_samples={self.n_samples}, n_events={self.n_events}, "
                f"n_channels={self.n_channels}, xp={self.xp.__name__})")


def pack(batch: EventBatch, xp: ModuleType = np) -> PackedEvents:
    """Pack ``batch`` into plain arrays on ``xp`` (numpy default, or cupy).

    The channel of each event (:func:`channel_of`) and each sample's first and last
    timestamp are computed once on the host with vectorised numpy, then moved.

    Raises:
        DataError: the sensor has more than ``2**31 - 1`` channels (int32 channel ids).
    """
    n_channels = channels(batch.sensor_size)
    if n_channels > _INT32_MAX:
        raise DataError(f"sensor_size {batch.sensor_size} has {n_channels} channels; at most "
                        f"{_INT32_MAX} fit the int32 channel index")
    ev = batch.events
    channel = channel_of(ev["x"], ev["y"], ev["p"], batch.sensor_size).astype(np.int32)
    t = np.ascontiguousarray(ev["t"], dtype=np.int64)
    counts = batch.counts()
    filled = counts > 0
    t_first = np.zeros(len(batch), dtype=np.int64)
    t_last = np.zeros(len(batch), dtype=np.int64)
    if filled.any():  # reduceat needs non-empty segments
        starts = batch.offsets[:-1][filled]
        t_first[filled] = np.minimum.reduceat(t, starts)
        t_last[filled] = np.maximum.reduceat(t, starts)
    packed = PackedEvents(channel, t, batch.sample_ids(), np.asarray(batch.offsets, np.int64),
                          t_first, t_last, n_channels)
    return packed.to(xp)
