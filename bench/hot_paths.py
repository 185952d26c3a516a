"""Three hot paths against what they replaced, side by side in one run; prints one JSON object.

    python bench/hot_paths.py [--repeat 5] [--samples 20]

Figures (process CPU seconds, best of ``--repeat``; ``ratio`` = replaced / current):

- ``window_sums``: :func:`neurosim.events.binning.window_sums` on a bool spike raster
  ``[110, 100, 2000]`` (5 windows) against ``np.add.reduceat`` over the middle axis (same counts, checked);
- ``gelu_cube``: the GELU's cube ``u·u·u`` against ``u ** 3`` (numpy's ``pow``) on ``64 × 256`` values;
- ``brian2_hook``: a Brian2 run with a reading step hook on a 40-neuron Izhikevich network (ideal ADC,
  ``--samples`` samples of 30 bins), the whole batch per ``net.run`` (the engine's default) against
  one sample per ``net.run`` (``chunk_samples=1``, how a hooked run used to go); same spikes, checked.
  Brian2's code is compiled once, unmeasured, before.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from neurosim.events.binning import window_starts, window_sums


def best(fn, repeat: int) -> float:
    """Smallest process CPU time of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def pair(current, replaced, repeat: int) -> dict:
    now, before = best(current, repeat), best(replaced, repeat)
    return {"current_cpu_s": now, "replaced_cpu_s": before, "ratio": before / now}


class _Reader:
    """Reads every step, feeds nothing back: selects the stepping path."""

    def step(self, sample, b, spikes, v):
        return None


def numpy_paths(repeat: int) -> dict:
    """``window_sums`` and ``gelu_cube`` (see the module docstring)."""
    rng = np.random.default_rng(0)
    spikes = rng.random((110, 100, 2000)) < 0.05
    starts = window_starts(spikes.shape[1], 5)
    assert np.array_equal(window_sums(spikes, 5), np.add.reduceat(spikes, starts, axis=1, dtype=np.int64))
    u = rng.normal(size=(64, 256))
    return {"window_sums": pair(lambda: window_sums(spikes, 5),
                                lambda: np.add.reduceat(spikes, starts, axis=1, dtype=np.int64), repeat),
            "gelu_cube": pair(lambda: [u * u * u for _ in range(100)], lambda: [u ** 3 for _ in range(100)],
                              repeat)}


def brian2_hook(samples: int, repeat: int) -> dict:
    """``brian2_hook`` (see the module docstring)."""
    from neurosim.config import load_config
    from neurosim.engines.brian2_engine import Brian2Engine
    from neurosim.networks import build_lsm

    config = load_config("ideal", overrides=["network.model=izhikevich", "network.neurons=40"])
    lsm = build_lsm(config, 16, np.random.default_rng(1))
    raster = np.random.default_rng(2).random((samples, 30, 16)) < 0.2
    whole = Brian2Engine().run(lsm, raster, hook=_Reader()).spike_raster        # compiles; unmeasured
    per_sample = Brian2Engine(chunk_samples=1).run(lsm, raster, hook=_Reader()).spike_raster
    assert np.array_equal(whole, per_sample)
    return {**pair(lambda: Brian2Engine().run(lsm, raster, hook=_Reader()),
                   lambda: Brian2Engine(chunk_samples=1).run(lsm, raster, hook=_Reader()), repeat),
            "samples": samples}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side; the best counts (default 5)")
    parser.add_argument("--samples", type=int, default=20, help="samples of the Brian2 run (default 20)")
    args = parser.parse_args(argv)
    out = {"machine": platform.machine(), "python": platform.python_version(), **numpy_paths(args.repeat),
           "brian2_hook": brian2_hook(args.samples, max(1, args.repeat // 2))}
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
