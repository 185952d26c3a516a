"""Peak resident memory of ``neurosim run`` against the number of samples, streamed and not.

    python bench/streaming_memory.py [--neurons 1000] [--bins 306] [--samples 400 0]
                                     [--engine cpu] [--chunk 256]

Each run is a fresh ``neurosim run`` process on the built-in ``dvs-digits`` (``--samples 0``
= all 1,797), measured with ``os.wait4`` (the child's own peak RSS). Streamed runs use
``run.chunk_samples = --chunk``; the unstreamed reference puts the whole dataset in one
chunk (``run.chunk_samples`` = the sample count), as the pipeline did before streaming.
Prints one JSON object: peak RSS per run (MiB), the streamed ratio largest/smallest (the
target is ≤ 1.2: memory no longer grows with the dataset), and whether streamed and
unstreamed runs agree on every figure derived from the features (accuracy, energy,
activity), plus a direct comparison of the feature matrices of the smallest size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_cli(samples: int, neurons: int, bins: int, chunk: int, engine: str, out: Path) -> dict:
    """One ``neurosim run`` in a child process: its peak RSS (MiB), wall time and report."""
    cmd = [sys.executable, "-m", "neurosim.cli", "run", "--quiet", "--engine", engine,
           "--samples", str(samples), "--out", str(out),
           "--set", f"network.neurons={neurons}", "--set", f"input.n_bins={bins}",
           "--set", f"run.chunk_samples={chunk}"]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    err = child.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"neurosim run failed: {err}")
    report = json.loads((out / "report.json").read_text())
    return {"peak_rss_mib": usage.ru_maxrss / 1024, "wall_s": round(wall, 2), "report": report}


def derived(report: dict) -> dict:
    """Figures that depend on the features: equal features ⇒ equal figures."""
    return {"accuracy": report["accuracy"], "energy_J": report["energy"]["per_inference_J"],
            "activity": report["activity"], "n": report["dataset"]}


def feature_digest(samples: int, neurons: int, bins: int, chunk: int, engine: str) -> str:
    """sha256 of the streamed spike-count features (in-process)."""
    from neurosim.config import load_config
    from neurosim.tasks.pipeline import Pipeline
    config = load_config(overrides=[f"run.samples={samples}", f"network.neurons={neurons}",
                                    f"input.n_bins={bins}", f"run.chunk_samples={chunk}"])
    counts = Pipeline(config, engine).run_dataset().counts
    return hashlib.sha256(counts.tobytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--bins", type=int, default=306)
    parser.add_argument("--samples", type=int, nargs="+", default=[400, 0],
                        help="sample counts to compare (0 = all 1,797)")
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--engine", default="cpu")
    args = parser.parse_args()
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for samples in args.samples:
            total = samples or 1797
            for mode, chunk in (("streamed", args.chunk), ("unstreamed", total)):
                out = Path(tmp) / f"{mode}-{samples}"
                print(f"{mode} run, {total} samples …", file=sys.stderr)
                runs[f"{mode}_{total}"] = run_cli(samples, args.neurons, args.bins, chunk, args.engine, out)
    sizes = [s or 1797 for s in args.samples]
    streamed = [runs[f"streamed_{n}"]["peak_rss_mib"] for n in sizes]
    small = min(sizes)
    result = {
        "workload": {"dataset": "dvs-digits", "neurons": args.neurons, "n_bins": args.bins,
                     "engine": args.engine, "chunk_samples": args.chunk, "samples": sizes},
        "peak_rss_mib": {k: round(v["peak_rss_mib"], 1) for k, v in runs.items()},
        "wall_s": {k: v["wall_s"] for k, v in runs.items()},
        "streamed_rss_ratio_largest_to_smallest": round(max(streamed) / min(streamed), 3),
        "unstreamed_rss_ratio_largest_to_smallest": round(
            max(runs[f"unstreamed_{n}"]["peak_rss_mib"] for n in sizes)
            / min(runs[f"unstreamed_{n}"]["peak_rss_mib"] for n in sizes), 3),
        "figures_equal_streamed_vs_unstreamed": all(
            derived(runs[f"streamed_{n}"]["report"]) == derived(runs[f"unstreamed_{n}"]["report"])
            for n in sizes),
        "features_sha256_streamed": feature_digest(small, args.neurons, args.bins, args.chunk, args.engine),
        "features_sha256_unstreamed": feature_digest(small, args.neurons, args.bins, small, args.engine),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    result["features_equal"] = result["features_sha256_streamed"] == result["features_sha256_unstreamed"]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
