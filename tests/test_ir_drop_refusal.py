"""A non-zero ``crossbar.wire_resistance`` is no longer refused when a network is built: the network
carries it to the engines (``lsm.drive_adc``), which apply IR drop in the loop or refuse it by name
(tests/test_ir_drop_loop.py). Only a chip with no analog array refuses it at build time."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.networks.lsm import build_lsm


@pytest.mark.parametrize("adc_mode", ["quantize", "ideal"])
def test_a_nonzero_wire_resistance_reaches_the_engines(adc_mode):
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=8", "crossbar.wire_resistance=1.0",
                                                       f"crossbar.adc_mode={adc_mode}"])
    adc = build_lsm(config, 4, np.random.default_rng(0)).drive_adc
    assert adc is not None and adc.wire_resistance == 1.0 and adc.cells is not None
    assert adc.adc.quantize == (adc_mode == "quantize")


def test_zero_wire_resistance_builds_as_before():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=8"])
    lsm = build_lsm(config, 4, np.random.default_rng(0))
    assert lsm.w_rec.shape == (8, 8) and lsm.drive_adc.cells is None
    ideal_adc = load_config("rram-40nm-256kb", overrides=["network.neurons=8", "crossbar.adc_mode=ideal"])
    assert build_lsm(ideal_adc, 4, np.random.default_rng(0)).drive_adc is None


def test_a_chip_without_an_analog_array_refuses_it_by_name():
    config = load_config("ideal", overrides=["network.neurons=8", "crossbar.wire_resistance=1.0"])
    with pytest.raises(ConfigError, match=r"crossbar\.wire_resistance"):
        build_lsm(config, 4, np.random.default_rng(0))
