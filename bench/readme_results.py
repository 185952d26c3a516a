"""The README's results table, measured: every row's run, printed as JSON and as markdown rows.

    python bench/readme_results.py [--data-dir ../shared/data] [--rows ROW ...] [--markdown]

Each row is a ``neurosim run`` command (the last column of the README's table). A row that a frozen
study measured (:data:`STUDIES`, e.g. N-MNIST on rram-40nm-256kb: ``bench/studies/classify_nmnist_v1``)
is rendered from the run's report kept in that study's JSON, not rerun, and names the study and its
version; every other row is run in this process with the same seed, chip instance and engine and
names this script. The table shows its cross-validated
accuracy with the 95 % interval, the test-split accuracy, the strongest no-reservoir
baseline (same folds and readout), and the energy: the headline is dynamic energy against the
strongest fair digital baseline by dynamic energy (same spikes), then both sides' standby power and
the ratio with static power from back-to-back inferences to one per sample
(``bench/readme_energy.py`` measures these energy cells alone, without the readout). Rerun it after
any change that moves a figure, and paste the markdown.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.report import format_interval, format_percent, format_quantity, format_ratio  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402

NMNIST = "--dataset nmnist --data-dir ../shared/data --samples 0"
SPOKEN = "--dataset spoken-digits --samples 0"
FSDD = "--dataset fsdd --data-dir ../shared/data --samples 0"
#: Rows a frozen study measured: row → (the study's JSON, which of its runs). The run's keys must give the
#: row's chip, dataset, neurons and readout (checked); the study adds keys that leave the row's cells as
#: the command gives them (e.g. nested CV, no learning curve).
STUDIES = {3: (REPO / "bench" / "studies" / "classify_nmnist_v1.json", "ridge")}
#: (label, command arguments after ``neurosim run``)
ROWS = [
    ("dvs-digits", ""), ("dvs-digits", "--chip ideal"), ("dvs-digits", "--chip pcm-14nm-hermes"),
    ("N-MNIST", NMNIST), ("N-MNIST", f"{NMNIST} --chip ideal"), ("N-MNIST", f"{NMNIST} --chip pcm-14nm-hermes"),
    ("spoken-digits", SPOKEN), ("spoken-digits", f"{SPOKEN} --chip ideal"),
    ("spoken-digits", f"{SPOKEN} --chip pcm-14nm-hermes"),
    ("N-MNIST", f"{NMNIST} --set network.neurons=200"),
    ("N-MNIST", f"{NMNIST} --set network.neurons=200 --chip ideal"),
    ("FSDD", FSDD), ("FSDD", f"{FSDD} --chip ideal"),   # rows 11, 12: --rows 11 12 regenerates only them
]


def energy_cells(e: dict) -> str:
    """The table's energy cells of a report's ``energy`` section (markdown): dynamic energy, chip vs the
    strongest fair baseline by dynamic energy; the headline (their ratio, same spikes); standby power
    chip / baseline; the ratio with static power from back-to-back inferences to one per sample."""
    curve = e["rate_curve"]
    return (f"{format_quantity(e['dynamic_J'], 'J')} vs {format_quantity(e['baseline']['dynamic_J'], 'J')} | "
            f"**{format_ratio(e['improvement_vs_baseline'])}** | "
            f"{format_quantity(e['standby_W']['chip'], 'W')} / {format_quantity(e['standby_W']['baseline'], 'W')} | "
            f"{format_ratio(curve[0]['ratio'])} → {format_ratio(curve[-1]['ratio'])}")


def _config(args: list[str], data_dir: Path):
    """The config and data root a ``neurosim run`` command line would use (the options the rows use)."""
    chip, overrides, data = "rram-40nm-256kb", [], None
    it = iter(args)
    for a in it:
        if a == "--chip":
            chip = next(it)
        elif a == "--dataset":
            overrides.append(f"run.dataset={next(it)}")
        elif a == "--samples":
            overrides.append(f"run.samples={next(it)}")
        elif a == "--set":
            overrides.append(next(it))
        elif a == "--data-dir":
            next(it)
            data = data_dir
        else:
            raise SystemExit(f"readme_results: unsupported option {a}")
    return load_config(chip, overrides=overrides), data


def selected_rows(description: str, argv: list[str] | None):
    """(parsed arguments, [(row number, label, config, data dir)]) of the rows ``--rows`` picks (all by
    default): the command line this script and ``bench/readme_energy.py`` share."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rows", nargs="*", type=int, help="row numbers (0-based) to run; default all")
    parser.add_argument("--engine", default="auto")
    args = parser.parse_args(argv)
    return args, [(k, label, *_config(shlex.split(command), args.data_dir))
                  for k, (label, command) in enumerate(ROWS) if not args.rows or k in args.rows]


