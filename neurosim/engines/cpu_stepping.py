"""The cpu engine's stepping path: one compiled step per sample and bin, a hook in between.

Used by :meth:`neurosim.engines.cpu_engine.CpuEngine.run` when it is given a hook
(:mod:`neurosim.engines.online`). Each step calls the model's compiled ``step``
(:class:`neurosim.kernels.CpuKernel`), which runs the same step function as its chunk
kernel, so spikes and membrane potentials equal the frozen path's bit for bit when the
feedback is zero, and equal the Brian2 engine's with feedback. Samples run one after the
other on one thread (learning across trials is sequential); read-noise keys are the
chunk kernels' (:func:`neurosim.engines.cpu_engine.noise_keys`), so a noisy run draws
the same numbers with and without a hook.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neurosim.engines.online import HookDriver


def run_stepping(kernel, args: tuple, neurons: int, raster: np.ndarray, in_rows: tuple, rec_rows: tuple,
                 noisy: bool, keys: np.ndarray, driver: HookDriver, spikes: np.ndarray, traces: np.ndarray,
                 progress: Callable[[int, int], None] | None = None, adc: tuple | None = None) -> None:
    """Simulate every sample of ``raster`` step by step, calling ``driver`` after every bin.

    ``kernel``: the model's :class:`~neurosim.kernels.CpuKernel`, ``args`` its kernel arguments;
    ``raster``: C-contiguous bool ``[samples, bins, inputs]``; ``in_rows``, ``rec_rows``:
    the weight layouts of :func:`neurosim.engines.cpu_engine._rows`; ``noisy``: draw read
    noise, with ``keys`` uint64 ``(samples,)`` the per-sample noise keys. Outputs (written): ``spikes``
    bool ``[samples, bins, neurons]``, ``traces`` float64 ``[samples, bins, k]`` (``k``
    may be 0). ``progress(done, samples)`` is called after each sample. ``adc``: the chip's ADC in the
    loop (:func:`neurosim.kernels.continuous.adc_tuple`; the kernel's ``adc_step``), or None.
    """
    samples, bins, inputs = raster.shape
    for smp in range(samples):
        key = keys[smp]
        driver.trial_start(smp)
        fb = driver.feedback
        state = kernel.start(neurons, inputs, args)
        scratch = np.empty((3, neurons))
        i_syn = kernel.synaptic_current(state, args)
        for k in range(kernel.slot_steps(bins, args)):
            if adc is None:
                kernel.step(k, raster[smp], state, args, in_rows, rec_rows, noisy, key, fb, spikes[smp], traces[smp])
            else:
                kernel.adc_step(k, raster[smp], state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch,
                                spikes[smp], traces[smp])
            if k < bins:
                fb = driver.step(smp, k, spikes[smp, k], state[0], i_syn)
        driver.trial_end(smp)
        if progress is not None:
            progress(smp + 1, samples)
