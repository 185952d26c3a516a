"""``neurosim bench engines``: the engines side by side on one workload, as one JSON object.

Workload: a discrete-LIF reservoir of ``neurons`` neurons programmed on a chip
(default ``rram-40nm-256kb``, run seed 0) driven by ``samples`` samples of a
dataset (built-in ``dvs-digits`` by default; ``nmnist`` with ``data_dir``), with an ideal ADC
(every engine's agreement case) or, with ``adc='chip'``, the chip's own column ADC in the loop.

Time step. The discrete LIF makes one update per input bin, so ``dt`` sets the
number of bins: ``n_bins = round(median sample span / dt)`` (N-MNIST: ≈ 300 ms →
≈ 300 bins at 1 ms, ≈ 3,000 at 0.1 ms), the same sample duration cut into 10×
more steps at 0.1 ms. ``decay`` and ``threshold`` stay per step, so this is a
cost benchmark (the spikes differ between the two dt); ``bins`` overrides it.

Measurement, per engine, in this one process: a warm-up run on 2 samples
(compiles or loads cached code; reported as ``warmup_s``), then one timed run of
the whole batch (Brian2 its fastest runtime way: one long ``net.run`` per chunk
of ``brian2_chunk`` samples, no per-sample rebuild), then — unless
``memory=False`` — an untimed run under :mod:`tracemalloc` whose peak is
``peak_memory_bytes``: Python and numpy allocations (the output spike raster,
Brian2's arrays and monitors), **not** memory allocated inside compiled code
(numba's per-thread state vectors, ≈ 16·N bytes per thread; Brian2's C++
spike queues) nor GPU memory. ``spike_agreement`` is the fraction of identical
(sample, step, neuron) entries of the spike raster vs ``brian2`` (needs brian2
in ``engines``). Engines that cannot run here (``gpu`` without CuPy or a GPU)
are reported as ``{"available": false, "reason": …}``.
"""

from __future__ import annotations

import os
import platform
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim.errors import ConfigError, NeurosimError

DT_CHOICES = {"1ms": 1e-3, "0.1ms": 1e-4}


def parse_dt(text: str) -> float:
    """``'1ms'`` / ``'0.1ms'`` (or seconds as a number, e.g. ``1e-3``) → seconds."""
    if text in DT_CHOICES:
        return DT_CHOICES[text]
    try:
        value = float(text[:-2]) * 1e-3 if text.endswith("ms") else float(text)
    except ValueError:
        raise ConfigError(f"--dt {text!r}: expected 1ms, 0.1ms or a time step in seconds") from None
    if not 1e-6 <= value <= 1.0:
        raise ConfigError(f"--dt {text!r}: the time step must lie in 1 µs … 1 s")
    return value


def median_span_s(batch) -> float:
    """Median time span (s) of the samples of an EventBatch (first to last event)."""
    t = batch.events["t"].astype(np.int64)
    first = t[batch.offsets[:-1]]
    last = t[np.maximum(batch.offsets[1:] - 1, batch.offsets[:-1])]
    return float(np.median(last - first)) * 1e-6


def make_workload(neurons: int = 1000, dt: float = 1e-3, samples: int = 20, dataset: str = "dvs-digits",
                  data_dir: Path | None = None, chip: str = "rram-40nm-256kb", bins: int | None = None,
                  seed: int = 0, adc: str = "ideal"):
    """(description dict, lsm, raster bool ``[samples, bins, inputs]``) of the benchmark workload.

    ``adc``: ``"ideal"`` (the engines' agreement case: every engine, brian2 included, gives the same
    spikes) or ``"chip"`` (the chip's own column ADC in the loop, as its preset declares it).
    """
    if adc not in ("ideal", "chip"):
        raise ConfigError(f"bench engines: adc {adc!r}: expected 'ideal' or 'chip'")
    from neurosim import seeds
    from neurosim.config import load_config
    from neurosim.data import load_dataset
    from neurosim.events import to_raster
    from neurosim.networks import build_lsm

    if neurons < 1 or samples < 1:
        raise ConfigError("bench engines: --neurons and --samples must be ≥ 1")
    base = load_config(chip, overrides=[f"run.dataset={dataset!r}", f"network.neurons={neurons}"])
    batch = load_dataset(dataset, data_dir=data_dir, n_samples=samples, seed=seed)
    span = median_span_s(batch)
    n_bins = bins if bins is not None else max(1, int(round(span / dt)))
    overrides = [f"run.dataset={dataset!r}", f"network.neurons={neurons}", f"input.n_bins={n_bins}"]
    if adc == "ideal":
        overrides.append("crossbar.adc_mode='ideal'")
    config = load_config(chip, overrides=overrides)
    raster = to_raster(batch, config.input)
    lsm = build_lsm(config, raster.shape[2], seeds.chip_rng(seed))
    description = {
        "dataset": dataset, "samples": int(raster.shape[0]), "neurons": neurons, "inputs": int(raster.shape[2]),
        "model": lsm.model, "chip": chip, "dt_s": dt, "median_sample_span_s": span, "n_bins": n_bins,
        "bin_s": span / n_bins, "input_spikes_per_sample": float(raster.sum() / raster.shape[0]),
        "default_n_bins": base.input.n_bins, "float": "float64", "adc_mode": config.crossbar.adc_mode,
        "adc_bits": config.crossbar.adc_bits,
    }
    return description, lsm, raster


