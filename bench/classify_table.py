"""The earlier table of docs/studies/classification.md: reservoir vs no-reservoir baselines; prints JSON.

    python bench/classify_table.py [--dataset nmnist] [--data-dir ../shared/data] [--samples 0]
                                   [--chips ideal rram-40nm-256kb] [--neurons 200 1000 2000]
                                   [--readouts ridge logistic] [--seed 0]

For every chip × reservoir size × readout: the classify task's k-fold CV accuracy with its
95 % interval (``classify.folds``, same folds for every row), its test-split accuracy and its
energy per inference, and its margin over the strongest no-reservoir baseline with a McNemar
test on the same out-of-fold predictions; for each readout, the baselines' accuracies (they do not
depend on the chip or the reservoir) and the learning curve of the first row. Every
row is what ``neurosim run --chip C --dataset D --set network.neurons=N --set readout.model=R``
reports. The frozen N-MNIST study (controls, official Test split, nested CV, both readouts) is
``bench/studies/classify_nmnist.py`` with its protocol ``bench/studies/classify_nmnist_v1.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.config import load_config  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks import RunContext, run_task  # noqa: E402


def _projection(points: list[dict], n_train: int) -> float | None:
    """Accuracy at ``n_train`` training samples from a power law ``error = a·n^b`` fitted (least squares
    in log-log) to a learning curve: a projection, not a measurement (None with < 3 points)."""
    if len(points) < 3:
        return None
    n = np.log([p["n_train"] for p in points])
    err = np.log([max(1e-6, 1.0 - p["value"]) for p in points])
    slope, intercept = np.polyfit(n, err, 1)
    return float(1.0 - np.exp(intercept + slope * np.log(n_train)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="nmnist")
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--chips", nargs="+", default=["ideal", "rram-40nm-256kb"])
    parser.add_argument("--neurons", nargs="+", type=int, default=[200, 1000, 2000])
    parser.add_argument("--readouts", nargs="+", default=["ridge", "logistic"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", default="cpu")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    rows, baselines, curves = [], {}, {}
    for readout in args.readouts:
        for neurons in args.neurons:
            for chip in args.chips:
                first = readout not in baselines
                overrides = [f"run.dataset={args.dataset}", f"run.samples={args.samples}", f"run.seed={args.seed}",
                             f"network.neurons={neurons}", f"readout.model={readout}",
                             f"classify.learning_curve={str(first).lower()}", *args.overrides]
                start = time.perf_counter()
                out = run_task("classify", load_config(chip, overrides=overrides),
                               RunContext(args.engine, args.data_dir))
                report = out.report
                cv = report["accuracy"]["cv"]
                rows.append({"readout": readout, "chip": chip, "neurons": neurons,
                             "cv": {k: cv[k] for k in ("value", "low", "high", "folds")},
                             "test_split": report["accuracy"]["test"],
                             "vs_strongest_baseline": {k: report["comparison"][k] for k in
                                                       ("strongest_baseline", "margin_points", "mcnemar_p")},
                             "energy_per_inference_J": report["energy"]["per_inference_J"],
                             "wall_s": round(time.perf_counter() - start, 1)})
                if first:
                    baselines[readout] = {k: {m: v[m] for m in ("value", "low", "high")}
                                          for k, v in report["baselines"].items()}
                    curves[readout] = {"chip": chip, "neurons": neurons, **report["learning_curve"],
                                       "projected_at_60000": _projection(report["learning_curve"]["reservoir"],
                                                                         60000)}
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(json.dumps(to_jsonable({"dataset": args.dataset, "samples": args.samples, "seed": args.seed,
                                  "machine": platform.machine(), "rows": rows, "baselines": baselines,
                                  "learning_curves": curves}), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
