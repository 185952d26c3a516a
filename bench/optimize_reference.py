"""A hypervolume reference point for a study protocol, from its chip and space alone (no run).

    python bench/optimize_reference.py --protocol bench/studies/optimize_vs_grid_nmnist.toml --inputs 256

Rule: for every point of the protocol's space (chip instance 0), the dynamic energy per inference (J)
of the busiest possible inference, in which every one of the ``--inputs`` input channels and every
reservoir neuron spikes in every one of the ``input.n_bins`` time bins (``Chip.energy`` of all-ones
rasters; a real inference cannot drive more rows, reads or conversions), and the chip area (m²). The
reference is the largest of each over the space, rounded up to the next 1, 2 or 5 × 10^k, with
accuracy 0. No trial of the space can lie beyond it, so every trial counts toward the hypervolume.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from neurosim import Chip  # noqa: E402
from neurosim.energy.area import estimate_area  # noqa: E402
from neurosim.optimize.space import spec_from_table  # noqa: E402
from neurosim.sweep import plan_units  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from optimize_study import full_grid  # noqa: E402


def round_up(x: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least ``x`` (x > 0)."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10.0**k >= x * (1 - 1e-12):
            return m * 10.0**k
    raise AssertionError(x)


def busiest(config, n_inputs: int, n_classes: int) -> tuple[float, float]:
    """(dynamic J per inference with every input and neuron spiking in every bin, area m²)."""
    chip = Chip(config)
    bins, neurons = config.input.n_bins, config.network.neurons
    raster = np.ones((1, bins, n_inputs), dtype=bool)
    spikes = np.ones((1, bins, neurons), dtype=bool)
    estimate = chip.energy(spikes, raster, n_classes=n_classes)
    dynamic = estimate.per_inference_J - estimate.breakdown_J["static"]
    area = estimate_area(config, chip.reservoir(n_inputs).programmed.tiling).total_m2
    return float(dynamic), float(area)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", type=Path, required=True)
    parser.add_argument("--inputs", type=int, required=True, help="input channels of the dataset as binned")
    parser.add_argument("--classes", type=int, default=10, help="readout outputs (default: 10)")
    args = parser.parse_args()
    spec = spec_from_table(tomllib.loads(args.protocol.read_text())["study"]["optimize"])
    rows = []
    for unit in plan_units(full_grid(spec)):
        if unit.instance != 0:
            continue
        energy, area = busiest(unit.config, args.inputs, args.classes)
        rows.append({"point": dict(unit.point), "energy_J": energy, "area_m2": area})
    energy = max(r["energy_J"] for r in rows)
    area = max(r["area_m2"] for r in rows)
    print(json.dumps({"inputs": args.inputs, "points": len(rows), "max_energy_J": energy, "max_area_m2": area,
                      "reference": {"accuracy": 0.0, "energy": round_up(energy), "area": round_up(area)}},
                     indent=1))


if __name__ == "__main__":
    main()
