"""EventBatch: the events of many samples in one flat array plus per-sample offsets.

Events are tonic structured arrays with the vision fields ``x, y, t, p`` (the dtype
tonic uses for N-MNIST, every field ``int64``): ``x`` and ``y`` are pixel columns and
rows, ``t`` is the timestamp in microseconds (µs), ``p`` is the polarity (0 = OFF,
1 = ON). Sample ``i`` owns ``events[offsets[i]:offsets[i + 1]]``.

Audio events (tonic's ``t, x, p``: ``x`` is the frequency channel) are stored in the
same layout with ``y = 0`` on a sensor of size ``(channels, 1, P)``, so every transform
and binning serves both modalities; ``sample()`` returns each in its tonic dtype.

Keeping all samples in one flat array lets transforms and binning work on every
event of a batch with a few vectorised numpy calls instead of a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from neurosim.errors import DataError

#: Structured dtype of vision events (tonic's N-MNIST dtype): x, y in pixels, t in µs, p in {0, 1}.
VISION_DTYPE = np.dtype([("x", int), ("y", int), ("t", int), ("p", int)])


#: Structured dtype of audio events (tonic's N-TIDIGITS/SHD dtype): t in µs, x = channel, p.
AUDIO_DTYPE = np.dtype([("t", int), ("x", int), ("p", int)])

MODALITIES = ("vision", "audio")


def _readonly(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array`` (the caller's array keeps its own flags)."""
    view = array.view()
    view.flags.writeable = False
    return view


def as_vision_events(events: np.ndarray, what: str = "events") -> np.ndarray:
    """Return ``events`` with :data:`VISION_DTYPE` (copying only if the dtype differs).

    Audio events (fields t, x, p, no y) get ``y = 0``. Raises :class:`DataError` if
    ``events`` is not a 1-D structured array with fields x, y, t, p or t, x, p.
    """
    events = np.asarray(events)
    names = events.dtype.names or ()
    missing = [f for f in VISION_DTYPE.names if f not in names and f != "y"]
    if missing or events.ndim != 1:
        raise DataError(
            f"{what}: expected a 1-D structured array with fields x, y, t, p "
            f"(got dtype {events.dtype}, shape {events.shape})"
        )
    if events.dtype == VISION_DTYPE:
        return events
    out = np.zeros(len(events), dtype=VISION_DTYPE)
    for name in names:
        if name in VISION_DTYPE.names:
            out[name] = events[name]
    return out


def as_audio_events(events: np.ndarray) -> np.ndarray:
    """Events in the batch layout (:data:`VISION_DTYPE`, y = 0) as tonic audio events (:data:`AUDIO_DTYPE`)."""
    out = np.empty(len(events), dtype=AUDIO_DTYPE)
    for name in AUDIO_DTYPE.names:
        out[name] = events[name]
    return out


