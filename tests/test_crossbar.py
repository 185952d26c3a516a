"""The crossbar macro: a matrix when ideal, tiling, bit-serial inputs, ADC, noise, IR drop, instances."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar import (Adc, CrossbarMacro, input_planes, program_instance, program_instances,
                               program_random_matrix)
from neurosim.energy import macro_energy_breakdown, macro_energy_J

IDEAL_PERIPHERY = ['crossbar.adc_mode="ideal"', "crossbar.input_bits=0"]


def chip(*overrides: str, preset: str = "rram-40nm-256kb"):
    return load_config(preset, overrides=list(overrides))


@pytest.mark.parametrize("mapping", ["differential", "offset"])
@pytest.mark.parametrize("source", ["forming", "program"])
def test_ideal_macro_is_the_numpy_matmul(mapping, source):
    config = chip(*IDEAL_PERIPHERY, f"crossbar.mapping={mapping!r}", f"device.weight_source={source!r}")
    rng = np.random.default_rng(0)
    programmed = program_random_matrix(config, (70, 30), rng)
    macro = CrossbarMacro(config, programmed)
    w = programmed.weights
    x = rng.standard_normal((2, 3, 70))
    np.testing.assert_allclose(macro @ x, x @ w, rtol=1e-12, atol=1e-12)
    v = rng.standard_normal(70)
    np.testing.assert_allclose(macro @ v, v @ w, rtol=1e-12, atol=1e-12)
    assert macro.shape == (30, 70) and macro.T.shape == (70, 30)
    u = rng.standard_normal((4, 30))
    np.testing.assert_allclose(macro.T @ u, u @ w.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(macro.matrix(), w.T)


def test_written_weights_are_stored_exactly_when_programming_is_ideal():
    config = chip(*IDEAL_PERIPHERY)
    rng = np.random.default_rng(1)
    w = rng.standard_normal((40, 12))
    macro = CrossbarMacro.from_weights(config, w, rng)
    np.testing.assert_allclose(macro.programmed.weights, w, rtol=1e-12, atol=1e-14)
    x = rng.standard_normal((5, 40))
    np.testing.assert_allclose(macro @ x, x @ w, rtol=1e-10, atol=1e-12)


def test_ideal_chip_macro_is_the_numpy_matmul_too():
    config = load_config("ideal")
    rng = np.random.default_rng(2)
    w = rng.standard_normal((33, 9))
    macro = CrossbarMacro.from_weights(config, w, rng)
    x = rng.standard_normal((6, 33))
    np.testing.assert_allclose(macro @ x, x @ w, rtol=1e-12, atol=1e-12)
    assert macro.tally.synapse_ops == 6 * 33 * 9 and macro.tally.adc_conversions == 0


def test_tiling_a_large_matrix_equals_one_big_array():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((700, 300))
    x = rng.standard_normal((4, 700))
    big = CrossbarMacro.from_weights(chip(*IDEAL_PERIPHERY, "crossbar.rows=1024", "crossbar.cols=1024"),
                                     w, np.random.default_rng(4))
    tiled = CrossbarMacro.from_weights(chip(*IDEAL_PERIPHERY, "crossbar.rows=128", "crossbar.cols=64"),
                                       w, np.random.default_rng(4))
    assert tiled.programmed.tiling.arrays == 6 * 10 and big.programmed.tiling.arrays == 1
    np.testing.assert_allclose(tiled @ x, big @ x, rtol=1e-12, atol=1e-12)
    # signed inputs take two passes; each of the 6 row tiles converts each output once per pass
    assert tiled.tally.adc_conversions == 2 * 4 * 300 * 6
    assert big.tally.adc_conversions == 2 * 4 * 300
    np.testing.assert_allclose(tiled.T @ x[:, :300], big.T @ x[:, :300], rtol=1e-12, atol=1e-12)


def test_bit_serial_inputs_reproduce_integer_inputs_exactly():
    config = chip('crossbar.adc_mode="ideal"', "crossbar.input_bits=4")
    rng = np.random.default_rng(5)
    p = program_random_matrix(config, (50, 20), rng)
    macro = CrossbarMacro(config, p)
    x = rng.integers(-15, 16, size=(8, 50)).astype(float)
    np.testing.assert_allclose(macro @ x, x @ p.weights, rtol=1e-12, atol=1e-12)
    planes = input_planes(x, 4)
    assert len(planes) == 8  # 4 bit planes x 2 signs
    np.testing.assert_array_equal(sum(s * plane for s, plane in planes), x)


def test_inputs_beyond_the_code_range_are_clipped():
    (scale, plane), = input_planes(np.array([[0.0, 1.0, 7.0]]), 1)
    assert scale == 1.0 and plane.tolist() == [[0.0, 1.0, 1.0]]


def test_adc_error_is_at_most_half_an_lsb_of_its_range():
    signed = Adc(bits=6, full_scale=3.0, signed=True)        # sign-magnitude: 63 levels, zero included
    assert signed.levels == 63 and signed.lsb == pytest.approx(3.0 / 31)
    v = np.random.default_rng(6).uniform(-3.0, 3.0, 100_000)
    assert np.abs(signed.convert(v) - v).max() <= signed.lsb / 2 + 1e-12
    assert signed.convert(np.array([-9.0, 0.0, 9.0])).tolist() == [-3.0, 0.0, 3.0]
    unsigned = Adc(bits=6, full_scale=3.0, signed=False)     # 64 levels on [0, fs]
    assert unsigned.levels == 64 and unsigned.lsb == pytest.approx(3.0 / 63)
    u = np.random.default_rng(7).uniform(0.0, 3.0, 100_000)
    assert np.abs(unsigned.convert(u) - u).max() <= unsigned.lsb / 2 + 1e-12
    assert unsigned.convert(np.array([-1.0, 9.0])).tolist() == [0.0, 3.0]
    assert np.array_equal(Adc(6, 3.0, quantize=False).convert(v), v)


@pytest.mark.parametrize("bits", [1, 4, 8])
def test_macro_outputs_are_within_half_an_lsb(bits):
    config = chip(f"crossbar.adc_bits={bits}", "crossbar.adc_range=1.0", "crossbar.rows=64")
    rng = np.random.default_rng(7)
    p = program_random_matrix(config, (64, 16), rng)
    macro = CrossbarMacro(config, p)
    x = (rng.random((200, 64)) < 0.3).astype(float)
    d = config.device
    full_scale = 64 * (d.g_max - d.g_min)  # ±(rows × window), in siemens
    # sign-magnitude: lsb = fs / (2^(b-1) - 1); a 1-bit sign comparator reads ±fs/2 (error ≤ fs/2)
    bound = full_scale / 2 if bits == 1 else full_scale / (2 ** (bits - 1) - 1) / 2
    assert np.abs(macro @ x - x @ p.weights).max() <= p.gain * bound * (1 + 1e-9)


def test_macro_counts_match_hand_counts():
    # 3 inputs x 2 outputs, differential, binary inputs [1, 0, 1]: 2 word lines driven, one array read,
    # 2 conversions, cell energy V² t (G of rows 0 and 2), 2 inputs written + 2 pulses read + 2 outputs
    # written (the buffer rule shared with the network path).
    config = chip("crossbar.rows=4", "crossbar.cols=4")
    rng = np.random.default_rng(11)
    p = program_random_matrix(config, (3, 2), rng)
    macro = CrossbarMacro(config, p)
    macro @ np.array([1.0, 0.0, 1.0])
    t = macro.tally
    assert (t.line_drives, t.input_pulses, t.array_reads, t.adc_conversions) == (2, 2, 1, 2)
    assert (t.digital_adds, t.buffer_accesses, t.macs) == (0, 6, 6)
    v, tp = config.crossbar.read_voltage, config.crossbar.read_pulse
    rows = p.row_conductance
    assert t.cell_read_J == pytest.approx(v * v * tp * (rows[0] + rows[2]))
    e = macro_energy_breakdown(macro)
    assert e["adc"] == pytest.approx(2 * config.energy.adc_conversion)
    assert e["row_drivers"] == pytest.approx(2 * config.energy.row_driver)


def test_silent_inputs_cost_nothing():
    config = chip()
    macro = CrossbarMacro(config, program_random_matrix(config, (40, 10), np.random.default_rng(12)))
    y = macro @ np.zeros((5, 40))
    assert not y.any()
    assert macro_energy_J(macro) == 0.0 and macro.tally.vectors == 5


def test_macro_at_another_time_and_temperature():
    config = chip(*IDEAL_PERIPHERY, "device.drift_nu=0.1", "device.drift_t_max=1e4",
                  "device.temp_coeff_g=-1e-3")
    macro = CrossbarMacro(config, program_random_matrix(config, (10, 3), np.random.default_rng(13)))
    later = macro.at(time=1e3, temperature=320.0)
    np.testing.assert_allclose(later.programmed.g_pos, macro.programmed.g_pos * 1e3 ** -0.1 * 0.98)
    with pytest.raises(Exception, match="outside the range the drift law was fitted on"):
        macro.at(time=1e5)


def test_monte_carlo_instances_are_reproducible_alone():
    config = chip("device.stuck_at_gmin=0.01", "device.drift_nu=0.05", "device.drift_nu_dtod=0.01",
                  "device.drift_time=10")
    many = program_instances(config, (20, 8), seed=5, n=4)
    for k in (0, 3):
        alone = program_instance(config, (20, 8), seed=5, k=k)
        np.testing.assert_array_equal(alone.weights, many[k].weights)
    assert not np.array_equal(many[0].weights, many[1].weights)
    other_seed = program_instance(config, (20, 8), seed=6, k=0)
    assert not np.array_equal(other_seed.weights, many[0].weights)


def test_shape_mismatch_is_refused():
    config = chip()
    macro = CrossbarMacro(config, program_random_matrix(config, (10, 3), np.random.default_rng(14)))
    with pytest.raises(ValueError, match="maps 10 inputs to 3 outputs"):
        macro @ np.ones((2, 11))


def test_a_vector_that_does_not_drive_a_tile_gets_nothing_from_it():
    config = chip("crossbar.adc_bits=3", "crossbar.rows=8")
    macro = CrossbarMacro(config, program_random_matrix(config, (16, 4), np.random.default_rng(15)))
    x = np.zeros((2, 16))
    x[0, :8] = 1.0  # vector 0 drives only the first row tile; vector 1 drives nothing
    y = macro @ x
    assert not y[1].any()
    assert macro.tally.adc_conversions == 4 and macro.tally.array_reads == 1


def test_adc_peak_and_calibrated_range():
    """The tally's ADC peak is the largest column input over the full scale; the calibrated macro maps
    the calibration inputs' largest column output to full scale, so its quantization error on them is
    far below that of a whole-array range, and the same arrays are kept."""
    config = load_config("rram-40nm-256kb", overrides=["crossbar.adc_range=1.0", "crossbar.input_bits=4",
                                                       "device.read_noise_std=0.0"])
    rng = np.random.default_rng(0)
    w = rng.normal(size=(100, 20))
    x = rng.integers(0, 4, size=(50, 100)).astype(float)
    macro = CrossbarMacro.from_weights(config, w, np.random.default_rng(1))
    coarse = macro @ x
    assert 0 < macro.tally.adc_peak < 0.2  # sums of 100 random signed weights, far below 512 rows on
    fine_macro = macro.calibrated(x)
    assert fine_macro.programmed is macro.programmed and fine_macro.tally.vectors == 0
    assert fine_macro.config.crossbar.adc_range == pytest.approx(macro.tally.adc_peak)
    fine = fine_macro @ x
    assert fine_macro.tally.adc_clipped == 0 and fine_macro.tally.adc_peak == pytest.approx(1.0)
    exact = x @ macro.programmed.weights
    assert np.abs(fine - exact).max() < 0.1 * np.abs(coarse - exact).max()
    # a macro that already read (its tally holds a peak near 1) calibrates from the new read alone
    fine_macro.tally.adc_peak = 5.0       # as after an earlier read that clipped hard
    again = fine_macro.calibrated(x)
    fresh = CrossbarMacro(config, macro.programmed, np.random.default_rng(2)).calibrated(x)
    assert again.config.crossbar.adc_range == pytest.approx(fresh.config.crossbar.adc_range, rel=1e-9)
    assert fine_macro.tally.vectors == 2 * len(x)  # the calibration read is counted where the macro counts
    assert fine_macro.tally.adc_peak == 5.0
