"""The compiled cpu engine: an event-driven numba kernel, parallel over samples.

``CpuEngine().run(lsm, raster, progress) -> Activity`` has the Brian2 engine's
interface and, in float64, gives **the same spikes and membrane traces** as the
Brian2 engine for all three neuron models: the discrete LIF (the default
``network.model``), the continuous LIF (``lif``: delta or exponential synapses,
refractory period, delay) and Izhikevich. The kernels replay Brian2's order of
operations step by step; each model supplies its kernel
(:meth:`~neurosim.networks.models.NeuronModel.cpu_kernel`, :mod:`neurosim.kernels`); for the
continuous models they also replay the arithmetic GCC emits for Brian2's Cython
state updaters (``-ffast-math -march=native``: constant folding and FMA
contraction, read from the compiled code). That arithmetic was read on an
x86-64 machine with FMA; a compiler or CPU that contracts differently makes
Brian2 itself round differently. Samples are processed in
chunks of ``chunk_samples`` (memory: one bool spike raster per chunk plus one
float64 state vector per thread), each chunk split over numba's threads; the
result does not depend on the chunk size or the number of threads.

With a non-ideal ADC (``lsm.drive_adc``, :mod:`neurosim.crossbar.periphery`) the
engine runs :mod:`neurosim.engines.cpu_adc_kernel` instead, which quantizes every array
segment's partial sum with the macro's quantizer (same codes as
:class:`~neurosim.crossbar.CrossbarMacro`; see ``tests/test_adc_loop.py``); with read noise
per step, the shared numpy step of :mod:`neurosim.engines.lsm_step`. A continuous model runs its
kernel's ``adc_chunk`` (``adc_step`` with a hook; :func:`neurosim.kernels.continuous.synapse_phase`);
a model whose kernel lacks them is refused with one line.

IR drop (``crossbar.wire_resistance`` > 0, ``lsm.drive_adc.wire_resistance``): every model runs the
shared numpy step (the gpu engine's code on numpy, float64), whose drive computes each array
segment's partial sums from the cells with :func:`~neurosim.crossbar.periphery.line_sums`, the model
of :class:`~neurosim.crossbar.CrossbarMacro`'s reads; the compiled kernels stay the ideal wire's. A step
hook with IR drop is refused with one line.

Compiled code is cached on disk (numba ``cache=True``, in ``__pycache__`` beside
the module or numba's user cache), so only the first process pays the compile.

Read noise per step (``network.read_noise_per_step``): each transmission adds
``w_std · z``. Brian2 draws ``z`` from numpy's global generator; this engine
draws it from a counter-based generator keyed per sample by
``SeedSequence(noise_seed, spawn_key=(sample index,))`` — reproducible for the
same seed whatever the chunking or thread count, statistically the same model,
but not the same numbers as Brian2 (so noisy runs are not spike-identical).

"""

from __future__ import annotations

import contextlib
import logging
from typing import Callable

import numpy as np

from neurosim.crossbar.periphery import ir_drop_refusal
from neurosim.engines import EngineEntry, register_engine
from neurosim.engines.activity import Activity, check_input_raster
from neurosim.engines.online import HookDriver, StepHook
from neurosim.errors import EngineError
from neurosim.networks import LSM, get_model
from neurosim.networks.models import kernel_models

log = logging.getLogger(__name__)

SPARSE_BELOW = 0.5   # use CSR rows when a mask keeps fewer than this fraction of synapses


def _rows(weights: np.ndarray, mask: np.ndarray | None, std: np.ndarray | None):
    """Kernel layout of one weight matrix ``(pre, post)``: dense rows, or CSR of the existing synapses.

    Returns ``(dense, w, ptr, idx, std)``; for CSR ``w`` and ``std`` have shape
    ``(1, nnz)`` in (pre, post) order (Brian2's synapse order), ``ptr`` int64
    ``(pre + 1,)``, ``idx`` int64 ``(nnz,)``.
    """
    empty_i = np.zeros(1, dtype=np.int64)
    if mask is None or mask.mean() >= SPARSE_BELOW:
        w = np.ascontiguousarray(weights, dtype=np.float64)
        s = np.ascontiguousarray(std, dtype=np.float64) if std is not None else np.zeros((1, 1))
        return True, w, empty_i, empty_i, s
    pre, post = np.nonzero(mask)
    ptr = np.zeros(weights.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=weights.shape[0]), out=ptr[1:])
    w = np.ascontiguousarray(weights[pre, post], dtype=np.float64)[None, :]
    s = (np.ascontiguousarray(std[pre, post], dtype=np.float64)[None, :] if std is not None
         else np.zeros((1, 1)))
    return False, w, ptr, post.astype(np.int64), s


