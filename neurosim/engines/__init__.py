"""Simulation engines behind one interface: ``engine.run(lsm, raster, progress) -> Activity``.

Engines are a registry: every module ``neurosim/engines/<x>_engine.py`` registers
its engines with :func:`register_engine` (name, constructor, whether it can run
here, whether it steps a :class:`StepHook`); a plugin registers the same way.
``brian2`` is the reference engine (Brian2 runtime mode, Cython code cached on
disk); ``brian2-standalone`` runs the same network as one compiled C++ program
(Brian2's ``cpp_standalone`` device), worth it for long batches. ``cpu`` is the
compiled event-driven numba kernel (parallel over samples) that reproduces
Brian2's spikes exactly in float64. ``gpu`` runs CuPy kernels
(:mod:`neurosim.engines.gpu_engine`, needs CuPy and a GPU).

``auto`` tries the engines that declare an ``auto_priority`` (a class attribute of the
engine, or :attr:`EngineEntry.auto_priority`), highest first: of those available here
(decided and logged once per process) it runs a network on the first that simulates it
(built in: ``gpu`` 30, ``cpu`` 20, ``brian2`` 10; ``brian2-standalone`` never). A plugin
engine joins ``auto`` by declaring a priority.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from neurosim.config import discover_members
from neurosim.engines.activity import Activity
from neurosim.engines.online import StepHook
from neurosim.errors import EngineError
from neurosim.submodules import import_submodules

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class EngineEntry:
    """A registered engine: ``make(**options)`` builds it; ``available()`` says whether it can
    run here and why not (``(True, "")`` by default); ``stepping``: it runs a :class:`StepHook`;
    ``auto_priority``: its rank in ``auto`` (higher is tried first; None: ``auto`` never picks it),
    by default ``make``'s ``auto_priority`` attribute (the engine class declares it)."""

    name: str
    make: Callable[..., object]
    available: Callable[[], tuple[bool, str]] | None = None
    stepping: bool = False
    auto_priority: int | None = None

    def __post_init__(self):
        if self.auto_priority is None:
            object.__setattr__(self, "auto_priority", getattr(self.make, "auto_priority", None))

    def check(self) -> tuple[bool, str]:
        """``available()``, or ``(True, "")`` when the entry has no check."""
        return (True, "") if self.available is None else self.available()


_ENGINES: dict[str, EngineEntry] = {}


def register_engine(entry: EngineEntry) -> EngineEntry:
    """Add an engine under ``entry.name`` (``auto`` is reserved)."""
    if entry.name == "auto" or not entry.name:
        raise ValueError(f"engine name {entry.name!r} is reserved or empty")
    known = _ENGINES.get(entry.name)
    if known is not None and known.make is not entry.make:
        raise ValueError(f"engine {entry.name!r} is already registered")
    _ENGINES[entry.name] = entry
    _forget_auto_order()
    return entry


def unregister_engine(name: str) -> None:
    """Remove engine ``name`` (for tests and plugins)."""
    _ENGINES.pop(name, None)
    _forget_auto_order()


def _forget_auto_order() -> None:
    """The registry changed: :func:`auto_order` decides again at its next call."""
    global _auto_order
    _auto_order = None


def _registry() -> dict[str, EngineEntry]:
    import_submodules(__name__, suffix="_engine")
    discover_members()  # plugins' engines (entry points) too
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


_auto_order: tuple[str, ...] | None = None


def auto_order() -> tuple[str, ...]:
    """The engines ``auto`` may run, highest ``auto_priority`` first (ties by name), those not
    available here left out; decided (and logged) once per process."""
    global _auto_order
    if _auto_order is None:
        ranked = sorted((e for e in _registry().values() if e.auto_priority is not None),
                        key=lambda e: (-e.auto_priority, e.name))
        order, skipped = [], []
        for entry in ranked:
            ok, why = entry.check()
            (order if ok else skipped).append(entry.name if ok else f"{entry.name}: {why}")
        _auto_order = tuple(order)
        if not _auto_order:
            raise EngineError("engine auto: no registered engine is available here ("
                              + "; ".join(skipped) + ")")
        log.info("engine auto → %s%s", _auto_order[0],
                 f" (not available: {'; '.join(skipped)})" if skipped else "")
    return _auto_order


def auto_engine_name() -> str:
    """The engine ``auto`` prefers here: the first of :func:`auto_order` (``gpu`` when CuPy sees
    a GPU, else ``cpu``, for the built-ins)."""
    return auto_order()[0]


def supports(engine, network) -> bool:
    """Whether ``engine`` simulates ``network`` (engines without a ``supports`` method take all)."""
    check = getattr(engine, "supports", None)
    return True if check is None else bool(check(network))


class AutoEngine:
    """``auto`` before the network is known: runs each network on the first engine of
    :func:`auto_order` that simulates it (a fallback from the preferred one is logged once per
    model; when none does, the last one runs it and says why not).

    ``name`` is the engine that ran last (the preferred one before any run), so a
    report stamped after ``run`` names the engine that produced the spikes.
    """

    def __init__(self, **options):
        self.options = options
        self.preferred = auto_engine_name()
        self.name = self.preferred
        self._fallback_logged: set[str] = set()

    def pick(self, network, stepping: bool = False):
        """The concrete engine for ``network`` (``stepping``: only engines that run a :class:`StepHook`)."""
        names = [n for n in auto_order() if not stepping or n in stepping_engines()] or list(auto_order())
        chosen = names[0] if network is None else next(
            (name for name in names if supports(self._make(name), network)), names[-1])
        if (network is not None and not stepping and chosen != self.preferred
                and network.model not in self._fallback_logged):
            self._fallback_logged.add(network.model)
            log.info("engine auto: %s does not simulate this network (model %r); using %s",
                     self.preferred, network.model, chosen)
        return self._make(chosen)

    def _make(self, name: str):
        """Engine ``name``, with this ``auto``'s options when it is the preferred one (they were
        given for it)."""
        return get_engine(name, **(self.options if name == self.preferred else {}))

    def run(self, network, raster, progress=None, hook=None, **options):
        """Run on :meth:`pick`'s engine (with a ``hook``: the first engine that steps one and
        simulates the network, ``cpu`` then ``brian2`` for the built-ins); see the engines' ``run``
        (``options``: ``first_sample``)."""
        engine = self.pick(network, stepping=hook is not None)
        self.name = engine.name
        return engine.run(network, raster, progress=progress, hook=hook, **options)


def get_engine(name: str = "auto", network=None, **options):
    """The engine called ``name``; ``options`` go to its constructor (e.g. ``chunk_samples``).

    ``auto`` → the first engine of :func:`auto_order` that simulates ``network`` (logged when it
    is not the preferred one). Without ``network``, ``auto`` returns an :class:`AutoEngine` that
    makes this choice at ``run``.
    """
    if name == "auto":
        if network is None:
            return AutoEngine(**options)
        return AutoEngine(**options).pick(network)
    entry = _registry().get(name)
    if entry is None:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(engine_choices())}")
    ok, why = entry.check()
    if not ok:
        raise EngineError(f"engine {name!r} is not available here: {why}")
    return entry.make(**options)


__all__ = ["Activity", "AutoEngine", "EngineEntry", "StepHook", "auto_engine_name", "auto_order", "engine_choices",
           "engine_names", "get_engine", "register_engine", "stepping_engines", "supports", "unregister_engine"]
