"""The continuous LIF's kernels: numba for the cpu engine, numpy twins of ``lif.cu`` for the gpu engine.

Kernel arguments (:meth:`neurosim.networks.models.lif.LIF.kernel_args`): ``(exp_syn, consts,
a, b, c, d, vth, delay, refr, n_sep)`` with ``consts = [v_rest, v_reset, c_i, c_v0, c_vi, e_m]``
(``a … d`` unused).

cpu: bit-exact with Brian2's Cython build (GCC -O3 -ffast-math -march=native), read from the
compiled state updaters:

- delta synapse: ``v' = fma(v, e_m, c_v0)``, ``c_v0 = fma(-(bias + v_rest), e_m, bias + v_rest)``;
- exponential synapse: ``I' = c_i I``; ``v' = c_v0 + fma(c_vi, I, e_m v)`` with ``c_v0`` folded to
  ``(1 − e_m)(bias + v_rest)`` and ``c_vi = ((exp(dt/τs) − exp(dt/τm)) e_m) τs c_i / (τm − τs)``;
- refractory (``v`` flagged ``unless refractory``): ``v`` is not integrated, and Brian2 guards the
  delta synapse ``v_post += w`` with ``if not_refractory`` (input to a refractory neuron is
  dropped; an exponential synapse targets ``I_syn``, which keeps integrating and receiving).

gpu: every product and sum rounded on its own, as in ``lif.cu`` (no FMA replay).
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
    consts, delay = args[1], args[7]
    state = slot_arrays(neurons, inputs, delay + 1)
    v = state[0]
    for j in range(neurons):
        v[j] = consts[0]
    return state


@njit(cache=True)
def _step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch, spikes_s, traces_s):
    """Slot step ``k`` of one sample, in place (arguments: :class:`neurosim.kernels.CpuKernel`; ``adc``,
    ``scratch``: the ADC in the loop, :func:`neurosim.kernels.continuous.synapse_phase`)."""
    v, _, cur, last, notref, spk, nspk, active = state
    exp_syn, consts, _, _, _, _, vth, delay, refr, _ = args
    bins = raster_s.shape[0]
    neurons = v.shape[0]
    slot = k % (delay + 1)
    # groups
    for j in range(neurons):
        nr = (k - last[j]) >= refr
        notref[j] = nr
        i_old = cur[j]
        if exp_syn:
            cur[j] = consts[2] * i_old
            if nr:
                v[j] = consts[3] + fma(consts[4], i_old, consts[5] * v[j])
        elif nr:
            v[j] = fma(v[j], consts[5], consts[3])
    # thresholds
    n = 0
    if k < bins:
        for j in range(neurons):
            if v[j] > vth and notref[j]:
                n = record_spike(j, k, slot, n, spk, notref, last, spikes_s)
    nspk[slot] = n
    # synapses
    synapse_phase(k, raster_s, cur if exp_syn else v, notref, refr > 0 and not exp_syn, spk, nspk, active, delay,
                  in_rows, rec_rows, noisy, key, fb, adc, scratch)
    # resets
    for q in range(n):
        v[spk[slot, q]] = consts[1]
    # end: separator clamp
    if k >= bins:
        for j in range(neurons):
            if notref[j]:
                v[j] = consts[0] + 0.0 * v[j]
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
    """One sample's resting state (:func:`neurosim.kernels.continuous.slot_arrays`, ``v = v_rest``)."""
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


# ---- gpu engine: numpy twins of lif.cu (state [B, N] in one float dtype, see neurosim.engines.continuous_step)

def update(v, u, cur, last, notref, fired, a, b, p, k, bins, exp_syn, refr, vth, xp) -> None:
    """Twin of ``neurosim_lif_update_*``: integrate (held while refractory), then spike where ``v > vth``."""
    t = v.dtype.type
    i_old = cur.copy()
    nr = (k - last) >= refr
    if exp_syn:
        np.multiply(p[2], i_old, out=cur)
        new = p[3] + (p[4] * i_old + p[5] * v)
    else:
        new = v * p[5] + p[3]
    np.copyto(v, new, where=nr)
    fire = (v > t(vth)) & nr if k < bins else np.zeros(v.shape, dtype=bool)
    finish_update(last, notref, fired, nr, fire, k)


def deliver(v, u, cur, notref, fired, inp, rec, b, c, d, p, exp_syn, deliver, gated, clamp, xp) -> None:
    """Twin of ``neurosim_lif_deliver_*``: drives, ``v = v_reset`` after a spike, separator clamp."""
    deliver_drives(v, cur, notref, inp, rec, exp_syn, deliver, gated)
    np.copyto(v, p[1], where=fired != 0)
    if clamp:
        np.copyto(v, p[0], where=notref != 0)
        cur[...] = 0


def rest(args: tuple, shape: tuple[int, int], dtype, xp) -> tuple:
    """A batch's initial ``(v, u)`` of ``shape`` ``[rows, N]``: ``v = v_rest``, ``u = 0`` (unused)."""
    return xp.full(shape, args[1][0], dtype=dtype), xp.zeros(shape, dtype=dtype)


#: The LIF's :class:`~neurosim.kernels.CpuKernel`.
CPU_KERNEL = CpuKernel(chunk=chunk, start=start, step=step, slot_steps=slot_steps, adc_chunk=adc_chunk,
                       adc_step=adc_step,
                       synaptic_current=synaptic_current)

#: The LIF's :class:`~neurosim.kernels.ContinuousGpuKernel` (``lif.cu``).
GPU_KERNEL = ContinuousGpuKernel(source="lif.cu", prefix="neurosim_lif", update=update, deliver=deliver, rest=rest)
