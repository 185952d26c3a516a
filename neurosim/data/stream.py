"""Streaming a dataset in chunks of samples, in bounded memory.

A dataset too large to hold as one :class:`~neurosim.events.batch.EventBatch` (or its
raster) is read as consecutive chunks of at most ``batch_size`` samples. Only one chunk's
events are in memory at a time (plus whatever the consumer keeps), and the chunks come in
a fixed order, so concatenating them gives exactly the batch that
:func:`neurosim.data.load_dataset` returns for the same ``name``, ``n_samples`` and ``seed``.

    for chunk in stream_dataset("nmnist", data_dir="../shared/data", batch_size=256):
        raster = bin_events(CenterCrop(16)(chunk), 50)    # [<=256, 50, channels]
"""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterator

import numpy as np

from neurosim.data.registry import load_dataset, sample_indices
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

__all__ = ["iter_batches", "stream_dataset"]


def _check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise DataError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def iter_batches(
    load: Callable[..., EventBatch], indices: np.ndarray, batch_size: int
) -> Iterator[EventBatch]:
    """Yield ``load(indices=chunk)`` for consecutive chunks of ``indices``.

    Args:
        load: a loader taking ``indices=`` (int64 sample positions) and returning an
            EventBatch of those samples in that order (the dataset modules' ``load`` with
            its other arguments bound).
        indices: int sample positions, shape ``(n,)``, in the order to stream them.
        batch_size: samples per chunk (the last chunk may be smaller).

    Nothing is loaded until iteration starts; each chunk is loaded when it is asked for.
    """
    batch_size = _check_batch_size(batch_size)
    indices = np.asarray(indices, dtype=np.int64).reshape(-1)
    for start in range(0, len(indices), batch_size):
        yield load(indices=indices[start : start + batch_size])


def stream_dataset(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    batch_size: int = 256,
    n_samples: int | None = None,
    seed: int = 0,
) -> Iterator[EventBatch]:
    """Yield dataset ``name`` as EventBatch chunks of at most ``batch_size`` samples.

    Args:
        name: a registered dataset (see :func:`neurosim.data.list_datasets`).
        data_dir: data root (default ``$NEUROSIM_DATA`` or ``./datasets``).
        batch_size: samples per chunk; memory is bounded by one chunk's events.
        n_samples: as in :func:`neurosim.data.load_dataset` (None: every sample).
        seed: subset choice and, for generated datasets, generation (sample ``i`` does not
            depend on which chunk it is generated in).

    The chunks, concatenated, equal ``load_dataset(name, data_dir=data_dir,
    n_samples=n_samples, seed=seed)``: same samples, order, events, labels and is_test.
    The sample choice and checks run at the call; events are read lazily, chunk by chunk.

    Raises:
        DataError: unknown dataset, missing data, bad ``n_samples`` or ``batch_size``.
    """
    batch_size = _check_batch_size(batch_size)
    indices = sample_indices(name, data_dir=data_dir, n_samples=n_samples, seed=seed)
    load = functools.partial(load_dataset, name, data_dir=data_dir, seed=seed)
    return iter_batches(load, indices, batch_size)
