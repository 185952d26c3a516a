"""The cpu engine's stepping path: one compiled step per sample and bin, a hook in between.

Used by :meth:`neurosim.engines.cpu_engine.CpuEngine.run` when it is given a hook
(:mod:`neurosim.engines.online`). Each step calls the same inlined step body as the
chunk kernels (:func:`neurosim.engines.cpu_kernels.discrete_lif_step`,
:func:`~neurosim.engines.cpu_kernels.continuous_step`), through a small compiled
wrapper, so spikes and membrane potentials equal the frozen path's bit for bit when the
feedback is zero, and equal the Brian2 engine's with feedback. Samples run one after the
other on one thread (learning across trials is sequential); read-noise keys are the
chunk kernels' (:func:`neurosim.engines.cpu_engine.noise_keys`), so a noisy run draws
the same numbers with and without a hook.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from neurosim.engines.online import HookDriver
from neurosim.networks import LSM
from neurosim.networks.models import get_model


def run_stepping(lsm: LSM, raster: np.ndarray, in_rows: tuple, rec_rows: tuple, noisy: bool,
                 keys: np.ndarray, driver: HookDriver, spikes: np.ndarray, traces: np.ndarray,
                 progress: Callable[[int, int], None] | None = None) -> None:
    """Simulate every sample of ``raster`` step by step, calling ``driver`` after every bin.

    ``raster``: C-contiguous bool ``[samples, bins, inputs]``; ``in_rows``, ``rec_rows``:
    the weight layouts of :func:`neurosim.engines.cpu_engine._rows`; ``noisy``: draw read
    noise, with ``keys`` uint64 ``(samples,)`` the per-sample noise keys. Outputs (written): ``spikes``
    bool ``[samples, bins, neurons]``, ``traces`` float64 ``[samples, bins, k]`` (``k``
    may be 0). ``progress(done, samples)`` is called after each sample.
    """
    from neurosim.engines.cpu_kernels import continuous_state, continuous_step, discrete_lif_step

    samples, bins, inputs = raster.shape
    neurons = lsm.neurons
    spec = get_model(lsm.model)
    discrete = spec.kernel == "discrete"
    if discrete:
        decay, vth = float(lsm.params.decay), float(lsm.params.threshold)
    else:
        model, exp_syn, consts, a, b_, c, d, vth, delay, refr, n_sep = spec.kernel_args(lsm)
    for smp in range(samples):
        key = keys[smp]
        driver.trial_start(smp)
        fb = driver.feedback
        if discrete:
            v = np.zeros(neurons)
            spk = np.empty(neurons, dtype=np.int64)
            active = np.empty(inputs, dtype=np.int64)
            nspk = 0
            for b in range(bins):
                nspk = discrete_lif_step(b, raster[smp, b], v, spk, nspk, active, decay, vth,
                                         *in_rows, *rec_rows, noisy, key, fb, spikes[smp, b], traces[smp, b])
                fb = driver.step(smp, b, spikes[smp, b], v)
        else:
            state = continuous_state(neurons, inputs, delay + 1, model, consts, b_)
            for k in range(bins + n_sep):
                continuous_step(k, raster[smp], *state, model, exp_syn, consts, a, b_, c, d, vth, delay, refr,
                                in_rows, rec_rows, noisy, key, fb, spikes[smp], traces[smp])
                if k < bins:
                    fb = driver.step(smp, k, spikes[smp, k], state[0], state[2] if exp_syn else None)
        driver.trial_end(smp)
        if progress is not None:
            progress(smp + 1, samples)
