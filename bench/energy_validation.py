"""Energy model vs published silicon: calibration and out-of-sample prediction, as JSON and a table.

    python bench/energy_validation.py [--seed 0] [--calibrate]

For every published figure in ``neurosim.energy.validation.FIGURES``: the macro,
its preset, the workload, the published and simulated value (TOPS/W, or s for a
latency), the relative error, the tolerance, where the published number was read
(``paper`` or ``summary``) and the source. ``role = calibration`` rows reproduce the
figure one preset energy was solved from (an accounting check); ``role = prediction``
rows fit nothing (``calibrated_on`` names the figure their preset was calibrated on);
a prediction outside its tolerance carries ``miss``, the stated cause. The JSON goes
to stdout, a readable table to stderr. ``--calibrate`` adds the conversion energy each
calibration row implies (the value written into its preset).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosim.energy.validation import FIGURES, calibrated_adc_conversion, validation_table  # noqa: E402


def _value(row: dict, key: str) -> str:
    v = row[key]
    return f"{v * 1e6:.3g} us" if row["quantity"] == "s" else f"{v:.4g} TOPS/W"


def table_text(rows: list[dict]) -> str:
    """The validation table for people: one line per published figure."""
    lines = [f"{'figure':<18} {'role':<11} {'from':<7} {'published':>14} {'neurosim':>14} {'error':>8}  verdict"]
    for r in rows:
        verdict = ("calibrated" if r["role"] == "calibration" else
                   "within ±30 %" if r["within_tolerance"] else "MISS: " + r["miss"][:60] + "…")
        lines.append(f"{r['key']:<18} {r['role']:<11} {r['source']:<7} {_value(r, 'published'):>14} "
                     f"{_value(r, 'neurosim'):>14} {r['relative_error']:>+8.1%}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--calibrate", action="store_true",
                        help="also print the conversion energy each calibration row implies")
    args = parser.parse_args(argv)
    rows = validation_table(args.seed)
    out = {"benchmark": "energy_validation", "seed": args.seed, "rows": rows}
    if args.calibrate:
        out["calibrated_adc_conversion_J"] = {f.key: calibrated_adc_conversion(f, args.seed)
                                              for f in FIGURES if f.role == "calibration"}
    print(json.dumps(out, indent=2))
    print(table_text(rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
