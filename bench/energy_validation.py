"""Energy model vs published silicon: calibration and out-of-sample prediction, as JSON and a table.

    python bench/energy_validation.py [--seed 0] [--calibrate] [--markdown]

For every published figure in ``neurosim.energy.validation.FIGURES``: the macro,
its preset, the workload, the published and simulated value (TOPS/W, or s for a
latency), the relative error, the tolerance, where the published number was read
(``paper`` or ``unverified``) and the source. ``role = calibration`` rows reproduce the
figure one preset energy was solved from (an accounting check); ``role = prediction``
rows fit nothing (``calibrated_on`` names the figure their preset was calibrated on);
``role = consistency`` rows repeat a calibration's workload (never counted as predictions);
a prediction outside its tolerance carries ``miss``, the stated cause. The three are printed
in separate blocks, then a summary (predictions, papers, how many read from the primary text), the
leave-one-macro-out summary and the energy-breakdown checks. The JSON goes to stdout, a readable
table to stderr. ``--calibrate`` adds the conversion energy each calibration row implies (the value
written into its preset); ``--markdown`` prints the validation tables (docs/reference/energy-validation.md)
instead of the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosim.energy.validation import (FIGURES, breakdown_table, calibrated_adc_conversion,  # noqa: E402
                                        leave_one_macro_out, validation_table)


def _value(row: dict, key: str) -> str:
    v = row[key]
    if row["quantity"] != "s":
        return f"{v:.4g} TOPS/W"
    return f"{v * 1e9:.3g} ns" if v < 1e-6 else f"{v * 1e6:.3g} us"


def summary(rows: list[dict]) -> dict:
    """Counts of the prediction rows: all of them, the papers behind them, and those whose published
    number was read from the primary text (``source = paper``)."""
    predictions = [r for r in rows if r["role"] == "prediction"]
    primary = [r for r in predictions if r["source"] == "paper"]
    return {"predictions": len(predictions), "papers": len({r["paper"] for r in predictions}),
            "primary_predictions": len(primary), "primary_papers": len({r["paper"] for r in primary}),
            "misses": sum(not r["within_tolerance"] for r in predictions)}


#: The blocks of the printed table: a calibration row is never printed as a prediction.
BLOCKS = (("calibration", "CALIBRATION (one energy solved from the figure: an accounting check, not a test)"),
          ("prediction", "PREDICTION (nothing fitted to the figure)"),
          ("consistency", "CONSISTENCY (same preset and workload as a calibration: the paper's numbers "
                          "against each other, not a prediction)"))


def table_text(rows: list[dict], lomo: list[dict] | None = None, breakdown: list[dict] | None = None) -> str:
    """The validation table for people: calibration, prediction and consistency rows in separate blocks,
    then the prediction summary, the leave-one-macro-out summary and the breakdown checks."""
    lines = []
    for role, title in BLOCKS:
        block = [r for r in rows if r["role"] == role]
        if not block:
            continue
        lines += ["", title,
                  f"{'figure':<28} {'from':<10} {'published':>14} {'neurosim':>14} {'error':>8}  verdict"]
        for r in block:
            verdict = ("calibrated" if role == "calibration" else
                       f"within ±{r['tolerance']:.0%}" if r["within_tolerance"] else "MISS: " + r["miss"])
            lines.append(f"{r['key']:<28} {r['source']:<10} {_value(r, 'published'):>14} "
                         f"{_value(r, 'neurosim'):>14} {r['relative_error']:>+8.1%}  {verdict}")
    n = summary(rows)
    lines.append(f"\n{n['predictions']} predictions from {n['papers']} papers, {n['misses']} outside tolerance; "
                 f"{n['primary_predictions']} of them (from {n['primary_papers']} papers) read from the primary "
                 f"text, {n['predictions'] - n['primary_predictions']} unverified")
    if lomo:
        lines += ["", "LEAVE ONE MACRO OUT (its conversion energy from the other macros' mean figure of merit)",
                  f"{'held out':<18} {'own FoM':>10} {'others':>10} {'published':>14} {'neurosim':>14} {'error':>8}"]
        for r in lomo:
            lines.append(f"{r['held_out']:<18} {r['fom_J'] * 1e15:>7.1f} fJ {r['others_fom_J'] * 1e15:>7.1f} fJ "
                         f"{r['published']:>7.4g} TOPS/W {r['neurosim']:>7.4g} TOPS/W {r['relative_error']:>+8.1%}")
    if breakdown:
        lines += ["", "ENERGY BREAKDOWN (a share of the energy: implied by two published figures vs the model's)"]
        for r in breakdown:
            if r["error_pp"] is None:
                lines.append(f"{r['key']:<26} unverified: {r['unverified']}")
                continue
            lines.append(f"{r['key']:<26} {r['source']:<10} published {r['published_share']:+7.1%}  neurosim "
                         f"{r['neurosim_share']:+7.1%}  error {r['error_pp']:+6.1f} pp  ({r['component']})")
    return "\n".join(lines)


def markdown(rows: list[dict], lomo: list[dict], breakdown: list[dict]) -> str:
    """The validation tables (``--markdown``; docs/reference/energy-validation.md shows them): every figure,
    the leave-one-macro-out rows and the breakdown checks, as measured."""
    out = ["| figure | paper | role | operating point (as the paper states it) | published | neurosim | error "
           "| from |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        role = r["role"] if r["role"] != "prediction" else "**prediction**"
        out.append(f"| `{r['key']}` | {r['paper']} | {role} | {r['operating_point']} | {r['as_printed']} | "
                   f"{_value(r, 'neurosim')} | {r['relative_error']:+.1%} | {r['source']} |")
    out += ["", "| held out | own FoM | others' FoM | published | neurosim | error |", "|---|---|---|---|---|---|"]
    for r in lomo:
        out.append(f"| `{r['held_out']}` | {r['fom_J'] * 1e15:.1f} fJ | {r['others_fom_J'] * 1e15:.1f} fJ | "
                   f"{r['published']:.4g} TOPS/W | {r['neurosim']:.4g} TOPS/W | {r['relative_error']:+.1%} |")
    out += ["", "| breakdown check | share | published | neurosim | error | from |", "|---|---|---|---|---|---|"]
    for r in breakdown:
        if r["error_pp"] is None:
            out.append(f"| `{r['key']}` | {r['component']} | unverified | – | – | {r['unverified']} |")
        else:
            out.append(f"| `{r['key']}` | {r['component']} | {r['published_share']:+.1%} | "
                       f"{r['neurosim_share']:+.1%} | {r['error_pp']:+.1f} pp | {r['source']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--calibrate", action="store_true",
                        help="also print the conversion energy each calibration row implies")
    parser.add_argument("--markdown", action="store_true", help="print the docs page's tables instead of the JSON")
    args = parser.parse_args(argv)
    rows = validation_table(args.seed)
    lomo = leave_one_macro_out(args.seed)
    breakdown = breakdown_table(args.seed)
    if args.markdown:
        print(markdown(rows, lomo, breakdown))
        return 0
    out = {"benchmark": "energy_validation", "seed": args.seed, "rows": rows, "leave_one_macro_out": lomo,
           "breakdown": breakdown, "summary": summary(rows)}
    if args.calibrate:
        out["calibrated_adc_conversion_J"] = {f.key: calibrated_adc_conversion(f, args.seed)
                                              for f in FIGURES if f.role == "calibration"}
    print(json.dumps(out, indent=2))
    print(table_text(rows, lomo, breakdown), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
