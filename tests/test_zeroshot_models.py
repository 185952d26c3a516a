"""Zero-shot's per-modality reservoirs follow what the neuron model declares, not its name."""

from __future__ import annotations

import pytest

from neurosim.config import load_config
from neurosim.networks.models import register_model, unregister_model
from neurosim.networks.models.discrete_lif import DiscreteLIF
from neurosim.tasks.zeroshot import modality_config


class StepLIF(DiscreteLIF):
    """A discrete LIF under another name: a plugin model with a threshold and a per-step decay."""

    name = "test-step-lif"


@pytest.fixture
def step_lif():
    model = register_model(StepLIF())
    yield model
    unregister_model(model.name)


def test_a_model_declaring_threshold_and_decay_gets_each_modalitys_values(step_lif):
    config = load_config("ideal", overrides=["network.model=test-step-lif"])
    settings = config.section("zeroshot")
    vision = modality_config(config, settings, "vision").section("network.test-step-lif")
    audio = modality_config(config, settings, "audio").section("network.test-step-lif")
    assert (vision.threshold, vision.decay) == (settings.vision_threshold, settings.vision_decay)
    assert (audio.threshold, audio.decay) == (settings.audio_threshold, settings.audio_decay)


def test_a_model_without_them_keeps_its_section():
    config = load_config("ideal", overrides=["network.model=lif"])
    settings = config.section("zeroshot")
    for which in ("vision", "audio"):
        cfg = modality_config(config, settings, which)
        assert cfg.section("network.lif") == config.section("network.lif")
        assert cfg.input.n_bins == getattr(settings, f"{which}_n_bins")
