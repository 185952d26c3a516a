"""Simulation engines behind one interface: ``engine.run(lsm, raster, progress, hook) -> Activity``.

``brian2`` is the reference engine (Brian2 runtime mode, Cython code cached on
disk); ``brian2-standalone`` runs the same network as one compiled C++ program
(Brian2's ``cpp_standalone`` device), worth it for long batches. ``cpu`` is the
compiled event-driven numba kernel (parallel over samples) that reproduces
Brian2's discrete-LIF spikes exactly in float64. ``gpu`` runs CuPy kernels
(:mod:`neurosim.engines.gpu_engine`, needs CuPy and a GPU). ``auto`` picks
``gpu`` when CuPy sees a GPU, else ``cpu``, and logs its choice once per process.

``hook`` (optional, ``brian2`` and ``cpu`` engines): a
:class:`~neurosim.engines.online.StepHook` that reads the reservoir after every step and
may feed a current back, for online learning (:mod:`neurosim.engines.online`).
"""

from __future__ import annotations

import logging

from neurosim.engines.activity import Activity
from neurosim.engines.online import StepHook
from neurosim.errors import EngineError

log = logging.getLogger(__name__)

AVAILABLE = ("brian2", "brian2-standalone", "cpu", "gpu")
CHOICES = ("auto",) + AVAILABLE
#: engines whose ``run`` takes a step hook (:mod:`neurosim.engines.online`)
STEPPING = ("brian2", "cpu")

_auto_choice: str | None = None


def gpu_available() -> tuple[bool, str]:
    """(whether the gpu engine can run here, why not): CuPy imports, sees a GPU, the module exists."""
    try:
        import cupy
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # ImportError, CUDARuntimeError, missing driver …
        return False, f"CuPy unavailable or no GPU ({type(exc).__name__}: {exc})"
    if count < 1:
        return False, "CuPy sees no GPU"
    try:
        from neurosim.engines.gpu_engine import GpuEngine  # noqa: F401
    except ImportError as exc:
        return False, f"gpu engine not importable ({exc})"
    return True, f"{count} GPU(s)"


def auto_engine_name() -> str:
    """``gpu`` when CuPy sees a GPU, else ``cpu``; decided (and logged) once per process."""
    global _auto_choice
    if _auto_choice is None:
        ok, why = gpu_available()
        _auto_choice = "gpu" if ok else "cpu"
        log.info("engine auto → %s (%s)", _auto_choice, why if ok else f"no gpu: {why}")
    return _auto_choice


def supports(engine, network) -> bool:
    """Whether ``engine`` simulates ``network`` (engines without a ``supports`` method take all)."""
    check = getattr(engine, "supports", None)
    return True if check is None else bool(check(network))


class AutoEngine:
    """``auto`` before the network is known: runs each network on the preferred engine (gpu, else
    cpu) when that engine supports it, else on ``cpu`` if it does, else ``brian2`` (logged once per model).

    ``name`` is the engine that ran last (the preferred one before any run), so a
    report stamped after ``run`` names the engine that produced the spikes.
    """

    def __init__(self, **options):
        self.options = options
        self.preferred = auto_engine_name()
        self.name = self.preferred
        self._fallback_logged: set[str] = set()

    def pick(self, network):
        """The concrete engine for ``network``."""
        engine = get_engine(self.preferred, **self.options)
        if network is None or supports(engine, network):
            return engine
        fallback = "cpu" if self.preferred != "cpu" and supports(get_engine("cpu"), network) else "brian2"
        if network.model not in self._fallback_logged:
            self._fallback_logged.add(network.model)
            log.info("engine auto: %s does not simulate this network (model %r); using %s",
                     self.preferred, network.model, fallback)
        return get_engine(fallback)

    def run(self, network, raster, progress=None, hook=None, **options):
        """Run on :meth:`pick`'s engine (with a ``hook``: ``cpu`` when it simulates the
        network, else ``brian2``, as only they step); see the engines' ``run``
        (``options``: ``first_sample``)."""
        engine = self.pick(network)
        if hook is not None and engine.name not in STEPPING:
            engine = get_engine("cpu" if supports(get_engine("cpu"), network) else "brian2")
        self.name = engine.name
        return engine.run(network, raster, progress=progress, hook=hook, **options)


def get_engine(name: str = "auto", network=None, **options):
    """The engine called ``name``; ``options`` go to its constructor (e.g. ``chunk_samples``).

    ``auto`` → ``gpu`` if CuPy sees a GPU, else ``cpu``; if ``network`` is given and
    that engine does not simulate it, ``cpu`` when it can, else ``brian2`` (logged). Without ``network``,
    ``auto`` returns an :class:`AutoEngine` that makes this choice at ``run``.
    """
    if name == "auto":
        if network is None:
            return AutoEngine(**options)
        return AutoEngine(**options).pick(network)
    if name in ("brian2", "brian2-standalone"):
        from neurosim.engines.brian2_engine import Brian2Engine
        return Brian2Engine(device="cpp_standalone" if name == "brian2-standalone" else "runtime",
                            **options)
    if name == "cpu":
        from neurosim.engines.cpu_engine import CpuEngine
        return CpuEngine(**options)
    if name == "gpu":
        ok, why = gpu_available()
        if not ok:
            raise EngineError(f"engine 'gpu' is not available here: {why}; install the gpu extra "
                              "(pip install 'neurosim[gpu]') on a machine with a CUDA GPU, or use --engine cpu")
        from neurosim.engines.gpu_engine import GpuEngine
        return GpuEngine(**options)
    raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(CHOICES)}")


__all__ = ["Activity", "AutoEngine", "STEPPING", "StepHook", "get_engine", "supports", "auto_engine_name", "gpu_available", "AVAILABLE", "CHOICES"]
