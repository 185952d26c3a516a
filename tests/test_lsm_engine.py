"""The LSM on the Brian2 engine: exact discrete-LIF dynamics, chunking, chips."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.engines import get_engine
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.errors import EngineError
from neurosim.networks import LSM, build_lsm
from neurosim.networks.models.discrete_lif import DiscreteLIFConfig


def reference_spikes(lsm: LSM, raster: np.ndarray) -> np.ndarray:
    """The paper's update written out step by step in numpy (float64)."""
    samples, bins, _ = raster.shape
    out = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    for j in range(samples):
        mem = np.zeros(lsm.neurons)
        s = np.zeros(lsm.neurons, dtype=bool)
        for b in range(bins):
            mem = lsm.params.decay * mem * (1 - s) + raster[j, b] @ lsm.w_in + s @ lsm.w_rec
            s = mem > lsm.params.threshold
            out[j, b] = s
    return out


@pytest.fixture(scope="module")
def small_lsm() -> LSM:
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=40", "network.input_scale=2.0",
                                                               "crossbar.adc_mode=ideal"])
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
    lsm = LSM(w_in=np.array([[3.0]]), w_rec=np.array([[0.0]]), params=DiscreteLIFConfig(decay=0.5, threshold=5.0),
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
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=40", "network.input_scale=2.0",
                                                               "crossbar.adc_mode=ideal"])
    a = build_lsm(config, 30, np.random.default_rng(5))
    b = build_lsm(config, 30, np.random.default_rng(5))
    np.testing.assert_array_equal(a.w_in, b.w_in)
    np.testing.assert_array_equal(Brian2Engine().run(a, raster).spike_raster,
                                  Brian2Engine().run(b, raster).spike_raster)


def test_rram_weights_come_from_formed_conductances():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=300", "crossbar.adc_mode=ideal"])
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
    np.testing.assert_allclose(lsm.w_rec.std(), config.network.recurrent_scale * np.sqrt(200 / 300), rtol=0.02)


def test_engine_choice():
    from neurosim.engines import auto_engine_name
    assert get_engine("auto").name == auto_engine_name() in ("cpu", "gpu")
    assert get_engine("brian2").name == "brian2" and get_engine("cpu").name == "cpu"
    standalone = get_engine("brian2-standalone")
    assert standalone.name == "brian2-standalone" and standalone.device == "cpp_standalone"
    with pytest.raises(EngineError, match="unknown engine"):
        get_engine("fpga")


def test_mismatched_input_is_refused(small_lsm):
    with pytest.raises(EngineError, match="31 channels, the network 30 inputs"):
        Brian2Engine().run(small_lsm, np.zeros((1, 5, 31), dtype=bool))


# --------------------------------------------------------------------------- continuous LIF

def lif_network(bias: float, refractory: float = 0.0, **changes) -> LSM:
    """One LIF neuron (tau_m 10 ms, threshold 1, dt 0.1 ms) with one silent input."""
    from dataclasses import replace
    config = load_config("ideal", overrides=["network.model=lif", "network.neurons=1",
                                             "network.lif.threshold=1", "network.lif.tau_m=10e-3",
                                             "network.lif.dt=1e-4", f"network.lif.bias={bias}",
                                             f"network.lif.refractory={refractory}"])
    lsm = build_lsm(config, 1, np.random.default_rng(0))
    return replace(lsm, w_in=np.zeros((1, 1)), w_rec=np.zeros((1, 1)), **changes)


def test_lif_first_spike_matches_the_analytic_time():
    """Constant drive R·I = 1.5: v(t) = 1.5 (1 − e^(−t/τ)) crosses 1 at t* = −τ ln(1 − 1/1.5) = τ ln 3.

    Bin b ends at (b + 1)·dt, so the first spike is in bin ⌊t*/dt⌋ and, after
    the reset to 0, every k = ⌊t*/dt⌋ + 1 steps.
    """
    t_star = -10e-3 * np.log(1 - 1 / 1.5)
    k = int(np.floor(t_star / 1e-4)) + 1
    assert k == 110
    spikes = Brian2Engine().run(lif_network(1.5), np.zeros((2, 400, 1), dtype=bool)).spike_raster
    assert np.flatnonzero(spikes[0, :, 0]).tolist() == [k - 1, 2 * k - 1, 3 * k - 1]
    np.testing.assert_array_equal(spikes[0], spikes[1])


