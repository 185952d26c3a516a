"""IR drop is priced on the network path: the cells' read energy follows the current the lines drew
through the wires (``crossbar.wire_resistance``), and the envelope's clipping checks the partial sums
the loop converts."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar.periphery import line_sums
from neurosim.energy import cell_read_energy
from neurosim.energy.counters import count_operations
from neurosim.engines import get_engine
from neurosim.networks.lsm import build_lsm

INPUTS = 24
SMALL = ["network.neurons=16", "crossbar.rows=32", "crossbar.cols=64"]


def _run(*overrides: str, samples: int = 1):
    config = load_config("rram-40nm-256kb", overrides=[*SMALL, *overrides])
    lsm = build_lsm(config, INPUTS, np.random.default_rng(3))
    raster = np.random.default_rng(5).random((samples, 12, INPUTS)) < 0.35
    spikes = get_engine("cpu").run(lsm, raster).spike_raster
    counts = count_operations(raster, spikes, lsm.programmed.tiling, 10, network=lsm)
    return config, lsm, raster, spikes, counts


def test_without_ir_drop_nothing_changes():
    config, lsm, _, _, counts = _run()
    assert counts.line_current_ideal == 0.0 and counts.line_current_drawn == 0.0
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    nominal = v * v * t * float(np.dot(counts.row_activations_per_row, lsm.programmed.row_conductance))
    assert cell_read_energy(config, counts, lsm.programmed) == nominal


def test_the_cells_energy_is_what_the_lines_drew():
    """One sample (every sample checked): the priced row energy × ideal/drawn is the nominal one, and
    drawn/ideal is line_sums' ratio over the reads the loop made (recurrent rows one step late)."""
    config, lsm, raster, spikes, counts = _run("crossbar.wire_resistance=2.0")
    assert 0.0 < counts.line_current_drawn < counts.line_current_ideal
    adc, cells = lsm.drive_adc, lsm.drive_adc.cells
    previous = np.zeros_like(spikes)
    previous[:, 1:] = spikes[:, :-1]
    xs = (raster[0].astype(float), previous[0].astype(float))
    ideal = drawn = 0.0
    for group, start, stop in adc.segments:
        x = xs[group][:, start:stop]
        x = x[x.any(axis=1)]
        gp, gn, _, dist = cells._arrays(group, start, stop, np.float64, np)
        for g in (gp, gn):
            if g is not None:
                ideal += float((x @ g).sum())
                drawn += float(line_sums(x, g, dist, 2.0).sum())
    assert counts.line_current_ideal == pytest.approx(ideal, rel=1e-12)
    assert counts.line_current_drawn == pytest.approx(drawn, rel=1e-12)
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    nominal = v * v * t * float(np.dot(counts.row_activations_per_row, lsm.programmed.row_conductance))
    assert cell_read_energy(config, counts, lsm.programmed) == pytest.approx(nominal * drawn / ideal, rel=1e-12)


def test_more_wire_resistance_draws_less_for_the_same_spikes():
    base = _run("crossbar.wire_resistance=0.5")
    config, lsm, raster, spikes, _ = base
    fractions = []
    for r in (0.5, 2.0, 8.0):
        lsm_r = build_lsm(load_config("rram-40nm-256kb", overrides=[*SMALL, f"crossbar.wire_resistance={r}"]),
                          INPUTS, np.random.default_rng(3))
        counts = count_operations(raster, spikes, lsm_r.programmed.tiling, 10, network=lsm_r)
        fractions.append(counts.line_current_drawn / counts.line_current_ideal)
    assert fractions[0] > fractions[1] > fractions[2] > 0.0


def test_clipping_is_checked_on_the_partial_sums_the_loop_converts(monkeypatch):
    """Under IR drop the envelope reads the cells through the wires (LineCells.partial_sums), not w."""
    config, lsm, raster, spikes, _ = _run("crossbar.wire_resistance=2.0")
    calls = []
    original = type(lsm.drive_adc.cells).partial_sums

    def spy(self, *args, **kwargs):
        calls.append(args[1:4])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(lsm.drive_adc.cells), "partial_sums", spy)
    count_operations(raster, spikes, lsm.programmed.tiling, 10, network=lsm)
    assert calls, "the clipping check did not read the cells through the wires"