@dataclass(frozen=True, eq=False, repr=False)
class EventBatch:
    """Events of ``n`` samples in one flat structured array.

    Attributes:
        events: structured array, shape ``(N,)``, dtype :data:`VISION_DTYPE`
            (x, y in pixels; t in µs; p polarity). Read-only.
        offsets: int64, shape ``(n + 1,)``, non-decreasing, ``offsets[0] == 0`` and
            ``offsets[-1] == N``; sample ``i`` is ``events[offsets[i]:offsets[i + 1]]``.
        labels: int64, shape ``(n,)``, class label of each sample.
        sensor_size: ``(W, H, P)`` like tonic's ``(34, 34, 2)``: width, height and the
            number of polarity channels. ``P == 1`` means one polarity channel (for
            example after :class:`~neurosim.events.transforms.SelectPolarity`); the
            events then keep their original ``p`` value (0 or 1).
        is_test: bool, shape ``(n,)``, True for samples of the official test split, or
            ``None`` when the dataset has no official split.
        name: dataset name, e.g. ``"nmnist"``.
        modality: ``"vision"`` or ``"audio"`` (then ``H == 1`` and every ``y`` is 0).
        skipped: corrupt samples a loader left out (``load(..., skip_corrupt=True)``),
            one ``"path: reason"`` string each; ``()`` when none were skipped. Carried
            unchanged by :meth:`subset`, :meth:`keep_events` and the transforms.

    The arrays are stored as read-only views; transforms return new batches.
    """

    events: np.ndarray
    offsets: np.ndarray
    labels: np.ndarray
    sensor_size: tuple[int, int, int]
    is_test: np.ndarray | None = None
    name: str = ""
    modality: str = "vision"
    skipped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"EventBatch {self.name!r}"
        events = as_vision_events(self.events, where)
        offsets, labels = np.asarray(self.offsets), np.asarray(self.labels)
        is_test = None if self.is_test is None else np.asarray(self.is_test)
        size = tuple(int(s) for s in self.sensor_size)
        _check_structure(where, len(events), offsets, labels, is_test, size)
        _check_coordinates(events, size, where)
        if self.modality not in MODALITIES:
            raise DataError(f"{where}: modality must be one of {MODALITIES}, got {self.modality!r}")
        if self.modality == "audio" and size[1] != 1:
            raise DataError(f"{where}: audio events need sensor_size (channels, 1, P), got {size}")
        if not isinstance(self.skipped, (tuple, list)) or not all(isinstance(s, str) for s in self.skipped):
            raise DataError(f"{where}: skipped must be a sequence of 'path: reason' strings")
        # frozen dataclass: store normalised, read-only arrays once, here
        object.__setattr__(self, "events", _readonly(events))
        object.__setattr__(self, "offsets", _readonly(offsets.astype(np.int64, copy=False)))
        object.__setattr__(self, "labels", _readonly(labels.astype(np.int64, copy=False)))
        object.__setattr__(self, "sensor_size", size)
        object.__setattr__(self, "is_test", None if is_test is None else _readonly(is_test))
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "skipped", tuple(self.skipped))

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_samples(
        cls,
        samples: Sequence[np.ndarray],
        labels: Sequence[int] | np.ndarray,
        sensor_size: tuple[int, int, int],
        name: str,
        is_test: Sequence[bool] | np.ndarray | None = None,
        modality: str = "vision",
        skipped: Sequence[str] = (),
    ) -> "EventBatch":
        """Pack a list of per-sample structured arrays (fields x, y, t, p, or t, x, p for
        audio) into one batch; ``skipped`` lists samples a loader left out ("path: reason")."""
        arrays = [as_vision_events(s, f"{name!r} sample {i}") for i, s in enumerate(samples)]
        counts = np.array([len(a) for a in arrays], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        events = np.concatenate(arrays) if arrays else np.empty(0, dtype=VISION_DTYPE)
        labels = np.asarray(labels, dtype=np.int64)
        is_test = None if is_test is None else np.asarray(is_test, dtype=bool)
        return cls(events, offsets, labels, tuple(sensor_size), is_test, name, modality, tuple(skipped))

    # -- access -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __repr__(self) -> str:
        split = "no split" if self.is_test is None else f"{int(self.is_test.sum())} test"
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"EventBatch(name={self.name!r}, n={len(self)}, events={len(self.events)}, "
            f"sensor_size={self.sensor_size}, {split}{skipped})"
        )

    def sample(self, i: int) -> np.ndarray:
        """Events of sample ``i``, shape ``(counts()[i],)``: a read-only view with
        :data:`VISION_DTYPE`, or a copy with :data:`AUDIO_DTYPE` for audio."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"sample index {i} out of range for a batch of {n}")
        i = i % n
        events = self.events[self.offsets[i] : self.offsets[i + 1]]
        return as_audio_events(events) if self.modality == "audio" else events

    def counts(self) -> np.ndarray:
        """Number of events per sample, int64, shape ``(n,)``."""
        return np.diff(self.offsets)

    def sample_ids(self) -> np.ndarray:
        """Index of the sample each event belongs to, int64, shape ``(N,)``."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.counts())

    # -- new batches ------------------------------------------------------------------
    def subset(self, indices: Sequence[int] | np.ndarray) -> "EventBatch":
        """A new batch with the samples ``indices``.

        ``indices`` are ints (in that order; repeats and negative indices allowed) or a
        bool mask of shape ``(n,)``.
        """
        n = len(self)
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (n,):
                raise DataError(f"subset: a bool mask must have shape ({n},), got {idx.shape}")
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64).reshape(-1)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"subset indices out of range for a batch of {n}")
        idx = idx % max(n, 1)
        counts = self.counts()[idx]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # event k of the new batch comes from start(sample) + (k - new start(sample))
        gather = np.repeat(self.offsets[idx] - offsets[:-1], counts) + np.arange(offsets[-1])
        is_test = None if self.is_test is None else self.is_test[idx]
        events = self.events[gather]
        return EventBatch(events, offsets, self.labels[idx], self.sensor_size, is_test, self.name,
                          self.modality, self.skipped)

    def keep_events(
        self, mask: np.ndarray, sensor_size: tuple[int, int, int] | None = None
    ) -> "EventBatch":
        """A new batch keeping the events where ``mask`` (bool, shape ``(N,)``) is True.

        ``sensor_size`` optionally replaces the sensor size. Offsets are recomputed;
        samples left with no events stay in the batch (empty).
        """
        mask = np.asarray(mask, dtype=bool)
        offsets = masked_offsets(self.offsets, mask)
        return EventBatch(
            self.events[mask], offsets, self.labels, sensor_size or self.sensor_size, self.is_test,
            self.name, self.modality, self.skipped,
        )


