"""Continual learning on FSDD at the settings of the other datasets; prints the study page's rows.

    python bench/studies/continual_fsdd.py [--data-dir ../shared/data] [--seeds 0 1 2]
                                           [--streams permuted class-split] [--table-only]

Every run is ``neurosim run --task continual --chip ideal --dataset fsdd --data-dir ../shared/data
--samples 0 --set network.neurons=1000 --set network.recurrent_norm=none --set
network.recurrent_scale=0.2236 --seed S [--set continual.stream=class-split]`` (docs/studies/continual.md's continual
commands for dvs-digits and N-MNIST, on FSDD; default ``[continual]``: 5 tasks, finetune, hlop, exact,
replay, multitask; class-split: 2 classes per task, one head each), run in this process so the
recordings are heard by the cochlea once. Writes bench/studies/continual_fsdd.json (the commit, the
commands, ACC and BWT per method and seed) and prints the study page's table rows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.stats import mean_interval  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import git_commit  # noqa: E402

RESULT = Path(__file__).with_suffix(".json")
SETTINGS = ["run.dataset=fsdd", "run.samples=0", "network.neurons=1000", "network.recurrent_norm=none",
            "network.recurrent_scale=0.2236"]
COMMAND = ("neurosim run --task continual --chip ideal --dataset fsdd --data-dir ../shared/data --samples 0 "
           "--set network.neurons=1000 --set network.recurrent_norm=none --set network.recurrent_scale=0.2236")
METHODS = ("finetune", "hlop", "exact", "replay", "multitask")


def points(x: float) -> str:
    """A change in accuracy as signed points, with a typographic minus as the study page writes it."""
    return f"{100 * x:+.1f}".replace("-", "−")


def table(result: dict) -> str:
    """docs/studies/continual.md's rows: per stream and method, ACC and BWT over seeds (mean, 95 % t-interval)
    and per seed."""
    rows = []
    for stream, runs in result["streams"].items():
        n_train, n_test = runs[0]["n_train"], runs[0]["n_test"]
        for k, method in enumerate(METHODS):
            acc = [r["methods"][method]["acc"] for r in runs]
            bwt = [r["methods"][method]["bwt"] for r in runs]
            a, b = mean_interval(np.array(acc)), mean_interval(np.array(bwt))
            lateral = (f"{np.mean([r['methods'][method]['lateral_neurons'] for r in runs]):.0f}"
                       if method in ("hlop", "exact") else "")
            label = f"FSDD {stream} ({n_train:,} / {n_test:,})" if k == 0 else ""
            name = {"hlop": "**hlop**", "replay": "replay (10/class)"}.get(method, method)
            several = len(runs) > 1   # an interval needs two seeds at least
            rows.append(f"| {label} | {name} | {100 * a.value:.1f} %"
                        + (f" [{100 * a.low:.1f}, {100 * a.high:.1f}]" if several else " (1 seed)")
                        + f" | {points(b.value)}" + (f" [{points(b.low)}, {points(b.high)}]" if several else "")
                        + f" | {lateral} | "
                        + ", ".join(f"{100 * x:.1f}/{points(y)}" for x, y in zip(acc, bwt)) + " |")
    return "\n".join(rows)


def figures(result: dict) -> dict:
    """One figure per stream (its name the key): each method's ACC (%) and BWT (points), the mean over the
    seeds with a 95 % t-interval when there are two seeds or more; drawn only from the study JSON."""
    from studyplots import grouped_bars, new_figure

    out = {}
    for stream, runs in result["streams"].items():
        fig, axes = new_figure(panels=2, width=9.0, height=3.4)
        for ax, measure, label in zip(axes, ("acc", "bwt"), ("ACC (%)", "BWT (points)")):
            cells = [mean_interval(np.array([run["methods"][m][measure] for run in runs])) for m in METHODS]
            series = {"value": [100 * c.value for c in cells]}
            if len(runs) > 1:  # an interval needs two seeds at least
                series |= {"low": [100 * c.low for c in cells], "high": [100 * c.high for c in cells]}
            grouped_bars(ax, list(METHODS), {label: series}, value_label=label)
            ax.axhline(0, color="black", lw=0.6)
            ax.set_title(f"FSDD {stream}, {len(runs)} seed{'s' if len(runs) > 1 else ''}", fontsize="small")
        out[stream] = fig
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--streams", nargs="+", default=["permuted", "class-split"])
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--set", dest="extra", action="append", default=[])
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.table_only:
        commit = git_commit()
        result: dict = {"commit": commit, "command": COMMAND + " --seed S [--set continual.stream=class-split]",
                        "extra": args.extra, "streams": {}}
        for stream in args.streams:
            result["streams"][stream] = []
            for seed in args.seeds:
                start = time.perf_counter()
                config = load_config("ideal", overrides=[*SETTINGS, f"run.seed={seed}", f"continual.stream={stream}",
                                                         *args.extra])
                report = run_task("continual", config, RunContext("auto", args.data_dir)).report
                c = report["continual"]
                result["streams"][stream].append({
                    "seed": seed, "n_train": report["dataset"]["n_train"], "n_test": report["dataset"]["n_test"],
                    "wall_s": round(time.perf_counter() - start, 1),
                    "methods": {m: {"acc": e["acc_per_seed"][0], "bwt": e["bwt_per_seed"][0],
                                    **({"lateral_neurons": e["lateral_neurons"]} if "lateral_neurons" in e else {})}
                                for m, e in c["methods"].items()}})
                print(f"{stream} seed {seed}: {c['summary']}", file=sys.stderr, flush=True)
                args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
