"""Continual learning on N-MNIST, version 2, as its protocol (bench/studies/continual_nmnist_v2.md) says.

    python bench/studies/continual_nmnist_v2.py [--data-dir ../shared/data] [--table-only]
                                                [--json PATH] [--set KEY=VALUE ...]

Runs the continual task once (4 seeds, hyperparameters chosen on each seed's validation split by
``continual.grid``), writes bench/studies/continual_nmnist_v2.json (date, commit, machine, command, the
selection, per-seed ACC/BWT, paired differences and the targets' verdicts) and prints the study page's rows.
``--table-only``: print them from the JSON already written, running nothing. ``--set``: extra keys after the
study's (a smoke test at small settings, written with ``--json`` elsewhere; the study itself sets none).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.progress import Progress  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import git_commit  # noqa: E402

RESULT = Path(__file__).with_suffix(".json")
GRID = "variance_threshold=0.95,0.97,0.99; hebbian_adaptive=0,10"
SETTINGS = ["run.dataset=nmnist", "run.samples=0", "run.seed=0", "network.neurons=200",
            "continual.stream=permuted", "continual.tasks=5", "continual.methods=finetune,hlop,exact,multitask",
            "continual.repeats=4", "continual.val_fraction=0.2", f"continual.grid='{GRID}'"]
COMMAND = ("neurosim run --task continual --chip ideal --dataset nmnist --data-dir ../shared/data --samples 0 "
           "--seed 0 --set network.neurons=200 --set continual.methods=finetune,hlop,exact,multitask "
           f"--set continual.repeats=4 --set continual.val_fraction=0.2 --set 'continual.grid=\"{GRID}\"'")
METHODS = ("finetune", "hlop", "exact", "multitask")
PAIRS = ("hlop-exact", "hlop-multitask", "hlop-finetune")


def verdict(low: float, value: float, high: float, lo: float | None = None, hi: float | None = None) -> str:
    """``met`` when all of ``[low, high]`` lies in ``[lo, hi]``, ``met on the mean`` when only ``value``
    does, else ``missed`` (``None``: no bound on that side)."""
    def inside(x: float) -> bool:
        return (lo is None or x >= lo - 1e-12) and (hi is None or x <= hi + 1e-12)
    if inside(low) and inside(high):
        return "met"
    return "met on the mean" if inside(value) else "missed"


def targets(c: dict) -> list[dict]:
    """The protocol's four targets, each with its figure (points) and verdict."""
    def pts(d: dict) -> tuple[float, float, float]:
        return 100 * d["low"], 100 * d["value"], 100 * d["high"]
    m, p = c["methods"], c["paired"]
    rows = [("HLOP BWT ≥ −5 points", m["hlop"]["bwt"], -5.0, None),
            ("fine-tuning BWT ≤ −15 points", m["finetune"]["bwt"], None, -15.0),
            ("HLOP ACC − multitask ACC ≥ −8 points (paired)", p["hlop-multitask"]["acc"], -8.0, None),
            ("HLOP BWT − exact BWT within ±2 points (paired)", p["hlop-exact"]["bwt"], -2.0, 2.0)]
    out = []
    for name, d, lo, hi in rows:
        low, value, high = pts(d)
        out.append({"target": name, "value": value, "low": low, "high": high,
                    "verdict": verdict(low, value, high, lo, hi)})
    return out


def extract(report: dict) -> dict:
    """The figures the study page shows, from the task's report."""
    c = report["continual"]
    keep = ("acc", "bwt", "acc_per_seed", "bwt_per_seed", "lateral_neurons")
    return {"dataset": report["dataset"], "seeds": c["seeds"], "network": c["network"],
            "selection": c["selection"],
            "methods": {m: {k: e[k] for k in keep if k in e} for m, e in c["methods"].items()},
            "paired": c["paired"], "targets": targets(c)}


def points(x: float) -> str:
    """A change in accuracy as signed points, with a typographic minus as the study page writes it."""
    return f"{100 * x:+.1f}".replace("-", "−")


def interval(d: dict, signed: bool) -> str:
    if signed:
        return f"{points(d['value'])} [{points(d['low'])}, {points(d['high'])}]"
    return f"{100 * d['value']:.1f} % [{100 * d['low']:.1f}, {100 * d['high']:.1f}]".replace("-", "−")


