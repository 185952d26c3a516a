"""Reservoir quality metrics of several chips side by side; prints one JSON object.

    python bench/reservoir_metrics.py [--chips rram-40nm-256kb ideal] [--dataset dvs-digits]
                                      [--samples 200] [--neurons 200] [--seed 0]
                                      [--data-dir ../shared/data] [--set KEY=VALUE ...]

For each chip: firing statistics, separation (reservoir and input), kernel and
generalisation rank, memory capacity (see ``neurosim.tasks.reservoir``) and the
wall time of the run, all with the same seed, dataset and network size.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", nargs="+", default=["rram-40nm-256kb", "ideal"])
    parser.add_argument("--dataset", default="dvs-digits")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--neurons", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)

    out = {"machine": {"python": platform.python_version(), "cpu": platform.processor(),
                       "system": platform.system()},
           "dataset": args.dataset, "samples": args.samples, "neurons": args.neurons,
           "seed": args.seed, "chips": {}}
    for chip in args.chips:
        config = load_config(chip, overrides=[f"run.dataset={args.dataset!r}",
                                              f"run.samples={args.samples}",
                                              f"run.seed={args.seed}",
                                              f"network.neurons={args.neurons}", *args.overrides])
        start = time.perf_counter()
        report = run_task("reservoir", config, RunContext(args.engine, args.data_dir)).report
        res = report["reservoir"]
        out["chips"][chip] = {
            "wall_s": round(time.perf_counter() - start, 3),
            "engine": report["engine"],
            "activity": report["activity"],
            "separation": {k: res["separation"][k] for k in ("between", "within", "ratio")},
            "input_separation": {k: res["input_separation"][k] for k in ("between", "within", "ratio")},
            "kernel_rank": res["kernel_rank"]["rank"],
            "generalization_rank": res["generalization_rank"]["rank"],
            "rank_m": res["kernel_rank"]["m"],
            "memory_capacity": res["memory_capacity"]["total"],
            "memory_capacity_per_delay": res["memory_capacity"]["per_delay"],
        }
    print(json.dumps(to_jsonable(out), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
