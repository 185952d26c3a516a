"""Energy model vs published silicon: calibration and out-of-sample prediction, as JSON and a table.

    python bench/energy_validation.py [--seed 0] [--calibrate]

For every published figure in ``neurosim.energy.validation.FIGURES``: the macro,
its preset, the workload, the published and simulated value (TOPS/W, or s for a
latency), the relative error, the tolerance, where the published number was read
(``paper`` or ``unverified``) and the source. ``role = calibration`` rows reproduce the
figure one preset energy was solved from (an accounting check); ``role = prediction``
rows fit nothing (``calibrated_on`` names the figure their preset was calibrated on);
``role = consistency`` rows repeat a calibration's workload (never counted as predictions);
a prediction outside its tolerance carries ``miss``, the stated cause. The three are printed
in separate blocks, then the leave-one-macro-out summary. The JSON goes to stdout, a readable
table to stderr. ``--calibrate`` adds the conversion energy each
calibration row implies (the value written into its preset).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosim.energy.validation import (FIGURES, calibrated_adc_conversion, leave_one_macro_out,  # noqa: E402
                                        validation_table)


def _value(row: dict, key: str) -> str:
    v = row[key]
    return f"{v * 1e6:.3g} us" if row["quantity"] == "s" else f"{v:.4g} TOPS/W"


#: The blocks of the printed table: a calibration row is never printed as a prediction.
BLOCKS = (("calibration", "CALIBRATION (one energy solved from the figure: an accounting check, not a test)"),
          ("prediction", "PREDICTION (nothing fitted to the figure)"),
          ("consistency", "CONSISTENCY (same preset and workload as a calibration: the paper's numbers "
                          "against each other, not a prediction)"))


def table_text(rows: list[dict], lomo: list[dict] | None = None) -> str:
    """The validation table for people: calibration, prediction and consistency rows in separate blocks,
    then the leave-one-macro-out summary."""
    lines = []
    for role, title in BLOCKS:
        block = [r for r in rows if r["role"] == role]
        if not block:
            continue
        lines += ["", title,
                  f"{'figure':<18} {'from':<10} {'published':>14} {'neurosim':>14} {'error':>8}  verdict"]
        for r in block:
            verdict = ("calibrated" if role == "calibration" else
                       f"within ±{r['tolerance']:.0%}" if r["within_tolerance"] else "MISS: " + r["miss"])
            lines.append(f"{r['key']:<18} {r['source']:<10} {_value(r, 'published'):>14} "
                         f"{_value(r, 'neurosim'):>14} {r['relative_error']:>+8.1%}  {verdict}")
    predictions = [r for r in rows if r["role"] == "prediction"]
    misses = [r for r in predictions if not r["within_tolerance"]]
    lines.append(f"\n{len(predictions)} predictions from {len({r['chip'] for r in predictions})} macros, "
                 f"{len(misses)} outside tolerance; sources: "
                 f"{sum(r['source'] == 'paper' for r in predictions)} read from the paper, "
                 f"{sum(r['source'] == 'unverified' for r in predictions)} unverified")
    if lomo:
        lines += ["", "LEAVE ONE MACRO OUT (its conversion energy from the other macros' mean figure of merit)",
                  f"{'held out':<18} {'own FoM':>10} {'others':>10} {'published':>14} {'neurosim':>14} {'error':>8}"]
        for r in lomo:
            lines.append(f"{r['held_out']:<18} {r['fom_J'] * 1e15:>7.1f} fJ {r['others_fom_J'] * 1e15:>7.1f} fJ "
                         f"{r['published']:>7.4g} TOPS/W {r['neurosim']:>7.4g} TOPS/W {r['relative_error']:>+8.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--calibrate", action="store_true",
                        help="also print the conversion energy each calibration row implies")
    args = parser.parse_args(argv)
    rows = validation_table(args.seed)
    lomo = leave_one_macro_out(args.seed)
    out = {"benchmark": "energy_validation", "seed": args.seed, "rows": rows, "leave_one_macro_out": lomo}
    if args.calibrate:
        out["calibrated_adc_conversion_J"] = {f.key: calibrated_adc_conversion(f, args.seed)
                                              for f in FIGURES if f.role == "calibration"}
    print(json.dumps(out, indent=2))
    print(table_text(rows, lomo), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
