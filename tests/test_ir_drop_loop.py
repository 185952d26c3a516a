"""IR drop inside the spiking loop (``crossbar.wire_resistance``): one model (:func:`line_sums`) serves the
macro's reads and every engine's drive; engines that cannot apply it refuse it by name, before any work."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar import CrossbarMacro
from neurosim.crossbar.periphery import array_distance, ir_drop, line_sums
from neurosim.engines import get_engine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.errors import ConfigError, EngineError
from neurosim.networks.lsm import build_lsm

INPUTS = 24
CHIP = "rram-40nm-256kb"
SMALL = ["network.neurons=16", "crossbar.rows=32", "crossbar.cols=64"]  # two arrays of rows, like the default


def _lsm(*overrides: str):
    config = load_config(CHIP, overrides=[*SMALL, *overrides])
    return build_lsm(config, INPUTS, np.random.default_rng(3))


def _raster(samples: int = 6, bins: int = 12, density: float = 0.35) -> np.ndarray:
    return np.random.default_rng(5).random((samples, bins, INPUTS)) < density


def _spikes(lsm, engine: str = "cpu", raster=None) -> np.ndarray:
    return get_engine(engine).run(lsm, _raster() if raster is None else raster).spike_raster


# ------------------------------------------------------------------ the physics


def test_one_cell_sees_the_wire_between_it_and_the_sense_end():
    g = np.array([[50e-6]])
    for d in (1, 7, 200):
        got = line_sums(np.ones((1, 1)), g, np.array([d]), 2.0)
        assert got[0, 0] == pytest.approx(50e-6 / (1 + 2.0 * d * 50e-6), rel=1e-12)


def test_the_drop_grows_with_active_rows_distance_and_resistance():
    rng = np.random.default_rng(0)
    g = rng.uniform(20e-6, 60e-6, size=(64, 5))
    dist = array_distance(np.arange(64), 64)
    few, many = np.zeros((1, 64)), np.zeros((1, 64))
    few[0, :4] = 1
    many[0, :32] = 1
    kept = [line_sums(many, g, dist, r) / (many @ g) for r in (0.0, 0.5, 1.0, 2.0, 5.0)]
    assert np.all(np.diff(np.stack(kept), axis=0) < 0)          # larger resistance → lower current
    assert np.all(line_sums(few, g, dist, 1.0) / (few @ g) > kept[2])   # more line current → more drop
    near, far = np.zeros((1, 64)), np.zeros((1, 64))
    near[0, 60:] = 1
    far[0, :4] = 1
    assert np.all(line_sums(near, g, dist, 1.0) / (near @ g) > line_sums(far, g, dist, 1.0) / (far @ g))


def test_line_sums_is_the_full_line_current_model_to_first_order():
    """Each cell loses r·Σ(segments to the sense end)·(their current): checked row by row, small r."""
    rng = np.random.default_rng(1)
    g = rng.uniform(1e-6, 1e-4, size=(40, 3))
    x = (rng.random((4, 40)) < 0.4).astype(float)
    dist = array_distance(np.arange(40), 40)
    r = 1e-3
    for b in range(4):
        seg = np.array([[(x[b] * g[:, j] * (dist >= k)).sum() for k in range(1, 41)] for j in range(3)])
        loss = np.array([(x[b] * g[:, j] * np.array([r * seg[j, :d].sum() for d in dist])).sum()
                         for j in range(3)])
        want = x[b] @ g - loss
        np.testing.assert_allclose(line_sums(x[b:b + 1], g, dist, r)[0], want, rtol=1e-6)


def test_zero_resistance_is_the_exact_matmul_and_ir_drop_is_unchanged():
    rng = np.random.default_rng(2)
    x, g = rng.random((3, 10)), rng.random((10, 4))
    assert np.array_equal(line_sums(x, g, np.arange(1, 11), 0.0), x @ g)
    assert ir_drop(2.0, 0.5, 0.0) == 2.0 and ir_drop(2.0, 0.5, 2.0) == 1.0


# ------------------------------------------------------------------ the loop


def test_zero_wire_resistance_reproduces_todays_spikes_bit_for_bit():
    lsm = _lsm()
    assert lsm.drive_adc is not None and lsm.drive_adc.wire_resistance == 0.0 and lsm.drive_adc.cells is None
    kernel = get_engine("cpu").run(lsm, _raster()).spike_raster   # the compiled ADC kernel, as before
    again = _lsm("crossbar.wire_resistance=0.0")
    assert np.array_equal(_spikes(again), kernel)


DIGITAL_OFFSET = ["crossbar.mapping=offset", "crossbar.offset_reference=digital", "crossbar.adc_range=0.5"]


@pytest.mark.parametrize("extra", [[], ["crossbar.adc_mode=ideal"], ["crossbar.mapping=offset"], DIGITAL_OFFSET])
def test_wire_resistance_changes_spikes_on_cpu(extra):
    raster = _raster()
    base = _spikes(_lsm(*extra), raster=raster)
    dropped = _spikes(_lsm(*extra, "crossbar.wire_resistance=5.0"), raster=raster)
    assert base.any() and not np.array_equal(base, dropped)


def test_the_drop_lowers_activity_monotonically():
    """A lower column current drives the membranes less: a stronger drop, fewer spikes (weak recurrence)."""
    raster = _raster(samples=4, density=0.5)
    counts = [int(_spikes(_lsm(f"crossbar.wire_resistance={r}", "network.recurrent_scale=0.01"),
                          raster=raster).sum()) for r in (0.0, 5.0, 50.0)]
    assert counts[0] >= counts[1] >= counts[2] and counts[0] > counts[2]


def test_the_loops_partial_sums_are_the_macros_for_the_same_active_rows():
    """One physics: a step's segment partial sum equals CrossbarMacro's read of those rows on that array."""
    lsm = _lsm("crossbar.wire_resistance=3.0", "crossbar.adc_mode=ideal")
    config = load_config(CHIP, overrides=[*SMALL, "crossbar.wire_resistance=3.0", "crossbar.adc_mode=ideal"])
    adc = lsm.drive_adc
    p = lsm.programmed
    x = (np.random.default_rng(9).random((5, INPUTS)) < 0.5).astype(float)
    group, start, stop = adc.segments[0]
    assert group == 0 and (start, stop) == (0, INPUTS)
    loop = adc.drive(x, lsm.w_in, 0)                           # membrane units
    macro = CrossbarMacro(config, p, rng=np.random.default_rng(0))
    rows = np.zeros((5, p.weights.shape[0]))
    rows[:, :INPUTS] = x                                       # the input rows of the stacked matrix
    read = macro @ rows                                        # gain · (G+ − G−) sums with IR drop
    np.testing.assert_allclose(loop, read * adc.unit[0] / p.gain, rtol=1e-12, atol=1e-12)
    ideal = x @ lsm.w_in
    assert not np.allclose(loop, ideal)


def test_the_macro_prices_the_current_it_drew():
    config = load_config(CHIP, overrides=[*SMALL, "crossbar.adc_mode=ideal"])
    p = build_lsm(config, INPUTS, np.random.default_rng(3)).programmed
    x = (np.random.default_rng(4).random((8, p.weights.shape[0])) < 0.5).astype(float)
    drawn = []
    for r in (0.0, 1.0, 10.0):
        cfg = load_config(CHIP, overrides=[*SMALL, "crossbar.adc_mode=ideal", f"crossbar.wire_resistance={r}"])
        macro = CrossbarMacro(cfg, p, rng=np.random.default_rng(0))
        macro @ x
        drawn.append(macro.tally.cell_read_J)
    assert drawn[0] > drawn[1] > drawn[2] > 0


def test_continuous_models_apply_it_on_cpu():
    raster = _raster(samples=3)
    twin = GpuEngine(device="cpu", dtype="float64")   # the cpu engine's IR-drop path, wire ideal
    base = twin.run(_lsm("network.model=lif"), raster).spike_raster
    dropped = _spikes(_lsm("network.model=lif", "crossbar.wire_resistance=20.0"), raster=raster)
    assert not np.array_equal(base, dropped)


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("engine", ["brian2", "brian2-standalone"])
def test_brian2_refuses_by_name_before_any_work(engine):
    lsm = _lsm("crossbar.wire_resistance=1.0")
    e = get_engine(engine)
    assert not e.supports(lsm)
    with pytest.raises(EngineError, match=rf"crossbar\.wire_resistance.*{engine} engine"):
        e.run(lsm, np.zeros((1, 2, INPUTS + 1), dtype=bool))   # a bad raster: the refusal comes first


def test_auto_does_not_pick_an_engine_that_would_refuse():
    from neurosim.engines import AutoEngine

    assert AutoEngine().pick(_lsm("crossbar.wire_resistance=1.0")).name in ("cpu", "gpu")


@pytest.mark.parametrize("mask", ["network.input_p=0.5", "network.dale=true"])
def test_networks_whose_weights_are_not_the_cells_are_refused(mask):
    lsm = _lsm("crossbar.wire_resistance=1.0", mask)
    for engine in ("cpu", "gpu"):
        with pytest.raises(EngineError, match=r"crossbar\.wire_resistance"):
            (get_engine("cpu") if engine == "cpu" else GpuEngine(device="cpu")).run(lsm, _raster(1))


def test_a_step_hook_with_ir_drop_is_refused_by_name():
    from neurosim.engines.online import StepHook

    class Hook(StepHook):
        def step(self, *args, **kwargs):
            return None

    with pytest.raises(EngineError, match=r"crossbar\.wire_resistance.*cpu"):
        get_engine("cpu").run(_lsm("crossbar.wire_resistance=1.0"), _raster(1), hook=Hook())


def test_an_ideal_chip_refuses_a_wire_resistance():
    with pytest.raises(ConfigError, match=r"crossbar\.wire_resistance"):
        build_lsm(load_config("ideal", overrides=["network.neurons=8", "crossbar.wire_resistance=1.0"]), 4,
                  np.random.default_rng(0))
