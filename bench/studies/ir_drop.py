"""IR drop in the spiking loop on the default run, as its protocol (bench/studies/ir_drop.md) says.

    python bench/studies/ir_drop.py [--version {1,2}] [--table-only] [--json PATH] [--set KEY=VALUE ...]

Runs ``neurosim run`` (classify, defaults) with ``crossbar.wire_resistance`` = 0, the 40 nm preset's
estimate (1.03 Ω per cell segment, derived in hardware_models/rram-40nm-256kb.toml) and ×2, ×5, in this
process; writes bench/studies/ir_drop.json (the commit, each run's command, every figure the study page
shows) and prints the page's table. ``--table-only``: print the table from the JSON already written.
``--set``: extra keys for every run (a smoke test at small settings, written with ``--json`` elsewhere;
the study itself sets none). ``--version 2`` (protocol bench/studies/ir_drop_v2.md): the same runs with
the cell reads priced at the current the lines drew; writes ir_drop_v2.json, whose table adds that column.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.report import format_interval, format_percent, format_quantity, format_ratio  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import git_commit  # noqa: E402

RESULT = Path(__file__).with_suffix(".json")
#: Study version → (its protocol, its JSON).
VERSIONS = {1: ("bench/studies/ir_drop.md", RESULT),
            2: ("bench/studies/ir_drop_v2.md", RESULT.with_name("ir_drop_v2.json"))}
CHIP = "rram-40nm-256kb"
#: The preset's estimate (Ω per cell segment), from the derivation in hardware_models/rram-40nm-256kb.toml.
ESTIMATE = 1.03
RESISTANCES = (0.0, ESTIMATE, 2 * ESTIMATE, 5 * ESTIMATE)


def measure(r: float, extra: list[str]) -> dict:
    """One default run with ``crossbar.wire_resistance = r``: the protocol's figures."""
    sets = [f"crossbar.wire_resistance={r:g}", *extra]
    config = load_config(CHIP, overrides=sets)
    start = time.perf_counter()
    run = run_task("classify", config, RunContext("auto", None))
    report = run.report
    acc, e = report["accuracy"], report["energy"]
    return {"wire_resistance_ohm": r,
            "command": "neurosim run " + " ".join(f"--set {s}" for s in sets),
            "engine": report["engine"], "n_train": report["dataset"]["n_train"],
            "n_test": report["dataset"]["n_test"], "cv": acc.get("cv"), "test": acc["test"],
            "dynamic_J": e["dynamic_J"], "baseline": e["baseline"]["name"],
            "baseline_dynamic_J": e["baseline"]["dynamic_J"], "dynamic_ratio": e["improvement_vs_baseline"],
            "cell_reads_J": e["breakdown_J"]["synapse_reads"], "activity": report["activity"],
            "wall_s": round(time.perf_counter() - start, 1)}


def table(result: dict) -> str:
    """The study page's table of a study JSON (version 2's adds the cell reads priced as drawn)."""
    drawn = result.get("version", 1) >= 2
    rows = ["| wire resistance (Ω/segment) | accuracy, 5-fold CV | test split | spikes / inference | "
            + ("cell reads (as drawn) / inference | " if drawn else "")
            + "dynamic energy / inference | vs strongest fair baseline (dynamic) |",
            "|---|---|---|---|---|---|" + ("---|" if drawn else "")]
    for run in result["runs"]:
        r = run["wire_resistance_ohm"]
        label = f"{r:g}" + (" (ideal wires, today)" if r == 0 else " (preset estimate)" if r == ESTIMATE
                            else f" (×{r / ESTIMATE:.0f})")
        cv = format_interval(run["cv"]) if run["cv"] else "n/a"
        rows.append(f"| {label} | {cv} | {format_percent(run['test'], 1)} | "
                    f"{run['activity']['spikes_per_sample']:,.0f} | "
                    + (f"{format_quantity(run['cell_reads_J'], 'J')} | " if drawn else "")
                    + f"{format_quantity(run['dynamic_J'], 'J')} | "
                    f"{format_ratio(run['dynamic_ratio'])} |")
    return "\n".join(rows)


def figures(result: dict) -> dict:
    """Key ``accuracy-energy``: against the wire resistance (Ω per segment), the 5-fold CV accuracy with its
    interval and the test-split accuracy (%), and the dynamic energy per inference (nJ; version 2 also the
    cell reads as drawn); drawn only from the study JSON."""
    from studyplots import legend_beside, new_figure

    runs = result["runs"]
    r = [run["wire_resistance_ohm"] for run in runs]
    fig, (acc, energy) = new_figure(panels=2, width=10.0, height=3.6)
    cv = [run["cv"] for run in runs]
    value = [100 * c["value"] for c in cv]
    acc.errorbar(r, value, yerr=[[v - 100 * c["low"] for v, c in zip(value, cv)],
                                 [100 * c["high"] - v for v, c in zip(value, cv)]],
                 fmt="o-", capsize=3, label="5-fold CV [95 %]")
    acc.plot(r, [100 * run["test"] for run in runs], "s--", label="test split")
    acc.set_ylabel("accuracy (%)")
    energy.plot(r, [1e9 * run["dynamic_J"] for run in runs], "o-", label="chip dynamic")
    if result.get("version", 1) >= 2:
        energy.plot(r, [1e9 * run["cell_reads_J"] for run in runs], "s--", label="cell reads (as drawn)")
    energy.set_ylabel("energy per inference (nJ)")
    for ax in (acc, energy):
        ax.set_xlabel("wire resistance (Ω per segment)")
        ax.grid(alpha=0.3)
        legend_beside(ax)
    return {"accuracy-energy": fig}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, choices=sorted(VERSIONS), default=1)
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="default: the version's JSON")
    parser.add_argument("--set", action="append", default=[], dest="sets")
    args = parser.parse_args(argv)
    protocol, default_json = VERSIONS[args.version]
    args.json = args.json or default_json
    if not args.table_only:
        commit = git_commit()
        runs = []
        for r in RESISTANCES:
            runs.append(measure(r, args.sets))
            print(f"wire_resistance = {r:g} Ω: {runs[-1]['wall_s']} s", file=sys.stderr, flush=True)
        result = {"commit": commit, "protocol": protocol, "version": args.version, "chip": CHIP,
                  "extra_sets": args.sets, "runs": runs}
        tmp = args.json.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(to_jsonable(result), indent=2) + "\n")
        tmp.replace(args.json)
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
