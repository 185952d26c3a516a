"""The prediction science at small scale: on a 60-neuron closed-loop Izhikevich reservoir the three-factor
readout's output amplitude rises with p(A) (and B's falls), and after a switch of p(A) the rule re-tracks
the new level within the post-switch trials; with the 'what' readout trained on coin flips instead of the
outcomes (a mutation), the amplitude no longer tracks p(A) and the check fails.

The measure is the primary one of issue 25: each block's end-of-block test trials (cue only, learning
off), ``sweep.block_end``. Settings (fixed before the first run of this file): :data:`SETTINGS`.
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import TINY_PREDICTION

import neurosim.learning.what_when as what_when
from neurosim import seeds
from neurosim.config import load_config
from neurosim.tasks.prediction import Prediction, prediction_report
from neurosim.tasks.registry import RunContext

#: The tiny prediction run, 60 neurons, with blocks long enough to learn in: 15 training trials per block
#: (sweep warm-up included), 3 end-of-block test trials, three levels p(A) = 0, 0.5, 1; the switch
#: (p(A) 0.8 → 0.2) on the three-factor rule alone, 2 blocks before and 2 after, smoothed over 3 trials.
SETTINGS = TINY_PREDICTION + ["network.neurons=60", "prediction.block_trials=15", "prediction.sweep_warmup_trials=15",
                              "prediction.test_every=0", "prediction.test_trials=3",
                              "prediction.switch_methods=three-factor", "prediction.switch_pre_blocks=2",
                              "prediction.switch_post_blocks=2", "prediction.recover_smooth=3"]


#: Least rise of A's relative amplitude from p(A) = 0 to 1 (and fall of B's) that counts as tracking: half
#: of a perfect predictor's (relative amplitude = p, a rise of 1).
SPAN = 0.5


def tracks_probability(sweep: dict) -> bool:
    """The claim on the sweep: A's end-of-block amplitude rises strictly with p(A), B's falls strictly, each
    by at least :data:`SPAN` over the sweep."""
    p = np.array(sweep["p_a"])
    end = sweep["block_end"]
    a, b = np.array(end["amp_a_mean"])[np.argsort(p)], np.array(end["amp_b_mean"])[np.argsort(p)]
    return bool(np.all(np.diff(a) > 0) and np.all(np.diff(b) < 0) and a[-1] - a[0] >= SPAN
                and b[0] - b[-1] >= SPAN)


def _run(overrides: list[str]) -> dict:
    config = load_config("ideal", overrides=overrides)
    return prediction_report(Prediction().run(config, RunContext("cpu")))["prediction"]


@pytest.fixture(scope="module")
def honest() -> dict:
    return _run(SETTINGS)


@pytest.mark.slow
def test_the_amplitude_rises_with_the_probability(honest):
    sweep = honest["sweep"]
    assert sorted(sweep["p_a"]) == [0.0, 0.5, 1.0]
    assert tracks_probability(sweep), sweep["block_end"]


@pytest.mark.slow
def test_the_three_factor_rule_retracks_after_a_switch(honest):
    """After p(A) switches 0.8 → 0.2 the smoothed anticipatory amplitude of A comes within the tolerance of
    the new level (``trials_to_recover`` not 'never') inside the 30 post-switch training trials, and it has
    moved down from its plateau before the switch."""
    switch = honest["switch"]["three-factor"]
    assert switch["trials_to_recover"][0] is not None, switch
    series, before = np.array(switch["amp_a_mean_series"]), switch["amp_before_switch"][0]
    assert series[-3:].mean() < before


@pytest.mark.slow
def test_the_check_fails_when_the_what_readout_learns_coin_flips(monkeypatch):
    """Mutation: the 'what' readout's target is a fair coin flip (seeded) instead of the trial's outcome,
    so what it learns no longer depends on p(A); the sweep's check must fail."""
    coin = seeds.rng(0, "test", "coin")
    original = what_when._nlms_change

    def coin_flip_target(w, x, target, lr):
        flip = np.zeros_like(target)
        flip[int(coin.random() < 0.5)] = 1.0
        return original(w, x, flip, lr)

    monkeypatch.setattr(what_when, "_nlms_change", coin_flip_target)
    mutated = _run(SETTINGS + ["prediction.switch_methods=''"])
    assert not tracks_probability(mutated["sweep"]), mutated["sweep"]["block_end"]
