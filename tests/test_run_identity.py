"""Run ids and config hashes cover the in-use neuron model's section only.

Adding a neuron-model plugin, or changing the default of a model the run does not use,
must not change every run id (and re-run every finished sweep unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from neurosim.config import (
    config_hash,
    hashed_dict,
    load_config,
    param,
    register_section,
    unregister_section,
)
from neurosim.tasks.runner import run_id


@dataclass(frozen=True)
class FixtureModelConfig:
    """[network.fixture-model]: an unused neuron model's keys."""

    gain: float = param(1.0, "A fixture model's gain", "", 0.0, 10.0)


@pytest.fixture
def fixture_model():
    register_section("network.fixture-model", FixtureModelConfig)
    yield
    unregister_section("network.fixture-model")


def _identity(config) -> tuple[str, str]:
    return run_id(config, "classify"), config_hash(config)


def test_registering_an_unused_model_section_keeps_the_run_id():
    config = load_config(overrides=["network.neurons=20"])
    before = _identity(config)
    register_section("network.fixture-model", FixtureModelConfig)
    try:
        assert _identity(config) == before
    finally:
        unregister_section("network.fixture-model")
    assert _identity(config) == before


def test_an_unused_models_keys_do_not_change_the_run_id(fixture_model):
    config = load_config(overrides=["network.neurons=20"])
    assert config.network.model == "discrete-lif"
    before = _identity(config)
    assert _identity(config.set({"network.fixture-model.gain": 2.0})) == before
    assert _identity(config.set({"network.lif.tau_m": 0.05})) == before


def test_the_in_use_models_keys_change_the_run_id(fixture_model):
    config = load_config(overrides=["network.neurons=20"])
    before = _identity(config)
    changed = _identity(config.set({"network.discrete-lif.decay": 0.8}))
    assert changed[0] != before[0] and changed[1] != before[1]
    on_fixture = config.set({"network.model": "fixture-model"})
    assert _identity(on_fixture.set({"network.fixture-model.gain": 2.0})) != _identity(on_fixture)


def test_the_hashed_network_section_holds_the_in_use_model_only(fixture_model):
    network = hashed_dict(load_config(overrides=["network.model=lif"]))["network"]
    models = {k for k, v in network.items() if isinstance(v, dict)}
    assert models == {"lif"}
