"""Continual learning's hyperparameters chosen on a validation split of the training samples (never
on the test samples), and HLOP's paired differences over seeds (issue 25)."""

from dataclasses import replace

import numpy as np
import pytest
from tiny import TINY_CONTINUAL, TINY_CONTINUAL_FINETUNE

import neurosim.tasks.continual as continual_task
from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.learning.continual_select import choose, method_points, paired_difference, validation_split
from neurosim.tasks import RunContext, run_task
from neurosim.tasks.continual import parse_grid

GRID = ["continual.grid='lr=0.0,0.05; hebbian_rate=0.1,0.5'", "continual.val_fraction=0.25"]


def _report(*sets, base=TINY_CONTINUAL):
    config = load_config("ideal", overrides=[*base, *sets])
    return run_task("continual", config, RunContext("cpu")).report["continual"]


def test_validation_split_is_stratified_disjoint_and_seeded():
    labels = np.repeat(np.arange(4), [10, 20, 5, 1])
    fit, val = validation_split(labels, 0.2, np.random.default_rng(0))
    assert np.intersect1d(fit, val).size == 0
    assert np.array_equal(np.union1d(fit, val), np.arange(len(labels)))
    # round(0.2 × n_c) per class, none of a class of one sample
    assert [int(np.sum(labels[val] == c)) for c in range(4)] == [2, 4, 1, 0]
    again = validation_split(labels, 0.2, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip((fit, val), again))
    other = validation_split(labels, 0.2, np.random.default_rng(1))[1]
    assert not np.array_equal(val, other)
    with pytest.raises(ConfigError, match="val_fraction"):
        validation_split(labels, 0.0, np.random.default_rng(0))


def test_paired_difference_on_a_constructed_case():
    d = paired_difference([0.8, 0.7, 0.9], [0.6, 0.6, 0.6])
    # differences 0.2, 0.1, 0.3: mean 0.2, sd 0.1, t(0.975, 2) = 4.302653
    assert d.value == pytest.approx(0.2)
    assert d.high - d.value == pytest.approx(4.302653 * 0.1 / np.sqrt(3), rel=1e-6)
    assert d.value - d.low == pytest.approx(d.high - d.value)
    # what the two methods share on each seed cancels: a constant gap has no spread at all
    same = paired_difference([0.5, 0.7, 0.9], [0.4, 0.6, 0.8])
    assert (same.low, same.high) == pytest.approx((0.1, 0.1))
    with pytest.raises(ValueError):
        paired_difference([0.1, 0.2], [0.1])


def test_grid_points_per_method_and_the_choice_rule():
    grid = parse_grid("lr=0.02,0.05; hebbian_rate=0.1,0.5; replay_per_class=5")
    assert grid == {"lr": (0.02, 0.05), "hebbian_rate": (0.1, 0.5), "replay_per_class": (5,)}
    # fine-tuning is not retrained for Hebbian rates it never reads
    assert method_points("finetune", grid) == [{"lr": 0.02}, {"lr": 0.05}]
    assert len(method_points("hlop", grid)) == 4 and len(method_points("replay", grid)) == 2
    assert choose(np.array([[0.5, 0.7], [0.7, 0.5], [0.6, 0.7]])) == 2
    assert choose(np.array([[0.6, 0.6], [0.7, 0.5]])) == 0     # a tie: the first in grid order
    for bad, match in (("nonsense=1", "setting=v1,v2"), ("lr=-1", "outside"), ("hidden=1.5", "not a int"),
                       ("bias=maybe", "outside"), ("lr=0.1; lr=0.2", "new setting")):
        with pytest.raises(ConfigError, match=match):
            parse_grid(bad)
    with pytest.raises(ConfigError, match="val_fraction"):
        load_config("ideal", overrides=["continual.grid='lr=0.1'", "continual.val_fraction=0"])


