"""Time each stage of the classify pipeline, side by side, and print one JSON object.

    python bench/pipeline.py [--dataset dvs-digits] [--data-dir DIR] [--samples 1000]
                             [--neurons 200 1000] [--chip rram-40nm-256kb] [--engines cpu brian2]
                             [--adc-mode ideal|quantize]

Stages: load (decode or generate events), bin (polarity, crop, binning), program (chip weights),
simulate (each engine of ``--engines``, compiled code already loaded by a warm-up run on two
samples; ``simulate_s`` per engine), readout (fit + score),
energy (operation counts + model). Figures are seconds and samples per second of each stage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from neurosim import seeds
from neurosim.config import load_config
from neurosim.data import load_dataset
from neurosim.energy import count_operations, estimate_energy
from neurosim.engines import get_engine
from neurosim.events import to_raster
from neurosim.learning import linear_readout
from neurosim.networks import build_lsm
from neurosim.tasks.classify import split_indices


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench(config, data_dir, neurons_list, engines=("cpu", "brian2")):
    batch, t_load = timed(lambda: load_dataset(config.run.dataset, data_dir=data_dir,
                                               n_samples=config.run.samples or None,
                                               seed=config.run.seed))
    raster, t_bin = timed(lambda: to_raster(batch, config.input))
    n = len(batch)
    out = {"samples": n, "load_s": t_load, "bin_s": t_bin, "networks": {}}
    train, test = split_indices(batch, config)
    for neurons in neurons_list:
        cfg = load_config(config.chip.name, overrides=[f"network.neurons={neurons}",
                                                       f"run.dataset={config.run.dataset!r}",
                                                       f"crossbar.adc_mode={config.crossbar.adc_mode!r}"])
        lsm, t_prog = timed(lambda: build_lsm(cfg, raster.shape[2], seeds.chip_rng(0)))
        simulate, activity = {}, None
        for name in engines:
            engine = get_engine(name)
            engine.run(lsm, raster[:2])  # warm-up: compile or load the cached code
            activity, t_sim = timed(lambda: engine.run(lsm, raster))
            simulate[name] = {"simulate_s": t_sim, "simulate_samples_per_s": n / t_sim}
        readout = linear_readout(cfg.readout, 0)
        acc, t_fit = timed(lambda: readout.fit(activity.counts[train], batch.labels[train])
                           .score(activity.counts[test], batch.labels[test]))
        _, t_energy = timed(lambda: estimate_energy(
            cfg, count_operations(raster, activity.spike_raster, lsm.programmed.tiling, 10),
            lsm.programmed, raster.shape[2], 10, raster.shape[1]))
        out["networks"][str(neurons)] = {
            "program_s": t_prog, "simulate": simulate, "readout_s": t_fit, "energy_s": t_energy, "accuracy_test": acc,
            "spikes_per_sample": float(activity.counts.sum(axis=1).mean())}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="dvs-digits")
    parser.add_argument("--data-dir")
    parser.add_argument("--samples", type=int, default=1000, help="0 = all")
    parser.add_argument("--neurons", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--chip", default="rram-40nm-256kb")
    parser.add_argument("--engines", nargs="+", default=["cpu", "brian2"],
                        help="engines to time (the spikes are identical; readout uses the last)")
    parser.add_argument("--adc-mode", default="ideal", choices=["ideal", "quantize"],
                        help="ideal (default): the engines are compared where brian2 is the reference; "
                             "quantize: the ADC in the loop (cpu/gpu engines only)")
    args = parser.parse_args()
    config = load_config(args.chip, overrides=[f"run.dataset={args.dataset!r}",
                                               f"run.samples={args.samples}",
                                               f"crossbar.adc_mode={args.adc_mode!r}"])
    result = {"benchmark": "pipeline", "dataset": args.dataset, "chip": args.chip, "adc_mode": args.adc_mode,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "numpy": np.__version__}}
    result.update(bench(config, args.data_dir, args.neurons, args.engines))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
