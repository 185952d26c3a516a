"""The Izhikevich model's kernels: numba for the cpu engine, numpy twins of ``izhikevich.cu`` for the gpu engine.

Kernel arguments (:meth:`neurosim.networks.models.izhikevich.Izhikevich.kernel_args`):
``(exp_syn, consts, a, b, c, d, vth, delay, refr, n_sep)`` with ``consts = [1 − dt/τ_syn,
h = dt/1 ms, 140 + bias, V_INIT]``, ``a, b, c, d`` float64 ``(N,)`` and ``refr = 0``.

cpu: bit-exact with Brian2's Cython build (GCC -O3 -ffast-math -march=native), read from the
compiled state updater: ``u' = fma(h a, fma(v, b, −u), u)``; ``0.04 v² + 5 v`` becomes
``fma(fma(v, .04, 5), v, ·)`` and ``v' = fma(drive, h, v)``; the exponential current decays as
``(1 − dt/τs) I``.

gpu: every product and sum rounded on its own, as in ``izhikevich.cu`` (no FMA replay).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from neurosim.kernels import ContinuousGpuKernel, CpuKernel
from neurosim.kernels.continuous import (
    deliver_drives,
    finish_update,
    adc_scratch,
    no_adc,
    record_spike,
    slot_arrays,
    slot_steps,
    synapse_phase,
    synaptic_current,
    write_trace,
)
from neurosim.kernels.cpu_common import fma

__all__ = ["CPU_KERNEL", "GPU_KERNEL", "adc_chunk", "adc_step", "chunk", "deliver", "rest", "start", "step", "update"]


@njit(cache=True)
def _start(neurons, inputs, args):
    consts, b, delay = args[1], args[3], args[7]
    state = slot_arrays(neurons, inputs, delay + 1)
    v, u = state[0], state[1]
    for j in range(neurons):
        v[j] = consts[3]
        u[j] = b[j] * consts[3]
    return state


@njit(cache=True)
def _step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch, spikes_s, traces_s):
    """Slot step ``k`` of one sample, in place (arguments: :class:`neurosim.kernels.CpuKernel`; ``adc``,
    ``scratch``: the ADC in the loop, :func:`neurosim.kernels.continuous.synapse_phase`)."""
    v, u, cur, last, notref, spk, nspk, active = state
    exp_syn, consts, a, b, c, d, vth, delay, _, _ = args
    bins = raster_s.shape[0]
    neurons = v.shape[0]
    slot = k % (delay + 1)
    # groups, as GCC (-ffast-math -march=native) compiles Brian2's Euler step (read from the .so):
    # I' = (1 - dt/tau_syn) * I; u' = fma(h*a, fma(v, b, -u), u); 0.04 v² + 5 v → v * (0.04 v + 5)
    h = consts[1]
    for j in range(neurons):
        vv = v[j]
        uu = u[j]
        i_old = cur[j]
        poly = fma(vv, 0.04, 5.0)
        if exp_syn:
            cur[j] = consts[0] * i_old
            drive = (consts[2] + i_old) + fma(poly, vv, -uu)
        else:
            drive = fma(poly, vv, consts[2] - uu)
        u[j] = fma(h * a[j], fma(vv, b[j], -uu), uu)
        v[j] = fma(drive, h, vv)
    # thresholds
    n = 0
    if k < bins:
        for j in range(neurons):
            if v[j] >= vth:
                n = record_spike(j, k, slot, n, spk, notref, last, spikes_s)
    nspk[slot] = n
    # synapses (never gated: no refractory period)
    synapse_phase(k, raster_s, cur if exp_syn else v, notref, False, spk, nspk, active, delay,
                  in_rows, rec_rows, noisy, key, fb, adc, scratch)
    # resets
    for q in range(n):
        j = spk[slot, q]
        v[j] = c[j]
        u[j] = u[j] + d[j]
    # end: separator clamp
    if k >= bins:
        for j in range(neurons):
            v[j] = consts[3] + 0.0 * v[j]
            u[j] = 0.0 * u[j] + consts[3] * b[j]
            cur[j] = cur[j] * 0.0
    else:
        write_trace(k, v, traces_s)


@njit(cache=True, inline="always")  # its prange must land in the parallel kernels
def _chunk(raster, args, in_rows, rec_rows, noisy, keys, adc, spikes, traces):
    samples, bins, inputs = raster.shape
    neurons = spikes.shape[2]
    period = bins + args[9]
    no_fb = np.zeros(0)
    for smp in prange(samples):
        state = _start(neurons, inputs, args)
        scratch = adc_scratch(neurons, adc)
        key = keys[smp]
        for k in range(period):
            _step(k, raster[smp], state, args, in_rows, rec_rows, noisy, key, no_fb, adc, scratch, spikes[smp],
                  traces[smp])


@njit(cache=True, parallel=True)
def chunk(raster, args, in_rows, rec_rows, noisy, keys, spikes, traces):
    """Simulate a chunk of samples in float64, parallel over samples (:class:`neurosim.kernels.CpuKernel`)."""
    _chunk(raster, args, in_rows, rec_rows, noisy, keys, no_adc(), spikes, traces)


@njit(cache=True, parallel=True)
def adc_chunk(raster, args, in_rows, rec_rows, noisy, keys, adc, spikes, traces):
    """:func:`chunk` with the chip's ADC in the loop (``adc``: :func:`neurosim.kernels.continuous.adc_tuple`)."""
    _chunk(raster, args, in_rows, rec_rows, noisy, keys, adc, spikes, traces)


