"""One time step of the discrete-LIF reservoir on a batch of samples, for numpy and CuPy.

The model (Lin et al. 2025; exactly the Brian2 engine's discrete LIF), for the state of a
batch of samples at input bin ``b``::

    mem_b = decay * mem_{b-1} * (1 - s_{b-1}) + x_b @ W_in + s_{b-1} @ W_rec
    s_b   = mem_b > threshold

Shapes (``B`` samples in the batch, ``I`` inputs, ``N`` neurons), all of one float dtype
(float32 or float64) on one namespace ``xp``:

* ``mem``    ``[B, N]`` membrane potential (membrane units), updated in place;
* ``spikes`` ``[B, N]`` 0/1 spikes of the previous step in, of this step out (in place);
* ``x_b``    ``[B, I]`` 0/1 input spikes of bin ``b``;
* ``w_in``   ``[I, N]``, ``w_rec`` ``[N, N]`` (row = presynaptic neuron), membrane units.

:func:`lsm_step` is written once for both namespaces: the two propagations are dense
matrix products on ``xp`` (BLAS on the CPU, cuBLAS on the GPU) and the neuron update is
:func:`lsm_update`, whose CuPy path is the fused kernel ``neurosim/kernels/discrete_lif.cu`` and whose
numpy path is its twin with the same signature and the same evaluation order
``((decay * mem) * (1 - s) + inp) + rec`` (bit-identical given the same drives).

Brian2 adds the synaptic weights one by one in synapse order; a matrix product sums them
in the BLAS library's order, so float64 results can differ from the Brian2 engine's in the
last bits, and a membrane potential within ~1e-15 of the threshold can flip a spike (rare:
see ``tests/test_gpu_engine.py`` for the measured agreement).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from neurosim import backend

__all__ = ["KERNEL_NAMES", "THREADS", "lsm_step", "lsm_update", "noise_generator", "synaptic_drive"]

#: CUDA threads per block of the update kernel.
THREADS = 256
_MAX_BLOCKS = 1 << 16  # grid-stride loop beyond this

#: The kernel of ``neurosim/kernels/discrete_lif.cu`` for each dtype.
KERNEL_NAMES = {"float32": "neurosim_lsm_update_f32", "float64": "neurosim_lsm_update_f64"}


@functools.lru_cache(maxsize=2)
def _cuda_kernel(dtype_name: str):
    """The compiled fused update kernel for ``dtype_name`` (NVRTC, once per process and dtype)."""
    import cupy

    from neurosim.kernels import source

    module = cupy.RawModule(code=source("discrete_lif.cu"))
    return module.get_function(KERNEL_NAMES[dtype_name])


def lsm_update(mem: Any, spikes: Any, inp: Any, rec: Any, decay: float, threshold: float,
               xp: Any) -> None:
    """Neuron update and threshold, in place: the twin of ``neurosim_lsm_update_*`` (CUDA).

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
                raise ValueError("lsm_update: mem, spikes, inp and rec must be C-contiguous "
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


def synaptic_drive(x: Any, w: Any, var: Any | None, rng: Any, xp: Any) -> Any:
    """The drive ``x @ w`` ``[B, N]`` of 0/1 presynaptic spikes ``x`` ``[B, P]`` through ``w`` ``[P, N]``.

    With read noise (``var`` ``[P, N]``, the per-synapse noise variance, not None), each
    transmission adds ``w_std · z`` with independent ``z ~ N(0, 1)``; their sum over the
    spiking presynaptic neurons is Gaussian with variance ``x @ var``, so it is drawn as one
    ``sqrt(x @ var) · z`` per target: the same distribution as per-synapse draws, at the cost
    of a second matrix product. ``rng`` has ``standard_normal(shape, dtype=)`` (a numpy
    ``Generator`` or a ``cupy.random.RandomState``, see :func:`noise_generator`).
    """
    drive = xp.matmul(x, w)
    if var is not None:
        drive += xp.sqrt(xp.matmul(x, var)) * rng.standard_normal(drive.shape, dtype=drive.dtype)
    return drive


def _segment_noise(var: Any | None, rng: Any, xp: Any):
    """Read noise of one array segment's partial sum (rows ``start:stop``), as in
    :func:`synaptic_drive`; None when noiseless."""
    if var is None:
        return None

    def noise(x_seg, start, stop):
        mean_sq = xp.matmul(x_seg, var[start:stop])
        return xp.sqrt(mean_sq) * rng.standard_normal(mean_sq.shape, dtype=mean_sq.dtype)
    return noise


def noise_generator(seed: int, xp: Any) -> Any:
    """A normal generator on ``xp`` seeded with ``seed``: numpy ``default_rng`` or ``cupy.random.RandomState``."""
    if backend.is_cupy(xp):
        return xp.random.RandomState(seed)
    return np.random.default_rng(seed)


def lsm_step(mem: Any, spikes: Any, x_b: Any, w_in: Any, w_rec: Any, decay: float,
             threshold: float, xp: Any, var_in: Any | None = None, var_rec: Any | None = None,
             rng: Any = None, adc: Any = None) -> Any:
    """Advance a batch of reservoirs by one input bin, in place (see the module docstring).

    Args:
        mem: ``[B, N]`` membrane potentials (float32/float64 on ``xp``), updated in place.
        spikes: ``[B, N]`` 0/1 spikes of the previous bin, replaced by this bin's.
        x_b: ``[B, I]`` 0/1 input spikes of this bin, in the state's dtype.
        w_in: ``[I, N]`` input weights; w_rec: ``[N, N]`` recurrent weights (row = pre).
        decay: membrane decay per step (dimensionless); threshold: firing threshold
            (membrane units).
        xp: ``numpy`` or ``cupy``, the namespace owning every array.
        var_in, var_rec: per-synapse read-noise variances (same shapes as the weights), or
            None for noiseless reads; rng: their generator (see :func:`synaptic_drive`).
        adc: the chip's column ADC on the summed drive
            (:class:`~neurosim.crossbar.periphery.DriveAdc`), or None for an ideal ADC: each
            array segment's partial sum (read noise included) is quantized before the sum.

    Returns:
        ``spikes`` (the same array), now this bin's 0/1 spikes.
    """
    if adc is None:
        inp = synaptic_drive(x_b, w_in, var_in, rng, xp)
        rec = synaptic_drive(spikes, w_rec, var_rec, rng, xp)
    else:
        inp = adc.drive(x_b, w_in, 0, xp, _segment_noise(var_in, rng, xp))
        rec = adc.drive(spikes, w_rec, 1, xp, _segment_noise(var_rec, rng, xp))
    lsm_update(mem, spikes, inp, rec, decay, threshold, xp)
    return spikes
