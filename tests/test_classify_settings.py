"""The classify task's own evaluation keys live in its section ``[classify]``, not in ``[readout]``."""

from __future__ import annotations

import pytest

from neurosim.config import ConfigError, load_config, reference_rows
from neurosim.tasks.classify import Classify, ClassifySettings

KEYS = ("folds", "baselines", "learning_curve")


def test_the_evaluation_keys_are_the_classify_section():
    assert Classify.Settings is ClassifySettings
    config = load_config(overrides=["classify.folds=0", "classify.baselines=false",
                                    "classify.learning_curve=false"])
    assert config.section("classify") == ClassifySettings(folds=0, baselines=False, learning_curve=False)
    assert not any(hasattr(config.readout, key) for key in KEYS)
    documented = {row[0] for row in reference_rows()}
    assert {f"classify.{key}" for key in KEYS} <= documented
    assert not {f"readout.{key}" for key in KEYS} & documented


@pytest.mark.parametrize("key", KEYS)
def test_the_old_readout_key_points_to_its_new_home(key):
    with pytest.raises(ConfigError, match=rf"unknown key readout\.{key} \(did you mean classify\.{key}\?\)"):
        load_config(overrides=[f"readout.{key}=0" if key == "folds" else f"readout.{key}=false"])


def test_the_classify_section_is_range_checked():
    with pytest.raises(ConfigError, match=r"classify\.folds = 101 is out of range"):
        load_config(overrides=["classify.folds=101"])
