"""The discrete LIF's cpu kernels (numba), event-driven and parallel over samples.

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

One inlined step (:func:`_discrete_step`) serves the parallel :func:`chunk` kernel and the
stepping path of a hooked run (:func:`step`, called once per bin from Python). Kernel
arguments (:meth:`neurosim.networks.models.discrete_lif.DiscreteLIF.kernel_args`):
``(decay, threshold)``. The gpu engine's fused update of this model is
``discrete_lif.cu`` (numpy twin :func:`neurosim.engines.lsm_step.lsm_update`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from neurosim.kernels import CpuKernel
from neurosim.kernels.cpu_common import add_rows

__all__ = ["KERNEL", "chunk", "start", "step"]


@njit(cache=True, inline="always")
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
