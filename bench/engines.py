"""Engine scaling study: cpu engine vs Brian2 vs a plain C loop, printed as one JSON object.

    python bench/engines.py [--dataset nmnist --data-dir ../shared/data] [--samples 200]
                            [--neurons 500 1000 2000] [--dt 1ms 0.1ms] [--batch 16 64 256]
                            [--threads 1 2] [--brian2-samples 10] [--no-brian2] [--no-c] [--no-adc]

For every (neurons, dt) workload (see :mod:`neurosim.engines.benchmark`: bins = median sample
span / dt, float64, discrete LIF on the default RRAM chip):

- ``cpu``: samples/s with 1 and 2 numba threads (``CpuEngine(threads=…)``, after a warm-up
  that loads the disk-cached kernel) and with several chunk sizes (``batch``) on all threads;
- ``c_loop``: ``bench/c_loop/lsm_loop.c``, a plain single-threaded event-driven C loop on the
  same raster and weights, compiled here with the system ``cc -O3 -march=native -mprefer-vector-width=256
  -ffp-contract=off`` (best of 3 repeats; its spikes are checked against the cpu engine);
- ``brian2``: the reference engine on the first ``brian2-samples`` samples (one long run per
  chunk), with the cpu engine's spike agreement on those samples;
- ``with_chip_adc``: the same workload with the chip's own column ADC in the loop (the preset's
  ``crossbar.adc_mode``/``adc_bits``): brian2 (its ADC compiled as Brian2 code) against the cpu engine on
  the first ``brian2-samples`` samples, identical spikes or not, and brian2's time with the ADC over its
  time on the ideal case (``--no-adc`` skips it);
- ratios: cpu 1 thread / C loop (target ≥ 0.8), 2 threads / 1 thread (target ≥ 1.8),
  cpu (all threads) / brian2 (target ≥ 30), and the time projected for the full 70,000-sample
  N-MNIST at the measured rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from neurosim.engines.benchmark import make_workload, measure, parse_dt  # noqa: E402
from neurosim.engines.cpu_engine import CpuEngine  # noqa: E402

NMNIST_FULL = 70_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compile_c_loop(build: Path) -> Path | None:
    """Compile the C yardstick into ``build``; None (and a log line) when no compiler works."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        log("bench: no C compiler (cc) found; skipping the C loop")
        return None
    exe = build / "lsm_loop"
    cmd = [cc, "-O3", "-march=native", "-mprefer-vector-width=256", "-ffp-contract=off", "-o", str(exe),
           str(REPO / "bench" / "c_loop" / "lsm_loop.c")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        log(f"bench: compiling the C loop failed: {done.stderr.strip()}")
        return None
    return exe


def run_c_loop(exe: Path, lsm, raster: np.ndarray, build: Path, repeats: int = 3):
    """(seconds, spike raster bool) of the C loop on ``raster``."""
    samples, bins, inputs = raster.shape
    src, dst = build / "in.bin", build / "out.bin"
    with open(src, "wb") as f:
        f.write(np.array([samples, bins, inputs, lsm.neurons], dtype="<i8").tobytes())
        f.write(np.array([lsm.params.decay, lsm.params.threshold], dtype="<f8").tobytes())
        f.write(np.ascontiguousarray(raster, dtype=np.uint8).tobytes())
        f.write(np.ascontiguousarray(lsm.w_in, dtype="<f8").tobytes())
        f.write(np.ascontiguousarray(lsm.w_rec, dtype="<f8").tobytes())
    out = subprocess.run([str(exe), str(src), str(dst), str(repeats)], capture_output=True, text=True,
                         check=True)
    seconds = json.loads(out.stdout)["seconds"]
    spikes = np.fromfile(dst, dtype=np.uint8).reshape(samples, bins, lsm.neurons).astype(bool)
    return seconds, spikes


def time_cpu(lsm, raster, threads=None, chunk=256, repeats=3) -> float:
    """Best-of-``repeats`` samples/s of the cpu engine (after one warm-up run)."""
    engine = CpuEngine(chunk_samples=chunk, threads=threads)
    engine.run(lsm, raster[:2])
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        engine.run(lsm, raster)
        best = min(best, time.perf_counter() - start)
    return raster.shape[0] / best


def chip_adc_row(neurons: int, dt_text: str, args, brian2_ideal: dict | None) -> dict:
    """The same workload with the chip's own column ADC in the loop: brian2 (its compiled ADC) against
    the cpu engine on the first ``brian2-samples`` samples, and brian2's cost next to the ideal case."""
    workload, lsm, raster = make_workload(neurons, parse_dt(dt_text), args.samples, args.dataset,
                                          args.data_dir, adc="chip")
    sub = raster[:args.brian2_samples]
    cpu_rate = time_cpu(lsm, sub, None)
    cpu_spikes = CpuEngine().run(lsm, sub).spike_raster
    figures, b2 = measure("brian2", lsm, sub, memory=False, log=log)
    out = {"adc_mode": workload["adc_mode"], "adc_bits": workload["adc_bits"], "brian2": figures,
           "cpu_samples_per_s": cpu_rate, "samples": len(sub)}
    if b2 is not None:
        out["identical_spikes_cpu_vs_brian2"] = bool(np.array_equal(cpu_spikes, b2))
        out["speedup_cpu_vs_brian2"] = cpu_rate / figures["samples_per_s"]
        if brian2_ideal and brian2_ideal.get("available"):
            out["brian2_adc_vs_ideal_time"] = brian2_ideal["samples_per_s"] / figures["samples_per_s"]
    return out


def study(args) -> dict:
    import numba
    results = []
    build = Path(tempfile.mkdtemp(prefix="neurosim-c-loop-"))
    try:
        exe = None if args.no_c else compile_c_loop(build)
        for dt_text in args.dt:
            for neurons in args.neurons:
                workload, lsm, raster = make_workload(neurons, parse_dt(dt_text), args.samples,
                                                      args.dataset, args.data_dir)
                log(f"bench: N = {neurons}, dt = {dt_text}: {workload['n_bins']} steps × "
                    f"{workload['samples']} samples")
                row = {"workload": workload, "cpu": {}, "cpu_batch": {}}
                for threads in args.threads:
                    if threads <= numba.config.NUMBA_NUM_THREADS:
                        row["cpu"][f"{threads}_threads_samples_per_s"] = time_cpu(lsm, raster, threads)
                for chunk in args.batch:
                    row["cpu_batch"][str(chunk)] = time_cpu(lsm, raster, None, chunk, repeats=1)
                cpu_all = time_cpu(lsm, raster, None)
                row["cpu"]["all_threads_samples_per_s"] = cpu_all
                row["cpu"]["threads_available"] = numba.config.NUMBA_NUM_THREADS
                cpu_spikes = CpuEngine().run(lsm, raster).spike_raster
                one = row["cpu"].get("1_threads_samples_per_s")
                two = row["cpu"].get("2_threads_samples_per_s")
                if one and two:
                    row["speedup_2_vs_1_thread"] = two / one
                if exe is not None:
                    seconds, c_spikes = run_c_loop(exe, lsm, raster, build)
                    row["c_loop"] = {"samples_per_s": raster.shape[0] / seconds,
                                     "spike_agreement_vs_cpu": float(np.mean(c_spikes == cpu_spikes))}
                    if one:
                        row["cpu_1_thread_vs_c_loop"] = one / row["c_loop"]["samples_per_s"]
                if not args.no_brian2:
                    sub = raster[:args.brian2_samples]
                    figures, b2 = measure("brian2", lsm, sub, memory=False, log=log)
                    row["brian2"] = figures
                    if b2 is not None:
                        row["brian2"]["samples"] = len(sub)
                        row["spike_agreement_cpu_vs_brian2"] = float(np.mean(cpu_spikes[:len(sub)] == b2))
                        row["identical_spikes_cpu_vs_brian2"] = bool(np.array_equal(cpu_spikes[:len(sub)], b2))
                        row["speedup_cpu_vs_brian2"] = cpu_all / figures["samples_per_s"]
                if not args.no_brian2 and not args.no_adc:
                    row["with_chip_adc"] = chip_adc_row(neurons, dt_text, args, row.get("brian2"))
                row["projected_full_nmnist_s"] = NMNIST_FULL / cpu_all
                results.append(row)
                log(json.dumps({k: v for k, v in row.items() if k != "workload"}))
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return {"benchmark": "engines-scaling", "results": results,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "numpy": np.__version__, "numba": numba.__version__,
                        "platform": platform.platform()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="dvs-digits")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--neurons", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--dt", nargs="+", default=["1ms", "0.1ms"])
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--brian2-samples", type=int, default=10)
    parser.add_argument("--no-brian2", action="store_true")
    parser.add_argument("--no-c", action="store_true")
    parser.add_argument("--no-adc", action="store_true",
                        help="skip the chip-ADC case (brian2 and cpu with the chip's column ADC in the loop)")
    args = parser.parse_args()
    print(json.dumps(study(args), indent=1))


if __name__ == "__main__":
    main()
