"""The column ADC's resolution on the default run: accuracy, spikes and dynamic energy per setting.

    python bench/studies/adc_dvs_digits.py            # runs every row, writes adc_dvs_digits.json
    python bench/studies/adc_dvs_digits.py --table    # the study page's table from that JSON

Protocol: ``bench/studies/adc_dvs_digits.md`` (written before the run). Each row is the default
``neurosim run`` with the row's ``--set`` options, run through the public API.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

import neurosim  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import git_commit  # noqa: E402

JSON_PATH = Path(__file__).with_suffix(".json")

#: (row label, the --set options of the default run)
ROWS = [
    ("8 (preset)", {}),
    ("6", {"crossbar.adc_bits": 6}),
    ("4", {"crossbar.adc_bits": 4}),
    ("2", {"crossbar.adc_bits": 2}),
    ("1 (sign comparator)", {"crossbar.adc_bits": 1}),
    ("8, `adc_mode=ideal`", {"crossbar.adc_mode": "ideal"}),
]


def measure(label: str, settings: dict) -> dict:
    """One row: the default run with ``settings``, its figures read from the report."""
    start = time.perf_counter()
    report = neurosim.run("classify", neurosim.load_config().set(settings)).report
    acc, energy = report["accuracy"], report["energy"]
    cv = acc.get("repeated_cv") or acc["cv"]
    return {"row": label, "set": settings, "run_id": report["run"]["id"],
            "cv": {k: cv[k] for k in ("value", "low", "high")}, "cv_kind": cv.get("interval", "Wilson"),
            "test": acc["test"], "spikes_per_sample": report["activity"]["spikes_per_sample"],
            "adc_J": energy["breakdown_J"]["adc"], "dynamic_J": energy["dynamic_J"],
            "baseline": energy["baseline"]["name"], "baseline_dynamic_J": energy["baseline"]["dynamic_J"],
            "headline": energy["improvement_vs_baseline"], "wall_s": round(time.perf_counter() - start, 1)}


def _energy(j: float) -> str:
    return f"{j * 1e9:.3g} nJ" if j < 1e-6 else f"{j * 1e6:.3g} µJ"


def table(study: dict) -> str:
    """The table of docs/studies/adc-in-the-loop.md (markdown) of a study JSON."""
    lines = ["| `crossbar.adc_bits` | CV accuracy (repeated, 95 % corrected t interval) | test split | "
             "spikes / sample | ADC energy | chip dynamic energy / inference | headline (dynamic ratio) |",
             "|---|---|---|---|---|---|---|"]
    for r in study["rows"]:
        cv = r["cv"]
        lines.append(f"| {r['row']} | {100 * cv['value']:.1f} % ({100 * cv['low']:.1f}–{100 * cv['high']:.1f} %) | "
                     f"{100 * r['test']:.1f} % | {r['spikes_per_sample']:,.0f} | {_energy(r['adc_J'])} | "
                     f"{_energy(r['dynamic_J'])} | {r['headline']:.2f}× |")
    return "\n".join(lines)


def figures(study: dict) -> dict:
    """Key ``accuracy-energy``: per ADC setting, the CV accuracy (its interval) and test-split accuracy (%),
    and the ADC's and the chip's dynamic energy per inference (nJ); drawn only from the study JSON."""
    from studyplots import grouped_bars, interval_series, new_figure

    rows = study["rows"]
    labels = [r["row"].replace("`", "") for r in rows]
    fig, (acc, energy) = new_figure(panels=2, width=10.0, height=3.8)
    grouped_bars(acc, labels, {"CV (repeated, 95 % corrected t)": interval_series([r["cv"] for r in rows]),
                               "test split": {"value": [100 * r["test"] for r in rows]}},
                 value_label="accuracy (%)")
    grouped_bars(energy, labels, {"ADC": {"value": [1e9 * r["adc_J"] for r in rows]},
                                  "chip dynamic": {"value": [1e9 * r["dynamic_J"] for r in rows]}},
                 value_label="energy per inference (nJ)")
    for ax in (acc, energy):
        ax.set_xlabel("crossbar.adc_bits")
        ax.tick_params(axis="x", labelsize="small", rotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    return {"accuracy-energy": fig}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the study page's table from the JSON and stop")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(JSON_PATH.read_text())))
        return 0
    commit, rows = git_commit(), []  # the code that ran: read before the runs
    for label, settings in ROWS:
        rows.append(measure(label, settings))
        print(f"{label}: {rows[-1]}", file=sys.stderr, flush=True)
    study = {"study": "adc_dvs_digits", "version": 2, "protocol": "bench/studies/adc_dvs_digits.md",
             "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": commit,
             "machine": f"{platform.machine()}, {platform.processor() or platform.system()}, "
                        f"python {platform.python_version()}", "rows": rows}
    JSON_PATH.write_text(json.dumps(study, indent=2) + "\n")
    print(table(study))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
