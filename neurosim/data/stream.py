"""Reading a dataset in chunks of samples, in bounded memory.

A dataset too large to hold as one :class:`~neurosim.events.batch.EventBatch` (or its
raster) is read as consecutive chunks of at most ``batch_size`` samples. Only one chunk's
events are in memory at a time (plus whatever the consumer keeps), and the chunks come in
a fixed order, so concatenating them gives exactly the batch the loader returns for all the
indices at once (:mod:`neurosim.tasks.pipeline` streams every dataset this way)::

    load = functools.partial(load_dataset, "nmnist", data_dir="../shared/data")
    for chunk in iter_batches(load, sample_indices("nmnist", data_dir="../shared/data"), 256):
        raster = bin_events(CenterCrop(16)(chunk), 50)    # [<=256, 50, channels]
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

__all__ = ["iter_batches"]


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