def study_report(row: int, config) -> tuple[dict, str]:
    """The report of row ``row``'s run in its study's JSON and the study's name and version
    (``"classify_nmnist v1"``); refuses (SystemExit) a study run of another chip, dataset, samples, seed,
    chip instance, size or readout."""
    path, run = STUDIES[row]
    study = json.loads(path.read_text())
    report = study["runs"][run]["report"]
    keys = report["config"]
    wanted = (config.chip.name, config.run.dataset, config.run.samples, config.run.seed, config.run.instance,
              config.network.neurons, config.readout.model, config.readout.windows)
    found = (report["chip"]["name"], keys["run"]["dataset"], keys["run"]["samples"], keys["run"]["seed"],
             keys["run"]["instance"], keys["network"]["neurons"], keys["readout"]["model"],
             keys["readout"]["windows"])
    if wanted != found:
        raise SystemExit(f"readme_results: row {row} is {wanted} but {path.name}'s {run!r} run is {found}")
    return report, f"{study['study']} v{study['version']}"


def table_row(label: str, config, report: dict, command: str, source: str) -> str:
    """The README table's markdown row of one run's ``report`` (``command``: the full ``neurosim run …``;
    ``source``: the study and version, or this script)."""
    acc, e, ds = report["accuracy"], report["energy"], report["dataset"]
    comparison = report.get("comparison", {})
    cv = format_interval(acc["cv"]) if acc.get("cv") else "n/a"
    strongest = (f"{comparison['strongest_baseline']} {format_percent(comparison['baseline_accuracy'], 1)}: "
                 f"{comparison['margin_points']:+.1f} (p = {comparison['mcnemar_p']:.2g})" if comparison else "n/a")
    return (f"| {label} ({ds['n_train']:,}/{ds['n_test']:,}) | {config.chip.name} | "
            f"{config.network.neurons:,} | {cv} | {format_percent(acc['test'], 1)} | {strongest} | "
            f"{energy_cells(e)} | {format_quantity(report['latency']['per_inference_s'], 's')} | `{command}` | "
            f"{source} |")


def main(argv: list[str] | None = None) -> int:
    args, rows = selected_rows(__doc__.splitlines()[0], argv)
    measured, lines = [], []
    for k, label, config, data in rows:
        command = ROWS[k][1]
        start = time.perf_counter()
        if k in STUDIES:
            report, source = study_report(k, config)
        else:
            report = run_task("classify", config, RunContext(args.engine, data)).report
            source = "bench/readme_results.py"
        acc, e, ds = report["accuracy"], report["energy"], report["dataset"]
        comparison = report.get("comparison", {})
        row = {"row": k, "data": label, "chip": config.chip.name, "neurons": config.network.neurons,
               "n_train": ds["n_train"], "n_test": ds["n_test"], "cv": acc.get("cv"), "test": acc["test"],
               "comparison": comparison, "energy_J": e["per_inference_J"], "baseline": e["baseline"],
               "improvement": e["improvement_vs_baseline"], "command": f"neurosim run {command}".strip(),
               "source": source,
               "wall_s": round(time.perf_counter() - start, 1)}
        measured.append(row)
        headline = next((b for b in e.get("baselines", []) if b["name"] == e["baseline"]["name"]), {})
        naive = next((b for b in e.get("baselines", []) if "fp32" in b["name"]), {})
        row.update(dynamic_ratio=headline.get("dynamic_ratio"), naive_ratio=naive.get("ratio"),
                   latency_s=report["latency"]["per_inference_s"])
        lines.append(table_row(label, config, report, row["command"], source))
        print(lines[-1], file=sys.stderr, flush=True)
    print(json.dumps(to_jsonable({"rows": measured}), indent=2))
    print("\n".join(lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
