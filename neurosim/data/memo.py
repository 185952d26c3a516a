"""Loaded datasets kept in memory between runs of one process (a sweep worker), bounded in bytes.

A sweep runs many units (configuration × chip instance × seed) on the same samples. Inside
``with memoized_loading(max_bytes):`` every :func:`neurosim.data.load_dataset` call first
looks up its arguments here, so a worker process reads (or generates) a chunk of samples once
and hands the same read-only :class:`~neurosim.events.EventBatch` to every later unit that
asks for it. Outside such a block nothing is kept and nothing changes.

The key is everything that decides the loaded batch: dataset name, resolved data root, seed,
``skip_corrupt`` and the sample positions; the least recently used entries are dropped once the
batches held exceed ``max_bytes``. A batch larger than ``max_bytes`` is never kept. The store
lives as long as the process (a worker), the switch only as long as the ``with`` block (a
:class:`contextvars.ContextVar`, so it never leaks into other threads' runs).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from contextvars import ContextVar
from typing import Callable, Iterator

import numpy as np

from neurosim.events.batch import EventBatch

__all__ = ["batch_nbytes", "clear_memo", "memo_key", "memo_stats", "memoized", "memoized_loading"]

_LIMIT: ContextVar[int | None] = ContextVar("neurosim_data_memo_limit", default=None)
_STORE: OrderedDict[tuple, EventBatch] = OrderedDict()
_SIZES: dict[tuple, int] = {}
_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}


@contextlib.contextmanager
def memoized_loading(max_bytes: int = 1 << 30) -> Iterator[None]:
    """Within the block, :func:`~neurosim.data.load_dataset` reuses batches loaded before in this
    process (up to ``max_bytes`` bytes of them, least recently used dropped first)."""
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
    token = _LIMIT.set(int(max_bytes))
    try:
        yield
    finally:
        _LIMIT.reset(token)


def memo_key(name: str, root: str, seed: int, skip_corrupt: bool, indices: np.ndarray | None) -> tuple:
    """The memo key of one ``load_dataset`` call (``indices`` hashed: int64 sample positions or None)."""
    where = None if indices is None else hashlib.sha256(
        np.ascontiguousarray(indices, dtype=np.int64).tobytes()).hexdigest()
    return (name, root, int(seed), bool(skip_corrupt), where)


def batch_nbytes(batch: EventBatch) -> int:
    """Bytes held by a batch's arrays."""
    extra = 0 if batch.is_test is None else np.asarray(batch.is_test).nbytes
    return int(batch.events.nbytes + np.asarray(batch.offsets).nbytes + np.asarray(batch.labels).nbytes + extra)


def memoized(key: tuple, load: Callable[[], EventBatch]) -> EventBatch:
    """``load()``, or the batch stored under ``key`` when memoized loading is on (see the module)."""
    limit = _LIMIT.get()
    if limit is None:
        return load()
    with _LOCK:
        if key in _STORE:
            _STORE.move_to_end(key)
            _STATS["hits"] += 1
            return _STORE[key]
        _STATS["misses"] += 1
    batch = load()
    size = batch_nbytes(batch)
    if size <= limit:
        with _LOCK:
            _STORE[key] = batch
            _SIZES[key] = size
            while sum(_SIZES.values()) > limit:
                old, _ = _STORE.popitem(last=False)
                _SIZES.pop(old)
    return batch


def memo_stats() -> dict:
    """``{"hits", "misses", "entries", "bytes"}`` of this process's store."""
    with _LOCK:
        return {**_STATS, "entries": len(_STORE), "bytes": sum(_SIZES.values())}


def clear_memo() -> None:
    """Drop every stored batch and reset the counters."""
    with _LOCK:
        _STORE.clear()
        _SIZES.clear()
        _STATS.update(hits=0, misses=0)
