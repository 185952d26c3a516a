"""N-MNIST classification, version 1, as its protocol (bench/studies/classify_nmnist_v1.md) says.

    python bench/studies/classify_nmnist.py [--data-dir ../shared/data] [--readouts ridge logistic]
                                           [--json PATH] [--set KEY=VALUE ...]
    python bench/studies/classify_nmnist.py --table [--json PATH]

Runs the classify task on all N-MNIST samples once per readout (ridge, logistic) with repeated CV,
every baseline and control, the official Test split and nested CV over the declared grid; writes
bench/studies/classify_nmnist_v1.json (date, commit, machine, the command of each run, every figure the
study page shows). ``--readouts``: run only these and keep the other readouts' entries of the JSON already
written (each entry carries its own commit and date). ``--table``: print the study page's N-MNIST table from
the JSON, running nothing. ``--set``: extra keys (a smoke test at small settings, written with ``--json``
elsewhere; the study itself sets none).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402

STUDY, VERSION = "classify_nmnist", 1
RESULT = Path(__file__).with_name(f"{STUDY}_v{VERSION}.json")
CHIP = "rram-40nm-256kb"
#: The protocol's keys (besides the readout), exactly as the protocol file lists them.
KEYS = ["run.dataset=nmnist", "run.samples=0", "run.seed=0", "classify.folds=5", "classify.repeats=3",
        "classify.baselines=true", "classify.feedforward=true", "classify.learning_curve=false",
        'classify.nested="network.neurons=500,2000; readout.windows=1,5"']
READOUTS = ("ridge", "logistic")
#: Each readout's keys (protocol, "Configuration"): the logistic readout's C is fixed (see the protocol).
READOUT_KEYS = {"ridge": ["readout.model=ridge"],
                "logistic": ["readout.model=logistic", "readout.tune=false", "readout.C=0.1"]}
#: Feature sets in the table's order: the reservoir, the three baselines, the two controls.
ROWS = ("reservoir", "pixel counts", "input raster", "windowed input counts", "random features",
        "feed-forward spiking")


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return out.stdout.strip() + ("+uncommitted changes" if dirty else "")


def extract(report: dict) -> dict:
    """The figures the study page shows, from one run's report: per feature set its repeated CV, pooled CV,
    CV on the Test samples and official-Test accuracy with McNemar; the reservoir's nested CV; the
    comparison against the strongest control; and the report itself (the results table's row)."""
    held = report["held_out"]["feature_sets"]
    sections = {"reservoir": {"cv": report["accuracy"]["cv"], "repeated_cv": report["accuracy"]["repeated_cv"],
                              "features_per_sample": report["readout"]["features_per_sample"]},
                **report["baselines"], **report["controls"]}
    sets = {}
    for name in ROWS:
        s = sections[name]
        cv = s.get("cv", s)
        sets[name] = {"repeated_cv": {k: s["repeated_cv"][k] for k in ("value", "low", "high", "splits")},
                      "cv_pooled": {k: cv[k] for k in ("value", "low", "high")},
                      "cv_on_test_samples": held[name]["cv_on_test_samples"],
                      "test": {k: held[name][k] for k in ("value", "low", "high")},
                      "test_mcnemar_p_vs_reservoir": held[name]["mcnemar_p_vs_reservoir"],
                      "features_per_sample": s["features_per_sample"]}
    keep = ("strongest_control", "control_accuracy", "control_repeated_margin_points", "control_corrected_t_p",
            "control_mcnemar_p", "reservoir_beats_all_controls", "control_verdict", "held_out_margin_points",
            "held_out_mcnemar_p", "held_out_verdict")
    return {"n_samples": report["dataset"]["n_train"] + report["dataset"]["n_test"],
            "n_train": report["held_out"]["n_train"], "n_test": report["held_out"]["n_test"],
            "split": report["held_out"]["split"], "skipped_corrupt": report["dataset"]["skipped_corrupt"],
            "engine": report["engine"], "feature_sets": sets, "nested": report["nested"],
            "comparison": {k: report["comparison"][k] for k in keep if k in report["comparison"]},
            "energy_per_inference_J": report["energy"]["per_inference_J"],
            "report": report}   # the whole report: bench/readme_results.py renders its row from it


def run(readout: str, data_dir: Path, extra: list[str]) -> dict:
    overrides = [*KEYS, *READOUT_KEYS[readout], *extra]
    commit, date = _commit(), datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    report = run_task("classify", load_config(CHIP, overrides=overrides), RunContext("cpu", data_dir)).report
    sets = " ".join(f"--set '{o}'" if '"' in o else f"--set {o}" for o in overrides)
    machine = f"{platform.machine()} {platform.processor()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    return {"readout": readout, "date": date, "commit": commit, "machine": machine,
            "wall_s": round(time.perf_counter() - start, 1),
            "command": f"neurosim run --chip {CHIP} --engine cpu --data-dir {data_dir} {sets}", "extra_keys": extra,
            **extract(to_jsonable(report))}