def masked_offsets(offsets: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Offsets (int64, shape ``(n + 1,)``) of the batch that keeps only the events where ``mask``.

    ``mask`` is bool with shape ``(N,)``, ``N == offsets[-1]``.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (int(offsets[-1]),):
        raise DataError(f"event mask must have shape ({int(offsets[-1])},), got {mask.shape}")
    kept = np.flatnonzero(mask)  # sorted positions of kept events
    return np.searchsorted(kept, offsets, side="left").astype(np.int64)


def _check_structure(
    where: str,
    n_events: int,
    offsets: np.ndarray,
    labels: np.ndarray,
    is_test: np.ndarray | None,
    size: tuple[int, ...],
) -> None:
    """Raise DataError unless offsets, labels, is_test and sensor_size fit together."""
    if len(size) != 3 or min(size) < 1:
        raise DataError(f"{where}: sensor_size must be (W, H, P) with positive ints, got {size}")
    if offsets.ndim != 1 or len(offsets) < 1 or not np.issubdtype(offsets.dtype, np.integer):
        raise DataError(
            f"{where}: offsets must be a 1-D integer array of shape (n + 1,), "
            f"got shape {offsets.shape} dtype {offsets.dtype}"
        )
    n = len(offsets) - 1
    if offsets[0] != 0 or offsets[-1] != n_events:
        raise DataError(
            f"{where}: offsets must start at 0 and end at the number of events {n_events}, "
            f"got {offsets[0]} .. {offsets[-1]}"
        )
    if np.any(np.diff(offsets) < 0):
        raise DataError(f"{where}: offsets must be non-decreasing")
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(
            f"{where}: labels must be integers of shape ({n},), got shape {labels.shape} dtype {labels.dtype}"
        )
    if is_test is not None and (is_test.shape != (n,) or is_test.dtype != bool):
        raise DataError(
            f"{where}: is_test must be None or a bool array of shape ({n},), "
            f"got shape {is_test.shape} dtype {is_test.dtype}"
        )


def _check_coordinates(events: np.ndarray, size: tuple[int, int, int], where: str) -> None:
    """Raise DataError unless 0 <= x < W, 0 <= y < H and p is a valid polarity."""
    if len(events) == 0:
        return
    w, h, p = size
    p_max = max(p, 2)  # with P == 1 the kept polarity keeps its original value 0 or 1
    for name, limit in (("x", w), ("y", h), ("p", p_max)):
        values = events[name]
        lo, hi = int(values.min()), int(values.max())
        if lo < 0 or hi >= limit:
            raise DataError(
                f"{where}: event field {name!r} must lie in [0, {limit}) for sensor_size {size}, "
                f"found values in [{lo}, {hi}]"
            )