def table(result: dict) -> str:
    """docs/studies/continual.md's rows: chosen settings, per-method ACC/BWT, paired differences, targets."""
    r = result["result"]
    sel = r["selection"]
    lines = [f"Chosen on the validation split ({sel['n_val']} of each task's {sel['n_fit'] + sel['n_val']} "
             f"training samples; networks tried trained on the other {sel['n_fit']}), rule: {sel['rule']}:", ""]
    for m, e in sel["methods"].items():
        tried = "; ".join(f"{', '.join(f'{k} {v}' for k, v in p.items()) or 'settings as set'}: "
                          f"{100 * a:.1f} %" for p, a in zip(e["points"], e["val_acc"]))
        chosen = ", ".join(f"{k} = {v}" for k, v in e["chosen"].items()) or "no grid key"
        lines.append(f"- {m}: **{chosen}** (validation ACC, mean over seeds: {tried})")
    n_test = r["dataset"]["n_test"]
    lines += ["", "| method | ACC (mean, 95 % t-interval) | BWT (points) | lateral neurons | per seed ACC / BWT |",
              "|---|---|---|---|---|"]
    for m in METHODS:
        e = r["methods"][m]
        name = "**hlop**" if m == "hlop" else ("multitask (cumulative joint training)" if m == "multitask" else m)
        lateral = f"{e['lateral_neurons']:.0f}" if "lateral_neurons" in e else ""
        per_seed = ", ".join(f"{100 * a:.1f}/{points(b)}" for a, b in zip(e["acc_per_seed"], e["bwt_per_seed"]))
        lines.append(f"| {name} | {interval(e['acc'], False)} | {interval(e['bwt'], True)} | {lateral} | {per_seed} |")
    lines += ["", f"| paired over the {len(r['seeds'])} seeds | ΔACC (points) | ΔBWT (points) | per seed ΔACC / ΔBWT |",
              "|---|---|---|---|"]
    for pair in PAIRS:
        d = r["paired"][pair]
        per_seed = ", ".join(f"{points(a)}/{points(b)}" for a, b in zip(d["acc_per_seed"], d["bwt_per_seed"]))
        lines.append(f"| {pair.replace('-', ' − ')} | {interval(d['acc'], True)} | {interval(d['bwt'], True)} | "
                     f"{per_seed} |")
    lines += ["", "| target (version 1's) | measured (points, 95 % interval) | verdict |", "|---|---|---|"]
    for t in r["targets"]:
        fig = f"{t['value']:+.1f} [{t['low']:+.1f}, {t['high']:+.1f}]".replace("-", "−")
        lines.append(f"| {t['target']} | {fig} | {t['verdict']} |")
    lines += ["", f"({n_test} test samples per task; seeds {', '.join(map(str, r['seeds']))}; "
                  f"{result['date']}, commit {result['commit'][:10]}, {result['wall_s'] / 60:.0f} min on "
                  f"{result['machine']['cpus']} shared cores)"]
    return "\n".join(lines)


def figures(result: dict) -> dict:
    """Two figures, drawn only from the study JSON: ``methods``, each method's ACC (%) and BWT (points) with
    their 95 % t-intervals over the seeds; ``paired``, the paired differences (points) of :data:`PAIRS`."""
    from studyplots import grouped_bars, interval_series, new_figure

    r = result["result"]
    seeds = len(r["seeds"])
    out = {}
    for key, names, cells, titles in (
            ("methods", METHODS, r["methods"], ("ACC (%)", "BWT (points)")),
            ("paired", PAIRS, r["paired"], ("ΔACC, paired (points)", "ΔBWT, paired (points)"))):
        fig, axes = new_figure(panels=2, width=9.0, height=3.4)
        for ax, measure, label in zip(axes, ("acc", "bwt"), titles):
            grouped_bars(ax, [n.replace("-", " − ") for n in names],
                         {label: interval_series([cells[n][measure] for n in names])}, value_label=label)
            ax.axhline(0, color="black", lw=0.6)
            ax.set_title(f"mean over {seeds} seeds, 95 % t-interval", fontsize="small")
        out[key] = fig
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--set", dest="extra", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.table_only:
        commit = git_commit()
        start = time.perf_counter()
        config = load_config("ideal", overrides=[*SETTINGS, *args.extra])
        report = run_task("continual", config, RunContext("auto", args.data_dir, Progress(every_s=30.0))).report
        result = {"protocol": "bench/studies/continual_nmnist_v2.md", "version": 2,
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "commit": commit, "command": COMMAND, "extra": args.extra,
                  "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
                              "load_average_at_end": list(os.getloadavg())},
                  "wall_s": round(time.perf_counter() - start, 1), "result": extract(report)}
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