def test_lif_refractory_period_lengthens_the_interval():
    """A 2 ms (20-step) refractory period counts from the spike's step: v is held at v_reset in the
    19 steps after it and integrates again from the 20th, so the interval grows from 110 to 129."""
    spikes = Brian2Engine().run(lif_network(1.5, 2e-3), np.zeros((1, 400, 1), dtype=bool)).spike_raster
    assert np.flatnonzero(spikes[0, :, 0]).tolist() == [109, 109 + 129, 109 + 258]


def test_lif_subthreshold_drive_never_spikes_and_traces_follow_the_exponential():
    lsm = lif_network(0.9)
    activity = Brian2Engine(trace_neurons=1).run(lsm, np.zeros((1, 300, 1), dtype=bool))
    assert not activity.spike_raster.any()
    t = (np.arange(300) + 1) * 1e-4
    np.testing.assert_allclose(activity.traces[0, :, 0], 0.9 * (1 - np.exp(-t / 10e-3)), rtol=1e-12)


def lif_reference(lsm: LSM, raster: np.ndarray) -> np.ndarray:
    """Continuous LIF with delta synapses, exact integration per step, in numpy."""
    p = lsm.params
    decay = np.exp(-lsm.dt / p.tau_m)
    samples, bins, _ = raster.shape
    out = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    for j in range(samples):
        v = np.full(lsm.neurons, p.v_rest)
        for b in range(bins):
            v = p.v_rest + p.bias + (v - p.v_rest - p.bias) * decay
            s = v > p.threshold
            v = v + raster[j, b] @ lsm.w_in + s @ lsm.w_rec
            v = np.where(s, p.v_reset, v)
            out[j, b] = s
    return out


LIF = ["network.model=lif", "crossbar.adc_mode=ideal",  # the ideal-ADC case (ADC: test_adc_every_engine.py)
       "network.neurons=40", "network.lif.threshold=1", "network.lif.tau_m=5e-3", "network.input_scale=0.6",
       "network.recurrent_scale=0.2"]


@pytest.mark.x86_fma
def test_lif_network_matches_numpy_exact_integration(raster):
    config = load_config("rram-40nm-256kb", overrides=LIF)
    lsm = build_lsm(config, 30, np.random.default_rng(1))
    spikes = Brian2Engine().run(lsm, raster).spike_raster
    assert spikes.sum() > 50
    np.testing.assert_array_equal(spikes, lif_reference(lsm, raster))


@pytest.mark.parametrize("extra", [
    [],
    ["network.lif.synapse=exponential", "network.lif.tau_syn=2e-3", "network.input_scale=3"],
    ["network.lif.delay=3e-3", "network.lif.refractory=2e-3", "network.recurrent_p=0.3", "network.dale=true"],
])
def test_lif_chunking_and_seed_do_not_change_spikes(raster, extra):
    """Chunked, whole and single-sample Brian2 runs of one LIF chip give the same spikes: delta and
    exponential synapses, delays, refractoriness, masked (sparse) synapses. Connectivity (random or
    distance) only shapes the weights and mask build_lsm hands the engine, so it is no engine path of
    its own (distance chips: tests/test_networks.py, tests/test_cpu_engine.py)."""
    config = load_config("rram-40nm-256kb", overrides=LIF + extra)
    lsm = build_lsm(config, 30, np.random.default_rng(1))
    whole = Brian2Engine(chunk_samples=100).run(lsm, raster).spike_raster
    assert whole.sum() > 20
    chunked = Brian2Engine(chunk_samples=2).run(build_lsm(config, 30, np.random.default_rng(1)),
                                                raster).spike_raster
    np.testing.assert_array_equal(whole, chunked)
    np.testing.assert_array_equal(whole[4:5], Brian2Engine().run(lsm, raster[4:5]).spike_raster)


