"""Plugins in one file each: a neuron model that brings its own cpu kernel runs on the cpu engine,
and an engine registered with an ``auto_priority`` joins ``auto`` (chosen when it ranks first and
is available, skipped when it is not). Both are unregistered after each test.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pytest
from numba import njit

from neurosim import engines
from neurosim.config import load_config, param
from neurosim.engines import (
    EngineEntry,
    auto_engine_name,
    auto_order,
    get_engine,
    register_engine,
    unregister_engine,
)
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.errors import EngineError
from neurosim.kernels import CpuKernel
from neurosim.kernels.cpu_common import add_rows
from neurosim.networks import build_lsm
from neurosim.networks.models import NeuronModel, register_model, unregister_model

# ---- a neuron model in one file: the perfect (non-leaky) integrate-and-fire, its own numba kernel
#
# per bin b: v = 0 where the neuron fired in bin b − 1; v += W_in x_b (ascending inputs), then
# W_rec s_{b−1} (ascending neurons); s_b = v > threshold.


@dataclass(frozen=True)
class PerfectIFConfig:
    """[network.perfect-if]: a test plugin's section."""

    threshold: float = param(2.5, "Firing threshold (membrane units)", "", 0.0, 1e9)


@njit(cache=False)
def _pif_bin(b, x_b, v, spk, nspk, active, vth, in_rows, rec_rows, noisy, key, fb, spikes_b, trace_b):
    in_dense, w_in, in_ptr, in_idx, in_std = in_rows
    rec_dense, w_rec, rec_ptr, rec_idx, rec_std = rec_rows
    for q in range(nspk):
        v[spk[q]] = 0.0
    n_active = 0
    for i in range(x_b.shape[0]):
        if x_b[i]:
            active[n_active] = i
            n_active += 1
    no_gate = np.ones(0, dtype=np.bool_)
    add_rows(v, no_gate, False, active, n_active, in_dense, w_in, in_ptr, in_idx, in_std, noisy, key, np.uint64(0))
    add_rows(v, no_gate, False, spk, nspk, rec_dense, w_rec, rec_ptr, rec_idx, rec_std, noisy, key, np.uint64(0))
    for j in range(fb.shape[0]):
        v[j] += fb[j]
    nspk = 0
    for j in range(v.shape[0]):
        if v[j] > vth:
            spikes_b[j] = True
            spk[nspk] = j
            nspk += 1
    for j in range(trace_b.shape[0]):
        trace_b[j] = v[j]
    return nspk


@njit(cache=False)
def _pif_chunk(raster, args, in_rows, rec_rows, noisy, keys, spikes, traces):
    samples, bins, inputs = raster.shape
    neurons = spikes.shape[2]
    for smp in range(samples):
        v = np.zeros(neurons)
        spk = np.empty(neurons, dtype=np.int64)
        active = np.empty(inputs, dtype=np.int64)
        nspk = 0
        for b in range(bins):
            nspk = _pif_bin(b, raster[smp, b], v, spk, nspk, active, args[0], in_rows, rec_rows, noisy, keys[smp],
                            np.zeros(0), spikes[smp, b], traces[smp, b])


def _pif_start(neurons, inputs, args):
    return np.zeros(neurons), np.empty(neurons, dtype=np.int64), np.zeros(1, dtype=np.int64), \
        np.empty(inputs, dtype=np.int64)


@njit(cache=False)
def _pif_step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s):
    v, spk, nspk, active = state
    nspk[0] = _pif_bin(k, raster_s[k], v, spk, nspk[0], active, args[0], in_rows, rec_rows, noisy, key, fb,
                       spikes_s[k], traces_s[k])


class PerfectIF(NeuronModel):
    name = "perfect-if"
    section = PerfectIFConfig
    description = "test plugin: perfect integrate-and-fire"

    def cpu_kernel(self):
        return CpuKernel(chunk=_pif_chunk, start=_pif_start, step=_pif_step, slot_steps=lambda bins, args: bins)

    def kernel_args(self, lsm) -> tuple:
        return (float(lsm.params.threshold),)


def perfect_if_reference(lsm, raster):
    """The model in numpy (integer weights: every sum is exact, whatever the order)."""
    samples, bins, _ = raster.shape
    out = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    for smp in range(samples):
        v, s = np.zeros(lsm.neurons), np.zeros(lsm.neurons, dtype=bool)
        for b in range(bins):
            v = np.where(s, 0.0, v) + raster[smp, b] @ lsm.w_in + s @ lsm.w_rec
            s = out[smp, b] = v > lsm.params.threshold
    return out


