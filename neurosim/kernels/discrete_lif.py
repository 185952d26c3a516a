"""The discrete LIF's kernels: numba for the cpu engine (event-driven, parallel over samples) and the
fused update of ``discrete_lif.cu`` with its numpy twin for the gpu engine.

The step follows the Brian2 engine's operation order
(:mod:`neurosim.networks.models.discrete_lif`, schedule ``groups → resets → synapses →
thresholds``) in float64:

1. ``v = decay * v`` (``v = 0`` in the first bin of a sample),
2. ``v = 0`` for every neuron that spiked in the previous step,
3. ``v += w_in[i]`` for each input ``i`` spiking in this bin, in ascending ``i``
   (Brian2 pathway ``lsm_w_in_pre`` runs before ``lsm_w_rec_pre``: same slot,
   ties broken by name), then ``v += w_rec[k]`` for each neuron ``k`` that spiked
   in the previous step, ascending ``k`` (Brian2 walks the spike space in index
   order and each neuron's synapses in creation order, i-major),
   then, in a run with a step hook, ``v += fb`` (the feedback the hook returned after
   the previous bin; Brian2's ``lsm_feedback`` operation, synapses slot, order 1),
4. ``s = v > threshold``.

One step function (:func:`_discrete_step`) serves the parallel :func:`chunk` kernel and the
stepping path of a hooked run (:func:`step`, called once per bin from Python). Kernel
arguments (:meth:`neurosim.networks.models.discrete_lif.DiscreteLIF.kernel_args`):
``(decay, threshold)``.

gpu (:data:`GPU_KERNEL`, a :class:`~neurosim.kernels.BinGpuKernel`): :func:`gpu_update`, the
update ``mem = ((decay·mem)·(1 − s) + inp) + rec``, ``s = mem > threshold`` on a batch ``[B, N]``
given the drives the engine computed: on CuPy the kernel of ``discrete_lif.cu``, on numpy its
twin in the same evaluation order, every product and sum rounded on its own (bit-identical).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numba import njit, prange

from neurosim import backend
from neurosim.kernels import BinGpuKernel, CpuKernel, source
from neurosim.kernels.cpu_common import add_rows

__all__ = ["GPU_KERNEL", "KERNEL", "KERNEL_NAMES", "chunk", "gpu_update", "start", "step"]


@njit(cache=True)
def _discrete_step(b, x_b, v, spk, nspk, active, no_gate, decay, vth,
                   in_dense, w_in, in_ptr, in_idx, in_std,
                   rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                   noisy, key, fb, spikes_b, trace_b):
    """One bin ``b`` of one discrete-LIF sample, in place (steps 1–4 of the module docstring).

    ``x_b``: bool ``(inputs,)`` input spikes of bin ``b``; ``v`` float64 ``(neurons,)``
    membrane; ``spk[:nspk]`` int64 the neurons that spiked in bin ``b − 1`` (replaced by
    bin ``b``'s); ``active`` int64 ``(inputs,)`` scratch; ``no_gate`` an empty bool array
    (the discrete LIF has no refractory gate; allocated once per sample by the caller). ``fb``: float64 ``(neurons,)``
    feedback added after the synaptic additions, or empty for none. Writes ``spikes_b``
    (bool ``(neurons,)``, set where a neuron fires) and ``trace_b`` (``v`` of the first
    ``len(trace_b)`` neurons). Returns the new ``nspk``.
    """
    neurons = v.shape[0]
    inputs = x_b.shape[0]
    if b == 0:
        for j in range(neurons):
            v[j] = 0.0
    else:
        for j in range(neurons):
            v[j] = decay * v[j]
        for k in range(nspk):
            v[spk[k]] = 0.0
    n_active = 0
    for i in range(inputs):
        if x_b[i]:
            active[n_active] = i
            n_active += 1
    # noise counters: (bin, pathway, pre) in the high bits, synapse position in the low 32
    noise_slot = (np.uint64(b) * np.uint64(2)) * np.uint64(inputs + neurons)
    add_rows(v, no_gate, False, active, n_active, in_dense, w_in, in_ptr, in_idx, in_std, noisy, key,
              noise_slot)
    noise_slot += np.uint64(inputs + neurons)
    add_rows(v, no_gate, False, spk, nspk, rec_dense, w_rec, rec_ptr, rec_idx, rec_std, noisy, key,
              noise_slot)
    for j in range(fb.shape[0]):
        v[j] += fb[j]
    nspk = 0
    for j in range(neurons):
        if v[j] > vth:
            spikes_b[j] = True
            spk[nspk] = j
            nspk += 1
    for j in range(trace_b.shape[0]):
        trace_b[j] = v[j]
    return nspk



@njit(cache=True, parallel=True)
def chunk(raster, args, in_rows, rec_rows, noisy, keys, spikes, traces):
    """Simulate a chunk of samples of the discrete LIF (Lin et al. 2025) in float64
    (arguments: :class:`neurosim.kernels.CpuKernel`; ``args = (decay, threshold)``)."""
    decay, vth = args
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    samples, bins, inputs = raster.shape
    neurons = spikes.shape[2]
    no_fb = np.zeros(0)
    for smp in prange(samples):
        v = np.zeros(neurons)
        spk = np.empty(neurons, dtype=np.int64)
        active = np.empty(inputs, dtype=np.int64)
        no_gate = np.ones(0, dtype=np.bool_)
        nspk = 0
        key = keys[smp]
        for b in range(bins):
            nspk = _discrete_step(b, raster[smp, b], v, spk, nspk, active, no_gate, decay, vth,
                                  in_dense, w_in, in_ptr, in_idx, in_std,
                                  rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                                  noisy, key, no_fb, spikes[smp, b], traces[smp, b])


def start(neurons: int, inputs: int, args: tuple) -> tuple:
    """One sample's state ``(v, spk, nspk, active)``: membrane float64 ``(N,)``, the neurons that
    spiked in the last bin (int64 ``(N,)``, the first ``nspk[0]``), scratch int64 ``(inputs,)``."""
    return (np.zeros(neurons), np.empty(neurons, dtype=np.int64), np.zeros(1, dtype=np.int64),
            np.empty(inputs, dtype=np.int64))


@njit(cache=True)
def step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s):
    """Bin ``k`` of one sample (:func:`_discrete_step`), called from Python by a hooked run."""
    v, spk, nspk, active = state
    decay, vth = args
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    nspk[0] = _discrete_step(k, raster_s[k], v, spk, nspk[0], active, np.ones(0, dtype=np.bool_), decay, vth,
                             in_dense, w_in, in_ptr, in_idx, in_std,
                             rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                             noisy, key, fb, spikes_s[k], traces_s[k])


#: The discrete LIF's :class:`~neurosim.kernels.CpuKernel` (one step per bin, no separators).
KERNEL = CpuKernel(chunk=chunk, start=start, step=step, slot_steps=lambda bins, args: bins)


# ---- gpu engine: the fused update of discrete_lif.cu and its numpy twin (state [B, N] in one float dtype)

#: CUDA threads per block of the update kernel.
THREADS = 256
_MAX_BLOCKS = 1 << 16  # grid-stride loop beyond this

#: The kernel of ``discrete_lif.cu`` for each dtype.
KERNEL_NAMES = {"float32": "neurosim_lsm_update_f32", "float64": "neurosim_lsm_update_f64"}


@functools.lru_cache(maxsize=2)
def _cuda_kernel(dtype_name: str):
    """The compiled fused update kernel for ``dtype_name`` (NVRTC, once per process and dtype)."""
    import cupy

    module = cupy.RawModule(code=source("discrete_lif.cu"))
    return module.get_function(KERNEL_NAMES[dtype_name])


def gpu_update(mem: Any, spikes: Any, inp: Any, rec: Any, decay: float, threshold: float, xp: Any) -> None:
    """Neuron update and threshold, in place: ``neurosim_lsm_update_*`` (CUDA) on CuPy, its twin on numpy.

    ``mem <- ((decay * mem) * (1 - spikes) + inp) + rec`` and ``spikes <- mem > threshold``
    (as 0/1 in the state's dtype). All arrays ``[B, N]``, C-contiguous, one dtype (float32
    or float64) on namespace ``xp``; ``decay`` and ``threshold`` are rounded to that dtype
    first. Returns None: ``mem`` and ``spikes`` hold the new state.
    """
    dtype = mem.dtype
    decay_t, threshold_t = dtype.type(decay), dtype.type(threshold)
    if backend.is_cupy(xp):
        n = mem.size
        if n == 0:
            return
        for a in (mem, spikes, inp, rec):
            if a.dtype != dtype or not a.flags.c_contiguous:
                raise ValueError("discrete-lif gpu_update: mem, spikes, inp and rec must be C-contiguous "
                                 f"arrays of one dtype ({dtype})")
        blocks = min((n + THREADS - 1) // THREADS, _MAX_BLOCKS)
        _cuda_kernel(dtype.name)((blocks,), (THREADS,),
                                 (mem, spikes, inp, rec, decay_t, threshold_t, np.int64(n)))
        return
    np.multiply(mem, decay_t, out=mem)
    mem *= 1 - spikes
    mem += inp
    mem += rec
    np.greater(mem, threshold_t, out=spikes, casting="unsafe")


#: The discrete LIF's :class:`~neurosim.kernels.BinGpuKernel` (``discrete_lif.cu``).
GPU_KERNEL = BinGpuKernel(source="discrete_lif.cu", update=gpu_update)