def noise_keys(noise_seed: int | None, start: int, count: int) -> np.ndarray:
    """uint64 ``(count,)`` read-noise keys of samples ``start … start+count-1`` (0 when noiseless).

    Sample ``j``'s key is the first word of ``SeedSequence(noise_seed, spawn_key=(j,))``,
    so a sample draws the same noise whichever chunk it is in.
    """
    if noise_seed is None:
        return np.zeros(count, dtype=np.uint64)
    return np.array([np.random.SeedSequence(noise_seed, spawn_key=(j,)).generate_state(1, np.uint64)[0]
                     for j in range(start, start + count)], dtype=np.uint64)


def _no_adc_kernel(model: str, hook: bool) -> str:
    """Why the cpu engine refuses network.model = ``model`` on a chip whose ADC quantizes (one line)."""
    what = f"a step hook on network.model = {model!r} with" if hook else f"network.model = {model!r} with"
    return (f"the cpu engine does not run {what} the ADC in the loop (crossbar.adc_mode = 'quantize'); "
            "use --engine brian2, or --set crossbar.adc_mode=ideal")


def _has_cpu_kernel(model) -> bool:
    return model.cpu_kernel() is not None


class CpuEngine:
    """Runs an :class:`LSM` with the compiled event-driven kernel.

    ``chunk_samples``: samples per kernel call (bounds memory; progress is
    reported after each); ``threads``: numba threads (``None`` = numba's
    default, all cores); ``trace_neurons``: record ``v`` of the first that many
    neurons after every step (as the Brian2 engine's ``trace_neurons``).
    """

    name = "cpu"
    #: Rank in ``auto`` (:mod:`neurosim.engines`): after the gpu engine, before brian2.
    auto_priority = 20

    def __init__(self, chunk_samples: int = 256, threads: int | None = None, trace_neurons: int = 0):
        if chunk_samples < 1 or trace_neurons < 0 or (threads is not None and threads < 1):
            raise EngineError("cpu engine: chunk_samples and threads must be ≥ 1, trace_neurons ≥ 0")
        self.chunk_samples = chunk_samples
        self.threads = threads
        self.trace_neurons = trace_neurons

    def supports(self, lsm: LSM) -> bool:
        """Whether this engine simulates ``lsm`` (its model supplies a cpu kernel; with IR drop, the
        numpy step runs the model and the network's weights are the cells')."""
        if _wire_resistance(lsm):
            from neurosim.engines.gpu_engine import GpuEngine

            return ir_drop_refusal(lsm, self.name) is None and GpuEngine(device="cpu").supports(lsm)
        return lsm.model in kernel_models(_has_cpu_kernel)

    def run(self, lsm: LSM, raster: np.ndarray,
            progress: Callable[[int, int], None] | None = None, hook: StepHook | None = None, *,
            first_sample: int = 0) -> Activity:
        """Simulate every sample of ``raster`` (bool ``[samples, bins, inputs]``, one step per bin).

        With a ``hook`` (:class:`~neurosim.engines.online.StepHook`) the samples run one
        after the other, one compiled step per bin, and the hook reads every bin and may
        feed a current back (:mod:`neurosim.engines.online`); otherwise the chunk kernels
        run in parallel. ``first_sample``: position of ``raster[0]`` in a longer, chunked
        stream (sample ``j`` draws the read noise of position ``first_sample + j``).
        Returns :class:`Activity` with ``spike_raster`` bool ``[samples, bins, neurons]``.
        """
        if _wire_resistance(lsm):
            return self._run_with_ir_drop(lsm, raster, progress, hook, first_sample)
        if not self.supports(lsm):
            raise EngineError(f"the cpu engine does not simulate network.model = {lsm.model!r} "
                              f"(it runs: {', '.join(kernel_models(_has_cpu_kernel))}); "
                              "use --engine brian2 (or auto)")
        model = get_model(lsm.model)
        if lsm.drive_adc is not None and model.kernel == "discrete":
            return self._run_with_adc(lsm, raster, progress, hook, first_sample)
        needs = "adc_chunk" if hook is None else "adc_step"
        if lsm.drive_adc is not None and getattr(model.cpu_kernel(), needs) is None:
            raise EngineError(_no_adc_kernel(lsm.model, hook is not None))
        raster = check_input_raster(raster, lsm.inputs)
        samples, bins, inputs = raster.shape
        try:
            import numba
            kernel, args = model.cpu_kernel(), model.kernel_args(lsm)
        except ImportError as exc:
            raise EngineError(f"the cpu engine needs numba (pip install numba): {exc}") from None
        raster = np.ascontiguousarray(raster, dtype=np.bool_)
        noisy = lsm.w_in_std is not None or lsm.w_rec_std is not None
        in_std = lsm.w_in_std if lsm.w_in_std is not None or not noisy else np.zeros_like(lsm.w_in)
        rec_std = lsm.w_rec_std if lsm.w_rec_std is not None or not noisy else np.zeros_like(lsm.w_rec)
        in_rows = _rows(lsm.w_in, lsm.in_mask, in_std)
        rec_rows = _rows(lsm.w_rec, lsm.rec_mask, rec_std)
        n_trace = min(self.trace_neurons, lsm.neurons)
        spikes = np.zeros((samples, bins, lsm.neurons), dtype=bool)
        traces = np.zeros((samples, bins, n_trace)) if n_trace else None
        with self._numba_threads(numba):
            if hook is not None:
                from neurosim.engines.cpu_stepping import run_stepping
                from neurosim.kernels.continuous import adc_tuple
                run_stepping(kernel, args, lsm.neurons, raster, in_rows, rec_rows, noisy,
                             noise_keys(lsm.noise_seed if noisy else None, first_sample, samples),
                             HookDriver(hook, lsm.neurons, bins), spikes,
                             traces if n_trace else np.zeros((samples, bins, 0)), progress,
                             None if lsm.drive_adc is None else adc_tuple(lsm.drive_adc))
            else:
                for start in range(0, samples, self.chunk_samples):
                    stop = min(start + self.chunk_samples, samples)
                    chunk_traces = traces[start:stop] if n_trace else np.zeros((stop - start, bins, 0))
                    keys = noise_keys(lsm.noise_seed if noisy else None, first_sample + start,
                                      stop - start)
                    if lsm.drive_adc is None:
                        kernel.chunk(raster[start:stop], args, in_rows, rec_rows, noisy, keys, spikes[start:stop],
                                     chunk_traces)
                    else:
                        from neurosim.kernels.continuous import adc_tuple
                        kernel.adc_chunk(raster[start:stop], args, in_rows, rec_rows, noisy, keys,
                                         adc_tuple(lsm.drive_adc), spikes[start:stop], chunk_traces)
                    if progress is not None:
                        progress(stop, samples)
        if samples == 0 and progress is not None:
            progress(0, 0)
        return Activity(spike_raster=spikes, traces=traces)

    @contextlib.contextmanager
    def _numba_threads(self, numba):
        """Run the block on ``self.threads`` numba threads (if set), restoring the previous count after."""
        old_threads = numba.get_num_threads()
        if self.threads is not None:
            numba.set_num_threads(min(self.threads, numba.config.NUMBA_NUM_THREADS))
        try:
            yield
        finally:
            numba.set_num_threads(old_threads)

    def _run_with_ir_drop(self, lsm: LSM, raster: np.ndarray, progress, hook, first_sample: int) -> Activity:
        """IR drop in the loop (``crossbar.wire_resistance`` > 0): the shared numpy step in float64
        (:func:`neurosim.engines.lsm_step.lsm_step` or the continuous step), ``chunk_samples`` samples
        per batch (one with read noise per step, so the noise is seeded per sample)."""
        why = ir_drop_refusal(lsm, self.name)
        if why is None and hook is not None:
            why = (f"crossbar.wire_resistance = {_wire_resistance(lsm)} Ω: the cpu engine's stepping "
                   "path (a step hook) does not apply IR drop; set crossbar.wire_resistance=0 for online learning")
        if why is not None:
            raise EngineError(why)
        from neurosim.engines.gpu_engine import GpuEngine

        noisy = lsm.w_in_std is not None or lsm.w_rec_std is not None
        numpy_twin = GpuEngine(dtype="float64", batch_size=1 if noisy else self.chunk_samples, device="cpu",
                               trace_neurons=self.trace_neurons)
        return numpy_twin.run(lsm, raster, progress, first_sample=first_sample)

    def _run_with_adc(self, lsm: LSM, raster: np.ndarray, progress, hook, first_sample: int) -> Activity:
        """A chip whose ADC is not ideal (``lsm.drive_adc``): the compiled kernel of
        :mod:`neurosim.engines.cpu_adc_kernel`, which quantizes each array segment's partial sum
        with the shared :func:`~neurosim.crossbar.periphery.adc_read`. With read noise per step
        the shared numpy step of :func:`neurosim.engines.lsm_step.lsm_step` runs instead (the
        gpu engine's code on numpy, one sample per batch so the noise is seeded per sample)."""
        if hook is not None:
            raise EngineError("a step hook with the ADC in the loop is not supported; set "
                              "crossbar.adc_mode=ideal for online learning")
        if lsm.w_in_std is not None or lsm.w_rec_std is not None:
            from neurosim.engines.gpu_engine import GpuEngine

            numpy_twin = GpuEngine(dtype="float64", batch_size=1, device="cpu", trace_neurons=self.trace_neurons)
            return numpy_twin.run(lsm, raster, progress, first_sample=first_sample)
        try:
            import numba
            from neurosim.engines.cpu_adc_kernel import discrete_lif_adc_chunk
        except ImportError as exc:
            raise EngineError(f"the cpu engine needs numba (pip install numba): {exc}") from None
        raster = np.ascontiguousarray(check_input_raster(raster, lsm.inputs), dtype=np.bool_)
        samples, bins, _ = raster.shape
        adc = lsm.drive_adc
        segments = np.asarray(adc.segments, dtype=np.int64).reshape(-1, 3)
        w_in = np.ascontiguousarray(lsm.w_in, dtype=np.float64)
        w_rec = np.ascontiguousarray(lsm.w_rec, dtype=np.float64)
        unit = np.asarray(adc.unit, dtype=np.float64)
        ref = np.asarray(adc.ref, dtype=np.float64)
        n_trace = min(self.trace_neurons, lsm.neurons)
        spikes = np.zeros((samples, bins, lsm.neurons), dtype=bool)
        traces = np.zeros((samples, bins, n_trace))
        with self._numba_threads(numba):
            for start in range(0, samples, self.chunk_samples):
                stop = min(start + self.chunk_samples, samples)
                discrete_lif_adc_chunk(raster[start:stop], float(lsm.params.decay), float(lsm.params.threshold),
                                       w_in, w_rec, np.ascontiguousarray(segments[:, 0]),
                                       np.ascontiguousarray(segments[:, 1]), np.ascontiguousarray(segments[:, 2]),
                                       unit, ref, float(adc.adc.lsb), float(adc.adc.max_code),
                                       bool(adc.adc.signed), spikes[start:stop], traces[start:stop])
                if progress is not None:
                    progress(stop, samples)
        if samples == 0 and progress is not None:
            progress(0, 0)
        return Activity(spike_raster=spikes, traces=traces if n_trace else None)


def _wire_resistance(lsm: LSM) -> float:
    """The network's IR-drop wire resistance (Ω per cell segment; 0 = ideal wires)."""
    return lsm.drive_adc.wire_resistance if lsm.drive_adc is not None else 0.0


register_engine(EngineEntry("cpu", CpuEngine, stepping=True))
