"""One time step of the continuous-time reservoirs (``lif``, ``izhikevich``) on a batch, numpy and CuPy.

The gpu engine runs a slot of ``bins + n_sep`` steps per sample (as the Brian2 and cpu
engines: trailing separator steps in which nothing fires and the state returns to rest);
each step ``k`` follows Brian2's schedule ``groups → thresholds → synapses → resets → end``:

1. :func:`continuous_update` (groups, thresholds): integrate the state — LIF exactly
   (``v' = c_v0 + c_vi·I + e_m·v``, refractory neurons hold ``v``), Izhikevich by forward
   Euler — then, while ``k < bins``, spike where ``v`` crosses the threshold;
2. the drives of step ``k − delay``: ``x @ W_in`` and ``s @ W_rec`` (matrix products on
   ``xp``, as in :mod:`neurosim.engines.lsm_step`);
3. :func:`continuous_deliver` (synapses, resets, end): add the drives to ``v`` (delta
   synapse; dropped for refractory neurons when ``gated``) or to ``I_syn`` (exponential),
   reset the neurons that fired and, in separator steps, clamp the state to rest.

State arrays are ``[B, N]`` (``B`` samples, ``N`` neurons) of one float dtype on ``xp``,
except ``last`` (int64: step of the last spike); ``a, b, c, d`` are the ``[N]`` per-neuron
parameters and ``p`` the constants of the model's ``kernel_args`` (:mod:`neurosim.networks.models`),
all in the state's dtype. The model supplies both phases
(:class:`neurosim.kernels.ContinuousGpuKernel`, from its ``gpu_kernel()``): on CuPy the two
kernels of its ``.cu`` file, on numpy their twins with the same signature and the same rounding
of every product and sum (bit-identical given the same inputs). Unlike the cpu engine, nothing
here replays Brian2's compiled arithmetic or its synapse order, so float64 spikes agree with
Brian2's almost everywhere, not by construction.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from neurosim import backend
from neurosim.kernels import ContinuousGpuKernel, source

__all__ = ["continuous_deliver", "continuous_update"]

THREADS = 256
_MAX_BLOCKS = 1 << 16  # grid-stride loop beyond this


@functools.lru_cache(maxsize=16)
def _cuda_kernel(kernel: ContinuousGpuKernel, phase: str, dtype_name: str):
    """The compiled kernel ``<prefix>_<phase>_<f32|f64>`` of ``kernel``'s source (NVRTC, once per process)."""
    import cupy

    module = cupy.RawModule(code=source(kernel.source, kernel.folder))
    return module.get_function(f"{kernel.prefix}_{phase}_{'f32' if dtype_name == 'float32' else 'f64'}")


def _launch(kernel: ContinuousGpuKernel, phase: str, v: Any, args: tuple) -> None:
    n = v.size
    if n:
        blocks = min((n + THREADS - 1) // THREADS, _MAX_BLOCKS)
        _cuda_kernel(kernel, phase, v.dtype.name)((blocks,), (THREADS,),
                                                  (np.int64(n), np.int64(v.shape[-1])) + args)


def continuous_update(kernel: ContinuousGpuKernel, v: Any, u: Any, cur: Any, last: Any, notref: Any, fired: Any,
                      a: Any, b: Any, p: Any, k: int, bins: int, exp_syn: bool, refr: int, vth: float,
                      xp: Any) -> None:
    """Integrate one step and detect spikes, in place (``kernel``'s update: CUDA, or its numpy twin).

    Args:
        kernel: the model's :class:`~neurosim.kernels.ContinuousGpuKernel`.
        v, u, cur: ``[B, N]`` membrane potential, recovery variable (if the model has one),
            synaptic current.
        last: int64 ``[B, N]`` step of each neuron's last spike (updated where it fires).
        notref, fired: ``[B, N]`` outputs, 0/1: not refractory after this step's threshold;
            spiked at this step.
        a, b: ``[N]`` per-neuron parameters; p: model constants.
        k: slot step; bins: steps in which neurons may fire (``k < bins``).
        exp_syn: exponential synapse; refr: refractory steps; vth: threshold (rounded to the
            state dtype).
    """
    if backend.is_cupy(xp):
        t = v.dtype.type
        _launch(kernel, "update", v, (v, u, cur, last, notref, fired, a, b, p, np.int64(k), np.int64(bins),
                                      np.int32(bool(exp_syn)), np.int64(refr), t(vth)))
        return
    kernel.update(v, u, cur, last, notref, fired, a, b, p, k, bins, exp_syn, refr, vth, xp)


def continuous_deliver(kernel: ContinuousGpuKernel, v: Any, u: Any, cur: Any, notref: Any, fired: Any, inp: Any,
                       rec: Any, b: Any, c: Any, d: Any, p: Any, exp_syn: bool, deliver: bool, gated: bool,
                       clamp: bool, xp: Any) -> None:
    """Add the synaptic drives, reset, clamp; in place (``kernel``'s deliver: CUDA, or its numpy twin).

    Args:
        kernel: the model's :class:`~neurosim.kernels.ContinuousGpuKernel`.
        v, u, cur, notref, fired: the ``[B, N]`` state after :func:`continuous_update`.
        inp, rec: ``[B, N]`` input and recurrent drives arriving this step (ignored unless
            ``deliver``), added in that order to ``cur`` (``exp_syn``) or ``v``.
        b, c, d: ``[N]`` per-neuron parameters; p: model constants.
        gated: drop the drives of refractory neurons (delta synapse with a refractory
            period, as Brian2's ``v (unless refractory)``).
        clamp: separator step: the state back to rest, ``I_syn = 0``.
    """
    if backend.is_cupy(xp):
        _launch(kernel, "deliver", v, (v, u, cur, notref, fired, inp, rec, b, c, d, p, np.int32(bool(exp_syn)),
                                       np.int32(bool(deliver)), np.int32(bool(gated)), np.int32(bool(clamp))))
        return
    kernel.deliver(v, u, cur, notref, fired, inp, rec, b, c, d, p, exp_syn, deliver, gated, clamp, xp)
