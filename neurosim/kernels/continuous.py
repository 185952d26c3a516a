"""What the continuous-time models' kernels share: the slot's state, spike bookkeeping and
synapse phase (numba, cpu engine) and the drive delivery (numpy, the gpu engine's twins).

A continuous model's slot step ``k`` follows Brian2's schedule ``groups → thresholds →
synapses → resets → end`` (:mod:`neurosim.networks.models.continuous`); a model's kernel
module (:mod:`neurosim.kernels.lif`, :mod:`neurosim.kernels.izhikevich`) writes the groups,
thresholds, resets and end phases and calls :func:`synapses` in between. Kernel arguments
(:meth:`ContinuousModel.kernel_args <neurosim.networks.models.continuous.ContinuousModel>`):
``(exp_syn, consts, a, b, c, d, vth, delay, refr, n_sep)``.

Bit-exactness with Brian2's Cython build (GCC -O3 -ffast-math -march=native), read from the
compiled state updaters, is each model's business (see its kernel module); the synapse phase
here adds inputs of bin ``k − delay`` in ascending index, then the reservoir spikes of step
``k − delay`` in ascending index, then the hook's feedback, as Brian2 does.

The ADC in the loop (a chip whose ADC quantizes, :class:`~neurosim.crossbar.periphery.DriveAdc`):
what is quantized is the synaptic input of each step, per array segment. Each segment's column
partial sums (its active rows added in ascending order from 0, read noise included) pass through
the shared quantizer :func:`~neurosim.crossbar.periphery.adc_read`; the read-back values are summed
per pathway in segment order (``inp``, ``rec``) and reach the target as ``(tgt + inp) + rec``
(:func:`synapse_phase`; the Brian2 engine's :mod:`neurosim.engines.brian2_adc` does the same).
The ADC's description is a tuple ``adc = (seg_group, seg_start, seg_stop, unit, ref, lsb,
max_code, signed)`` (int64 ``(S,)`` segments; float64 ``(2,)`` per-pathway ``unit`` and ``ref``;
floats; bool); :data:`NO_ADC`'s has no segment (an ideal ADC).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neurosim.crossbar.periphery import adc_read
from neurosim.kernels.cpu_common import add_rows

_read = njit(cache=True, inline="always")(adc_read)

__all__ = [
    "adc_scratch",
    "adc_tuple",
    "no_adc",
    "deliver_drives",
    "finish_update",
    "synapse_phase",
    "record_spike",
    "slot_arrays",
    "slot_steps",
    "synapses",
    "synaptic_current",
    "write_trace",
]


@njit(cache=True)
def slot_arrays(neurons, inputs, ring):
    """One sample's state ``(v, u, cur, last, notref, spk, nspk, active)``, ``v`` uninitialised.

    ``v``, ``u``, ``cur`` float64 ``(neurons,)`` membrane, recovery (``u = 0``; a model
    without one ignores it), synaptic current; ``last`` int64 step of each neuron's last
    spike; ``notref`` bool; ``spk`` int64 ``(ring, neurons)`` and ``nspk`` int64 ``(ring,)``
    the spikes of the last ``ring = delay + 1`` steps; ``active`` int64 ``(inputs,)`` scratch.
    """
    return (np.empty(neurons), np.zeros(neurons), np.zeros(neurons), np.full(neurons, -(1 << 40), dtype=np.int64),
            np.ones(neurons, dtype=np.bool_), np.empty((ring, neurons), dtype=np.int64),
            np.zeros(ring, dtype=np.int64), np.empty(inputs, dtype=np.int64))


@njit(cache=True)
def record_spike(j, k, slot, n, spk, notref, last, spikes_s):
    """Neuron ``j`` fires at step ``k``: the ``n``-th spike of ring slot ``slot``; returns ``n + 1``."""
    spk[slot, n] = j
    notref[j] = False
    last[j] = k
    spikes_s[k, j] = True
    return n + 1


@njit(cache=True)
def synapses(k, raster_s, tgt, notref, gated, spk, nspk, active, delay, in_rows, rec_rows, noisy, key, fb):
    """The synapse phase of step ``k``, in place on ``tgt`` (``v``, or ``I_syn`` with an
    exponential synapse): inputs of bin ``k − delay``, then the reservoir spikes of step
    ``k − delay``, then the feedback ``fb`` (empty: none); ``gated``: a refractory neuron
    drops them (Brian2 guards ``v_post += w`` with ``if not_refractory``)."""
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    bins, inputs = raster_s.shape
    neurons = tgt.shape[0]
    src = k - delay
    if src >= 0:
        noise_slot = (np.uint64(src) * np.uint64(2)) * np.uint64(inputs + neurons)
        if src < bins:
            n_active = 0
            for i in range(inputs):
                if raster_s[src, i]:
                    active[n_active] = i
                    n_active += 1
            add_rows(tgt, notref, gated, active, n_active, in_dense, w_in, in_ptr, in_idx, in_std,
                     noisy, key, noise_slot)
        old = src % (delay + 1)
        add_rows(tgt, notref, gated, spk[old], nspk[old], rec_dense, w_rec, rec_ptr, rec_idx,
                 rec_std, noisy, key, noise_slot + np.uint64(inputs + neurons))
    for j in range(fb.shape[0]):
        if notref[j] or not gated:
            tgt[j] += fb[j]


@njit(cache=True)
def _read_pathway(total, rows, n, group, adc, acc, dense, w, ptr, idx, std, noisy, key, counter_slot, notref):
    """``total += `` the ADC's reading of each of pathway ``group``'s segments, in segment order:
    the partial sums over the active rows ``rows[:n]`` (ascending) that fall in the segment."""
    seg_group, seg_start, seg_stop, unit, ref, lsb, max_code, signed = adc
    lo = 0
    for q in range(seg_group.shape[0]):
        if seg_group[q] != group:
            continue
        while lo < n and rows[lo] < seg_start[q]:
            lo += 1
        hi = lo
        while hi < n and rows[hi] < seg_stop[q]:
            hi += 1
        count = hi - lo
        if count == 0:
            continue  # a segment with no active row is not read (it would read 0)
        acc[:] = 0.0
        add_rows(acc, notref, False, rows[lo:], count, dense, w, ptr, idx, std, noisy, key, counter_slot)
        u = unit[group]
        off = ref[group] * count
        for j in range(total.shape[0]):
            if ref[group] == 0.0:
                total[j] += _read(acc[j] / u, lsb, max_code, signed) * u
            else:
                total[j] += _read((acc[j] + off) / u, lsb, max_code, signed) * u - off
        lo = hi


@njit(cache=True)
def synapses_adc(k, raster_s, tgt, notref, gated, spk, nspk, active, delay, in_rows, rec_rows, noisy, key, fb,
                 adc, scratch):
    """:func:`synapses` with the ADC in the loop: ``tgt = (tgt + inp) + rec`` with ``inp``, ``rec`` the
    quantized drives of bin ``k − delay``'s inputs and step ``k − delay``'s reservoir spikes
    (``scratch`` float64 ``(3, N)``: partial sums, ``inp``, ``rec``), then the feedback ``fb``."""
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    bins, inputs = raster_s.shape
    neurons = tgt.shape[0]
    acc, inp, rec = scratch[0], scratch[1], scratch[2]
    src = k - delay
    if src >= 0:
        inp[:] = 0.0
        rec[:] = 0.0
        noise_slot = (np.uint64(src) * np.uint64(2)) * np.uint64(inputs + neurons)
        if src < bins:
            n_active = 0
            for i in range(inputs):
                if raster_s[src, i]:
                    active[n_active] = i
                    n_active += 1
            _read_pathway(inp, active, n_active, 0, adc, acc, in_dense, w_in, in_ptr, in_idx, in_std,
                          noisy, key, noise_slot, notref)
        old = src % (delay + 1)
        _read_pathway(rec, spk[old], nspk[old], 1, adc, acc, rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                      noisy, key, noise_slot + np.uint64(inputs + neurons), notref)
        for j in range(neurons):
            if notref[j] or not gated:
                tgt[j] = (tgt[j] + inp[j]) + rec[j]
    for j in range(fb.shape[0]):
        if notref[j] or not gated:
            tgt[j] += fb[j]


@njit(cache=True)
def synapse_phase(k, raster_s, tgt, notref, gated, spk, nspk, active, delay, in_rows, rec_rows, noisy, key, fb,
                  adc, scratch):
    """The synapse phase of step ``k``: :func:`synapses` with an ideal ADC (``adc`` without
    segments, :data:`NO_ADC`), else :func:`synapses_adc`."""
    if adc[0].shape[0] == 0:
        synapses(k, raster_s, tgt, notref, gated, spk, nspk, active, delay, in_rows, rec_rows, noisy, key, fb)
    else:
        synapses_adc(k, raster_s, tgt, notref, gated, spk, nspk, active, delay, in_rows, rec_rows, noisy, key,
                     fb, adc, scratch)


@njit(cache=True)
def no_adc():
    """The ``adc`` tuple of an ideal ADC (no segment), typed as a real one."""
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(2)
    return (empty_i, empty_i, empty_i, empty_f, empty_f, 0.0, 0.0, True)


def adc_tuple(drive_adc) -> tuple:
    """The kernels' ``adc`` tuple of a :class:`~neurosim.crossbar.periphery.DriveAdc`."""
    seg = np.asarray(drive_adc.segments, dtype=np.int64).reshape(-1, 3)
    return (np.ascontiguousarray(seg[:, 0]), np.ascontiguousarray(seg[:, 1]), np.ascontiguousarray(seg[:, 2]),
            np.asarray(drive_adc.unit, dtype=np.float64), np.asarray(drive_adc.ref, dtype=np.float64),
            float(drive_adc.adc.lsb), float(drive_adc.adc.max_code), bool(drive_adc.adc.signed))


