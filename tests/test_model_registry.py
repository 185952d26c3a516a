"""The neuron-model registry: a model added in one module (here: this file) runs through config,
network building and the engines; the built-in models own their config subsections."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields

import numpy as np
import pytest

from neurosim.cli import main
from neurosim.config import ConfigError, load_config, param, reference_rows
from neurosim.engines import get_engine
from neurosim.errors import EngineError
from neurosim.networks import build_lsm, get_model, model_names
from neurosim.networks.models import register_model, unregister_model
from neurosim.networks.models.continuous import ContinuousConfig, ContinuousModel

BUILT_IN = ("discrete-lif", "lif", "izhikevich")


@dataclass(frozen=True)
class QIFConfig(ContinuousConfig):
    """[network.test-qif]: a quadratic integrate-and-fire neuron, only for this test (with the
    continuous models' dt, synapse, tau_syn and delay)."""

    tau_m: float = param(10e-3, "Membrane time constant", "s", 1e-6, 1.0)
    bias: float = param(0.5, "Constant drive (membrane units)", "", -10.0, 10.0)


class QIF(ContinuousModel):
    """``tau_m dv/dt = v² + bias + I_syn``; spike at ``v ≥ 1``, then ``v = −1``.

    Defines only its equations: the slot layout, synapses and separator clamp come
    from :class:`ContinuousModel`; no fast-engine kernel, so only Brian2 runs it. Its
    equations are those of tests/test_adc_every_engine.py's ``qif`` (and the plugin tutorial's),
    so that on the same chip Brian2 generates the same code and a cold test run compiles it once.
    """

    name = "test-qif"
    section = QIFConfig
    method = "euler"

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


@pytest.fixture
def qif():
    model = register_model(QIF())
    yield model
    unregister_model(model.name)


@pytest.mark.brian2  # through auto: no pattern in its source names the engine
def test_a_model_defined_in_one_module_runs_on_brian2_through_auto(qif):
    assert "test-qif" in model_names()
    # the default chip (its ADC in the loop), as tests/test_adc_every_engine.py runs its ``qif``
    config = load_config("rram-40nm-256kb", overrides=["network.model=test-qif", "network.neurons=12",
                                                       "network.test-qif.bias=0.6", "network.input_scale=4.0"])
    assert config.section("network.test-qif").bias == 0.6
    lsm = build_lsm(config, 4, np.random.default_rng(0))
    assert lsm.model == "test-qif" and lsm.params.bias == 0.6
    raster = np.random.default_rng(1).random((3, 40, 4)) < 0.2
    engine = get_engine("auto")
    spikes = engine.run(lsm, raster).spike_raster
    assert engine.name == "brian2", "auto falls back to the reference engine for a Brian2-only model"
    assert spikes.shape == (3, 40, 12) and spikes.sum() > 0
    cpu = get_engine("cpu")
    assert not cpu.supports(lsm)
    with pytest.raises(EngineError, match=r"cpu engine does not simulate network.model = 'test-qif'.*brian2"):
        cpu.run(lsm, raster)


def test_a_registered_model_owns_its_section_and_leaves_with_it(qif):
    keys = {row[0] for row in reference_rows()}
    assert {"network.test-qif.tau_m", "network.test-qif.bias"} <= keys
    with pytest.raises(ConfigError, match=r"network.test-qif.bias = 20.0 is out of range"):
        load_config(overrides=["network.model=test-qif", "network.test-qif.bias=20"])
    unregister_model("test-qif")
    assert "test-qif" not in model_names()
    with pytest.raises(ConfigError, match=r"network.model = 'test-qif' is not allowed; choose one of "
                                          r"'discrete-lif', 'izhikevich', 'lif'"):
        load_config(overrides=["network.model=test-qif"])
    with pytest.raises(ConfigError, match=r"unknown neuron model network.model = 'test-qif'"):
        get_model("test-qif")


@pytest.mark.parametrize("old, new", [
    ("network.tau_m=0.02", r"unknown key network.tau_m \(it is now network.lif.tau_m\)"),
    ("network.decay=0.8", r"unknown key network.decay \(it is now network.discrete-lif.decay\)"),
    ("network.bias=1", r"\(it is now network.izhikevich.bias or network.lif.bias\)"),
])
def test_old_flat_model_keys_point_to_their_new_home(old, new):
    with pytest.raises(ConfigError, match=new):
        load_config(overrides=[old])


def test_config_output_shows_each_built_in_model_section(capsys):
    assert main(["config", "--chip", "ideal"]) == 0
    network = tomllib.loads(capsys.readouterr().out)["network"]
    for name in BUILT_IN:
        assert name in model_names()
        assert set(network[name]) == {f.name for f in fields(get_model(name).section)}, name
    assert network["discrete-lif"] == {"decay": 0.9, "threshold": 5.0}


def test_only_the_chosen_model_checks_its_rules():
    load_config(overrides=["network.lif.v_reset=6"])          # lif not chosen: its rule is not applied
    with pytest.raises(ConfigError, match="network.lif.v_reset = 6 must be below network.lif.threshold"):
        load_config(overrides=["network.model=lif", "network.lif.v_reset=6"])
