"""The continuous models (``lif``, ``izhikevich``) carry the chip's column ADC on a chip whose ADC quantizes.

They used to be refused there (before that, run with an ideal ADC while the report named the chip's).
What is quantized is the synaptic input of each step, per array segment; the engines' exactness over
every mode is tests/test_adc_every_engine.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.networks import build_lsm
from neurosim.tasks import RunContext, run_task

QUANTIZING = ("rram-40nm-256kb", "pcm-14nm-hermes")


@pytest.mark.parametrize("chip", QUANTIZING)
@pytest.mark.parametrize("model", ["lif", "izhikevich"])
def test_continuous_model_on_a_quantizing_chip_carries_its_adc(chip, model):
    config = load_config(chip, overrides=[f"network.model={model}", "network.neurons=20"])
    assert config.crossbar.adc_mode == "quantize"
    lsm = build_lsm(config, 8, np.random.default_rng(0))
    assert lsm.model == model and lsm.drive_adc is not None
    assert lsm.drive_adc.adc.bits == config.crossbar.adc_bits


@pytest.mark.parametrize("model", ["lif", "izhikevich"])
def test_continuous_model_runs_with_an_ideal_adc(model):
    for chip, extra in (("rram-40nm-256kb", ["crossbar.adc_mode=ideal"]), ("ideal", [])):
        lsm = build_lsm(load_config(chip, overrides=[f"network.model={model}", "network.neurons=20", *extra]),
                        8, np.random.default_rng(0))
        assert lsm.model == model and lsm.drive_adc is None


def test_discrete_lif_keeps_the_adc_in_its_loop():
    lsm = build_lsm(load_config("rram-40nm-256kb", overrides=["network.neurons=20"]), 8, np.random.default_rng(0))
    assert lsm.drive_adc is not None


def test_a_task_on_a_quantizing_chip_runs_a_continuous_model_with_the_adc():
    """The ADC's resolution changes the run's spikes: it is in the loop, not an ideal ADC."""
    spikes = {}
    for bits in (8, 1):
        config = load_config("rram-40nm-256kb", overrides=[
            "network.model=lif", "network.lif.threshold=0.5", "network.input_scale=2.0", "network.neurons=20",
            "run.samples=40", "input.n_bins=10", "classify.folds=0", f"crossbar.adc_bits={bits}"])
        spikes[bits] = run_task("classify", config, RunContext("cpu")).report["activity"]["spikes_per_sample"]
    assert spikes[8] > 0 and spikes[8] != spikes[1]
