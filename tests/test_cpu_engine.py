"""The compiled cpu engine: spike-for-spike equal to Brian2 (discrete LIF, float64), chunking, noise, auto."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from neurosim import backend, engines
from neurosim.config import load_config
from neurosim.engines import get_engine
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.engines.cpu_engine import CpuEngine, noise_keys
from neurosim.errors import EngineError
from neurosim.networks import LSM, build_lsm
from neurosim.networks.models.discrete_lif import DiscreteLIFConfig

#: Brian2 is the reference of the ideal-ADC case; the ADC in the loop is checked in test_adc_loop.py
IDEAL_ADC = ["crossbar.adc_mode=ideal"]
BASE = ["network.neurons=120", "network.input_scale=2.0"] + IDEAL_ADC

NETWORKS = {
    "all-to-all": [],
    "sparse (CSR rows)": ["network.input_p=0.3", "network.recurrent_p=0.1"],
    "masked (dense rows)": ["network.recurrent_p=0.8"],
    "dale": ["network.dale=true", "network.excitatory_fraction=0.7"],
    "distance": ["network.connectivity=distance", "network.input_p=0.5"],
    "faults": ["device.stuck_at_gmin=0.05", "device.stuck_at_gmax=0.05"],
    "high decay": ["network.discrete-lif.decay=0.97", "network.discrete-lif.threshold=5.3",
                   "network.recurrent_scale=0.3"],
}


@pytest.fixture(scope="module")
def raster() -> np.ndarray:
    return np.random.default_rng(2).random((12, 30, 40)) < 0.15


@pytest.mark.parametrize("name", list(NETWORKS))
def test_cpu_equals_brian2_spike_for_spike(raster, name):
    config = load_config("rram-40nm-256kb", overrides=BASE + NETWORKS[name])
    lsm = build_lsm(config, raster.shape[2], np.random.default_rng(len(name)))
    expected = Brian2Engine().run(lsm, raster).spike_raster
    got = CpuEngine(chunk_samples=5).run(lsm, raster).spike_raster
    assert expected.sum() > 200, "the test network should spike"
    assert not expected.all(), "… and not saturate"
    np.testing.assert_array_equal(got, expected)


def test_cpu_equals_brian2_with_zero_weight_synapses_and_traces(raster):
    """Present synapses of weight 0.0 and absent ones; membrane traces equal Brian2's too."""
    config = load_config("ideal", overrides=BASE + ["network.input_p=0.4", "network.recurrent_p=0.3"])
    lsm = build_lsm(config, raster.shape[2], np.random.default_rng(9))
    w_rec = lsm.w_rec.copy()
    w_rec[lsm.rec_mask & (np.random.default_rng(0).random(w_rec.shape) < 0.2)] = 0.0
    lsm = replace(lsm, w_rec=w_rec)
    ref = Brian2Engine(trace_neurons=15).run(lsm, raster)
    got = CpuEngine(trace_neurons=15).run(lsm, raster)
    np.testing.assert_array_equal(got.spike_raster, ref.spike_raster)
    np.testing.assert_array_equal(got.traces, ref.traces)


def test_cpu_equals_brian2_on_real_nmnist(nmnist_dir):
    from neurosim.data import load_dataset
    from neurosim.events import to_raster
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=500", "run.dataset='nmnist'"] + IDEAL_ADC)
    batch = load_dataset("nmnist", data_dir=nmnist_dir.parent, n_samples=16, seed=0)
    raster = to_raster(batch, config.input)
    lsm = build_lsm(config, raster.shape[2], np.random.default_rng(0))
    expected = Brian2Engine().run(lsm, raster).spike_raster
    assert expected.sum() > 10_000
    np.testing.assert_array_equal(CpuEngine().run(lsm, raster).spike_raster, expected)


def test_hand_computable_trajectory():
    """As in test_lsm_engine: weight 3, threshold 5, decay 0.5 → spikes at bins 2 and 5."""
    base = build_lsm(load_config("ideal"), 1, np.random.default_rng(0))
    lsm = LSM(w_in=np.array([[3.0]]), w_rec=np.array([[0.0]]), params=DiscreteLIFConfig(decay=0.5, threshold=5.0),
              programmed=base.programmed)
    spikes = CpuEngine().run(lsm, np.ones((2, 6, 1), dtype=bool)).spike_raster[:, :, 0]
    assert spikes.tolist() == [[False, False, True, False, False, True]] * 2


