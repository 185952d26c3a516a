"""The README results table's energy columns alone: each row's run simulated, its operations priced.

    python bench/readme_energy.py [--data-dir ../shared/data] [--rows ROW ...]

The rows and their commands are ``bench/readme_results.py``'s; the energy depends only on the run's
spikes (the same simulation, seed and chip instance as that script's), so this skips the readout
and its cross-validation. Per row: the headline (dynamic energy, chip vs the strongest fair baseline
by dynamic energy, same spikes), both sides' standby power, the ratio at one inference per sample
(static included) and back to back, and the decision timing. JSON on stdout, markdown cells on stderr.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "bench"))

from readme_results import ROWS, energy_cells, selected_rows  # noqa: E402

from neurosim.energy import estimate_energy  # noqa: E402
from neurosim.report.json_report import to_jsonable  # noqa: E402
from neurosim.tasks.pipeline import Pipeline  # noqa: E402
from neurosim.tasks.report_parts import energy_sections  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args, rows = selected_rows(__doc__.splitlines()[0], argv)
    measured = []
    for k, label, config, data_dir in rows:
        command = ROWS[k][1]
        start = time.perf_counter()
        data = Pipeline(config, args.engine, data_dir).run_dataset()
        n_classes = len(set(data.labels.tolist()))
        e = estimate_energy(config, data.operations_with_readout(n_classes), data.network.programmed,
                            n_inputs=data.input_counts.shape[1], n_classes=n_classes, steps=data.n_bins,
                            sample_s=float(data.durations_s.mean()))
        cells = energy_cells(energy_sections(e)["energy"])
        measured.append({"row": k, "data": label, "chip": config.chip.name,
                         "command": f"neurosim run {command}".strip(),
                         "chip_dynamic_J": e.dynamic_J, "baseline": e.baseline_name,
                         "baseline_dynamic_J": e.baseline_dynamic_J, "headline": e.improvement_vs_baseline,
                         "standby_W": e.standby_W, "baseline_static_W": e.baseline_static_W,
                         "rate_curve": e.rate_curve(), "sensitivity": e.sensitivity_table(),
                         "timing": e.timing, "breakdown_J": e.breakdown_J, "cells": cells,
                         "baselines": [dict(b) for b in e.baselines], "latency_s": e.latency_s,
                         "wall_s": round(time.perf_counter() - start, 1)})
        print(f"row {k} {label} {config.chip.name}: {cells}", file=sys.stderr, flush=True)
    print(json.dumps(to_jsonable({"rows": measured}), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