def _spy(monkeypatch):
    """Record the index sets every task-data call gets; scramble the test labels when asked
    (``state["scramble"]``: every test label moved to the next class)."""
    state = {"calls": [], "scramble": False}
    real_split, real_data = continual_task.split_indices, continual_task._task_data

    def split_indices(data, cfg):
        state["train"], state["test"] = real_split(data, cfg)
        return state["train"], state["test"]

    def task_data(cfg, runs, train, test):
        state["calls"].append((train.copy(), test.copy()))
        tasks = real_data(cfg, runs, train, test)
        if state["scramble"] and np.array_equal(test, state["test"]):
            tasks = [replace(t, y_test=(t.y_test + 1) % 10) for t in tasks]
        return tasks

    monkeypatch.setattr(continual_task, "split_indices", split_indices)
    monkeypatch.setattr(continual_task, "_task_data", task_data)
    return state


def test_selection_never_reads_the_test_samples(monkeypatch):
    state = _spy(monkeypatch)
    clean = _report("continual.methods=finetune,hlop", *GRID)
    (train, test), (fit, val) = state["calls"]
    # the validation split: training samples only, disjoint from what the selection trains on and from test
    assert np.array_equal(train, state["train"]) and np.array_equal(test, state["test"])
    assert np.intersect1d(val, test).size == 0 and np.intersect1d(fit, val).size == 0
    assert np.array_equal(np.union1d(fit, val), train)
    sel = clean["selection"]
    assert sel["n_val"] == len(val) and sel["n_fit"] == len(fit)
    # lr = 0 learns nothing: validation chooses the other rate; fine-tuning was tried at 2 points, hlop at 4
    assert sel["methods"]["finetune"]["chosen"] == {"lr": 0.05}
    assert len(sel["methods"]["hlop"]["points"]) == 4 and sel["methods"]["hlop"]["chosen"]["lr"] == 0.05

    state["scramble"] = True
    scrambled = _report("continual.methods=finetune,hlop", *GRID)
    # wrong test labels change the test scores but not one validation score or choice
    assert scrambled["selection"] == sel
    assert scrambled["methods"]["hlop"]["R"] != clean["methods"]["hlop"]["R"]


def test_no_grid_keeps_the_settings_and_the_grid_changes_the_networks():
    plain = _report(base=TINY_CONTINUAL_FINETUNE)
    assert "selection" not in plain
    zero = _report("continual.lr=0.0", base=TINY_CONTINUAL_FINETUNE)
    chosen = _report("continual.lr=0.0", "continual.grid='lr=0.0,0.05'", base=TINY_CONTINUAL_FINETUNE)
    # the grid overrides the set rate with the chosen one: the reported networks learn again
    assert chosen["selection"]["methods"]["finetune"]["chosen"] == {"lr": 0.05}
    assert chosen["methods"]["finetune"]["R"] == plain["methods"]["finetune"]["R"]
    assert zero["methods"]["finetune"]["R"] != plain["methods"]["finetune"]["R"]


def test_report_gives_hlops_paired_differences_over_seeds():
    c = _report("continual.methods=finetune,hlop,multitask", "continual.repeats=2", base=TINY_CONTINUAL_FINETUNE)
    assert set(c["paired"]) == {"hlop-finetune", "hlop-multitask"}
    for other in ("finetune", "multitask"):
        d = c["paired"][f"hlop-{other}"]
        for metric in ("acc", "bwt"):
            diffs = np.subtract(c["methods"]["hlop"][f"{metric}_per_seed"], c["methods"][other][f"{metric}_per_seed"])
            assert d[f"{metric}_per_seed"] == pytest.approx(diffs)
            assert d[metric]["value"] == pytest.approx(diffs.mean())
            assert d[metric]["low"] <= d[metric]["value"] <= d[metric]["high"]


def test_study_verdicts_say_met_on_the_mean_where_only_the_mean_meets_a_target():
    from studies import load_study_script
    study = load_study_script("continual_nmnist_v2")
    # version 1's N-MNIST HLOP BWT, −4.8 [−6.3, −3.4], against BWT ≥ −5
    assert study.verdict(-6.3, -4.8, -3.4, lo=-5.0) == "met on the mean"
    assert study.verdict(-4.9, -4.0, -3.1, lo=-5.0) == "met"
    assert study.verdict(-7.0, -6.0, -4.0, lo=-5.0) == "missed"
    assert study.verdict(-40.0, -30.0, -20.0, hi=-15.0) == "met"
    assert study.verdict(-1.0, 0.5, 2.5, lo=-2.0, hi=2.0) == "met on the mean"
