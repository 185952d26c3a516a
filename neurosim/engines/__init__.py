"""Simulation engines behind one interface: ``engine.run(lsm, raster, progress) -> Activity``.

Engines are a registry: every module ``neurosim/engines/<x>_engine.py`` registers
its engines with :func:`register_engine` (name, constructor, whether it can run
here, whether it steps a :class:`StepHook`); a plugin registers the same way.
``brian2`` is the reference engine (Brian2 runtime mode, Cython code cached on
disk); ``brian2-standalone`` runs the same network as one compiled C++ program
(Brian2's ``cpp_standalone`` device), worth it for long batches. ``cpu`` is the
compiled event-driven numba kernel (parallel over samples) that reproduces
Brian2's spikes exactly in float64. ``gpu`` runs CuPy kernels
(:mod:`neurosim.engines.gpu_engine`, needs CuPy and a GPU). ``auto`` picks
``gpu`` when CuPy sees a GPU, else ``cpu``, and logs its choice once per process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from neurosim.engines.activity import Activity
from neurosim.engines.online import StepHook
from neurosim.errors import EngineError
from neurosim.submodules import import_submodules

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class EngineEntry:
    """A registered engine: ``make(**options)`` builds it; ``available()`` says whether it can
    run here and why not (``(True, "")`` by default); ``stepping``: it runs a :class:`StepHook`."""

    name: str
    make: Callable[..., object]
    available: Callable[[], tuple[bool, str]] | None = None
    stepping: bool = False


_ENGINES: dict[str, EngineEntry] = {}


def register_engine(entry: EngineEntry) -> EngineEntry:
    """Add an engine under ``entry.name`` (``auto`` is reserved)."""
    if entry.name == "auto" or not entry.name:
        raise ValueError(f"engine name {entry.name!r} is reserved or empty")
    known = _ENGINES.get(entry.name)
    if known is not None and known.make is not entry.make:
        raise ValueError(f"engine {entry.name!r} is already registered")
    _ENGINES[entry.name] = entry
    return entry


def unregister_engine(name: str) -> None:
    """Remove engine ``name`` (for tests and plugins)."""
    _ENGINES.pop(name, None)


def _registry() -> dict[str, EngineEntry]:
    import_submodules(__name__, suffix="_engine")
    return _ENGINES


def engine_names() -> tuple[str, ...]:
    """The registered engines, sorted (``neurosim run --engine`` also takes ``auto``)."""
    return tuple(sorted(_registry()))


def engine_choices() -> tuple[str, ...]:
    """``auto`` and every registered engine: the values of ``--engine``."""
    return ("auto",) + engine_names()


def stepping_engines() -> tuple[str, ...]:
    """The engines that run a :class:`StepHook` (online learning)."""
    return tuple(name for name, entry in _registry().items() if entry.stepping)


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
        if hook is not None and engine.name not in stepping_engines():
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
    entry = _registry().get(name)
    if entry is None:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(engine_choices())}")
    if entry.available is not None:
        ok, why = entry.available()
        if not ok:
            raise EngineError(f"engine {name!r} is not available here: {why}")
    return entry.make(**options)


__all__ = ["Activity", "AutoEngine", "EngineEntry", "StepHook", "auto_engine_name", "engine_choices",
           "engine_names", "get_engine", "gpu_available", "register_engine", "stepping_engines", "supports",
           "unregister_engine"]
