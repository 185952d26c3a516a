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
except ``last`` (int64: step of the last spike); ``a, b, c, d`` are the ``[N]`` Izhikevich
parameters and ``p`` the model constants of the model's ``kernel_args`` (:mod:`neurosim.networks.models`)
(LIF ``[v_rest, v_reset, c_i, c_v0, c_vi, e_m]``, Izhikevich ``[1 − dt/τ_syn, dt/1 ms,
140 + bias, V_INIT]``), all in the state's dtype. Each function's CuPy path is a kernel of
``kernels/continuous_step.cu``; the numpy path is its twin with the same signature and the
same rounding of every product and sum (bit-identical given the same inputs). Unlike the
cpu engine, nothing here replays Brian2's compiled arithmetic or its synapse order, so
float64 spikes agree with Brian2's almost everywhere, not by construction.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from neurosim import backend
from neurosim.networks.models.izhikevich import KERNEL_ID as MODEL_IZH
from neurosim.networks.models.lif import KERNEL_ID as MODEL_LIF

__all__ = ["MODEL_LIF", "MODEL_IZH", "continuous_update", "continuous_deliver"]

THREADS = 256
_MAX_BLOCKS = 1 << 16  # grid-stride loop beyond this


@functools.lru_cache(maxsize=4)
def _cuda_kernel(phase: str, dtype_name: str):
    """The compiled kernel ``neurosim_cont_<phase>_<f32|f64>`` (NVRTC, once per process)."""
    import cupy

    from neurosim.engines.kernels import source

    module = cupy.RawModule(code=source("continuous_step.cu"))
    return module.get_function(f"neurosim_cont_{phase}_{'f32' if dtype_name == 'float32' else 'f64'}")


def _launch(phase: str, v: Any, args: tuple) -> None:
    n = v.size
    if n:
        blocks = min((n + THREADS - 1) // THREADS, _MAX_BLOCKS)
        _cuda_kernel(phase, v.dtype.name)((blocks,), (THREADS,), (np.int64(n), np.int64(v.shape[-1])) + args)


def continuous_update(v: Any, u: Any, cur: Any, last: Any, notref: Any, fired: Any, a: Any, b: Any,
                      p: Any, k: int, bins: int, model: int, exp_syn: bool, refr: int, vth: float,
                      xp: Any) -> None:
    """Integrate one step and detect spikes, in place (twin of ``neurosim_cont_update_*``).

    Args:
        v, u, cur: ``[B, N]`` membrane potential, Izhikevich recovery, synaptic current.
        last: int64 ``[B, N]`` step of each neuron's last spike (updated where it fires).
        notref, fired: ``[B, N]`` outputs, 0/1: not refractory after this step's threshold;
            spiked at this step.
        a, b: ``[N]`` Izhikevich parameters (unused for the LIF); p: model constants.
        k: slot step; bins: steps in which neurons may fire (``k < bins``).
        model: :data:`MODEL_LIF` or :data:`MODEL_IZH`; exp_syn: exponential synapse;
        refr: refractory steps (LIF); vth: threshold (mV, rounded to the state dtype).
    """
    t = v.dtype.type
    if backend.is_cupy(xp):
        _launch("update", v, (v, u, cur, last, notref, fired, a, b, p, np.int64(k), np.int64(bins),
                              np.int32(model), np.int32(bool(exp_syn)), np.int64(refr), t(vth)))
        return
    nr = np.ones(v.shape, dtype=bool)
    i_old = cur.copy()
    if model == MODEL_LIF:
        nr = (k - last) >= refr
        if exp_syn:
            np.multiply(p[2], i_old, out=cur)
            new = p[3] + (p[4] * i_old + p[5] * v)
        else:
            new = v * p[5] + p[3]
        np.copyto(v, new, where=nr)
    else:
        h = p[1]
        poly = v * t(0.04) + t(5)
        if exp_syn:
            np.multiply(p[0], i_old, out=cur)
            drive = (p[2] + i_old) + (poly * v + -u)
        else:
            drive = poly * v + (p[2] + -u)
        u[...] = (h * a) * (v * b + -u) + u
        v[...] = drive * h + v
    if k < bins:
        fire = (v > t(vth)) & nr if model == MODEL_LIF else v >= t(vth)
    else:
        fire = np.zeros(v.shape, dtype=bool)
    np.copyto(last, k, where=fire)
    nr = nr & ~fire
    notref[...] = nr
    fired[...] = fire


def continuous_deliver(v: Any, u: Any, cur: Any, notref: Any, fired: Any, inp: Any, rec: Any, b: Any,
                       c: Any, d: Any, p: Any, model: int, exp_syn: bool, deliver: bool, gated: bool,
                       clamp: bool, xp: Any) -> None:
    """Add the synaptic drives, reset, clamp; in place (twin of ``neurosim_cont_deliver_*``).

    Args:
        v, u, cur, notref, fired: the ``[B, N]`` state after :func:`continuous_update`.
        inp, rec: ``[B, N]`` input and recurrent drives arriving this step (ignored unless
            ``deliver``), added in that order to ``cur`` (``exp_syn``) or ``v``.
        b, c, d: ``[N]`` Izhikevich parameters; p: model constants.
        gated: drop the drives of refractory neurons (delta-synapse LIF with a refractory
            period, as Brian2's ``v (unless refractory)``).
        clamp: separator step: LIF ``v = v_rest`` (non-refractory neurons), Izhikevich
            ``v = V_INIT, u = b·V_INIT``; ``I_syn = 0``.
    """
    if backend.is_cupy(xp):
        _launch("deliver", v, (v, u, cur, notref, fired, inp, rec, b, c, d, p, np.int32(model),
                               np.int32(bool(exp_syn)), np.int32(bool(deliver)), np.int32(bool(gated)),
                               np.int32(bool(clamp))))
        return
    if deliver:
        tgt = cur if exp_syn else v
        new = (tgt + inp) + rec
        if gated:
            np.copyto(tgt, new, where=notref != 0)
        else:
            tgt[...] = new
    spiked = fired != 0
    if model == MODEL_LIF:
        np.copyto(v, p[1], where=spiked)
    else:
        np.copyto(v, np.broadcast_to(c, v.shape), where=spiked)
        np.copyto(u, u + d, where=spiked)
    if clamp:
        if model == MODEL_LIF:
            np.copyto(v, p[0], where=notref != 0)
        else:
            v[...] = p[3]
            u[...] = p[3] * b
        cur[...] = 0
