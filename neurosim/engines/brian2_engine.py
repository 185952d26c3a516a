"""The reference engine: the reservoir as an explicit ``brian2.Network``.

One network is built per chip instance and runs a whole batch as one long
simulation: sample ``j`` occupies time steps ``[j*P, (j+1)*P)`` with
``P = n_bins + separator steps`` (see :mod:`neurosim.engines.brian2_models`).
For the discrete LIF (one leading separator step) Brian2's schedule is set to
``groups → resets → synapses → thresholds`` so
that, in step ``k``, the membrane decays, neurons that spiked in step ``k-1``
are reset, the input spikes of bin ``k-1`` and the reservoir spikes of step
``k-1`` arrive, and the threshold is tested: exactly
``mem_b = decay*mem_{b-1}*(1-s_{b-1}) + W_in x_b + W_rec s_{b-1}`` for bin
``b = (k mod P) - 1``. The first step of every slot is a separator: its
threshold is disabled and the next step starts from ``mem = 0``. The
continuous models clamp their state to rest in trailing separator steps instead.
Either way no state or spike crosses from one sample to the next, and results
do not depend on how the batch is chunked.

Devices: ``runtime`` (Cython, or numpy without a compiler; chunks of
``chunk_samples`` samples per ``net.run``) or ``cpp_standalone`` (the whole
batch in one run, compiled into a fresh folder under the cache directory;
``brian2.device.reinit()`` and ``set_device('runtime')`` restore the global
device afterwards).

Read noise per step (``network.read_noise_per_step``): Brian2 draws it from its
own generator, which on the runtime device is numpy's global one; the engine
seeds it with ``lsm.noise_seed`` for the run and restores the previous state
afterwards. Such a run is reproducible for the same seed and chunking-invariant,
but not identical to the noiseless run (and a sample run alone draws other
noise than the same sample inside a batch).

Process-wide state. A Brian2 run changes process-wide settings (``brian2.prefs``,
the global device, numpy's global generator when it seeds read noise); each is
restored afterwards, but two runs at the same time in one process would see each
other's settings. Runs are therefore serialised by a process-wide lock
(:data:`RUN_LOCK`): threads may call this engine, one run at a time. Parallel work
uses processes (numba threads inside the cpu engine; worker processes for sweeps),
never threads running Brian2 side by side.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from neurosim.engines import EngineEntry, register_engine
from neurosim.engines.activity import Activity, check_input_raster, run_noise_seed
from neurosim.engines.brian2_models import Built, build_network, separator_steps
from neurosim.engines.online import HookDriver, StepHook
from neurosim.errors import EngineError
from neurosim.networks import LSM, model_names

log = logging.getLogger(__name__)

DEVICES = ("runtime", "cpp_standalone")

#: Held for the whole of every Brian2 run (see the module docstring: process-wide state).
RUN_LOCK = threading.RLock()


def cache_dir() -> Path:
    """Where compiled Brian2 code is kept between runs (``$NEUROSIM_CACHE_DIR``)."""
    root = os.environ.get("NEUROSIM_CACHE_DIR") or Path.home() / ".cache" / "neurosim"
    return Path(root) / "brian2-cython"


def standalone_root() -> Path:
    """Parent folder of ``cpp_standalone`` builds (``$NEUROSIM_CACHE_DIR/brian2-standalone``)."""
    root = os.environ.get("NEUROSIM_CACHE_DIR") or Path.home() / ".cache" / "neurosim"
    return Path(root) / "brian2-standalone"


_target_choice: str | None = None


def choose_target() -> str:
    """'cython' when Cython and a C compiler work, else 'numpy' (logged once)."""
    global _target_choice
    if _target_choice is None:
        with brian2_prefs("cython"):
            from brian2.codegen.runtime.cython_rt import CythonCodeObject
            ok = CythonCodeObject.is_available()
        _target_choice = "cython" if ok else "numpy"
        if not ok:
            log.warning("brian2: Cython target unavailable (no compiler?); using the slower numpy target")
    return _target_choice


#: Appended to Brian2's GCC/Clang flags: no debug information. The machine code is the same (the
#: flags that shape it, ``-O3 -ffast-math -march=native``, stay), but each Cython module compiles in
#: about half the CPU time, which is most of a first run's time on a fresh cache.
NO_DEBUG_INFO = "-g0"


@contextmanager
def brian2_prefs(target: str) -> Iterator[None]:
    """Set Brian2's code-generation preferences for one run and restore them after: the target, the
    Cython cache folder (:func:`cache_dir`) and :data:`NO_DEBUG_INFO` after the compiler flags."""
    from brian2 import prefs
    keys = ["codegen.target", "codegen.runtime.cython.cache_dir", "codegen.cpp.extra_compile_args_gcc"]
    old = {k: prefs[k] for k in keys}
    prefs["codegen.target"] = target
    prefs["codegen.runtime.cython.cache_dir"] = str(cache_dir())
    prefs["codegen.cpp.extra_compile_args_gcc"] = [*old["codegen.cpp.extra_compile_args_gcc"], NO_DEBUG_INFO]
    try:
        yield
    finally:
        for k, v in old.items():
            prefs[k] = v


@contextmanager
def brian2_seed(seed: int | None) -> Iterator[None]:
    """Seed Brian2's random generator for one run (if ``seed`` is not None); restore numpy's after.

    On the runtime device Brian2 draws ``rand``/``randn`` in blocks from numpy's
    global generator: ``brian2.seed`` seeds it and empties Brian2's buffers. After
    the run the global generator's state is put back and the buffers are emptied
    again (so no number drawn under our seed leaks into a later run).
    """
    if seed is None:
        yield
        return
    import brian2
    state = np.random.get_state()
    brian2.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)
        device = brian2.get_device()
        for name in ("rand_buffer_index", "randn_buffer_index"):
            index = getattr(device, name, None)
            if index is not None:
                index[:] = 0


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Collect garbage once, before the network is built, then freeze the objects that exist
    (``gc.freeze``) until the run ends.

    ``brian2.Network.run`` starts with a full ``gc.collect()`` (there to warn about objects left out
    of a "magic" network, which this engine does not use), and a run of many chunks calls it once
    per chunk. In a process holding many objects (a notebook, a test session, a sweep worker) each
    walks all of them: 0.36 s per ``net.run`` in a test session. Collected once here and then
    frozen, the older objects are skipped; what the run itself leaves as garbage is still collected.

    The first collection matters twice. Brian2 keeps a registry of its live objects: a dead network
    of an earlier run, frozen uncollected, would stay in it and slow every later run down. And while
    it is in it, its objects' names stay taken, so Brian2 names some of the new network's objects
    with a suffix, which is new code to compile (5 more Cython modules for a small network).
    A process that froze objects itself (``gc.get_freeze_count()`` > 0) is only collected, not
    frozen or unfrozen.
    """
    gc.collect()
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _OrderWarningFilter(logging.Filter):
    """Drops Brian2's 'may depend on the order of execution' warning for the read-noise update.

    ``v_post += w + w_std * randn()`` sums independent draws onto a neuron; the
    draw order follows the fixed synapse order, so the result is reproducible.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not ("order of execution" in text and "randn()" in text)


@contextmanager
def quiet_noise_warning() -> Iterator[None]:
    """Install :class:`_OrderWarningFilter` on Brian2's code-generation logger for one run."""
    logger = logging.getLogger("brian2.codegen.generators.base")
    filt = _OrderWarningFilter()
    logger.addFilter(filt)
    try:
        yield
    finally:
        logger.removeFilter(filt)


