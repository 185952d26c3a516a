"""Step hooks (online learning, closed-loop feedback): the brian2 and cpu engines agree bit for bit.

(a) a hook that only reads changes nothing and sees exactly the spikes and traces of the
frozen run; (b) a state-dependent feedback with a readout learnt by a delta rule inside the
hook gives identical spikes, membrane potentials and final weights on both engines, for
every neuron model; (c) the feedback really enters, at the documented step.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.engines import AutoEngine, StepHook
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.errors import EngineError
from neurosim.networks import build_lsm

N, INPUTS, SAMPLES, BINS = 30, 40, 3, 30

FMA = pytest.mark.x86_fma
MODELS = {
    "discrete-lif": pytest.param(["network.input_scale=2.0"], id="discrete-lif"),
    "lif delta refractory delay": pytest.param(
        ["network.model=lif", "network.lif.threshold=0.5", "network.input_scale=2.0", "network.lif.refractory=2e-3",
         "network.lif.delay=2e-3", "network.recurrent_p=0.3"], marks=FMA, id="lif-delta-refractory-delay"),
    "lif exponential": pytest.param(
        ["network.model=lif", "network.lif.threshold=0.5", "network.input_scale=8.0", "network.lif.synapse=exponential",
         "network.lif.tau_syn=3e-3", "network.lif.refractory=2e-3"], marks=FMA, id="lif-exponential"),
    "izhikevich delta": pytest.param(
        ["network.model=izhikevich", "network.input_scale=12", "network.izhikevich.recurrent_scale=3",
        "network.izhikevich.inhibitory_gain=1", "network.izhikevich.bias=2"],
        marks=FMA, id="izhikevich-delta"),
    "izhikevich exponential delay": pytest.param(
        ["network.model=izhikevich", "network.input_scale=40", "network.izhikevich.recurrent_scale=3",
        "network.izhikevich.inhibitory_gain=1",
         "network.izhikevich.synapse=exponential", "network.izhikevich.tau_syn=3e-3", "network.izhikevich.delay=2e-3"],
        marks=FMA, id="izhikevich-exponential-delay"),
}


def network(overrides: list[str], seed: int = 1):
    config = load_config("rram-40nm-256kb", overrides=[f"network.neurons={N}", "crossbar.adc_mode=ideal"] + overrides)
    return build_lsm(config, INPUTS, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def raster() -> np.ndarray:
    return np.random.default_rng(2).random((SAMPLES, BINS, INPUTS)) < 0.15


class Recorder:
    """Reads every step, returns no feedback; records the calls."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.spikes: list[np.ndarray] = []
        self.v: list[np.ndarray] = []

    def trial_start(self, sample):
        self.calls.append(("start", sample))

    def step(self, sample, b, spikes, v):
        assert spikes.dtype == bool and v.dtype == np.float64 and spikes.shape == v.shape == (N,)
        assert not spikes.flags.writeable and not v.flags.writeable
        self.calls.append(("step", sample, b))
        self.spikes.append(spikes)
        self.v.append(v)
        return None

    def trial_end(self, sample):
        self.calls.append(("end", sample))

    def arrays(self):
        shape = (SAMPLES, BINS, N)
        return np.array(self.spikes).reshape(shape), np.array(self.v).reshape(shape)


