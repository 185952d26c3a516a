"""Tests of the science, not only of the plumbing: the reservoir's features carry the class.

On each dataset the classify task must beat chance by a clear margin; the same check must
fail on a broken pipeline (zeros fed to the readout, labels shuffled), so it cannot pass by
accident.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.tasks.classify import run_classify
from neurosim.tasks.pipeline import Pipeline

SMALL = ["run.samples=300", "network.neurons=200", "classify.folds=0"]  # the split accuracy is checked
CHANCE = 0.1  # ten balanced digit classes


def clearly_above_chance(accuracy: float, n_test: int) -> bool:
    """Accuracy more than 4 binomial standard errors above chance, and at least twice chance."""
    se = math.sqrt(CHANCE * (1 - CHANCE) / n_test)
    return accuracy > CHANCE + 4 * se and accuracy >= 2 * CHANCE


@pytest.mark.parametrize("dataset", ["dvs-digits", "spoken-digits", "nmnist"])
def test_classify_beats_chance_on_each_dataset(dataset, request):
    data_dir = request.getfixturevalue("nmnist_dir").parent if dataset == "nmnist" else None
    result = run_classify(load_config(overrides=SMALL + [f"run.dataset={dataset}"]), engine="cpu",
                          data_dir=data_dir)
    assert clearly_above_chance(result.accuracy_test, result.n_test), \
        f"{dataset}: {result.accuracy_test:.3f} on {result.n_test} test samples"


def _mutated(monkeypatch, mutate):
    original = Pipeline.run_dataset

    def run_dataset(self, *args, **kwargs):
        return mutate(original(self, *args, **kwargs))

    monkeypatch.setattr(Pipeline, "run_dataset", run_dataset)


@pytest.mark.parametrize("mutation", ["zero features", "shuffled labels"])
def test_the_check_fails_on_a_broken_pipeline(mutation, monkeypatch):
    if mutation == "zero features":
        _mutated(monkeypatch, lambda data: replace(data, features=np.zeros_like(data.features)))
    else:
        rng = np.random.default_rng(0)
        _mutated(monkeypatch, lambda data: replace(data, labels=rng.permutation(data.labels)))
    result = run_classify(load_config(overrides=SMALL), engine="cpu")
    assert not clearly_above_chance(result.accuracy_test, result.n_test), \
        f"{mutation}: {result.accuracy_test:.3f} should be near chance"


def test_reservoir_beats_pixel_counts_on_real_nmnist(nmnist_dir):
    """On the 1,100 real N-MNIST samples the reservoir's windowed spike counts (nmnist's default settings:
    its recommended 2,000 neurons) must classify better than per-pixel event counts without any reservoir
    (same folds, same ridge readout)."""
    from neurosim import seeds
    from neurosim.learning.evaluate import cross_validate, stratified_folds

    config = load_config("ideal", overrides=["run.dataset=nmnist", "run.samples=0"])
    data = Pipeline(config, "cpu", nmnist_dir.parent).run_dataset(baselines=True)
    assert len(data) == 1100
    folds = stratified_folds(data.labels, 5, seeds.int_seed(0, "split", "folds"))
    reservoir = cross_validate(data.features, data.labels, config.readout, folds, 0).accuracy.value
    pixels = cross_validate(data.baselines["pixel counts"], data.labels, config.readout, folds, 0).accuracy.value
    assert reservoir > pixels, f"reservoir {reservoir:.3f} vs pixel counts {pixels:.3f}"