@njit(cache=True)
def adc_scratch(neurons, adc):
    """One sample's scratch for :func:`synapses_adc`: float64 ``(3, neurons)`` (none without an ADC)."""
    return np.empty((3, neurons if adc[0].shape[0] else 0))


@njit(cache=True)
def write_trace(k, v, traces_s):
    """``traces_s[k] = v[:n_trace]`` (the membrane of the first neurons after bin ``k``)."""
    for j in range(traces_s.shape[1]):
        traces_s[k, j] = v[j]


def slot_steps(bins: int, args: tuple) -> int:
    """``bins`` plus the model's ``n_sep`` separator steps."""
    return bins + args[9]


def synaptic_current(state: tuple, args: tuple):
    """``I_syn`` of the state with an exponential synapse, else None (what a step hook reads)."""
    return state[2] if args[0] else None


# ---- numpy twins' shared parts (the gpu engine on device="cpu")

def finish_update(last, notref, fired, nr, fire, k: int) -> None:
    """End of a twin's update: record the spikes ``fire`` of step ``k`` and write ``notref``, ``fired``."""
    np.copyto(last, k, where=fire)
    notref[...] = nr & ~fire
    fired[...] = fire


def deliver_drives(v, cur, notref, inp, rec, exp_syn: bool, deliver: bool, gated: bool) -> None:
    """Twin of ``neurosim_cont_synapses_one``: add ``inp`` then ``rec`` to ``cur`` or ``v``."""
    if deliver:
        tgt = cur if exp_syn else v
        new = (tgt + inp) + rec
        if gated:
            np.copyto(tgt, new, where=notref != 0)
        else:
            tgt[...] = new
