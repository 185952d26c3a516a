"""Bin a batch of events into per-sample count rasters (time bins x input channels).

Each sample's span ``[t_first, t_last]`` (µs) is split into ``n_bins`` equal bins; an
event at time ``t`` goes to bin ``floor((t - t_first) * n_bins / (t_last - t_first))``
with the final bin closed, so the sample's last event lands in the last bin and no event
is ever dropped. The arithmetic is exact 64-bit integer math, written once in
:func:`bin_of`; the CUDA kernel ``kernels/bin_events.cu`` implements the same expression
(``neurosim_time_bin``) and the tests run it on the host against :func:`bin_of`.

Forms (``n`` samples, ``C = W * H * P`` channels, channel ``(p_index * H + y) * W + x``,
see :func:`neurosim.events.packed.channel_of`):

* dense, :func:`bin_packed` / :func:`bin_events`: int32 ``[n, n_bins, C]`` on the events'
  namespace; numpy sorts the cell indices (``unique``), CuPy runs the kernel (one thread
  per event, ``atomicAdd``);
* sparse, :func:`bin_sparse`: the non-zero cells as sorted COO arrays, convertible to a
  ``scipy.sparse`` CSR matrix of shape ``[n * n_bins, C]``.

**Differences from tonic's ToFrame(n_time_bins=n)**, deliberate and shown by
``tests/test_binning.py`` on real N-MNIST samples. tonic slices a sample into ``n``
half-open windows ``[t0 + k w, t0 + (k + 1) w)`` of integer width ``w = (t_last - t0) // n``
µs. Hence:

1. tonic drops the events at ``t >= t0 + n w``: always the sample's last event(s) (at
   ``t_last``), and, when the span is not a multiple of ``n`` µs, every event in its last
   ``span mod n`` µs too. Here every event is counted. When the span is a multiple of
   ``n``, both give identical frames except for the events at ``t_last``, which only we count.
   When it is not, tonic's bin ``(t - t0) // w`` is ours or one later (``w <= span / n``;
   never more than one when ``span >= n**2`` µs). On the 1,100 real N-MNIST samples with
   ``n = 50`` tonic drops 1,130 events and puts 8,999 kept events (in 1,023 samples) one
   bin later (docs/explanation/run.md, "Event tensors").
2. tonic counts in int16 and wraps past 32,767 events per cell (long recordings);
   here counts are int32 and :class:`DataError` is raised before anything could wrap.
3. tonic's frames are ``[n_bins, P, H, W]`` per sample; ours are ``[n, n_bins, C]``, so
   ``raster[i].reshape(n_bins, P, H, W)`` has tonic's layout.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim import backend
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch
from neurosim.events.packed import PackedEvents, channel_of, channels, pack

__all__ = [
    "BINNING_VERSION",
    "SparseRaster",
    "bin_events",
    "bin_of",
    "bin_packed",
    "bin_sparse",
    "channel_index",
    "channels",
    "event_bins",
    "time_bin_index",
    "window_starts",
    "window_sums",
]

#: Version of the binning rule; part of every cache key (bump it when rasters change).
BINNING_VERSION = 1

_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1
_THREADS = 256  # CUDA threads per block
_MAX_BLOCKS = 1 << 20  # grid-stride loop beyond this


# --- the one binning rule -----------------------------------------------------------


def bin_of(dt: Any, span: Any, n_bins: int, xp: Any = np) -> Any:
    """Time bin of events ``dt`` µs after their sample's first event (int64 arrays, any xp).

    ``span`` is the sample's ``t_last - t_first`` (µs). Returns
    ``min(dt * n_bins // max(span, 1), n_bins - 1)``: exact integer math, closed last bin,
    and bin 0 for every event of a sample whose events share one timestamp. The CUDA
    kernel's ``neurosim_time_bin`` is the same expression. Callers keep
    ``span * n_bins < 2**63`` (see :func:`event_bins`).
    """
    return xp.minimum(dt * n_bins // xp.maximum(span, 1), n_bins - 1)


def _check_n_bins(n_bins: Any) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise DataError(f"bin_events: n_bins must be a positive integer, got {n_bins!r}")
    return int(n_bins)


def _check_limits(packed: PackedEvents, n_bins: int) -> None:
    """Raise DataError where int64 bin math or int32 counts could overflow."""
    if packed.n_samples and packed.n_events:
        span = int((packed.t_last - packed.t_first).max())
        if span * n_bins > _INT64_MAX:
            raise DataError(
                f"bin_events: a sample spans {span} µs; with n_bins={n_bins} the exact bin "
                f"arithmetic would overflow int64 (span * n_bins must stay below 2**63)")
    cells = packed.n_samples * n_bins * packed.n_channels
    if cells > _INT64_MAX:
        raise DataError(f"bin_events: {cells} raster cells do not fit an int64 index; bin in chunks")


def _as_packed(events: PackedEvents | EventBatch) -> PackedEvents:
    return pack(events) if isinstance(events, EventBatch) else events


def event_bins(packed: PackedEvents, n_bins: int) -> Any:
    """Time bin of every event, int64 in ``[0, n_bins)``, shape ``(N,)``, on ``packed``'s xp."""
    n_bins = _check_n_bins(n_bins)
    _check_limits(packed, n_bins)
    xp = packed.xp
    first = packed.t_first[packed.sample]
    span = packed.t_last[packed.sample] - first
    return bin_of(packed.t - first, span, n_bins, xp)


def _cells(packed: PackedEvents, n_bins: int) -> Any:
    """Flat cell index ``(sample * n_bins + bin) * C + channel`` of every event, int64 ``(N,)``."""
    bins = event_bins(packed, n_bins)
    return (packed.sample * n_bins + bins) * packed.n_channels + packed.channel


# --- sparse form --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SparseRaster:
    """The non-zero cells of a raster ``[n, n_bins, C]`` as COO arrays (numpy or cupy).

    Attributes:
        sample, bin, channel: int64, shape ``(K,)``: coordinates of the K non-zero cells,
            sorted by (sample, bin, channel), each cell once.
        count: int64, shape ``(K,)``: events in each cell (>= 1; int64, never wraps).
        shape: ``(n, n_bins, C)``.
    """

    sample: Any
    bin: Any
    channel: Any
    count: Any
    shape: tuple[int, int, int]

    def to_dense(self) -> Any:
        """The dense int32 raster ``[n, n_bins, C]`` on the same namespace.

        Raises DataError if a count exceeds int32 (it is never wrapped).
        """
        xp = backend.get_namespace(self.count)
        if len(self.count) and int(self.count.max()) > _INT32_MAX:
            raise DataError("bin_events: a cell holds more than 2**31 - 1 events; int32 cannot "
                            "hold it (use the sparse int64 counts)")
        n, n_bins, c = self.shape
        out = xp.zeros(n * n_bins * c, dtype=xp.int32)
        out[(self.sample * n_bins + self.bin) * c + self.channel] = self.count.astype(xp.int32)
        return out.reshape(self.shape)

    def to_csr(self):
        """A ``scipy.sparse.csr_array`` of shape ``[n * n_bins, C]`` with int64 counts.

        Row ``sample * n_bins + bin`` holds that time bin's channel counts. Always on the
        host (CuPy arrays are copied to numpy first).
        """
        from scipy import sparse

        n, n_bins, c = self.shape
        rows = backend.to_numpy(self.sample * n_bins + self.bin)
        return sparse.csr_array(
            (backend.to_numpy(self.count), (rows, backend.to_numpy(self.channel))),
            shape=(n * n_bins, c))


def bin_sparse(events: PackedEvents | EventBatch, n_bins: int) -> SparseRaster:
    """The non-zero cells of the raster of ``events`` (see :class:`SparseRaster`).

    Same binning as :func:`bin_packed` (``to_dense()`` equals it); works on numpy and
    CuPy with the same code, memory ``O(events)`` instead of ``O(n * n_bins * C)``.
    """
    packed = _as_packed(events)
    n_bins = _check_n_bins(n_bins)
    xp, c = packed.xp, packed.n_channels
    cells, counts = xp.unique(_cells(packed, n_bins), return_counts=True)
    per_sample = n_bins * c
    rest = cells % per_sample
    return SparseRaster(cells // per_sample, rest // c, rest % c, counts.astype(xp.int64),
                        (packed.n_samples, n_bins, c))


# --- dense form ---------------------------------------------------------------------


def bin_packed(events: PackedEvents | EventBatch, n_bins: int) -> Any:
    """Count events per sample, time bin and channel, on the events' namespace.

    Args:
        events: :class:`PackedEvents` on numpy or cupy (an EventBatch is packed on numpy).
        n_bins: number of equal time bins per sample (each sample uses its own span).

    Returns:
        int32 array ``[n_samples, n_bins, n_channels]`` (numpy or cupy, like the input),
        holding every event: ``out.sum() == N`` and ``out[i].sum()`` is sample i's count.
        Memory is ``n * n_bins * C * 4`` bytes; bin big datasets in chunks
        (:mod:`neurosim.data.stream`) or use :func:`bin_sparse`.

    Raises:
        DataError: bad ``n_bins``; more than ``2**31 - 1`` events in the batch (a count
            could then exceed int32: split the batch or use :func:`bin_sparse`); a span so
            long that exact bin math would overflow int64.
    """
    packed = _as_packed(events)
    n_bins = _check_n_bins(n_bins)
    if packed.n_events > _INT32_MAX:
        raise DataError(
            f"bin_events: {packed.n_events} events in one batch; a count could exceed int32 "
            f"(2**31 - 1); split the batch or use bin_sparse (int64 counts)")
    _check_limits(packed, n_bins)
    xp = packed.xp
    shape = (packed.n_samples, n_bins, packed.n_channels)
    if backend.is_cupy(xp):
        return _bin_dense_cuda(packed, n_bins, shape)
    cells, counts = np.unique(_cells(packed, n_bins), return_counts=True)
    out = np.zeros(shape[0] * shape[1] * shape[2], dtype=np.int32)
    out[cells] = counts.astype(np.int32)  # <= N <= 2**31 - 1, checked above
    return out.reshape(shape)


@functools.lru_cache(maxsize=1)
def _cuda_kernel():
    """The compiled ``neurosim_bin_events_dense`` kernel (NVRTC, once per process)."""
    import cupy

    from neurosim.events.kernels import source

    module = cupy.RawModule(code=source("bin_events.cu"))
    return module.get_function("neurosim_bin_events_dense")


def _bin_dense_cuda(packed: PackedEvents, n_bins: int, shape: tuple[int, int, int]) -> Any:
    """CuPy twin of the numpy dense path: one thread per event, atomicAdd on int32 counts."""
    xp = packed.xp
    out = xp.zeros(shape, dtype=xp.int32)
    n_events = packed.n_events
    if n_events:
        blocks = min((n_events + _THREADS - 1) // _THREADS, _MAX_BLOCKS)
        _cuda_kernel()(
            (blocks,), (_THREADS,),
            (packed.channel, packed.t, packed.sample, packed.t_first, packed.t_last,
             np.int64(n_events), np.int64(n_bins), np.int64(packed.n_channels), out))
    return out


# --- EventBatch conveniences (numpy) ------------------------------------------------


def channel_index(batch: EventBatch) -> np.ndarray:
    """Input channel of every event, int64, shape ``(N,)`` (see :func:`channel_of`).

    ``channel = (p_index * H + y) * W + x`` where ``p_index = p`` when the sensor has
    ``P > 1`` polarity channels and ``0`` when ``P == 1`` (a single kept polarity).
    """
    ev = batch.events
    return np.asarray(channel_of(ev["x"], ev["y"], ev["p"], batch.sensor_size), dtype=np.int64)


def time_bin_index(batch: EventBatch, n_bins: int) -> np.ndarray:
    """Time bin of every event, int64 in ``[0, n_bins)``, shape ``(N,)``.

    For a sample with span ``T = t_last - t_first`` (µs), an event at time ``t`` goes to
    bin ``floor((t - t_first) * n_bins / T)``, clipped to ``n_bins - 1`` so the last
    event falls in the last bin (:func:`bin_of`). Exact integer arithmetic. A sample whose
    events all share one timestamp (``T == 0``) puts them all in bin 0.
    """
    n_bins = _check_n_bins(n_bins)
    return event_bins(pack(batch), n_bins)


def bin_events(batch: EventBatch, n_bins: int) -> np.ndarray:
    """Count the events of ``batch`` per sample, time bin and channel (numpy).

    Args:
        batch: the events; its ``sensor_size`` ``(W, H, P)`` defines the channels.
        n_bins: number of equal time bins per sample (each sample uses its own span).

    Returns:
        int32 array of shape ``[n_samples, n_bins, channels(sensor_size)]``. Counts are
        int32 (no int16 wrap-around); the raster holds every event, so
        ``out.sum() == len(batch.events)`` and ``out[i].sum() == batch.counts()[i]``.
        Memory is ``n_samples * n_bins * channels * 4`` bytes; bin large datasets in
        chunks (``batch.subset`` or :mod:`neurosim.data.stream`).
    """
    return bin_packed(pack(batch), n_bins)


# --- time windows of a raster ---------------------------------------------------------


def window_starts(n_bins: int, n_windows: int) -> np.ndarray:
    """First bin of each of ``n_windows`` windows over ``n_bins`` bins, split as evenly as possible
    (``numpy.array_split``: the first ``n_bins % n_windows`` windows get one bin more)."""
    if not 1 <= n_windows <= n_bins:
        raise ValueError(f"n_windows must lie in 1 … {n_bins} (the number of bins), got {n_windows}")
    sizes = np.full(n_windows, n_bins // n_windows)
    sizes[:n_bins % n_windows] += 1
    return np.concatenate([[0], np.cumsum(sizes)[:-1]])


def window_sums(raster: np.ndarray, n_windows: int) -> np.ndarray:
    """Spikes per channel in ``n_windows`` consecutive windows: ``[samples, bins, channels]`` →
    int64 ``[samples, n_windows, channels]`` (the windows sum to the whole-sample counts)."""
    starts = window_starts(raster.shape[1], n_windows)
    ends = [*starts[1:], raster.shape[1]]
    out = np.empty((raster.shape[0], n_windows, raster.shape[2]), dtype=np.int64)
    # one sum per window, not ``np.add.reduceat(..., axis=1)``: reduceat over a middle axis runs
    # element by element, about 4 times slower on a [110, 100, 2,000] spike raster (bench/hot_paths.py)
    for k, (start, end) in enumerate(zip(starts, ends)):
        window = raster[:, start:end]
        out[:, k] = (np.count_nonzero(window, axis=1) if raster.dtype == bool
                     else window.sum(axis=1, dtype=np.int64))
    return out
