"""Network specs: config keys, connectivity, Dale's law, read-noise std, defaults unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.crossbar import program_random_matrix
from neurosim.errors import ConfigError
from neurosim.networks import build_lsm
from neurosim.networks.connectivity import distance_mask, grid_positions, neuron_types


def test_default_network_is_the_chip_matrix_all_to_all():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=50"])
    lsm = build_lsm(config, 20, np.random.default_rng(7))
    unit = program_random_matrix(config, (70, 50), np.random.default_rng(7)).weights
    np.testing.assert_array_equal(lsm.w_in, 1.0 * unit[:20])
    np.testing.assert_array_equal(lsm.w_rec, 0.5 * np.sqrt(200 / 50) * unit[20:])   # recurrent_norm 'sqrt'
    assert lsm.model == "discrete-lif" and lsm.in_mask is None and lsm.rec_mask is None
    assert lsm.excitatory is None and lsm.w_in_std is None and lsm.noise_seed is None


def test_cli_style_overrides_reach_the_spec():
    config = load_config("ideal", overrides=["network.neurons=1000", "network.model=lif",
                                             "network.lif.tau_m=0.01", "network.lif.synapse=exponential",
                                             "network.lif.delay=2e-3", "network.lif.dt=5e-4"])
    lsm = build_lsm(config, 3, np.random.default_rng(0))
    assert lsm.neurons == 1000 and lsm.params.tau_m == 0.01 and lsm.synapse.kind == "exponential"
    assert lsm.synapse.delay == 2e-3 and lsm.dt == 5e-4


def test_random_connectivity_probability():
    config = load_config("ideal", overrides=["network.neurons=200", "network.input_p=0.25",
                                             "network.recurrent_p=0.1"])
    lsm = build_lsm(config, 100, np.random.default_rng(0))
    assert abs(lsm.in_mask.mean() - 0.25) < 0.01 and abs(lsm.rec_mask.mean() - 0.1) < 0.01
    assert np.all(lsm.w_in[~lsm.in_mask] == 0) and np.all(lsm.w_rec[~lsm.rec_mask] == 0)


def test_dale_law_signs_rows_by_type_and_keeps_magnitudes():
    base = load_config("rram-40nm-256kb", overrides=["network.neurons=100"])
    dale = load_config("rram-40nm-256kb", overrides=["network.neurons=100", "network.dale=true",
                                                     "network.excitatory_fraction=0.75",
                                                     "network.inhibitory_gain=2"])
    a = build_lsm(base, 10, np.random.default_rng(1))
    b = build_lsm(dale, 10, np.random.default_rng(1))
    assert b.excitatory.sum() == 75
    np.testing.assert_array_equal(b.w_rec[:75], np.abs(a.w_rec[:75]))
    np.testing.assert_array_equal(b.w_rec[75:], -2 * np.abs(a.w_rec[75:]))
    np.testing.assert_array_equal(b.w_in, a.w_in)


def test_distance_connectivity_follows_maass():
    rng = np.random.default_rng(0)
    pos = grid_positions(135, 3, 3, rng)
    assert pos.max(axis=0).tolist() == [2, 2, 14]
    assert len({tuple(p) for p in pos}) == 135
    exc = neuron_types(135, 0.8)
    c = {"ee": 0.3, "ei": 0.2, "ie": 0.4, "ii": 0.1}
    masks = np.stack([distance_mask(pos, exc, 2.0, c, np.random.default_rng(s)) for s in range(200)])
    assert not masks[:, np.arange(135), np.arange(135)].any(), "no self-connections"
    d2 = ((pos[:, None] - pos[None]) ** 2).sum(-1)
    pair = exc[:, None] & exc[None, :] & (d2 == 1)        # E→E neighbours at distance 1
    expected = 0.3 * np.exp(-1 / 4)
    assert abs(masks[:, pair].mean() - expected) < 0.01
    far = d2 > 100
    assert masks[:, far].mean() < 1e-6


def test_read_noise_std_from_differential_conductances():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=30", "device.read_noise_std=0.05",
                                                       "network.read_noise_per_step=true",
                                                       "network.input_scale=2"])
    lsm = build_lsm(config, 10, np.random.default_rng(2))
    p = lsm.programmed
    std = 0.05 * p.gain * np.sqrt(p.g_pos ** 2 + p.g_neg ** 2)
    np.testing.assert_allclose(lsm.w_in_std, 2 * std[:10])
    np.testing.assert_allclose(lsm.w_rec_std, 0.5 * np.sqrt(200 / 30) * std[10:])
    assert isinstance(lsm.noise_seed, int)
    ideal = build_lsm(load_config("ideal", overrides=["network.neurons=30", "device.read_noise_std=0.05",
                                                      "network.read_noise_per_step=true"]),
                      10, np.random.default_rng(2))
    np.testing.assert_allclose(ideal.w_rec_std, 0.05 * np.abs(ideal.w_rec))


@pytest.mark.parametrize("override, message", [
    (["network.synapse=exponential"], r"unknown key network.synapse \(it is now network.izhikevich.synapse or "
                                      r"network.lif.synapse\)"),
    (["network.dt=1e-4"], r"unknown key network.dt \(it is now network.izhikevich.dt or network.lif.dt\)"),
    (["network.model=lif", "network.lif.v_reset=6"], "network.lif.v_reset = 6 must be below"),
    (["network.connectivity=distance", "network.recurrent_p=0.5"], "recurrent_p applies to"),
    (["network.model=lif", "network.lif.synapse=exponential", "network.lif.tau_syn=0.02"], "tau_syn must differ"),
    (["network.model=hh"], "network.model = 'hh' is not allowed"),
    (["network.input_p=1.5"], "network.input_p = 1.5 is out of range"),
])
def test_bad_network_configs_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config("ideal", overrides=override)
