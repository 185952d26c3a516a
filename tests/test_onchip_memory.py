"""Trained matrices on the chip (neurosim.learning.onchip): reads through the chip's macro."""

from __future__ import annotations

import numpy as np

from neurosim.config import load_config
from neurosim.learning.hlop import LateralSubspace
from neurosim.learning.onchip import OnChipMemory

EXACT = ["crossbar.adc_mode=ideal", "device.read_noise_std=0.0", "device.program_std=0.0"]


def _memory(*overrides, input_bits=8, seed=0):
    config = load_config("rram-40nm-256kb", overrides=list(overrides))
    return OnChipMemory(config, np.random.default_rng(seed), input_bits)


def _stored(memory, rng, shape=(30, 50)):
    w = rng.normal(size=shape)
    return memory.store("W", w, 4.0 * float(np.abs(w).max()))


def test_reads_without_noise_adc_or_dac_are_the_exact_products_both_ways():
    rng = np.random.default_rng(1)
    memory = _memory(*EXACT, input_bits=0)
    w = _stored(memory, rng)
    x, d = rng.normal(size=(7, 50)), rng.normal(size=(7, 30))
    np.testing.assert_allclose(memory.matmul("W", x), x @ w.T, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(memory.matmul("W", d, transposed=True), d @ w, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(memory.matmul("W", x, rows=10), x @ w[:10].T, rtol=1e-9, atol=1e-9)
    assert memory.read_vectors == 21 and memory.tally.adc_conversions > 0


def test_the_adc_is_calibrated_on_a_tasks_first_read_and_the_dac_bits_matter():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(32, 50))
    errors = {}
    for bits in (2, 8):
        memory = _memory("device.read_noise_std=0.0", "device.program_std=0.0", input_bits=bits)
        w = _stored(memory, rng)
        exact = x @ w.T
        y = memory.matmul("W", x)
        errors[bits] = np.abs(y - exact).max() / np.abs(exact).max()
        assert memory.tally.adc_clipped == 0     # the calibrating batch itself never clips
        assert 0 < memory._adc_range[("W", False, None)] < memory.config.crossbar.adc_range
    assert errors[8] < 0.03 < errors[2]
    memory.recalibrate()
    assert memory._adc_range == {}
    # the preset's whole range, uncalibrated, would waste the ADC: compare one macro read at that range
    from neurosim.crossbar import CrossbarMacro
    from neurosim.crossbar.mapping import ProgrammedMatrix, tiling_for

    s = memory._stored["W"]
    pm = ProgrammedMatrix(weights=s.gain * (s.g_pos - s.g_neg).T, g_pos=s.g_pos.T, g_neg=s.g_neg.T,
                          tiling=tiling_for((50, 30), memory.config.crossbar, False), gain=s.gain)
    coarse = CrossbarMacro(memory._read_config, pm, np.random.default_rng(0), device=memory.device)
    scale = np.abs(x).max(axis=1, keepdims=True) / 255
    exact = x @ memory.stored("W").T
    assert np.abs(coarse @ (x / scale) * scale - exact).max() / np.abs(exact).max() > 3 * errors[8]


def test_read_noise_varies_between_reads_and_is_seeded():
    rng = np.random.default_rng(3)
    a, b = _memory("device.read_noise_std=0.05", seed=5), _memory("device.read_noise_std=0.05", seed=5)
    w = rng.normal(size=(30, 50))
    for m in (a, b):
        m.store("W", w, 4.0 * float(np.abs(w).max()))
    x = rng.normal(size=(4, 50))
    first, second = a.matmul("W", x), a.matmul("W", x)
    assert not np.array_equal(first, second)
    assert np.array_equal(first, b.matmul("W", x)) and np.array_equal(second, b.matmul("W", x))


def test_projection_off_the_frozen_rows_matches_the_digital_one_without_noise():
    rng = np.random.default_rng(4)
    memory = _memory(*EXACT, input_bits=0)
    sub = LateralSubspace(20, rate=0.1)
    sub.add_subspace(5, rng)
    q, _ = np.linalg.qr(rng.normal(size=(20, 5)))
    sub.set_rows(q.T)
    memory.write_lateral(sub, sub.h.copy(), 0)
    sub.merge()
    a = rng.normal(size=(6, 20))
    digital = a - (a @ sub.old.T) @ sub.old
    np.testing.assert_allclose(memory.project_off(sub, a), digital, atol=0.05 * np.abs(digital).max())
    assert memory.read_vectors == 12
