"""Compile the cpu engine's kernels of the built-in neuron models once, filling numba's disk cache.

``python -m neurosim.engines.warm [MODEL ...]`` (default: every model with a cpu kernel) runs the
``cpu`` engine on a tiny network of each model along each of its compiled paths: the parallel chunk
kernel and the stepping path of a hooked run, each with an ideal ADC and with the chip's ADC in the
loop. Each path compiles once, with the argument types every real run passes, and numba writes it
to its cache (``cache=True``), so the processes that start afterwards (test workers, sweep workers)
load the compiled code instead of each compiling it again. Compiling costs the same CPU time here
as in the first run that needs it; it is only no longer repeated by processes that start together.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

__all__ = ["PATHS", "main", "warm"]

#: The engine paths that compile distinct kernels: (ADC mode, run with a step hook).
PATHS = (("ideal", False), ("ideal", True), ("quantize", False), ("quantize", True))


class _Reader:
    """A step hook that reads and feeds nothing back (selects the stepping path)."""

    def step(self, sample, b, spikes, v):
        return None


def warm(model: str) -> float:
    """Compile (or load from the cache) every cpu-engine path of ``model``; returns the seconds taken.

    A path the engine refuses for the model (:class:`~neurosim.errors.EngineError`, e.g. a hook with
    the ADC in the loop) compiles nothing and is skipped.
    """
    from neurosim.config import load_config
    from neurosim.engines.cpu_engine import CpuEngine
    from neurosim.errors import EngineError
    from neurosim.networks import build_lsm

    start = time.perf_counter()
    raster = np.zeros((1, 2, 4), dtype=bool)
    raster[0, 0, :2] = True
    for adc_mode, hooked in PATHS:
        config = load_config("rram-40nm-256kb", overrides=[
            f"network.model={model}", "network.neurons=4", f"crossbar.adc_mode={adc_mode}"])
        lsm = build_lsm(config, raster.shape[2], np.random.default_rng(0))
        try:
            CpuEngine(trace_neurons=1).run(lsm, raster, hook=_Reader() if hooked else None)
        except EngineError:
            continue
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Warm the models named in ``argv`` (every model with a cpu kernel when none); prints one line each."""
    from neurosim.networks.models import kernel_models

    known = kernel_models(lambda m: m.cpu_kernel() is not None)
    parser = argparse.ArgumentParser(prog="python -m neurosim.engines.warm", description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help=f"neuron models to compile (default: all of {', '.join(known)})")
    models = parser.parse_args(argv).models or known
    unknown = sorted(set(models) - set(known))
    if unknown:
        parser.error(f"no cpu kernel for {', '.join(unknown)}; choose from {', '.join(known)}")
    for model in models:
        print(f"neurosim.engines.warm: {model} compiled or loaded in {warm(model):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
