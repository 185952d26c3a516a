"""Throughput of the gpu engine on a random N-MNIST-like workload; prints one JSON object.

    python bench/gpu_engine.py [--neurons 1000] [--samples 16384] [--batch-sizes 1024,4096]
                               [--dtype float32] [--check-samples 1024] [--device gpu|cpu]
                               [--set network.model=izhikevich --set crossbar.adc_mode=ideal ...]

Workload: an LSM of ``--neurons`` neurons on the rram-40nm-256kb chip (decay 0.9, threshold
5.0: the N-MNIST setting), 256 inputs (N-MNIST polarity 0, centre 16×16), 50 bins (one step
of 1 ms each), each (bin, input) cell spiking with probability ``--density`` (0.07 ≈ 900 input
spikes per sample, like a cropped N-MNIST digit). Times include the host→device copy of the
input raster and the device→host copy of the bool spike raster ``[samples, bins, neurons]``
(what ``GpuEngine.run`` returns), after one warm-up batch (kernel compile, cuBLAS init).

Output: ``engines.gpu.<batch size>``: samples_per_s, seconds, peak_memory_bytes (CuPy pool);
``best_samples_per_s`` against ``target_samples_per_s`` (10,000 on an H100, issue 6);
``accuracy``: on the first ``--check-samples`` samples, float32 vs float64 on the device
(spike agreement, per-neuron count correlation min/mean) and the device's float64 vs the
numpy twin (``device="cpu"``) float64; ``projection``: seconds for 70,000 N-MNIST samples.
``--device cpu`` runs the numpy path (a smoke test of this script without a GPU); ``--set
KEY=VALUE`` overrides the config (e.g. ``--set network.model=izhikevich``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosim.config import load_config, to_dict  # noqa: E402
from neurosim.engines.agreement import count_correlation  # noqa: E402
from neurosim.engines.gpu_engine import GpuEngine  # noqa: E402
from neurosim.networks import build_lsm  # noqa: E402

TARGET = 10_000
NMNIST_SAMPLES = 70_000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=1000)
    ap.add_argument("--inputs", type=int, default=256)
    ap.add_argument("--bins", type=int, default=50)
    ap.add_argument("--samples", type=int, default=16384)
    ap.add_argument("--batch-sizes", default="1024,4096")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--density", type=float, default=0.07)
    ap.add_argument("--check-samples", type=int, default=1024)
    ap.add_argument("--device", default="gpu", choices=["gpu", "cpu"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config override, e.g. --set network.model=izhikevich (repeatable)")
    args = ap.parse_args(argv)

    config = load_config("rram-40nm-256kb", overrides=[f"network.neurons={args.neurons}", *args.set])
    lsm = build_lsm(config, args.inputs, np.random.default_rng(args.seed))
    shape = (args.samples, args.bins, args.inputs)
    raster = np.random.default_rng(args.seed + 1).random(shape) < args.density

    info: dict = {"python": platform.python_version(), "numpy": np.__version__}
    cupy = None
    if args.device == "gpu":
        import cupy
        props = cupy.cuda.runtime.getDeviceProperties(0)
        info.update(cupy=cupy.__version__, gpu=props["name"].decode() if isinstance(props["name"], bytes)
                    else str(props["name"]), cuda_runtime=cupy.cuda.runtime.runtimeGetVersion())

    results = {}
    for batch in (int(b) for b in args.batch_sizes.split(",")):
        engine = GpuEngine(args.dtype, batch_size=batch, device=args.device)
        engine.run(lsm, raster[:min(batch, args.samples)])  # warm-up
        if cupy is not None:
            pool = cupy.get_default_memory_pool()
            pool.free_all_blocks()
            cupy.cuda.Device().synchronize()
        t0 = time.perf_counter()
        activity = engine.run(lsm, raster)
        seconds = time.perf_counter() - t0
        results[str(batch)] = {
            "samples_per_s": round(args.samples / seconds, 1),
            "seconds": round(seconds, 4),
            "peak_memory_bytes": int(pool.total_bytes()) if cupy is not None else None,
            "spike_rate_per_step": float(activity.spike_raster.mean()),
        }
    best = max(r["samples_per_s"] for r in results.values())

    k = min(args.check_samples, args.samples)
    check = raster[:k]
    f32 = GpuEngine("float32", device=args.device).run(lsm, check).spike_raster
    f64 = GpuEngine("float64", device=args.device).run(lsm, check).spike_raster
    twin = GpuEngine("float64", device="cpu").run(lsm, check).spike_raster
    corr = count_correlation(f32, f64)
    accuracy = {
        "samples": k,
        "float32_vs_float64_spike_agreement": float((f32 == f64).mean()),
        "float32_vs_float64_count_correlation_min": float(corr.min()),
        "float32_vs_float64_count_correlation_mean": float(corr.mean()),
        "float64_vs_numpy_twin_spike_agreement": float((f64 == twin).mean()),
    }
    report = {
        "workload": {"neurons": args.neurons, "inputs": args.inputs, "bins": args.bins, "dt": "1 ms",
                     "samples": args.samples, "dtype": args.dtype, "input_density": args.density,
                     "chip": "rram-40nm-256kb", "model": lsm.model, "overrides": args.set,
                     "model_config": to_dict(config)["network"][lsm.model]},
        "device": args.device,
        "platform": info,
        "engines": {"gpu": results},
        "best_samples_per_s": best,
        "target_samples_per_s": TARGET,
        "meets_target": best >= TARGET,
        "accuracy": accuracy,
        "projection": {"nmnist_70000_samples_s": round(NMNIST_SAMPLES / best, 2)},
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
