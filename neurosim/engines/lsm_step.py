"""One time step of a one-step-per-bin reservoir (the discrete LIF) on a batch of samples, numpy and CuPy.

The engine's part of the step: the synaptic drives of input bin ``b``, for the state of a batch::

    inp = x_b @ W_in        rec = s_{b-1} @ W_rec

then the model's own neuron update (its :class:`~neurosim.kernels.BinGpuKernel`, from
:meth:`~neurosim.networks.models.NeuronModel.gpu_kernel`; for the discrete LIF of Lin et al. 2025
``mem_b = decay * mem_{b-1} * (1 - s_{b-1}) + inp + rec``, ``s_b = mem_b > threshold``,
:mod:`neurosim.kernels.discrete_lif`). Nothing here knows which model it steps.

Shapes (``B`` samples in the batch, ``I`` inputs, ``N`` neurons), all of one float dtype
(float32 or float64) on one namespace ``xp``:

* ``mem``    ``[B, N]`` membrane potential (membrane units), updated in place;
* ``spikes`` ``[B, N]`` 0/1 spikes of the previous step in, of this step out (in place);
* ``x_b``    ``[B, I]`` 0/1 input spikes of bin ``b``;
* ``w_in``   ``[I, N]``, ``w_rec`` ``[N, N]`` (row = presynaptic neuron), membrane units.

The two propagations are dense matrix products on ``xp`` (BLAS on the CPU, cuBLAS on the GPU);
with a quantizing ADC each array segment's partial sum is converted first
(:class:`~neurosim.crossbar.periphery.DriveAdc`).

Brian2 adds the synaptic weights one by one in synapse order; a matrix product sums them
in the BLAS library's order, so float64 results can differ from the Brian2 engine's in the
last bits, and a membrane potential within ~1e-15 of the threshold can flip a spike (rare:
see ``tests/test_gpu_engine.py`` for the measured agreement).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim import backend
from neurosim.kernels import BinGpuKernel

__all__ = ["lsm_step", "noise_generator", "synaptic_drive"]


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


def lsm_step(kernel: BinGpuKernel, args: tuple, mem: Any, spikes: Any, x_b: Any, w_in: Any, w_rec: Any,
             xp: Any, var_in: Any | None = None, var_rec: Any | None = None, rng: Any = None,
             adc: Any = None) -> Any:
    """Advance a batch of reservoirs by one input bin, in place (see the module docstring).

    Args:
        kernel: the model's :class:`~neurosim.kernels.BinGpuKernel`; args: its ``kernel_args``
            (for the discrete LIF ``(decay, threshold)``).
        mem: ``[B, N]`` membrane potentials (float32/float64 on ``xp``), updated in place.
        spikes: ``[B, N]`` 0/1 spikes of the previous bin, replaced by this bin's.
        x_b: ``[B, I]`` 0/1 input spikes of this bin, in the state's dtype.
        w_in: ``[I, N]`` input weights; w_rec: ``[N, N]`` recurrent weights (row = pre).
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
    kernel.update(mem, spikes, inp, rec, *args, xp)
    return spikes