@contextmanager
def standalone_device(directory: Path) -> Iterator[None]:
    """Switch Brian2 to ``cpp_standalone`` building into ``directory``; always back to runtime after."""
    import brian2
    brian2.set_device("cpp_standalone", build_on_run=False, directory=str(directory))
    try:
        yield
    finally:
        brian2.device.reinit()
        brian2.device.activate = False
        brian2.set_device("runtime")


class Brian2Engine:
    """Runs an :class:`LSM` on Brian2.

    ``target``: ``auto`` | ``cython`` | ``numpy`` (runtime device);
    ``device``: ``runtime`` | ``cpp_standalone``; ``chunk_samples``: samples per
    ``net.run`` on the runtime device; ``trace_neurons``: record ``v`` of the
    first that many neurons at the end of every bin (0 = off), refused above
    ``max_trace_values`` recorded numbers.
    """

    #: Rank in ``auto`` (:mod:`neurosim.engines`): the last resort, as it runs every model
    #: (the ``brian2-standalone`` entry does not join ``auto``).
    auto_priority = 10

    @property
    def name(self) -> str:
        """``brian2``, or ``brian2-standalone`` on the cpp_standalone device (as in reports)."""
        return "brian2-standalone" if self.device == "cpp_standalone" else "brian2"

    def __init__(self, target: str = "auto", chunk_samples: int = 200, device: str = "runtime",
                 trace_neurons: int = 0, max_trace_values: int = 50_000_000):
        if target not in ("auto", "cython", "numpy"):
            raise EngineError(f"brian2 target {target!r}: choose auto, cython or numpy")
        if device not in DEVICES:
            raise EngineError(f"brian2 device {device!r}: choose {' or '.join(DEVICES)}")
        if chunk_samples < 1 or trace_neurons < 0:
            raise EngineError("brian2 engine: chunk_samples must be ≥ 1 and trace_neurons ≥ 0")
        self.target = target
        self.chunk_samples = chunk_samples
        self.device = device
        self.trace_neurons = trace_neurons
        self.max_trace_values = max_trace_values

    def supports(self, lsm: LSM) -> bool:
        """Whether this engine simulates ``lsm``: any registered neuron model (its Brian2 definition),
        with an ideal ADC or one that quantizes the drive (``lsm.drive_adc``, read by Brian2 code:
        :mod:`neurosim.engines.brian2_adc`), without IR drop (``crossbar.wire_resistance`` = 0)."""
        return lsm.model in model_names() and _ir_drop_refusal(lsm, self.name) is None

    def run(self, lsm: LSM, raster: np.ndarray,
            progress: Callable[[int, int], None] | None = None, hook: StepHook | None = None, *,
            first_sample: int = 0) -> Activity:
        """Simulate every sample of ``raster`` (bool ``[samples, bins, inputs]``).

        With a ``hook`` (:class:`~neurosim.engines.online.StepHook`, runtime device only)
        the hook reads every bin of every sample, in order, and may feed a current back
        (:mod:`neurosim.engines.online`, :mod:`neurosim.engines.brian2_stepping`).
        ``first_sample``: position of ``raster[0]`` in a longer, chunked stream; with read noise
        per step the run is seeded from :func:`run_noise_seed` of it.
        """
        why = _ir_drop_refusal(lsm, self.name)
        if why is not None:
            raise EngineError(why)
        try:
            import brian2  # noqa: F401
        except ImportError as exc:  # pragma: no cover - brian2 is a hard dependency
            raise EngineError(f"the brian2 engine needs brian2: {exc}") from None
        raster = check_input_raster(raster, lsm.inputs)
        samples, bins, inputs = raster.shape
        n_trace = min(self.trace_neurons, lsm.neurons)
        if n_trace and samples * (bins + separator_steps(lsm)) * n_trace > self.max_trace_values:
            raise EngineError(f"membrane traces of {n_trace} neurons over {samples} samples × {bins} bins "
                              f"exceed max_trace_values = {self.max_trace_values}; record fewer neurons "
                              "or run smaller batches")
        with RUN_LOCK:
            return self._run_locked(lsm, raster, n_trace, progress, hook, first_sample)

    def _run_locked(self, lsm, raster, n_trace, progress, hook, first_sample) -> Activity:
        if self.device == "cpp_standalone":
            if hook is not None:
                raise EngineError("a step hook needs the brian2 runtime device (engine 'brian2'): a "
                                  "cpp_standalone program cannot call Python during the run")
            return self._run_standalone(lsm, raster, n_trace, progress,
                                        run_noise_seed(lsm.noise_seed, first_sample))
        target = choose_target() if self.target == "auto" else self.target
        with brian2_prefs(target), brian2_seed(run_noise_seed(lsm.noise_seed, first_sample)), \
                quiet_noise_warning(), older_objects_frozen():
            return self._run_runtime(lsm, raster, n_trace, progress, hook)

    def _run_runtime(self, lsm, raster, n_trace, progress, hook=None) -> Activity:
        import brian2
        samples, bins, _ = raster.shape
        driver = None if hook is None else HookDriver(hook, lsm.neurons, bins)   # checks the hook first
        built = build_network(brian2, lsm, bins, n_trace, feedback=driver is not None)
        dt = built.source.clock.dt
        out = _Collector(samples, bins, lsm.neurons, n_trace)
        stepper = None
        if driver is not None:
            from neurosim.engines.brian2_stepping import HookOperation
            stepper = HookOperation(brian2, built, driver, samples, progress)
        seen = 0
        for start in range(0, samples, self.chunk_samples):
            chunk = raster[start:start + self.chunk_samples]
            base = int(round(float(built.net.t / dt)))
            _set_input(built, chunk, base, dt)
            if stepper is not None:
                stepper.begin_chunk(start, base)
            built.net.run(len(chunk) * built.period * dt, namespace={})
            seen = out.add_spikes(built, start, base, dt, seen)
            if n_trace:
                out.add_trace(built, start, len(chunk))
            if progress is not None and stepper is None:     # with a hook: after each sample (HookOperation)
                progress(min(start + len(chunk), samples), samples)
        return out.activity()

    def _run_standalone(self, lsm, raster, n_trace, progress, noise_seed) -> Activity:
        import brian2
        samples, bins, _ = raster.shape
        root = standalone_root()
        root.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix="build-", dir=root))
        try:
            with standalone_device(directory), quiet_noise_warning():
                built = build_network(brian2, lsm, bins, n_trace)
                dt = built.source.clock.dt
                _set_input(built, raster, 0, dt)
                if noise_seed is not None:
                    brian2.seed(noise_seed)
                built.net.run(samples * built.period * dt, namespace={})
                brian2.device.build(directory=str(directory), compile=True, run=True, clean=False)
                out = _Collector(samples, bins, lsm.neurons, n_trace)
                out.add_spikes(built, 0, 0, dt, 0)
                if n_trace:
                    out.add_trace(built, 0, samples)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if progress is not None:
            progress(samples, samples)
        return out.activity()


