"""The chip's column ADC in every engine and every neuron model (issue 28).

Every engine × neuron model × ADC mode is either exact against the reference (the cpu engine's
spikes, themselves checked against the numpy ``CrossbarMacro`` reference in tests/test_adc_loop.py)
or refused with one line; none falls back to an ideal ADC. A user's Brian2-only neuron model,
registered here, runs on the default chip with the ADC in the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from neurosim.config import load_config, param
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines.gpu_engine import GpuEngine
from neurosim.errors import EngineError
from neurosim.networks import build_lsm
from neurosim.networks.models import register_model, unregister_model
from neurosim.networks.models.continuous import ContinuousConfig, ContinuousModel

CHIP = "rram-40nm-256kb"

#: Every ADC mode the cpu kernel supports, as overrides of the default chip (differential, 8 bits).
MODES = {
    "differential": [],
    "offset, column reference": ["crossbar.mapping=offset", "crossbar.offset_reference=column"],
    "offset, digital subtraction": ["crossbar.mapping=offset", "crossbar.offset_reference=digital"],
    "1-bit comparator": ["crossbar.adc_bits=1"],
    "sign-magnitude, exact zero": ["crossbar.adc_bits=3", "crossbar.adc_range=0.004"],
}


@dataclass(frozen=True)
class QIFConfig(ContinuousConfig):
    """[network.qif]: quadratic integrate-and-fire (plus dt, synapse, tau_syn, delay)."""

    tau_m: float = param(10e-3, "Membrane time constant", "s", 1e-6, 1.0)
    bias: float = param(0.5, "Constant drive (membrane units)", "", -10.0, 10.0)


class QIF(ContinuousModel):
    """A user's model with Brian2 equations only (the extension example of docs/reference/extending.md)."""

    name, section, method = "qif", QIFConfig, "euler"

    def differential(self, lsm, syn_term):
        return f"dv/dt = (v**2 + bias + {syn_term}) / tau_m : 1\n"

    def parameters(self, lsm):
        return "bias : 1 (shared, constant)\ntau_m : second (shared, constant)\n"

    def threshold(self, lsm):
        return "v >= 1"

    def reset(self, lsm):
        return "v = -1"

    def rest(self, lsm):
        return {"v": "-1"}

    def initialise(self, brian2, group, lsm):
        group.bias, group.tau_m, group.v = lsm.params.bias, lsm.params.tau_m * brian2.second, -1


#: Tiny networks of each model that spike on the default chip.
MODELS = {
    "discrete-lif": ["network.discrete-lif.threshold=0.5"],
    "lif": ["network.model=lif", "network.lif.threshold=0.5", "network.input_scale=8.0",
            "network.lif.synapse=exponential", "network.lif.tau_syn=3e-3"],
    "izhikevich": ["network.model=izhikevich", "network.input_scale=12", "network.izhikevich.recurrent_scale=3",
                   "network.izhikevich.inhibitory_gain=1", "network.izhikevich.bias=2"],
    "qif": ["network.model=qif", "network.input_scale=4.0"],
}

INPUTS = 10


@pytest.fixture(scope="module", autouse=True)
def qif_model():
    register_model(QIF())
    yield
    unregister_model("qif")


def network(model: str, extra: list[str]):
    config = load_config(CHIP, overrides=["network.neurons=16", *MODELS[model], *extra])
    return build_lsm(config, INPUTS, np.random.default_rng(0))


RASTER = np.random.default_rng(2).random((4, 12, INPUTS)) < 0.3

ENGINES = {"brian2": Brian2Engine, "cpu": CpuEngine, "gpu (numpy twin)": lambda: GpuEngine("float64", device="cpu")}


@pytest.mark.x86_fma
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("model", list(MODELS))
def test_every_engine_is_exact_on_the_adc_or_refuses_with_one_line(model, mode):
    lsm = network(model, MODES[mode])
    assert lsm.drive_adc is not None
    results, refusals = {}, {}
    for name, make in ENGINES.items():
        try:
            results[name] = make().run(lsm, RASTER).spike_raster
        except EngineError as err:
            refusals[name] = str(err)
    for name, message in refusals.items():
        assert "\n" not in message and model in message, (name, message)
    if model == "qif":      # Brian2 equations only: the fast engines refuse it, Brian2 is the reference
        assert set(refusals) == {"cpu", "gpu (numpy twin)"}
        reference = results["brian2"]
    else:
        assert not refusals
        reference = results["cpu"]
    assert 0 < reference.sum() < reference.size
    for name, spikes in results.items():
        np.testing.assert_array_equal(spikes, reference, err_msg=f"{name}, {model}, {mode}")
    if mode in ("1-bit comparator", "sign-magnitude, exact zero"):   # coarse: the ADC must show
        ideal = Brian2Engine().run(network(model, [*MODES[mode], "crossbar.adc_mode=ideal"]), RASTER).spike_raster
        assert (ideal != reference).any(), "the ADC changed nothing: an ideal ADC in disguise?"


def test_a_users_brian2_model_has_the_adc_in_its_loop():
    """The quadratic integrate-and-fire of docs/reference/extending.md, Brian2 equations only, on the default chip: the
    ADC's resolution changes its spikes (it is not run with an ideal ADC)."""
    spikes = {bits: Brian2Engine().run(network("qif", [f"crossbar.adc_bits={bits}"]), RASTER).spike_raster
              for bits in (8, 3)}
    assert spikes[8].sum() > 0
    assert (spikes[8] != spikes[3]).any()


def report_numbers(report: dict) -> dict:
    return {"accuracy": report["accuracy"], "activity": report["activity"], "energy": report["energy"]}


@pytest.mark.brian2
@pytest.mark.x86_fma
@pytest.mark.parametrize("model", ["discrete-lif", "lif", "izhikevich"])
def test_brian2_gives_the_cpu_engines_report_on_the_default_chip(model):
    """``neurosim run --engine brian2`` on the default chip (the ADC in the loop): the cpu engine's
    accuracy, spikes and energy, exactly."""
    import neurosim
    from tiny import READOUT_EXTRAS_OFF, TINY

    config = load_config(CHIP, overrides=[*TINY, *READOUT_EXTRAS_OFF, *MODELS[model]], task="classify")
    assert config.crossbar.adc_mode == "quantize"
    reports = {engine: neurosim.run("classify", config, engine=engine).report for engine in ("cpu", "brian2")}
    assert reports["brian2"]["activity"]["spikes_per_sample"] > 0
    assert report_numbers(reports["brian2"]) == report_numbers(reports["cpu"])
