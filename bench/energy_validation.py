"""Energy model vs published silicon: prints one JSON object (published vs neurosim TOPS/W).

    python bench/energy_validation.py [--seed 0] [--calibrate]

For every published figure in ``neurosim.energy.validation.FIGURES``: the
macro, its preset, the workload, the published and simulated TOPS/W and
energy per operation, the relative error, the tolerance and the source.
``role = calibration`` rows reproduce the figure one preset energy was solved
from (an accounting check); ``role = prediction`` rows are predicted without
fitting. ``--calibrate`` adds the conversion energy each calibration row
implies (the value written into its preset).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosim.energy.validation import FIGURES, calibrated_adc_conversion, validation_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--calibrate", action="store_true",
                        help="also print the conversion energy each calibration row implies")
    args = parser.parse_args(argv)
    out = {"benchmark": "energy_validation", "seed": args.seed, "rows": validation_table(args.seed)}
    if args.calibrate:
        out["calibrated_adc_conversion_J"] = {f.key: calibrated_adc_conversion(f, args.seed)
                                              for f in FIGURES if f.role == "calibration"}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