def _set_input(built: Built, chunk: np.ndarray, base: int, dt) -> None:
    """Input spikes of ``chunk`` (bool ``[samples, bins, inputs]``) from absolute step ``base``."""
    sample, b, channel = np.nonzero(chunk)
    steps = base + sample * built.period + built.first_bin - built.input_lead + b
    built.source.set_spikes(channel, steps * dt)


class _Collector:
    """Gathers spikes (and traces) of successive chunks into batch arrays."""

    def __init__(self, samples: int, bins: int, neurons: int, n_trace: int):
        self.spike_raster = np.zeros((samples, bins, neurons), dtype=bool)
        self.traces = np.zeros((samples, bins, n_trace)) if n_trace else None
        self.bins = bins

    def add_spikes(self, built: Built, start: int, base: int, dt, seen: int) -> int:
        monitor = built.monitor
        idx = np.asarray(monitor.i[seen:])
        step = np.rint(np.asarray(monitor.t[seen:] / dt)).astype(np.int64) - base
        self.spike_raster[start + step // built.period, step % built.period - built.first_bin, idx] = True
        return monitor.num_spikes

    def add_trace(self, built: Built, start: int, n_samples: int) -> None:
        v = np.asarray(built.trace.v)[:, -n_samples * built.period:]      # (neurons, steps)
        v = v.reshape(v.shape[0], n_samples, built.period)[:, :, built.first_bin:built.first_bin + self.bins]
        self.traces[start:start + n_samples] = v.transpose(1, 2, 0)

    def activity(self) -> Activity:
        return Activity(spike_raster=self.spike_raster, traces=self.traces)


def _make(device: str):
    return lambda **options: Brian2Engine(device=device, **options)


register_engine(EngineEntry("brian2", _make("runtime"), stepping=True, auto_priority=Brian2Engine.auto_priority))
register_engine(EngineEntry("brian2-standalone", _make("cpp_standalone")))


def _ir_drop_refusal(lsm, engine: str) -> str | None:
    """Why ``engine`` refuses ``lsm`` for IR drop (one line), or None: its Brian2 code reads the
    weights, not the cells, so a non-zero ``crossbar.wire_resistance`` is not applied."""
    adc = getattr(lsm, "drive_adc", None)
    if adc is None or not adc.wire_resistance:
        return None
    return (f"crossbar.wire_resistance = {adc.wire_resistance} Ω: the {engine} engine does not apply IR drop "
            "in its loop; use --engine cpu or gpu, or set crossbar.wire_resistance=0")