class DeltaRule(Recorder):
    """Closed loop: readout ``z = w·s``, learnt online by ``w += η (target_b − z) s``; feedback
    ``M s + u z`` (fixed random ``M``, ``u`` of the input weights' scale) at every step.
    Also asks for the synaptic current (``i_syn``) and records it."""

    def __init__(self, scale: float, seed: int = 0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.m = rng.normal(0.0, scale, (N, N))
        self.u = rng.normal(0.0, scale, N)
        self.w = np.zeros(N)
        self.i_syn: list = []

    def step(self, sample, b, spikes, v, i_syn=None):
        super().step(sample, b, spikes, v)
        assert i_syn is None or (i_syn.shape == (N,) and not i_syn.flags.writeable)
        self.i_syn.append(i_syn)
        z = self.w @ spikes
        self.w = self.w + 0.05 * (np.sin(0.3 * b + sample) - z) * spikes
        return self.m @ spikes + self.u * z


@pytest.mark.parametrize("engine", ["cpu", "brian2"])
@pytest.mark.parametrize("overrides", list(MODELS.values()))
def test_reading_hook_changes_nothing_and_sees_the_frozen_run(raster, engine, overrides):
    lsm = network(overrides)
    make = CpuEngine if engine == "cpu" else Brian2Engine
    frozen = make(trace_neurons=N).run(lsm, raster)
    hook = Recorder()
    assert isinstance(hook, StepHook)
    done = []
    got = make(trace_neurons=N).run(lsm, raster, progress=lambda d, t: done.append(d), hook=hook)
    assert 0 < frozen.spike_raster.sum() < frozen.spike_raster.size
    np.testing.assert_array_equal(got.spike_raster, frozen.spike_raster)
    np.testing.assert_array_equal(got.traces, frozen.traces)
    spikes, v = hook.arrays()
    np.testing.assert_array_equal(spikes, frozen.spike_raster)
    np.testing.assert_array_equal(v, frozen.traces)
    expected = [c for s in range(SAMPLES)
                for c in [("start", s)] + [("step", s, b) for b in range(BINS)] + [("end", s)]]
    assert hook.calls == expected
    assert done == [1, 2, 3]


@pytest.mark.parametrize("overrides", list(MODELS.values()))
def test_closed_loop_learning_is_bit_identical_on_brian2_and_cpu(raster, overrides):
    lsm = network(overrides)
    scale = float(np.abs(lsm.w_in[lsm.w_in != 0]).mean())
    ref_hook, cpu_hook = DeltaRule(scale), DeltaRule(scale)
    ref = Brian2Engine(trace_neurons=N).run(lsm, raster, hook=ref_hook)
    got = CpuEngine(trace_neurons=N).run(lsm, raster, hook=cpu_hook)
    frozen = CpuEngine().run(lsm, raster).spike_raster
    assert not np.array_equal(ref.spike_raster, frozen), "the feedback should change the spikes"
    assert 0 < ref.spike_raster.sum() < ref.spike_raster.size
    np.testing.assert_array_equal(got.spike_raster, ref.spike_raster)
    np.testing.assert_array_equal(got.traces, ref.traces)
    np.testing.assert_array_equal(np.array(cpu_hook.v), np.array(ref_hook.v))
    assert np.any(ref_hook.w != 0)
    np.testing.assert_array_equal(cpu_hook.w, ref_hook.w)
    if lsm.synapse.kind == "exponential" and lsm.model != "discrete-lif":
        assert np.any(np.array(ref_hook.i_syn) != 0)
        np.testing.assert_array_equal(np.array(cpu_hook.i_syn), np.array(ref_hook.i_syn))
    else:
        assert all(i is None for i in ref_hook.i_syn + cpu_hook.i_syn)


@pytest.mark.parametrize("chunk_samples", [1, 2])
def test_brian2_steps_a_hook_through_chunks_of_several_samples_as_through_one(raster, chunk_samples):
    """The stepping path runs a chunk of samples per ``net.run``: a closed loop gives the same spikes,
    potentials, weights and calls, in the same order, whether the 3 samples run in chunks of 1 or 2
    or in one, and progress still comes after every sample."""
    lsm = network(MODELS["lif exponential"].values[0])
    scale = float(np.abs(lsm.w_in[lsm.w_in != 0]).mean())
    whole_hook, chunked_hook, done = DeltaRule(scale), DeltaRule(scale), []
    whole = Brian2Engine(trace_neurons=N).run(lsm, raster, hook=whole_hook)
    chunked = Brian2Engine(trace_neurons=N, chunk_samples=chunk_samples).run(
        lsm, raster, hook=chunked_hook, progress=lambda d, t: done.append(d))
    np.testing.assert_array_equal(chunked.spike_raster, whole.spike_raster)
    np.testing.assert_array_equal(chunked.traces, whole.traces)
    np.testing.assert_array_equal(chunked_hook.w, whole_hook.w)
    assert chunked_hook.calls == whole_hook.calls and done == [1, 2, 3]


def test_a_brian2_run_leaves_the_garbage_collector_as_it_found_it(raster):
    """The engine freezes older objects during a run (Brian2 collects garbage at every ``net.run``) and
    unfreezes them after, and leaves a process that froze objects itself frozen."""
    import gc
    lsm = network(MODELS["discrete-lif"].values[0])     # the reading test's network and traces: no new Brian2 code
    assert gc.get_freeze_count() == 0
    Brian2Engine(chunk_samples=1, trace_neurons=N).run(lsm, raster)
    assert gc.get_freeze_count() == 0
    gc.collect()    # the first run's network, dead: frozen alive, its names would stay taken (new Brian2 code)
    gc.freeze()
    try:
        Brian2Engine(chunk_samples=1, trace_neurons=N).run(lsm, raster)
        assert gc.get_freeze_count() > 0              # not unfrozen by the engine (objects freed meanwhile leave it)
    finally:
        gc.unfreeze()


class Drive(Recorder):
    """Feeds ``amount`` into neurons ``0 … 4`` after every bin."""

    def __init__(self, amount: float):
        super().__init__()
        self.fb = np.zeros(N)
        self.fb[:5] = amount

    def step(self, sample, b, spikes, v):
        super().step(sample, b, spikes, v)
        return self.fb


@pytest.mark.parametrize("engine", ["cpu", "brian2"])
@pytest.mark.parametrize("overrides, amount, first", [
    (["network.discrete-lif.threshold=5.0"], 10.0, 1),                   # enters mem of the next bin
    # delta: v after threshold, seen a step later; the network of the reading test's lif-delta-refractory-delay
    # case (refractory and delay change no first spike), so that a cold run compiles its Brian2 code once
    (MODELS["lif delta refractory delay"].values[0], 1.0, 2),
    (MODELS["lif exponential"].values[0], 20.0, 2),           # the reading test's network (refractory moves none)
    (["network.model=izhikevich"], 200.0, 2),
], ids=["discrete-lif", "lif-delta", "lif-exponential", "izhikevich"])
def test_feedback_makes_silent_neurons_spike_at_the_documented_step(engine, overrides, amount, first):
    lsm = replace(network(overrides), w_rec=np.zeros((N, N)))      # no echo through the reservoir
    silent = np.zeros((2, BINS, INPUTS), dtype=bool)
    make = CpuEngine if engine == "cpu" else Brian2Engine
    assert not make().run(lsm, silent).spike_raster.any()
    spikes = make().run(lsm, silent, hook=Drive(amount)).spike_raster
    driven = spikes[:, :, :5]
    assert driven.any(axis=1).all(), "every driven neuron spikes in every sample"
    assert not driven[:, :first].any() and driven[:, first].all()
    assert not spikes[:, :, 5:].any(), "neurons without feedback stay silent"


def test_zero_feedback_with_read_noise_draws_the_same_numbers_on_the_cpu(raster):
    lsm = network(["network.input_scale=2.0", "network.read_noise_per_step=true"])
    assert lsm.noise_seed is not None
    frozen = CpuEngine(chunk_samples=2).run(lsm, raster)
    np.testing.assert_array_equal(CpuEngine().run(lsm, raster, hook=Recorder()).spike_raster,
                                  frozen.spike_raster)


class BadShape(Recorder):
    def step(self, sample, b, spikes, v):
        return np.zeros(N + 1)


def test_bad_hooks_and_engines_without_a_stepping_path_are_refused(raster):
    lsm = network(["network.input_scale=2.0"])
    for engine in (CpuEngine(), Brian2Engine()):
        with pytest.raises(EngineError, match=r"shape \(31,\).*expected None or real numbers of shape \(30,\)"):
            engine.run(lsm, raster, hook=BadShape())
        with pytest.raises(EngineError, match="no step"):
            engine.run(lsm, raster, hook=object())
    with pytest.raises(EngineError, match="runtime device"):
        Brian2Engine(device="cpp_standalone").run(lsm, raster, hook=Recorder())
    with pytest.raises(EngineError, match="gpu engine does not take a step hook"):
        GpuEngine(device="cpu").run(lsm, raster, hook=Recorder())


def test_auto_engine_steps_on_cpu(monkeypatch, raster):
    import neurosim.engines as engines
    monkeypatch.setattr(engines, "_auto_order", ("gpu", "cpu", "brian2"))
    monkeypatch.setattr(engines, "get_engine", lambda name, **kw: GpuEngine(device="cpu") if name == "gpu"
                        else CpuEngine())
    auto = AutoEngine()
    lsm = network(["network.input_scale=2.0"])
    got = auto.run(lsm, raster, hook=Recorder())
    assert auto.name == "cpu"
    np.testing.assert_array_equal(got.spike_raster, CpuEngine().run(lsm, raster).spike_raster)
