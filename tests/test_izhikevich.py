"""Izhikevich (2003) reservoir on Brian2: the recipe, spike-for-spike against numpy Euler, chunking."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.networks import LSM, build_lsm
from neurosim.networks.models.izhikevich import V_INIT, V_PEAK, izhikevich_params

IZH = ["network.model=izhikevich", "network.neurons=50", "network.input_scale=12",
       "network.izhikevich.recurrent_scale=3", "network.izhikevich.inhibitory_gain=1",
       "crossbar.adc_mode=ideal"]  # these tests pin the ideal-ADC case (the ADC case: tests/test_adc_every_engine.py)


def euler_reference(lsm: LSM, raster: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brian2's forward Euler of the same equations, step by step in numpy (float64).

    Per step: integrate (v, u from the old values; I_syn decays), threshold
    ``v >= 30``, add the arriving weights presynaptic neuron by neuron (inputs,
    then reservoir, as Brian2 does), reset ``v = c, u += d``. Returns the spikes
    and ``v`` at the end of each step.
    """
    p = lsm.params
    h = lsm.dt / 1e-3
    samples, bins, _ = raster.shape
    spikes = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    trace = np.zeros((samples, bins, lsm.neurons))
    exp_syn = lsm.synapse.kind == "exponential"
    for j in range(samples):
        v = np.full(lsm.neurons, V_INIT)
        u = p.b * V_INIT
        i_syn = np.zeros(lsm.neurons)
        for b in range(bins):
            drive = p.bias + (i_syn if exp_syn else 0.0)
            v, u = v + h * (0.04 * v ** 2 + 5 * v + 140 - u + drive), u + h * p.a * (p.b * v - u)
            if exp_syn:
                i_syn = i_syn - lsm.dt * i_syn / lsm.synapse.tau_syn
            s = (v >= V_PEAK)
            target = i_syn if exp_syn else v
            for pre in np.flatnonzero(raster[j, b]):
                target += lsm.w_in[pre]
            for pre in np.flatnonzero(s):
                target += lsm.w_rec[pre]
            v = np.where(s, p.c, v)
            u = np.where(s, u + p.d, u)
            spikes[j, b], trace[j, b] = s, v
    return spikes, trace


@pytest.fixture(scope="module")
def raster() -> np.ndarray:
    return np.random.default_rng(4).random((4, 60, 20)) < 0.2


def test_recipe_parameters():
    exc = np.array([True, True, False, False])
    r = np.array([0.0, 1.0, 0.0, 1.0])
    p = izhikevich_params(exc, r)
    np.testing.assert_allclose(p.a, [0.02, 0.02, 0.02, 0.10])
    np.testing.assert_allclose(p.b, [0.2, 0.2, 0.25, 0.20])
    np.testing.assert_allclose(p.c, [-65, -50, -65, -65])
    np.testing.assert_allclose(p.d, [8, 2, 2, 2])


def test_default_izhikevich_network_is_800_rs_200_fs_with_dale():
    config = load_config("ideal", overrides=["network.model=izhikevich", "network.neurons=1000"])
    lsm = build_lsm(config, 5, np.random.default_rng(0))
    assert lsm.excitatory.sum() == 800 and lsm.excitatory[:800].all()
    assert (lsm.w_rec[:800] >= 0).all() and (lsm.w_rec[800:] <= 0).all()
    assert np.all(lsm.params.a[:800] == 0.02) and np.all(lsm.params.d[800:] == 2.0)
    assert 0.02 < lsm.params.a[800:].min() and lsm.params.a[800:].max() < 0.1
    assert -65 < lsm.params.c[:800].max() <= -50


@pytest.mark.x86_fma
@pytest.mark.parametrize("synapse", ["delta", "exponential"])
def test_brian2_matches_numpy_euler_spike_for_spike(raster, synapse):
    extra = ["network.izhikevich.synapse=exponential", "network.izhikevich.tau_syn=3e-3", "network.input_scale=40"] \
        if synapse == "exponential" else []
    config = load_config("rram-40nm-256kb", overrides=IZH + ["network.izhikevich.bias=2"] + extra)
    lsm = build_lsm(config, 20, np.random.default_rng(3))
    activity = Brian2Engine(trace_neurons=lsm.neurons).run(lsm, raster)
    spikes, trace = euler_reference(lsm, raster)
    assert spikes.sum() > 100, "the test network should spike"
    np.testing.assert_array_equal(activity.spike_raster, spikes)
    np.testing.assert_allclose(activity.traces, trace, rtol=1e-9, atol=1e-9)


def test_izhikevich_chunking_and_seed_do_not_change_spikes(raster):
    config = load_config("rram-40nm-256kb", overrides=IZH + ["network.izhikevich.delay=2e-3",
                                                             "network.izhikevich.synapse=exponential"])
    lsm = build_lsm(config, 20, np.random.default_rng(3))
    again = build_lsm(config, 20, np.random.default_rng(3))
    whole = Brian2Engine(chunk_samples=10).run(lsm, raster).spike_raster
    assert whole.sum() > 50
    np.testing.assert_array_equal(whole, Brian2Engine(chunk_samples=1).run(again, raster).spike_raster)
    np.testing.assert_array_equal(whole[2:3], Brian2Engine().run(lsm, raster[2:3]).spike_raster)