# --------------------------------------------------------------------------- read noise, traces, windows

@pytest.mark.parametrize("model", [[], LIF])
def test_read_noise_per_step_is_seeded_chunk_invariant_and_leaves_numpy_alone(raster, model):
    overrides = ["network.neurons=40", "network.input_scale=2.0", "device.read_noise_std=0.1",
                 "crossbar.adc_mode=ideal"] + model
    config = load_config("rram-40nm-256kb", overrides=overrides + ["network.read_noise_per_step=true"])
    lsm = build_lsm(config, 30, np.random.default_rng(1))
    quiet = build_lsm(load_config("rram-40nm-256kb", overrides=overrides), 30, np.random.default_rng(1))
    np.testing.assert_array_equal(lsm.w_rec, quiet.w_rec)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = Brian2Engine(chunk_samples=100).run(lsm, raster).spike_raster
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    b = Brian2Engine(chunk_samples=3).run(lsm, raster).spike_raster
    np.testing.assert_array_equal(a, b)
    assert (a != Brian2Engine().run(quiet, raster).spike_raster).any(), "noise should change some spikes"


def test_traces_and_window_counts(small_lsm, raster):
    activity = Brian2Engine(trace_neurons=3).run(small_lsm, raster)
    assert activity.traces.shape == (9, 15, 3)
    windows = activity.window_counts(4)
    assert windows.shape == (9, 4, 40)
    np.testing.assert_array_equal(windows.sum(axis=1), activity.counts)
    np.testing.assert_array_equal(windows[:, 0], activity.spike_raster[:, :4].sum(axis=1))
    with pytest.raises(ValueError, match="n_windows"):
        activity.window_counts(16)
    with pytest.raises(EngineError, match="max_trace_values"):
        Brian2Engine(trace_neurons=3, max_trace_values=100).run(small_lsm, raster)


@pytest.mark.slow
def test_cpp_standalone_gives_the_runtime_spikes_and_restores_the_device(small_lsm, raster, tmp_path,
                                                                         monkeypatch):
    import brian2
    runtime = Brian2Engine().run(small_lsm, raster).spike_raster
    # the standalone build in a folder of its own; the runtime run above reuses the Cython modules of the other tests
    monkeypatch.setenv("NEUROSIM_CACHE_DIR", str(tmp_path))
    standalone = Brian2Engine(device="cpp_standalone").run(small_lsm, raster).spike_raster
    np.testing.assert_array_equal(runtime, standalone)
    assert type(brian2.get_device()).__name__ == "RuntimeDevice"


def test_brian2_runs_from_threads_are_serialised_and_equal():
    """Brian2 changes process-wide settings during a run: threads calling the engine at the same
    time must each get the result of a run alone (the engine holds a process-wide lock)."""
    from concurrent.futures import ThreadPoolExecutor

    from neurosim import seeds
    from neurosim.config import load_config
    from neurosim.engines.brian2_engine import Brian2Engine
    from neurosim.networks import build_lsm

    # the network of the read-noise test above (model0): the same Brian2 code, compiled once in a cold run
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=40", "network.input_scale=2.0",
                                                       "device.read_noise_std=0.1", "crossbar.adc_mode=ideal",
                                                       "network.read_noise_per_step=true"])
    lsm = build_lsm(config, 30, seeds.chip_rng(0))
    raster = np.random.default_rng(1).random((3, 15, 30)) < 0.2
    alone = Brian2Engine().run(lsm, raster).spike_raster
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: Brian2Engine().run(lsm, raster).spike_raster, range(3)))
    for spikes in results:
        np.testing.assert_array_equal(spikes, alone)
