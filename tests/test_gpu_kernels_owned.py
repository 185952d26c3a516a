"""The gpu engine drives the kernels the neuron models supply and knows no model: the discrete LIF's
update lives in its own kernels (``neurosim/kernels/discrete_lif.py`` + ``discrete_lif.cu``), and a
plugin model with a one-step-per-bin GPU kernel of its own, declared in this file, runs on the gpu
engine's numpy path with its own dynamics. The numpy twin of the discrete LIF matches its cpu kernel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from neurosim.config import load_config, param
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.kernels import BinGpuKernel
from neurosim.networks import build_lsm
from neurosim.networks.models import NeuronModel, get_model, register_model, unregister_model

ENGINES = Path(__file__).resolve().parents[1] / "neurosim" / "engines"


# ---- a plugin model in one file: the perfect (non-leaky) integrate-and-fire with its own GPU update
#
# per bin b: v = 0 where the neuron fired in bin b − 1; v += W_in x_b + W_rec s_{b−1}; s_b = v > threshold.


@dataclass(frozen=True)
class PerfectIFGpuConfig:
    """[network.perfect-if-gpu]: a test plugin's section (no decay: the discrete LIF's key is absent)."""

    threshold: float = param(2.5, "Firing threshold (membrane units)", "", 0.0, 1e9)


def _pif_update(mem, spikes, inp, rec, threshold, xp):
    """numpy twin of the plugin's update (the plugin ships no CUDA source: numpy path only)."""
    mem *= 1 - spikes
    mem += inp
    mem += rec
    np.greater(mem, mem.dtype.type(threshold), out=spikes, casting="unsafe")


class PerfectIFGpu(NeuronModel):
    name = "perfect-if-gpu"
    section = PerfectIFGpuConfig
    description = "test plugin: perfect integrate-and-fire with its own GPU update"
    kernel = "discrete"

    def gpu_kernel(self):
        return BinGpuKernel(source="perfect_if.cu", update=_pif_update)

    def kernel_args(self, lsm) -> tuple:
        return (float(lsm.params.threshold),)


@pytest.fixture
def perfect_if_gpu():
    register_model(PerfectIFGpu())
    yield
    unregister_model("perfect-if-gpu")


def _reference(lsm, raster):
    """The plugin's dynamics in numpy (integer weights: every sum exact in any order)."""
    samples, bins, _ = raster.shape
    out = np.zeros((samples, bins, lsm.neurons), dtype=bool)
    for smp in range(samples):
        v, s = np.zeros(lsm.neurons), np.zeros(lsm.neurons, dtype=bool)
        for b in range(bins):
            v = np.where(s, 0.0, v) + raster[smp, b] @ lsm.w_in + s @ lsm.w_rec
            s = out[smp, b] = v > lsm.params.threshold
    return out


def test_a_plugin_models_own_gpu_update_runs_on_the_gpu_engine(perfect_if_gpu):
    rng = np.random.default_rng(7)
    lsm = build_lsm(load_config("ideal", overrides=["network.model=perfect-if-gpu", "network.neurons=12"]),
                    6, np.random.default_rng(0))
    lsm = replace(lsm, w_in=rng.integers(-1, 3, (6, 12)).astype(float),
                  w_rec=rng.integers(-2, 2, (12, 12)).astype(float))
    raster = np.random.default_rng(1).random((5, 15, 6)) < 0.4
    engine = GpuEngine("float64", batch_size=2, device="cpu", trace_neurons=3)
    assert engine.supports(lsm)
    got = engine.run(lsm, raster)
    want = _reference(lsm, raster)
    assert want.any() and not want.all()
    np.testing.assert_array_equal(got.spike_raster, want)


def test_the_gpu_engine_names_no_model_and_no_model_parameter():
    """The engine's drivers take the model's kernel and its kernel_args; the discrete LIF's update,
    its parameters and its CUDA kernel names live in neurosim/kernels/discrete_lif.py."""
    for name in ("gpu_engine.py", "lsm_step.py"):
        text = (ENGINES / name).read_text()
        code = re.sub(r'""".*?"""', "", text, flags=re.S)       # docstrings may name examples
        code = "\n".join(line.split("#")[0] for line in code.splitlines())
        for word in ("decay", "threshold", "discrete_lif", "discrete-lif", ".kernel ==", "neurosim_lsm_update",
                     "params."):
            assert word not in code, f"{name} mentions {word!r}"


def test_the_discrete_lif_supplies_its_gpu_update():
    kernel = get_model("discrete-lif").gpu_kernel()
    assert isinstance(kernel, BinGpuKernel) and kernel.source == "discrete_lif.cu"
    assert (kernel.folder / kernel.source).is_file()


@pytest.mark.parametrize("chip, overrides", [("ideal", ()), ("rram-40nm-256kb", ("crossbar.adc_mode=ideal",))])
def test_the_discrete_lif_numpy_twin_equals_its_cpu_kernel(chip, overrides):
    """With integer weights and no leak every membrane is an exact integer in any summation order, so the
    twin (BLAS sums) and the cpu kernel (Brian2's order) must give the same spikes and traces; with the
    chip's own weights the orders may round apart in the last bit, so agreement is held to ≥ 0.999 (as
    tests/test_gpu_engine.py)."""
    config = load_config(chip, overrides=["network.neurons=60", "network.input_scale=2.0", *overrides])
    lsm = build_lsm(config, 24, np.random.default_rng(3))
    raster = np.random.default_rng(4).random((8, 20, 24)) < 0.15
    rng = np.random.default_rng(5)
    exact = replace(lsm, w_in=rng.integers(-1, 4, (24, 60)).astype(float),
                    w_rec=rng.integers(-2, 2, (60, 60)).astype(float), params=replace(lsm.params, decay=1.0))
    for network, agreement in ((exact, 1.0), (lsm, 0.999)):
        twin = GpuEngine("float64", batch_size=3, device="cpu", trace_neurons=5).run(network, raster)
        cpu = CpuEngine(trace_neurons=5).run(network, raster)
        assert 0.01 < cpu.spike_raster.mean() < 0.9
        assert (twin.spike_raster == cpu.spike_raster).mean() >= agreement
        if network is exact:
            np.testing.assert_array_equal(twin.traces, cpu.traces)
