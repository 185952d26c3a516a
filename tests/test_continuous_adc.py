"""A model without the chip's ADC in its loop is refused on a chip whose ADC quantizes.

Only the discrete LIF reads its drive through the column ADC; the continuous models (``lif``,
``izhikevich``) used to run with an ideal ADC on a quantizing chip while the report named the
chip's ADC. They are refused with the two ways out until the ADC is built into them.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.networks import build_lsm
from neurosim.tasks import RunContext, run_task

QUANTIZING = ("rram-40nm-256kb", "pcm-14nm-hermes")


@pytest.mark.parametrize("chip", QUANTIZING)
@pytest.mark.parametrize("model", ["lif", "izhikevich"])
def test_continuous_model_on_a_quantizing_adc_is_refused_with_the_ways_out(chip, model):
    config = load_config(chip, overrides=[f"network.model={model}", "network.neurons=20"])
    assert config.crossbar.adc_mode == "quantize"
    with pytest.raises(ConfigError) as err:
        build_lsm(config, 8, np.random.default_rng(0))
    message = str(err.value)
    for words in (f"network.model = '{model}'", "crossbar.adc_mode = 'quantize'", "crossbar.adc_mode=ideal",
                  "network.model=discrete-lif"):
        assert words in message


@pytest.mark.parametrize("model", ["lif", "izhikevich"])
def test_continuous_model_runs_with_an_ideal_adc(model):
    for chip, extra in (("rram-40nm-256kb", ["crossbar.adc_mode=ideal"]), ("ideal", [])):
        lsm = build_lsm(load_config(chip, overrides=[f"network.model={model}", "network.neurons=20", *extra]),
                        8, np.random.default_rng(0))
        assert lsm.model == model and lsm.drive_adc is None


def test_discrete_lif_keeps_the_adc_in_its_loop():
    lsm = build_lsm(load_config("rram-40nm-256kb", overrides=["network.neurons=20"]), 8, np.random.default_rng(0))
    assert lsm.drive_adc is not None


def test_a_task_on_a_quantizing_chip_refuses_a_continuous_model():
    config = load_config("rram-40nm-256kb", overrides=["network.model=izhikevich", "network.neurons=20",
                                                       "run.samples=40", "input.n_bins=10", "classify.folds=0"])
    with pytest.raises(ConfigError, match="crossbar.adc_mode"):
        run_task("classify", config, RunContext("cpu"))
