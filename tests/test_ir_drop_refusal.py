"""IR drop is not modelled in the spiking loop: a non-zero ``crossbar.wire_resistance`` is refused by
name when a network is built (every engine builds it the same way), not silently ignored."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.networks.lsm import build_lsm


@pytest.mark.parametrize("adc_mode", ["quantize", "ideal"])
def test_a_nonzero_wire_resistance_is_refused_by_name(adc_mode):
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=8", "crossbar.wire_resistance=1.0",
                                                       f"crossbar.adc_mode={adc_mode}"])
    with pytest.raises(ConfigError, match=r"crossbar\.wire_resistance"):
        build_lsm(config, 4, np.random.default_rng(0))


def test_zero_wire_resistance_builds():
    config = load_config("rram-40nm-256kb", overrides=["network.neurons=8"])
    assert build_lsm(config, 4, np.random.default_rng(0)).w_rec.shape == (8, 8)