def test_chunks_threads_and_single_samples_do_not_change_spikes(raster):
    config = load_config("rram-40nm-256kb", overrides=BASE + ["network.recurrent_p=0.2"])
    lsm = build_lsm(config, raster.shape[2], np.random.default_rng(4))
    whole = CpuEngine(chunk_samples=256, threads=2).run(lsm, raster).spike_raster  # threads: not the worker's share
    np.testing.assert_array_equal(whole, CpuEngine(chunk_samples=1, threads=1).run(lsm, raster).spike_raster)
    np.testing.assert_array_equal(whole[4:5], CpuEngine().run(lsm, raster[4:5]).spike_raster)
    seen = []
    CpuEngine(chunk_samples=5).run(lsm, raster, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(5, 12), (10, 12), (12, 12)]


def test_read_noise_is_seeded_chunk_invariant_and_changes_spikes(raster):
    overrides = BASE + ["device.read_noise_std=0.1"]
    noisy = build_lsm(load_config("rram-40nm-256kb", overrides=overrides + ["network.read_noise_per_step=true"]),
                      raster.shape[2], np.random.default_rng(1))
    quiet = build_lsm(load_config("rram-40nm-256kb", overrides=overrides), raster.shape[2],
                      np.random.default_rng(1))
    a = CpuEngine(chunk_samples=100).run(noisy, raster).spike_raster
    np.testing.assert_array_equal(a, CpuEngine(chunk_samples=3, threads=1).run(noisy, raster).spike_raster)
    # noise is keyed by the sample's position in the batch: a prefix of the batch draws the same
    np.testing.assert_array_equal(a[:7], CpuEngine().run(noisy, raster[:7]).spike_raster)
    clean = CpuEngine().run(quiet, raster).spike_raster
    assert (a != clean).any(), "noise should change some spikes"
    assert abs(a.mean() - clean.mean()) < 0.2 * clean.mean(), "… but not the firing regime"
    other = CpuEngine().run(replace(noisy, noise_seed=noisy.noise_seed + 1), raster).spike_raster
    assert (other != a).any()
    assert noise_keys(5, 3, 2).tolist() == noise_keys(5, 0, 5)[3:].tolist()


def test_counter_based_normals_are_standard():
    from neurosim.kernels.cpu_common import normal
    z = np.array([normal(np.uint64(12345), np.uint64(c)) for c in range(40_000)])
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 0.006


def test_unsupported_models_and_bad_input_are_refused(raster):
    lif = build_lsm(load_config("ideal", overrides=["network.model=lif", "network.neurons=5"]), 40,
                    np.random.default_rng(0))
    unknown = replace(lif, model="hodgkin-huxley")
    assert not CpuEngine().supports(unknown)
    with pytest.raises(EngineError, match="does not simulate network.model = 'hodgkin-huxley'"):
        CpuEngine().run(unknown, raster)
    small = build_lsm(load_config("ideal", overrides=["network.neurons=5"]), 41, np.random.default_rng(0))
    with pytest.raises(EngineError, match="40 channels, the network 41 inputs"):
        CpuEngine().run(small, raster)


def test_auto_picks_cpu_without_a_gpu_and_brian2_for_unsupported_models(monkeypatch, raster, caplog):
    monkeypatch.setattr(engines, "_auto_order", None)
    monkeypatch.setattr(backend, "_probe_cupy", lambda: (None, "no CuPy (test)"))
    with caplog.at_level("INFO", logger="neurosim.engines"):
        auto = get_engine("auto")
        get_engine("auto")
    assert auto.name == "cpu"
    assert sum("engine auto → cpu" in r.getMessage() for r in caplog.records) == 1, "logged once"
    lif = build_lsm(load_config("ideal", overrides=["network.model=lif", "network.neurons=5",
                                                    "network.lif.threshold=0.5"]), 40, np.random.default_rng(0))
    assert get_engine("auto", network=lif).name == "cpu", "the continuous LIF runs on cpu now"
    discrete = build_lsm(load_config("ideal", overrides=["network.neurons=5"]), 40, np.random.default_rng(0))
    assert get_engine("auto", network=discrete).name == "cpu"
    unknown = replace(lif, model="hodgkin-huxley")
    assert get_engine("auto", network=unknown).name == "brian2"
    with pytest.raises(EngineError, match="engine 'gpu' is not available here"):
        get_engine("gpu")


