"""The LSM on the Brian2 engine: exact discrete-LIF dynamics, chunking, chips."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.engines import get_engine
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.errors import EngineError
from neurosim.networks import LSM, build_lsm


def reference_spikes(lsm: LSM, raster: np.ndarray) -> np.ndarray:
    """The paper's update written out step by step in numpy (float64)."""
    samples, bins, _ = raster.shape
    out = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    for j in range(samples):
        mem = np.zeros(lsm.neurons)
        s = np.zeros(lsm.neurons, dtype=bool)
        for b in range(bins):
            mem = lsm.decay * mem * (1 - s) + raster[j, b] @ lsm.w_in + s @ lsm.w_rec
            s = mem > lsm.threshold
            out[j, b] = s
    return out


@pytest.fixture(scope="module")
def small_lsm() -> LSM:
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=40", "network.input_scale=2.0"])
    return build_lsm(config, 30, np.random.default_rng(1))


@pytest.fixture(scope="module")
def raster() -> np.ndarray:
    return np.random.default_rng(2).random((9, 15, 30)) < 0.15


def test_brian2_reproduces_the_discrete_lif_exactly(small_lsm, raster):
    activity = Brian2Engine().run(small_lsm, raster)
    expected = reference_spikes(small_lsm, raster)
    assert expected.sum() > 50, "the test network should spike"
    np.testing.assert_array_equal(activity.spike_raster, expected)


def test_hand_computable_trajectory():
    """One neuron, one input of weight 3, threshold 5, decay 0.5, input in every bin.

    mem: 3, 4.5, 5.25 (spike), 3 (reset + input), 4.5, 5.25 (spike) → spikes at bins 2 and 5.
    """
    config = load_config("ideal")
    base = build_lsm(config, 1, np.random.default_rng(0))
    lsm = LSM(w_in=np.array([[3.0]]), w_rec=np.array([[0.0]]), decay=0.5, threshold=5.0,
              programmed=base.programmed)
    raster = np.ones((2, 6, 1), dtype=bool)
    spikes = Brian2Engine().run(lsm, raster).spike_raster[:, :, 0]
    assert spikes.tolist() == [[False, False, True, False, False, True]] * 2


def test_no_state_crosses_samples_and_chunking_does_not_matter(small_lsm, raster):
    whole = Brian2Engine(chunk_samples=100).run(small_lsm, raster).spike_raster
    chunked = Brian2Engine(chunk_samples=2).run(small_lsm, raster).spike_raster
    alone = Brian2Engine().run(small_lsm, raster[4:5]).spike_raster
    np.testing.assert_array_equal(whole, chunked)
    np.testing.assert_array_equal(whole[4:5], alone)


def test_same_seed_same_chip_same_spikes(raster):
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=40", "network.input_scale=2.0"])
    a = build_lsm(config, 30, np.random.default_rng(5))
    b = build_lsm(config, 30, np.random.default_rng(5))
    np.testing.assert_array_equal(a.w_in, b.w_in)
    np.testing.assert_array_equal(Brian2Engine().run(a, raster).spike_raster,
                                  Brian2Engine().run(b, raster).spike_raster)


def test_rram_weights_come_from_formed_conductances():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=300"])
    lsm = build_lsm(config, 200, np.random.default_rng(0))
    p = lsm.programmed
    d = config.device
    assert p.g_pos.min() >= d.g_min and p.g_pos.max() <= d.g_max
    assert abs(p.g_pos.mean() - d.forming_mean) < 0.01 * d.forming_mean
    np.testing.assert_allclose(p.weights, (p.g_pos - p.g_neg) / (np.sqrt(2) * d.forming_std))
    assert abs(p.weights.mean()) < 0.01 and 0.95 < p.weights.std() < 1.01


def test_ideal_weights_are_float_gaussians():
    config = load_config("ideal", overrides=["network.neurons=300"])
    lsm = build_lsm(config, 200, np.random.default_rng(0))
    assert lsm.programmed.g_pos is None
    assert abs(lsm.programmed.weights.std() - 1) < 0.01
    np.testing.assert_allclose(lsm.w_rec.std(), config.network.recurrent_scale, rtol=0.02)


def test_engine_choice():
    assert get_engine("auto").name == "brian2"
    with pytest.raises(EngineError, match="engine 'cpu' is not available in this version"):
        get_engine("cpu")
    with pytest.raises(EngineError, match="unknown engine"):
        get_engine("fpga")


def test_mismatched_input_is_refused(small_lsm):
    with pytest.raises(EngineError, match="31 channels, the network 30 inputs"):
        Brian2Engine().run(small_lsm, np.zeros((1, 5, 31), dtype=bool))
