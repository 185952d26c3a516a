"""Binning speed on real N-MNIST, side by side with tonic's ToFrame; prints one JSON object.

    python bench/binning.py [--data-dir ../shared/data] [--samples 0] [--n-bins 50] [--repeat 3]

Figures (best of ``--repeat`` runs, seconds and events per second, all samples at once):
``numpy_dense`` (bin_packed on numpy, int32 [n, n_bins, 2312]), ``numpy_sparse`` (bin_sparse),
``pack`` (EventBatch -> PackedEvents), ``cupy_dense`` / ``cupy_sparse`` when CuPy sees a
GPU (events already on the GPU, synchronised), and ``tonic_loop``: tonic's
``ToFrame(sensor_size=(34, 34, 2), n_time_bins=n_bins)`` called once per sample, as a tonic
dataset pipeline does. ``speedup_vs_tonic`` divides tonic's time by each of ours.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import tonic
from tonic.transforms import ToFrame

from neurosim import backend
from neurosim.data import load_dataset
from neurosim.events.binning import bin_packed, bin_sparse
from neurosim.events.packed import pack


def best(fn, repeat, sync=lambda: None):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return min(times)


def figure(seconds, n_events):
    return {"s": seconds, "events_per_s": n_events / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                           "shared", "data"))
    parser.add_argument("--samples", type=int, default=0, help="0 = every sample found")
    parser.add_argument("--n-bins", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    batch = load_dataset("nmnist", data_dir=args.data_dir, n_samples=args.samples or None)
    n_events, n_bins = len(batch.events), args.n_bins
    packed = pack(batch)
    out = {
        "dataset": "nmnist", "samples": len(batch), "events": n_events, "n_bins": n_bins,
        "channels": packed.n_channels, "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(), "numpy": np.__version__, "tonic": tonic.__version__,
        "pack": figure(best(lambda: pack(batch), args.repeat), n_events),
        "numpy_dense": figure(best(lambda: bin_packed(packed, n_bins), args.repeat), n_events),
        "numpy_sparse": figure(best(lambda: bin_sparse(packed, n_bins), args.repeat), n_events),
    }
    to_frame = ToFrame(sensor_size=batch.sensor_size, n_time_bins=n_bins)
    samples = [batch.sample(i).copy() for i in range(len(batch))]
    out["tonic_loop"] = figure(best(lambda: [to_frame(s) for s in samples], args.repeat), n_events)
    if backend.cupy_available():
        cupy = backend.namespace("gpu")
        on_gpu = packed.to(cupy)
        sync = cupy.cuda.Device().synchronize
        bin_packed(on_gpu, n_bins)  # compile the kernel once
        sync()
        out["cupy_dense"] = figure(best(lambda: bin_packed(on_gpu, n_bins), args.repeat, sync), n_events)
        out["cupy_sparse"] = figure(best(lambda: bin_sparse(on_gpu, n_bins), args.repeat, sync),
                                    n_events)
        out["gpu"] = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    tonic_s = out["tonic_loop"]["s"]
    out["speedup_vs_tonic"] = {k: tonic_s / out[k]["s"] for k in
                               ("numpy_dense", "numpy_sparse", "cupy_dense", "cupy_sparse") if k in out}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