def _engine(name: str, brian2_chunk: int):
    from neurosim.engines import get_engine
    if name == "brian2":  # registry-name: benchmarked engines
        return get_engine("brian2", chunk_samples=brian2_chunk)  # registry-name: benchmarked engines
    return get_engine(name)


def measure(name: str, lsm, raster: np.ndarray, memory: bool = True, brian2_chunk: int = 200,
            log: Callable[[str], None] | None = None) -> tuple[dict, np.ndarray | None]:
    """Figures of engine ``name`` on ``raster`` and its spike raster (None if unavailable)."""
    try:
        engine = _engine(name, brian2_chunk)
    except NeurosimError as exc:
        return {"available": False, "reason": str(exc)}, None
    samples = raster.shape[0]
    start = time.perf_counter()
    engine.run(lsm, raster[:2])
    warmup = time.perf_counter() - start
    if log:
        log(f"bench engines: {name}: warm-up {warmup:.2f} s; timing {samples} samples")
    start = time.perf_counter()
    spikes = engine.run(lsm, raster).spike_raster
    elapsed = time.perf_counter() - start
    out = {"available": True, "engine": engine.name, "samples_per_s": samples / elapsed,
           "run_s": elapsed, "warmup_s": warmup, "peak_memory_bytes": None,
           "spikes_per_sample": float(spikes.sum() / samples)}
    if name == "cpu":  # registry-name: numba's threads are the cpu engine's
        import numba
        out["threads"] = numba.get_num_threads()
    if memory:
        tracemalloc.start()
        try:
            engine.run(lsm, raster)
            out["peak_memory_bytes"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return out, spikes


def bench_engines(neurons: int = 1000, dt: float = 1e-3, samples: int = 20,
                  engines: tuple[str, ...] = ("brian2", "cpu", "gpu"),  # registry-name: benchmarked engines
                  dataset: str = "dvs-digits",
                  data_dir: Path | None = None, bins: int | None = None, memory: bool = True,
                  brian2_chunk: int = 200, log: Callable[[str], None] | None = None) -> dict:
    """Run every engine in ``engines`` on the same workload; the result as a JSON-ready dict."""
    from neurosim.engines import engine_names

    unknown = [e for e in engines if e not in engine_names()]
    if unknown:
        raise ConfigError(f"bench engines: unknown engine(s) {', '.join(unknown)}; "
                          f"choose from {', '.join(engine_names())}")
    workload, lsm, raster = make_workload(neurons, dt, samples, dataset, data_dir, bins=bins)
    figures, rasters = {}, {}
    for name in engines:
        figures[name], rasters[name] = measure(name, lsm, raster, memory, brian2_chunk, log)
    ref = rasters.get("brian2")  # registry-name: benchmarked engines
    agreement, speedup = {}, {}
    for name, spikes in rasters.items():
        if ref is not None and spikes is not None:
            agreement[name] = float(np.mean(spikes == ref))
            reference = figures["brian2"]  # registry-name: benchmarked engines
            speedup[name] = figures[name]["samples_per_s"] / reference["samples_per_s"]
    return {"benchmark": "engines", "workload": workload, "engines": figures,
            "spike_agreement": agreement, "speedup_vs_brian2": speedup,
            "peak_memory": "tracemalloc peak of one untimed run: Python/numpy allocations only",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "numpy": np.__version__, "platform": platform.platform()}}