def write_atomic(path: Path, data: dict) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(f.name, path)


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def interval(c: dict) -> str:
    return f"{pct(c['value'])} [{pct(c['low'])}, {pct(c['high'])}]"


def table(result: dict) -> str:
    """The N-MNIST table of docs/studies/classification.md (markdown) from the study JSON."""
    lines = ["| readout | feature set | features | CV, 3×5 splits [Nadeau–Bengio 95 %] | CV pooled [Wilson] | "
             "CV on the Test samples | official Test [Wilson] | McNemar p vs reservoir (Test) |",
             "|---|---|---|---|---|---|---|---|"]
    for readout in READOUTS:
        if readout not in result["runs"]:
            continue
        r = result["runs"][readout]
        for name in ROWS:
            s = r["feature_sets"][name]
            p = "—" if name == "reservoir" else f"{s['test_mcnemar_p_vs_reservoir']:.2g}"
            label = f"**{name}**" if name == "reservoir" else name
            lines.append(f"| {readout} | {label} | {s['features_per_sample']:,} | {interval(s['repeated_cv'])} | "
                         f"{interval(s['cv_pooled'])} | {pct(s['cv_on_test_samples'])} | {interval(s['test'])} | {p} |")
        n = r["nested"]
        chosen = "; ".join(f["chosen"] for f in n["per_outer_fold"])
        lines.append(f"| {readout} | **reservoir, nested CV** (grid: {len(n['settings'])} settings) | — | — | "
                     f"{interval(n)} (configured setting, same outer folds: {pct(n['cv_same_outer_folds'])}) | "
                     f"— | — | chosen per outer fold: {chosen} |")
    return "\n".join(lines)


def verdicts(result: dict) -> str:
    """One line per readout: the reservoir against the strongest control, by CV and on the Test split."""
    out = []
    for readout in READOUTS:
        if readout in result["runs"]:
            c = result["runs"][readout]["comparison"]
            out.append(f"- {readout}: strongest control {c['strongest_control']}; CV {c['control_verdict']}; "
                       f"official Test {c['held_out_verdict']}.")
    return "\n".join(out)


def figures(result: dict) -> dict:
    """One figure per readout (key ``accuracy-<readout>``): each feature set's repeated-CV accuracy and its
    official Test accuracy (%), with the intervals of the table; drawn only from the study JSON."""
    from studyplots import grouped_bars, interval_series, new_figure

    out = {}
    for readout in READOUTS:
        if readout not in result["runs"]:
            continue
        sets = result["runs"][readout]["feature_sets"]
        fig, (ax,) = new_figure(width=9.0, height=3.8)
        series = {"CV, 3×5 splits [Nadeau–Bengio 95 %]": interval_series([sets[n]["repeated_cv"] for n in ROWS]),
                  "official Test [Wilson 95 %]": interval_series([sets[n]["test"] for n in ROWS])}
        grouped_bars(ax, list(ROWS), series,
                     value_label="accuracy (%)", horizontal=True)
        ax.set_title(f"N-MNIST, {readout} readout: reservoir, baselines (3), controls (2)", fontsize="medium")
        out[f"accuracy-{readout}"] = fig
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--readouts", nargs="+", default=list(READOUTS), choices=READOUTS)
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--table", action="store_true", help="print the study page's table from the JSON; run nothing")
    parser.add_argument("--set", dest="extra", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.table:
        for readout in args.readouts:
            entry = run(readout, args.data_dir, args.extra)
            # read just before writing: a run of the other readout may have written meanwhile
            old = json.loads(args.json.read_text()) if args.json.exists() else {}
            result = {"study": STUDY, "version": VERSION, "protocol": f"bench/studies/{STUDY}_v{VERSION}.md",
                      "runs": {**old.get("runs", {}), readout: entry}}
            write_atomic(args.json, result)
            print(f"{readout}: {entry['wall_s']} s, written to {args.json}", file=sys.stderr, flush=True)
    result = json.loads(args.json.read_text())
    print(table(result))
    print()
    print(verdicts(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
