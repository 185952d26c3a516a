"""The one loading path every dataset module calls; each module keeps only its own format.

* :func:`locate` and :func:`require`: find a dataset's folder (or file) under the data root, and
  the :class:`DataError` that says it is missing and how to get it.
* :func:`positions`: the sample positions a ``load(indices=...)`` call asks for, checked.
* :func:`read_samples`: the loop of the file readers: read each asked-for sample into the batch, or
  with ``skip_corrupt`` leave a :class:`CorruptSampleError` sample out as a ``"path: reason"`` line.
* :func:`to_batch`: pack samples with their labels and official split into the dataset's EventBatch.

Like :mod:`neurosim.data.corrupt`, this module imports no dataset module, so every dataset module may
import it while the registry imports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from neurosim.data.corrupt import CorruptSampleError
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

__all__ = ["Sample", "locate", "positions", "read_samples", "require", "to_batch"]

#: How often :func:`read_samples` reports progress, in samples (and once at the end).
PROGRESS_EVERY = 100


class Sample(Protocol):
    """One sample of a file-backed dataset, before its events are read: its class and official split."""

    @property
    def label(self) -> int: ...

    @property
    def is_test(self) -> bool: ...


S = TypeVar("S", bound=Sample)


class _Contract(Protocol):
    """The parts of a :class:`~neurosim.data.registry.Dataset` class that a batch is stamped with."""

    name: str
    modality: str
    sensor_size: tuple[int, int, int]


def locate(candidates: Sequence[Path], holds: Callable[[Path], bool]) -> Path:
    """The first of ``candidates`` for which ``holds(candidate)`` is true, else the first candidate
    (the place the dataset's error messages then name)."""
    return next((c for c in candidates if holds(c)), candidates[0])


def require(path: Path, kind: str, title: str, how_to_get: str) -> Path:
    """``path`` if it is an existing folder (``kind="folder"``) or file (``kind="file"``).

    Raises:
        DataError: ``"<title>: <kind> <path> does not exist. <how_to_get>"``.
    """
    exists = path.is_dir() if kind == "folder" else path.is_file()
    if not exists:
        raise DataError(f"{title}: {kind} {path} does not exist. {how_to_get}")
    return path


def positions(title: str, n: int, indices: np.ndarray | None) -> np.ndarray:
    """The sample positions to load, int64 ``(k,)``: ``indices`` flattened, or ``0..n-1`` if None.

    Raises:
        DataError: a position outside ``[0, n)``, naming the dataset ``title`` and the range.
    """
    idx = np.arange(n) if indices is None else np.asarray(indices, dtype=np.int64).reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise DataError(f"{title}: sample indices must lie in [0, {n}), got {idx.min()}..{idx.max()}")
    return idx


def read_samples(
    dataset: _Contract,
    found: Sequence[S],
    idx: Iterable[int],
    read: Callable[[S], np.ndarray],
    *,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Read ``found[i]`` for every ``i`` in ``idx`` (from :func:`positions`), in that order, into
    ``dataset``'s EventBatch (:func:`to_batch`: labels and official split from each sample read).

    Args:
        dataset: the Dataset class the batch is stamped with.
        found: every sample of the dataset, in load order.
        idx: positions into ``found``.
        read: the dataset's reader: one sample's checked events, or :class:`CorruptSampleError`.
        progress: optional ``callable(done, total)``, called every :data:`PROGRESS_EVERY` samples
            and after the last.
        skip_corrupt: if True, a sample whose ``read`` raises :class:`CorruptSampleError` is left out
            and listed in ``EventBatch.skipped`` as ``"<where>: <reason>"``; if False the error propagates.
    """
    idx = list(idx)
    samples: list[np.ndarray] = []
    kept: list[S] = []
    skipped: list[str] = []
    for done, i in enumerate(idx, start=1):
        sample = found[i]
        try:
            samples.append(read(sample))
            kept.append(sample)
        except CorruptSampleError as e:
            if not skip_corrupt:
                raise
            skipped.append(e.entry())
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(idx)):
            progress(done, len(idx))
    return to_batch(dataset, samples, [s.label for s in kept], [s.is_test for s in kept], skipped)


def to_batch(
    dataset: _Contract,
    samples: Sequence[np.ndarray],
    labels: Sequence[int] | np.ndarray,
    is_test: Sequence[bool] | np.ndarray | None,
    skipped: Sequence[str] = (),
) -> EventBatch:
    """The EventBatch of ``dataset`` (a Dataset class: its ``name``, ``sensor_size``, ``modality``)
    holding ``samples`` with their ``labels``, official split ``is_test`` (None: no split) and the
    ``skipped`` lines."""
    return EventBatch.from_samples(samples, labels, dataset.sensor_size, dataset.name, is_test=is_test,
                                   modality=dataset.modality, skipped=skipped)