@njit(cache=True)
def start(neurons, inputs, args):
    """One sample's resting state (:func:`neurosim.kernels.continuous.slot_arrays`, ``v = V_INIT, u = b V_INIT``)."""
    return _start(neurons, inputs, args)


@njit(cache=True)
def step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s):
    """:func:`_step` called from Python (the stepping path of a run with a hook)."""
    _step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, no_adc(), np.empty((3, 0)), spikes_s,
          traces_s)


@njit(cache=True)
def adc_step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch, spikes_s, traces_s):
    """:func:`step` with the chip's ADC in the loop (``scratch``: float64 ``(3, N)``, one per sample)."""
    _step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch, spikes_s, traces_s)


# ---- gpu engine: numpy twins of izhikevich.cu (state [B, N] in one float dtype)

def update(v, u, cur, last, notref, fired, a, b, p, k, bins, exp_syn, refr, vth, xp) -> None:
    """Twin of ``neurosim_izh_update_*``: one forward-Euler step, then spike where ``v ≥ vth``."""
    t = v.dtype.type
    i_old = cur.copy()
    h = p[1]
    poly = v * t(0.04) + t(5)
    if exp_syn:
        np.multiply(p[0], i_old, out=cur)
        drive = (p[2] + i_old) + (poly * v + -u)
    else:
        drive = poly * v + (p[2] + -u)
    u[...] = (h * a) * (v * b + -u) + u
    v[...] = drive * h + v
    fire = v >= t(vth) if k < bins else np.zeros(v.shape, dtype=bool)
    finish_update(last, notref, fired, np.ones(v.shape, dtype=bool), fire, k)


def deliver(v, u, cur, notref, fired, inp, rec, b, c, d, p, exp_syn, deliver, gated, clamp, xp) -> None:
    """Twin of ``neurosim_izh_deliver_*``: drives, ``v = c, u += d`` after a spike, separator clamp."""
    deliver_drives(v, cur, notref, inp, rec, exp_syn, deliver, gated)
    spiked = fired != 0
    np.copyto(v, np.broadcast_to(c, v.shape), where=spiked)
    np.copyto(u, u + d, where=spiked)
    if clamp:
        v[...] = p[3]
        u[...] = p[3] * b
        cur[...] = 0


def rest(args: tuple, shape: tuple[int, int], dtype, xp) -> tuple:
    """A batch's initial ``(v, u)`` of ``shape`` ``[rows, N]``: ``v = V_INIT``, ``u = b V_INIT``."""
    v_init = args[1][3]
    b = xp.asarray(np.asarray(args[3]).astype(dtype))
    return xp.full(shape, v_init, dtype=dtype), xp.tile(b * dtype.type(v_init), (shape[0], 1))


#: The Izhikevich model's :class:`~neurosim.kernels.CpuKernel`.
CPU_KERNEL = CpuKernel(chunk=chunk, start=start, step=step, slot_steps=slot_steps, adc_chunk=adc_chunk,
                       adc_step=adc_step,
                       synaptic_current=synaptic_current)

#: The Izhikevich model's :class:`~neurosim.kernels.ContinuousGpuKernel` (``izhikevich.cu``).
GPU_KERNEL = ContinuousGpuKernel(source="izhikevich.cu", prefix="neurosim_izh", update=update, deliver=deliver,
                                 rest=rest)
