"""Compiled (numba) kernels of the cpu engine: event-driven discrete LIF, continuous LIF and
Izhikevich, parallel over samples.

Every kernel takes one chunk of samples and writes into preallocated outputs;
``prange`` runs samples on numba's threads (``numba.set_num_threads``). Samples
are independent (each starts from ``mem = 0``), so threads never share state and
the result does not depend on the number of threads or on chunking.

Exactness. The discrete LIF step follows the Brian2 engine's operation order
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

Each model's step is one inlined function (:func:`_discrete_step`,
:func:`_continuous_step`) that the parallel chunk kernels loop over and that the
stepping path of a hooked run calls once per bin through a compiled wrapper
(:func:`discrete_lif_step`, :func:`continuous_step`; see
:mod:`neurosim.engines.cpu_stepping`); the chunk kernels pass an empty feedback.

Each ``v[j]`` therefore receives its additions in exactly Brian2's order, so the
rounded sums are bit-identical. Weight rows are either dense (all-to-all, or a
dense matrix whose absent synapses hold +0.0) or CSR (only existing synapses,
skipped exactly as Brian2 skips them). The two differ at most in the sign of a
zero membrane value (``-0.0 + 0.0 = +0.0``), which no comparison, product or
later sum can turn into a different spike.

Read noise per transmission: ``v += w + w_std * z`` with ``z ~ N(0, 1)`` from a
counter-based generator (splitmix64 → Box–Muller) keyed by a 64-bit per-sample key
(from ``numpy.random.SeedSequence``; see :mod:`neurosim.engines.cpu_engine`) and
the counter ``(bin, presynaptic index, synapse position)``: reproducible,
independent of chunking and threads, but not Brian2's numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def _splitmix64(x):
    """One splitmix64 output for state ``x`` (uint64 → uint64)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _normal(key, counter):
    """A standard normal draw for (``key``, ``counter``): two splitmix64 uniforms, Box–Muller."""
    a = _splitmix64(key ^ _splitmix64(counter))
    b = _splitmix64(a)
    u1 = ((a >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740992.0)   # (0, 1]
    u2 = (b >> np.uint64(11)) * (1.0 / 9007199254740992.0)                     # [0, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, inline="always")
def _add_row(v, row, dense, w, ptr, idx, std, noisy, key, counter_base):
    """``v[post] += w[row, post]`` (+ read noise) over the row's synapses, in post order."""
    if dense:
        if noisy:
            n = v.shape[0]
            for j in range(n):
                v[j] += w[row, j] + std[row, j] * _normal(key, counter_base + np.uint64(j))
        else:
            for j in range(v.shape[0]):
                v[j] += w[row, j]
    else:
        # CSR: w, std hold values of existing synapses (flat), idx their post indices
        start = ptr[row]
        stop = ptr[row + 1]
        if noisy:
            for s in range(start, stop):
                v[idx[s]] += w[0, s] + std[0, s] * _normal(key, counter_base + np.uint64(s - start))
        else:
            for s in range(start, stop):
                v[idx[s]] += w[0, s]


@njit(cache=True, inline="always")
def _add_row_gated(v, gate, row, dense, w, ptr, idx, std, noisy, key, counter_base):
    """As :func:`_add_row`, but only into ``v[post]`` with ``gate[post]`` True.

    Brian2 guards ``v_post += w`` with ``if not_refractory`` when ``v`` is flagged
    ``(unless refractory)``: a refractory neuron drops its delta-synapse input.
    """
    if dense:
        for j in range(v.shape[0]):
            if gate[j]:
                if noisy:
                    v[j] += w[row, j] + std[row, j] * _normal(key, counter_base + np.uint64(j))
                else:
                    v[j] += w[row, j]
    else:
        start = ptr[row]
        stop = ptr[row + 1]
        for s in range(start, stop):
            j = idx[s]
            if gate[j]:
                if noisy:
                    v[j] += w[0, s] + std[0, s] * _normal(key, counter_base + np.uint64(s - start))
                else:
                    v[j] += w[0, s]


@njit(cache=True, inline="always")
def _add_rows(v, gate, gated, rows, n, dense, w, ptr, idx, std, noisy, key, counter_slot):
    """:func:`_add_row` (or :func:`_add_row_gated` when ``gated``) for ``rows[0] … rows[n-1]``, in order.

    Read-noise counters: ``(counter_slot + row) << 32`` plus the synapse position.
    Dense noiseless ungated rows go four per pass over ``v``: ``v[j] = (((v[j] + r0[j])
    + r1[j]) + r2[j]) + r3[j]`` rounds after every addition, so each ``v[j]`` gets
    exactly the sequential sums (bit-identical), while ``v`` is loaded and stored once
    per four rows instead of once per row (≈ 1.15× faster at 1,000 neurons on N-MNIST).
    """
    p = 0
    if dense and not noisy and not gated:
        while p + 4 <= n:
            r0 = w[rows[p]]
            r1 = w[rows[p + 1]]
            r2 = w[rows[p + 2]]
            r3 = w[rows[p + 3]]
            for j in range(v.shape[0]):
                v[j] = (((v[j] + r0[j]) + r1[j]) + r2[j]) + r3[j]
            p += 4
    while p < n:
        row = rows[p]
        base = (counter_slot + np.uint64(row)) << np.uint64(32)
        if gated:
            _add_row_gated(v, gate, row, dense, w, ptr, idx, std, noisy, key, base)
        else:
            _add_row(v, row, dense, w, ptr, idx, std, noisy, key, base)
        p += 1


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
    _add_rows(v, no_gate, False, active, n_active, in_dense, w_in, in_ptr, in_idx, in_std, noisy, key,
              noise_slot)
    noise_slot += np.uint64(inputs + neurons)
    _add_rows(v, no_gate, False, spk, nspk, rec_dense, w_rec, rec_ptr, rec_idx, rec_std, noisy, key,
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
def discrete_lif_chunk(raster, decay, vth,
                       in_dense, w_in, in_ptr, in_idx, in_std,
                       rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                       noisy, keys, spikes, traces):
    """Simulate a chunk of samples of the discrete LIF (Lin et al. 2025) in float64.

    ``raster``: bool ``[samples, bins, inputs]`` input spikes. ``decay``,
    ``vth``: float. Weights (membrane units): dense ``w_*`` of shape
    ``(pre, post)`` when ``*_dense``, else CSR with ``w_*`` of shape ``(1, nnz)``,
    ``*_ptr`` int64 ``(pre + 1,)``, ``*_idx`` int64 ``(nnz,)`` post indices.
    ``*_std``: per-synapse read-noise std, same layout (ignored unless ``noisy``).
    ``keys``: uint64 ``(samples,)`` noise keys. Outputs (written): ``spikes``
    bool ``[samples, bins, neurons]``; ``traces`` float64 ``[samples, bins, k]``
    (``v`` of the first ``k`` neurons after each step's threshold; ``k`` may be 0).
    """
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


@njit(cache=True)
def discrete_lif_step(b, x_b, v, spk, nspk, active, decay, vth,
                      in_dense, w_in, in_ptr, in_idx, in_std,
                      rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                      noisy, key, fb, spikes_b, trace_b):
    """:func:`_discrete_step` called from Python (the stepping path of a run with a hook)."""
    return _discrete_step(b, x_b, v, spk, nspk, active, np.ones(0, dtype=np.bool_), decay, vth,
                          in_dense, w_in, in_ptr, in_idx, in_std,
                          rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                          noisy, key, fb, spikes_b, trace_b)


# ----------------------------------------------------------------------------------------------
# Continuous models (``lif``: exact integration; ``izhikevich``: forward Euler), Brian2's schedule
# ``groups → thresholds → synapses → resets → end`` with trailing separator steps.
#
# Bit-exactness with Brian2's Cython build (GCC -O3 -ffast-math -march=native), read from the
# compiled state updaters:
# - LIF, delta synapse: v' = fma(v, e_m, c_v0), c_v0 = fma(-(bias + v_rest), e_m, bias + v_rest);
# - LIF, exponential synapse: I' = c_i I; v' = c_v0 + fma(c_vi, I, e_m v) with c_v0 folded to
#   (1 - e_m)(bias + v_rest) and c_vi = ((exp(dt/τs) - exp(dt/τm)) e_m) τs c_i / (τm - τs);
# - refractory (``v`` flagged ``unless refractory``): v is not integrated, and Brian2 guards the
#   delta synapse ``v_post += w`` with ``if not_refractory`` (input to a refractory neuron is
#   dropped; an exponential synapse targets I_syn, which keeps integrating and receiving);
# - Izhikevich: u' = fma(h a, fma(v, b, -u), u); 0.04 v² + 5 v becomes fma(fma(v, .04, 5), v, ·)
#   and v' = fma(drive, h, v); the exponential current decays as (1 - dt/τs) I.

from numba import types as _nbtypes          # noqa: E402
from numba.extending import intrinsic         # noqa: E402


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (llvm.fma.f64), as GCC contracts Brian2's Cython with FMA."""
    sig = _nbtypes.float64(_nbtypes.float64, _nbtypes.float64, _nbtypes.float64)

    def codegen(context, builder, signature, args):
        from llvmlite import ir
        from numba.core import cgutils
        dbl = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(dbl, [dbl, dbl, dbl]),
                                            "llvm.fma.f64")
        return builder.call(fn, args)
    return sig, codegen


@njit(cache=True)
def fma(a, b, c):
    """Fused multiply-add (for tests)."""
    return _fma(a, b, c)


from neurosim.networks.models.izhikevich import KERNEL_ID as MODEL_IZH  # noqa: E402
from neurosim.networks.models.lif import KERNEL_ID as MODEL_LIF  # noqa: E402


@njit(cache=True, inline="always")
def _continuous_state(neurons, inputs, ring, model, consts, b):
    """Resting state of one sample: ``(v, u, cur, last, notref, spk, nspk, active)``.

    ``v``, ``u``, ``cur`` float64 ``(neurons,)`` membrane, Izhikevich recovery, synaptic
    current; ``last`` int64 step of each neuron's last spike; ``notref`` bool; ``spk``
    int64 ``(ring, neurons)`` and ``nspk`` int64 ``(ring,)`` the spikes of the last
    ``ring = delay + 1`` steps; ``active`` int64 ``(inputs,)`` scratch.
    """
    v = np.empty(neurons)
    u = np.zeros(neurons)
    if model == MODEL_LIF:
        for j in range(neurons):
            v[j] = consts[0]
    else:
        for j in range(neurons):
            v[j] = consts[3]
            u[j] = b[j] * consts[3]
    return (v, u, np.zeros(neurons), np.full(neurons, -(1 << 40), dtype=np.int64),
            np.ones(neurons, dtype=np.bool_), np.empty((ring, neurons), dtype=np.int64),
            np.zeros(ring, dtype=np.int64), np.empty(inputs, dtype=np.int64))


@njit(cache=True)
def continuous_state(neurons, inputs, ring, model, consts, b):
    """:func:`_continuous_state` called from Python (the stepping path of a run with a hook)."""
    return _continuous_state(neurons, inputs, ring, model, consts, b)


@njit(cache=True, inline="always")
def _continuous_step(k, raster_s, v, u, cur, last, notref, spk, nspk, active,
                     model, exp_syn, consts, a, b, c, d, vth, delay, refr,
                     in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s):
    """Slot step ``k`` of one continuous-model sample, in place (see :func:`continuous_chunk`).

    ``raster_s``: bool ``[bins, inputs]`` the sample's input; the state arrays are those
    of :func:`_continuous_state`; ``in_rows``, ``rec_rows``: the tuples ``(dense, w, ptr,
    idx, std)`` of :func:`continuous_chunk`'s weight arguments (packed: Python passes calls
    of more than 30 arguments as ``*args``, which numba cannot inline). ``fb``: float64 ``(neurons,)`` feedback added after the
    synaptic additions (to ``cur`` with an exponential synapse, else to ``v``, gated like
    them), or empty for none. Writes ``spikes_s[k]`` (bool ``[bins, neurons]``) and
    ``traces_s[k]`` (``[bins, n_trace]``) while ``k < bins``.
    """
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    bins, inputs = raster_s.shape
    neurons = v.shape[0]
    n_trace = traces_s.shape[1]
    ring = delay + 1
    gated = model == MODEL_LIF and refr > 0 and not exp_syn
    tgt = cur if exp_syn else v
    slot = k % ring
    # groups: state update
    if model == MODEL_LIF:
        for j in range(neurons):
            nr = (k - last[j]) >= refr
            notref[j] = nr
            i_old = cur[j]
            if exp_syn:
                cur[j] = consts[2] * i_old
                if nr:
                    v[j] = consts[3] + _fma(consts[4], i_old, consts[5] * v[j])
            elif nr:
                v[j] = _fma(v[j], consts[5], consts[3])
    else:
        h = consts[1]
        for j in range(neurons):
            vv = v[j]
            uu = u[j]
            i_old = cur[j]
            # as GCC (-ffast-math -march=native) compiles Brian2's Euler step (read from
            # the .so): I' = (1 - dt/tau_syn) * I; u' = fma(h*a, fma(v, b, -u), u);
            # 0.04 v² + 5 v → v * (0.04 v + 5), both as FMAs
            poly = _fma(vv, 0.04, 5.0)
            if exp_syn:
                cur[j] = consts[0] * i_old
                drive = (consts[2] + i_old) + _fma(poly, vv, -uu)
            else:
                drive = _fma(poly, vv, consts[2] - uu)
            u[j] = _fma(h * a[j], _fma(vv, b[j], -uu), uu)
            v[j] = _fma(drive, h, vv)
    # thresholds
    n = 0
    if k < bins:
        for j in range(neurons):
            if model == MODEL_LIF:
                fire = v[j] > vth and notref[j]
            else:
                fire = v[j] >= vth
            if fire:
                spk[slot, n] = j
                n += 1
                notref[j] = False
                last[j] = k
                spikes_s[k, j] = True
    nspk[slot] = n
    # synapses: inputs of bin k - delay, then reservoir spikes of step k - delay, then feedback
    src = k - delay
    if src >= 0:
        noise_slot = (np.uint64(src) * np.uint64(2)) * np.uint64(inputs + neurons)
        if src < bins:
            n_active = 0
            for i in range(inputs):
                if raster_s[src, i]:
                    active[n_active] = i
                    n_active += 1
            _add_rows(tgt, notref, gated, active, n_active, in_dense, w_in, in_ptr, in_idx, in_std,
                      noisy, key, noise_slot)
        old = src % ring
        _add_rows(tgt, notref, gated, spk[old], nspk[old], rec_dense, w_rec, rec_ptr, rec_idx,
                  rec_std, noisy, key, noise_slot + np.uint64(inputs + neurons))
    for j in range(fb.shape[0]):
        if notref[j] or not gated:
            tgt[j] += fb[j]
    # resets
    for q in range(n):
        j = spk[slot, q]
        if model == MODEL_LIF:
            v[j] = consts[1]
        else:
            v[j] = c[j]
            u[j] = u[j] + d[j]
    # end: separator clamp
    if k >= bins:
        for j in range(neurons):
            if model == MODEL_LIF:
                if notref[j]:
                    v[j] = consts[0] + 0.0 * v[j]
            else:
                v[j] = consts[3] + 0.0 * v[j]
                u[j] = 0.0 * u[j] + consts[3] * b[j]
            cur[j] = cur[j] * 0.0
    else:
        for j in range(n_trace):
            traces_s[k, j] = v[j]


@njit(cache=True, parallel=True)
def continuous_chunk(raster, model, exp_syn, consts, a, b, c, d, vth, delay, refr, n_sep,
                     in_dense, w_in, in_ptr, in_idx, in_std,
                     rec_dense, w_rec, rec_ptr, rec_idx, rec_std,
                     noisy, keys, spikes, traces):
    """Simulate a chunk of samples of the continuous LIF (``model`` 0) or Izhikevich (1) in float64.

    Replays, per slot step ``k`` (``bins`` bins then ``n_sep`` separators), the code Brian2
    generates and GCC compiles (see the module docstring of :mod:`neurosim.engines.cpu_engine`).
    ``consts`` (float64): LIF ``[v_rest, v_reset, c_i, c_v0, c_vi, c_vv]``, Izhikevich
    ``[1 - dt/tau_syn, h, 140 + bias, V_INIT]``. ``a, b, c, d``: Izhikevich per-neuron parameters.
    ``delay``, ``refr`` (steps, Brian2's rounding), ``n_sep`` separator steps.
    """
    samples, bins, inputs = raster.shape
    neurons = spikes.shape[2]
    period = bins + n_sep
    ring = delay + 1
    no_fb = np.zeros(0)
    in_rows = (in_dense, w_in, in_ptr, in_idx, in_std)
    rec_rows = (rec_dense, w_rec, rec_ptr, rec_idx, rec_std)
    for smp in prange(samples):
        v, u, cur, last, notref, spk, nspk, active = _continuous_state(neurons, inputs, ring, model, consts, b)
        key = keys[smp]
        for k in range(period):
            _continuous_step(k, raster[smp], v, u, cur, last, notref, spk, nspk, active,
                             model, exp_syn, consts, a, b, c, d, vth, delay, refr,
                             in_rows, rec_rows, noisy, key, no_fb, spikes[smp], traces[smp])


@njit(cache=True)
def continuous_step(k, raster_s, v, u, cur, last, notref, spk, nspk, active,
                    model, exp_syn, consts, a, b, c, d, vth, delay, refr,
                    in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s):
    """:func:`_continuous_step` called from Python (the stepping path of a run with a hook)."""
    _continuous_step(k, raster_s, v, u, cur, last, notref, spk, nspk, active,
                     model, exp_syn, consts, a, b, c, d, vth, delay, refr,
                     in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s)
