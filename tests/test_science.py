"""Tests of the science, not only of the plumbing: the reservoir's features carry the class, and on real
N-MNIST the reservoir beats the strongest feature set that never went through it, by the verdict the
run's summary prints.

Chance is a binomial band at the number of samples scored (tests/chance.py); the comparison's check
(tests/claims.py) is the one tests/test_mutations.py shows failing on broken runs (shuffled labels,
zeroed features, on the CV path and on the baselines and controls). Here the N-MNIST claim is also
shown failing when the reservoir is replaced by its own windowed input.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from chance import above_chance, chance_band
from claims import comparison_problems
from conftest import SHARED_DATA, require_data

from neurosim.config import load_config
from neurosim.learning.controls import FEEDFORWARD, RANDOM_FEATURES
from neurosim.tasks.classify import Classify, run_classify
from neurosim.tasks.pipeline import Pipeline

#: 300 samples, 200 neurons, 5-fold CV over all of them (one partition), no baselines or controls.
SMALL = ["run.samples=300", "network.neurons=200", "classify.folds=5", "classify.repeats=1",
         "classify.baselines=false", "classify.feedforward=false", "classify.learning_curve=false"]


@pytest.mark.parametrize("dataset", ["dvs-digits", "spoken-digits"])
def test_classify_beats_chance_on_each_dataset(dataset):
    _beats_chance(dataset, None)


def test_classify_beats_chance_on_real_nmnist(nmnist_dir):
    _beats_chance("nmnist", nmnist_dir.parent)


def _beats_chance(dataset: str, data_dir) -> None:
    """The pooled out-of-fold accuracy over all 300 samples exceeds the 99.9 % quantile of chance at 300
    samples (≈ 15.7 % for ten balanced classes)."""
    result = run_classify(load_config(overrides=SMALL + [f"run.dataset={dataset}"]), engine="cpu",
                          data_dir=data_dir)
    per_class = result.cv.confusion.sum(axis=1)          # every sample is scored once
    n, chance = int(per_class.sum()), float(per_class.max() / per_class.sum())
    assert n == 300
    assert above_chance(result.cv.accuracy.value, n, chance), \
        f"{dataset}: {result.cv.accuracy.value:.3f} on {n} samples, chance band {chance_band(n, chance)}"


# --------------------------------------------------------------------------- the N-MNIST claim

#: The module's reservoir pass and the mutation test: N-MNIST's default settings (its recommended 2,000
#: neurons, ridge readout, 5-fold CV) on all 1,100 samples, ideal chip, without the feed-forward control
#: (a second pass through the engine), the repeated partitions and the learning curve: the verdict against
#: the strongest no-reservoir baseline is McNemar on the first partition's out-of-fold predictions
#: whatever classify.repeats is. The verdicts of the full default run are the first N-MNIST test's.
NMNIST = ["run.dataset=nmnist", "run.samples=0", "classify.feedforward=false", "classify.repeats=1",
          "classify.learning_curve=false"]


@pytest.fixture(scope="module")
def nmnist_run():
    """The 1,100 real N-MNIST samples through the reservoir once, with the no-reservoir baselines: the
    config, the run and the data root."""
    root = require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv").parents[1]
    config = load_config("ideal", overrides=NMNIST)
    return config, Pipeline(config, "cpu", root).run_dataset(baselines=True), root


def _report(monkeypatch, config, data, data_dir) -> dict:
    """The classify report of ``config`` on the reservoir run ``data`` (handed to the task in place of
    a second pass through the engine)."""
    monkeypatch.setattr(Pipeline, "run_dataset", lambda self, *args, **kwargs: data)
    return Classify().report(run_classify(config, engine="cpu", data_dir=data_dir))


def _claim_holds(report: dict) -> bool:
    """The claim of docs/studies/classification.md on N-MNIST's default 2,000 neurons: the reservoir beats the strongest
    no-reservoir baseline, significantly (the verdict the summary prints)."""
    comparison = report["comparison"]
    return comparison["reservoir_beats_strongest"] and "the reservoir beats it" in comparison["verdict"]


@pytest.mark.slow
def test_real_nmnist_beats_the_strongest_baseline_not_the_strongest_control(nmnist_run, monkeypatch):
    """What docs/studies/classification.md says for N-MNIST's default 2,000 neurons (ideal chip, ridge readout,
    all 1,100 samples, the default 3 × 5 splits, the baselines and both controls), held to the verdicts the
    run's summary prints, from one run:

    * against the strongest of the no-reservoir baselines (per-pixel counts, the input raster, the windowed
      input counts), McNemar on the first partition's out-of-fold predictions: the windowed input counts,
      beaten (that page: +3.7 points, McNemar p = 3·10⁻⁷); every feature set learnt something (above chance
      at 1,100 samples), so the margin is against a working baseline;
    * against the controls, over the repeated splits: the strongest is the random features of equal width
      and the reservoir does not beat it (measured 2026-12-07: 1.1 points above the reservoir, corrected
      resampled t p = 0.15). A run where the reservoir wins, or another control is the strongest, fails here
      until that page is updated.

    The reservoir's pass is the module's (the same network, samples and chunks: ``classify.*`` keys change
    none of it); the feed-forward control's pass runs here. The learning curve is off: it comes after the
    verdicts' folds and splits and feeds nothing in them."""
    _, data, root = nmnist_run
    assert len(data) == 1100
    config = load_config("ideal", overrides=["run.dataset=nmnist", "run.samples=0", "classify.learning_curve=false"])
    settings = config.section("classify")
    assert settings.feedforward and settings.baselines and settings.repeats > 1     # the default protocol
    reservoir_pass, passes = Pipeline.run_dataset, []

    def reuse_the_reservoirs_pass(self, *args, **kwargs):
        if type(self) is Pipeline:
            return data
        passes.append(self)
        return reservoir_pass(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "run_dataset", reuse_the_reservoirs_pass)
    report = Classify().report(run_classify(config, engine="cpu", data_dir=root))
    comparison = report["comparison"]
    assert len(passes) == 1 and not passes[0].network(data.network.inputs).w_rec.any(), \
        "the feed-forward control must run its own pass, on the network without recurrence"
    # the strongest baseline
    assert comparison_problems(report, data.labels) == []
    assert comparison["strongest_baseline"] == "windowed input counts", comparison["verdict"]
    assert _claim_holds(report), comparison["verdict"]
    rows = dict(Classify().summary(report))
    assert rows["reservoir vs that baseline"].startswith(comparison["verdict"])
    # the strongest control
    assert set(report["controls"]) == {RANDOM_FEATURES, FEEDFORWARD}
    assert comparison["strongest_control"] == RANDOM_FEATURES, comparison["control_verdict"]
    assert not comparison["reservoir_beats_all_controls"], comparison["control_verdict"]
    assert rows["reservoir vs strongest control"] == comparison["control_verdict"]


@pytest.mark.slow
def test_the_nmnist_claim_fails_when_the_reservoir_is_its_windowed_input(nmnist_run, monkeypatch):
    """Mutation: the readout fed the reservoir's own windowed input (the strongest baseline) in place of
    its spike counts. The claim's check must fail: the margin is 0, no significant difference."""
    config, data, root = nmnist_run
    windowed = data.baselines["windowed input counts"]
    assert windowed.shape != data.features.shape       # 5 windows × 256 inputs against 5 × 2,000 neurons
    report = _report(monkeypatch, config, replace(data, features=windowed), root)
    assert not _claim_holds(report), report["comparison"]["verdict"]
    assert report["comparison"]["margin_points"] == 0.0