@pytest.fixture
def perfect_if():
    register_model(PerfectIF())
    yield
    unregister_model("perfect-if")


def integer_network(overrides=()):
    rng = np.random.default_rng(7)
    lsm = build_lsm(load_config("ideal", overrides=["network.model=perfect-if", "network.neurons=12",
                                                    *overrides]), 6, np.random.default_rng(0))
    return replace(lsm, w_in=rng.integers(-1, 3, (6, 12)).astype(float),
                   w_rec=rng.integers(-2, 2, (12, 12)).astype(float))


def test_a_plugin_model_with_its_own_kernel_runs_on_the_cpu_engine(perfect_if):
    lsm = integer_network()
    raster = np.random.default_rng(1).random((5, 15, 6)) < 0.4
    got = CpuEngine(chunk_samples=2, trace_neurons=3).run(lsm, raster)
    want = perfect_if_reference(lsm, raster)
    assert want.any() and not want.all()
    np.testing.assert_array_equal(got.spike_raster, want)
    # the stepping path (a hook returning no feedback) calls the model's step: the same spikes
    seen = []

    class Reader:
        def step(self, sample, b, spikes, v):
            seen.append(v.copy())

    hooked = CpuEngine().run(lsm, raster, hook=Reader())
    np.testing.assert_array_equal(hooked.spike_raster, want)
    np.testing.assert_array_equal(np.array(seen)[:, :3].reshape(5, 15, 3), got.traces)


def test_a_plugin_model_without_a_gpu_kernel_is_refused_by_the_gpu_engine_and_auto_runs_it_on_cpu(perfect_if):
    lsm = integer_network()
    assert CpuEngine().supports(lsm)
    assert not GpuEngine(device="cpu").supports(lsm)
    with pytest.raises(EngineError, match="not 'perfect-if'"):
        GpuEngine(device="cpu").run(lsm, np.zeros((1, 3, 6), dtype=bool))
    assert get_engine("auto", network=lsm).name == "cpu"


# ---- an engine in one file: it declares its auto priority


class EchoEngine(CpuEngine):
    """The cpu engine under another name (a stand-in for a third-party engine)."""

    name = "echo"
    auto_priority = 100
    here = True

    def supports(self, lsm) -> bool:
        return lsm.model == "discrete-lif"


def _echo_available():
    return (True, "") if EchoEngine.here else (False, "echo hardware not found")


@pytest.fixture
def echo():
    EchoEngine.here = True
    register_engine(EngineEntry("echo", EchoEngine, available=_echo_available))
    yield
    unregister_engine("echo")


def test_a_registered_engine_that_ranks_first_is_what_auto_runs(echo):
    assert auto_order()[0] == "echo" and auto_engine_name() == "echo"
    lsm = build_lsm(load_config("ideal", overrides=["network.neurons=8"]), 6, np.random.default_rng(0))
    raster = np.random.default_rng(1).random((3, 10, 6)) < 0.3
    auto = get_engine("auto")
    got = auto.run(lsm, raster)
    assert auto.name == "echo"
    np.testing.assert_array_equal(got.spike_raster, CpuEngine().run(lsm, raster).spike_raster)
    # a network echo does not simulate goes to the next engine in the order
    lif = build_lsm(load_config("ideal", overrides=["network.neurons=8", "network.model=lif"]), 6,
                    np.random.default_rng(0))
    assert get_engine("auto", network=lif).name == auto_order()[1]


def test_an_unavailable_engine_is_skipped_and_an_unregistered_one_leaves_auto(echo, caplog):
    EchoEngine.here = False
    engines._forget_auto_order()
    with caplog.at_level(logging.INFO, logger="neurosim.engines"):
        order = auto_order()
    assert "echo" not in order and order[-1] == "brian2"
    assert any("echo: echo hardware not found" in r.getMessage() for r in caplog.records)
    unregister_engine("echo")
    EchoEngine.here = True
    assert "echo" not in auto_order()


def test_priority_places_an_engine_between_the_built_ins():
    class Middle(EchoEngine):
        name = "middle"
        auto_priority = 15

    register_engine(EngineEntry("middle", Middle))
    try:
        order = auto_order()
        assert order.index("cpu") < order.index("middle") < order.index("brian2")
        assert "brian2-standalone" not in order, "an engine without a priority never joins auto"
    finally:
        unregister_engine("middle")
    assert "middle" not in auto_order()