def test_compiled_code_is_cached_for_the_next_process(raster):
    """After this process compiled (or loaded) the kernel, a fresh process loads it from disk."""
    lsm = build_lsm(load_config("ideal", overrides=["network.neurons=5"]), 40, np.random.default_rng(0))
    CpuEngine().run(lsm, raster[:1])
    code = ("import numpy as np\n"
            "from neurosim.config import load_config\nfrom neurosim.networks import build_lsm\n"
            "from neurosim.engines.cpu_engine import CpuEngine\n"
            "from neurosim.kernels.discrete_lif import chunk as k\n"
            "lsm = build_lsm(load_config('ideal', overrides=['network.neurons=5']), 4, "
            "np.random.default_rng(0))\n"
            "CpuEngine().run(lsm, np.ones((1, 3, 4), dtype=bool))\n"
            "print(sum(k.stats.cache_hits.values()), sum(k.stats.cache_misses.values()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    hits, misses = map(int, out.stdout.split())
    assert hits >= 1 and misses == 0, out.stdout + out.stderr


CONTINUOUS = {
    "lif delta": ["network.model=lif", "network.lif.threshold=0.5", "network.input_scale=2.0"],
    "lif delta refractory delay sparse": [
        "network.model=lif", "network.lif.threshold=0.5", "network.input_scale=2.0", "network.lif.refractory=2e-3",
        "network.lif.delay=2e-3", "network.lif.bias=0.3", "network.lif.v_reset=-0.2", "network.lif.v_rest=0.1",
        "network.recurrent_p=0.2"],
    "lif exponential": ["network.model=lif", "network.lif.threshold=0.5", "network.input_scale=8.0",
                        "network.lif.synapse=exponential", "network.lif.tau_syn=3e-3"],
    "lif exponential refractory delay dt": [
        "network.model=lif", "network.lif.threshold=0.5", "network.input_scale=8.0", "network.lif.synapse=exponential",
        "network.lif.tau_syn=3e-3", "network.lif.refractory=3e-3", "network.lif.delay=1e-3", "network.lif.dt=5e-4",
        "network.lif.bias=0.2"],
    "izhikevich delta": ["network.model=izhikevich", "network.input_scale=12", "network.izhikevich.recurrent_scale=3",
        "network.izhikevich.inhibitory_gain=1",
                         "network.izhikevich.bias=2"],
    "izhikevich exponential delay faults": [
        "network.model=izhikevich", "network.input_scale=40", "network.izhikevich.recurrent_scale=3",
        "network.izhikevich.inhibitory_gain=1",
        "network.izhikevich.synapse=exponential", "network.izhikevich.tau_syn=3e-3", "network.izhikevich.delay=2e-3",
        "device.stuck_at_gmax=0.05"],
}
# the ideal-ADC case: Brian2 and the cpu engine agree bit for bit here (the ADC case: tests/test_adc_every_engine.py)
CONTINUOUS = {name: overrides + IDEAL_ADC for name, overrides in CONTINUOUS.items()}


@pytest.mark.x86_fma
@pytest.mark.parametrize("name", list(CONTINUOUS))
def test_continuous_models_equal_brian2_spikes_and_traces_bit_for_bit(name):
    """Continuous LIF and Izhikevich: float64 spikes and membrane traces identical to Brian2's,
    whatever the chunking (chunks of 2 and of 4 samples over 5 samples)."""
    lsm = build_lsm(load_config("rram-40nm-256kb", overrides=["network.neurons=80"] + CONTINUOUS[name]), 40,
                    np.random.default_rng(len(name)))
    raster = np.random.default_rng(2).random((5, 30, 40)) < 0.15
    reference = Brian2Engine(trace_neurons=80).run(lsm, raster)
    assert CpuEngine().supports(lsm)
    assert 0 < reference.spike_raster.sum() < reference.spike_raster.size
    for chunk in (2, 4):
        got = CpuEngine(trace_neurons=80, chunk_samples=chunk).run(lsm, raster)
        np.testing.assert_array_equal(got.spike_raster, reference.spike_raster)
        np.testing.assert_array_equal(got.traces, reference.traces)
    alone = CpuEngine(trace_neurons=80).run(lsm, raster[3:4])
    np.testing.assert_array_equal(alone.spike_raster[0], reference.spike_raster[3])
