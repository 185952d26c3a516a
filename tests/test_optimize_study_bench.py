"""The co-design study bench (bench/optimize_study.py) and its reference-point rule (bench/optimize_reference.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurosim.optimize.space import spec_from_table
from neurosim.sweep import plan_units
from studies import load_bench_script

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    return load_bench_script(f"{name}.py")


TABLE = {"chip": "rram-40nm-256kb", "task": "classify", "instances": 1, "engine": "cpu",
         "set": ["run.samples=100", "input.n_bins=4"],
         "space": {"network.neurons": {"choices": [8, 16]}}}


def test_full_grid_units_are_the_search_units_with_a_data_dir(tmp_path):
    """The bench's grid pool and a search must plan the same unit ids when the protocol names data_dir
    (they did not: the grid left data_dir out, so every search unit fell outside the pool)."""
    from neurosim.optimize.driver import _units

    study = _load("optimize_study")
    spec = spec_from_table({**TABLE, "data_dir": str(tmp_path)})
    grid_ids = {u.id for u in plan_units(study.full_grid(spec))}
    search_ids = {u.id for n in (8, 16) for u in _units(spec, {"network.neurons": n})}
    assert study.full_grid(spec).data_dir == spec.data_dir
    assert search_ids == grid_ids


@pytest.mark.parametrize("x, up", [(8.9e-8, 1e-7), (1e-7, 1e-7), (1.1e-6, 2e-6), (3e-3, 5e-3), (5.01, 10.0)])
def test_round_up_to_1_2_5(x, up):
    assert _load("optimize_reference").round_up(x) == pytest.approx(up)


def test_busiest_inference_bounds_energy_by_size():
    """More neurons in the all-spiking inference cost more energy and area (the rule's bound moves with the space)."""
    ref = _load("optimize_reference")
    spec = spec_from_table(TABLE)
    units = sorted(plan_units(_load("optimize_study").full_grid(spec)), key=lambda u: u.config.network.neurons)
    small, large = (ref.busiest(u.config, n_inputs=16, n_classes=10) for u in units)
    assert 0 < small[0] < large[0] and 0 < small[1] <= large[1]
