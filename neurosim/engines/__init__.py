"""Simulation engines behind one interface: ``engine.run(lsm, raster, progress) -> Activity``.

``brian2`` is the reference engine (Brian2 runtime mode, Cython code cached on
disk); ``brian2-standalone`` runs the same network as one compiled C++ program
(Brian2's ``cpp_standalone`` device), worth it for long batches. The compiled ``cpu`` and CuPy ``gpu``
engines are planned (they must reproduce Brian2's spikes); asking for them now
is a clear error, and ``auto`` picks the best engine that is available.
"""

from __future__ import annotations

import logging

from neurosim.engines.activity import Activity
from neurosim.errors import EngineError

log = logging.getLogger(__name__)

AVAILABLE = ("brian2", "brian2-standalone")
PLANNED = ("cpu", "gpu")
CHOICES = ("auto",) + AVAILABLE + PLANNED


def get_engine(name: str = "auto"):
    """The engine called ``name`` (``auto`` → the fastest available)."""
    if name == "auto":
        name = AVAILABLE[0]
        log.info("engine auto → %s", name)
    if name in ("brian2", "brian2-standalone"):
        from neurosim.engines.brian2_engine import Brian2Engine
        return Brian2Engine(device="cpp_standalone" if name == "brian2-standalone" else "runtime")
    if name in PLANNED:
        raise EngineError(f"engine {name!r} is not available in this version; "
                          f"available: {', '.join(AVAILABLE)} (or auto)")
    raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(CHOICES)}")


__all__ = ["Activity", "get_engine", "AVAILABLE", "CHOICES"]
