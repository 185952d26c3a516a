"""Classify, properly: windowed features, tuned readouts, k-fold CV with intervals, no-reservoir
baselines, learning curves, and recurrent weights that keep their regime as the network grows."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import TINY_120

from neurosim.config import load_config
from neurosim.events import VISION_DTYPE, EventBatch
from neurosim.events.binning import window_sums
from neurosim.learning.evaluate import cross_validate, fold_count, learning_curve, stratified_folds
from neurosim.learning.features import BASELINES, baseline_features, pixel_counts, reservoir_features, window_traces
from neurosim.networks import build_lsm
from neurosim.tasks.classify import Classify, run_classify



def _separable(n=120, classes=4, features=30, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), n // classes)
    centres = rng.normal(size=(classes, features)) * 2.0
    return (centres[labels] + rng.normal(size=(n, features))).astype(np.float32), labels


def test_window_features_sum_to_counts_and_traces_decay():
    rng = np.random.default_rng(1)
    spikes = rng.random((3, 10, 4)) < 0.3
    readout = load_config(overrides=["readout.windows=3"]).readout
    feats = reservoir_features(spikes, readout).reshape(3, 3, 4)
    np.testing.assert_array_equal(feats.sum(axis=1), spikes.sum(axis=1))
    np.testing.assert_array_equal(feats[:, 0], spikes[:, :4].sum(axis=1))   # windows of 4, 3, 3 bins
    one = np.zeros((1, 5, 1), bool)
    one[0, 0, 0] = True
    assert window_traces(one, 1, 0.5)[0, 0, 0] == pytest.approx(0.5 ** 4)    # read at the last bin
    trace = load_config(overrides=["readout.windows=3", "readout.feature=trace"]).readout
    assert not np.array_equal(reservoir_features(spikes, trace), feats.reshape(3, -1))
    assert reservoir_features(spikes, load_config(overrides=["readout.windows=1"]).readout).shape == (3, 4)


def test_baselines_are_pixel_counts_input_raster_and_windowed_inputs():
    ev = np.zeros(3, dtype=VISION_DTYPE)
    ev["x"], ev["y"], ev["p"], ev["t"] = [0, 0, 33], [0, 0, 33], [0, 0, 1], [0, 5, 10]
    batch = EventBatch.from_samples([ev], labels=[0], sensor_size=(34, 34, 2), name="t")
    pix = pixel_counts(batch)
    assert pix.shape == (1, 34 * 34 * 2) and pix.sum() == 3 and pix.max() == 2
    raster = np.random.default_rng(0).random((1, 10, 6)) < 0.5
    out = baseline_features(batch, raster, load_config(overrides=["readout.windows=2"]).readout)
    assert tuple(out) == BASELINES
    assert out["input raster"].shape == (1, 60)
    np.testing.assert_array_equal(out["windowed input counts"].reshape(1, 2, 6), window_sums(raster, 2))


def test_cross_validation_interval_and_learning_curve():
    x, y = _separable()
    readout = load_config().readout
    folds = stratified_folds(y, 5, seed=3)
    result = cross_validate(x, y, readout, folds, seed=0)
    assert result.accuracy.low <= result.accuracy.value <= result.accuracy.high
    assert result.accuracy.value > 0.9 and len(result.fold_accuracy) == 5
    assert result.confusion.sum() == len(y)
    noise = cross_validate(np.random.default_rng(0).normal(size=x.shape).astype(np.float32), y, readout, folds, 0)
    assert noise.accuracy.high < 0.5                                   # chance is 25 %: the check can fail
    curve = learning_curve(x, y, readout, folds, 0)
    assert [p["fraction"] for p in curve] == [0.125, 0.25, 0.5, 1.0]  # 96 per fold: 12 ≥ 2 per class
    assert curve[0]["n_train"] < curve[-1]["n_train"]
    assert fold_count(np.array([0, 0, 1, 1, 1]), 5) == 2


def test_hyper_parameters_never_see_the_test_fold():
    """Changing the held-out samples of fold 0 changes nothing that fold 0's readout chose."""
    x, y = _separable()
    readout = load_config(overrides=["readout.model=logistic"]).readout
    folds = stratified_folds(y, 3, seed=0)
    before = cross_validate(x, y, readout, folds, seed=0)
    garbled = x.copy()
    garbled[folds[0][1]] = np.random.default_rng(5).normal(size=(len(folds[0][1]), x.shape[1])) * 50
    after = cross_validate(garbled, y, readout, folds, seed=0)
    assert before.regularisation[0] == after.regularisation[0]
    ridge = load_config().readout
    assert (cross_validate(x, y, ridge, folds, 0).regularisation[0]
            == cross_validate(garbled, y, ridge, folds, 0).regularisation[0])


def test_recurrent_norm_scales_recurrent_weights_by_sqrt_of_size():
    def rec_std(n, norm):
        config = load_config("ideal", overrides=[f"network.neurons={n}", f"network.recurrent_norm={norm}"])
        return build_lsm(config, 16, np.random.default_rng(0)).w_rec.std()
    assert rec_std(200, "sqrt") == pytest.approx(rec_std(200, "none"))          # the paper's size unchanged
    assert rec_std(800, "sqrt") == pytest.approx(rec_std(800, "none") / 2, rel=1e-9)


def test_classify_report_has_cv_baselines_comparison_and_learning_curve():
    task = Classify()
    result = run_classify(load_config(overrides=TINY_120), engine="cpu")
    report = task.report(result)
    cv = report["accuracy"]["cv"]
    assert cv["folds"] == 5 and cv["low"] <= cv["value"] <= cv["high"] and len(cv["per_fold"]) == 5
    assert set(report["baselines"]) == set(BASELINES)
    comparison = report["comparison"]
    assert comparison["strongest_baseline"] in BASELINES and 0 < comparison["mcnemar_p"] <= 1
    assert comparison["margin_points"] == pytest.approx(
        100 * (cv["value"] - report["baselines"][comparison["strongest_baseline"]]["value"]))
    assert set(report["learning_curve"]) == {"reservoir", comparison["strongest_baseline"]}
    assert report["readout"]["features_per_sample"] == 5 * 40
    rows = dict(task.summary(report))
    assert "strongest no-reservoir baseline" in rows and "CI" in rows["accuracy (5-fold CV)"]


def test_readout_knobs_change_what_they_claim():
    off = run_classify(load_config(overrides=TINY_120 + ["classify.folds=0", "readout.windows=1"]), engine="cpu")
    assert off.cv is None and off.baselines is None and off.n_features == 40
    fixed = run_classify(load_config(overrides=TINY_120 + ["classify.baselines=false", "classify.learning_curve=false",
                                                      "readout.tune=false", "readout.alpha=1e6"]), engine="cpu")
    assert fixed.baselines == {} and fixed.learning_curve is None
    assert fixed.regularisation == {"alpha": 1e6}
    assert all(r == {"alpha": 1e6} for r in fixed.cv.regularisation)


def test_activity_is_per_neuron_whatever_the_feature_windows():
    result = run_classify(load_config(overrides=TINY_120 + ["classify.folds=0"]), engine="cpu")
    assert result.mean_spike_counts.shape == (40,) and result.n_features == 5 * 40
    report = Classify().report(result)
    assert report["activity"]["input_spikes_per_sample"] > 0


def test_grouped_folds_hold_out_whole_groups_and_spoken_digits_groups_by_speaker():
    labels = np.tile(np.arange(4), 30)
    groups = np.repeat(np.arange(6), 20)
    folds = stratified_folds(labels, 5, seed=0, groups=groups)
    assert len(folds) == 5
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])          # no group on both sides
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(120))
    from neurosim.data import get_dataset
    speakers = get_dataset("spoken-digits").groups(None)
    assert speakers.shape == (1200,) and len(np.unique(speakers)) == 12
    assert get_dataset("dvs-digits").groups(None) is None


def test_spoken_digits_cross_validation_holds_out_speakers():
    # the feed-forward control is off: a second pass that regenerates every sample's events and checks
    # nothing about the folds (its CV runs on the same folds as the reservoir's, checked in test_controls.py)
    overrides = ["run.dataset=spoken-digits", "run.samples=240", "network.neurons=40", "classify.baselines=false",
                 "classify.learning_curve=false", "classify.feedforward=false"]
    result = run_classify(load_config(overrides=overrides), engine="cpu")
    report = Classify().report(result)
    assert result.cv_groups == "speaker" and report["accuracy"]["cv"]["grouped_by"] == "speaker"
    assert any("speakers held out" in name for name, _ in Classify().summary(report))


@pytest.mark.parametrize("samples, features, classes, dtype", [(120, 600, 10, np.float32), (80, 300, 2, np.float32),
                                                               (60, 200, 3, np.float64), (150, 40, 4, np.float32)])
def test_the_ridge_readout_is_scikit_learns_ridge_classifier_cv_to_the_bit(samples, features, classes, dtype):
    """The tuned ridge readout (penalty by leave-one-out, coefficients solved once for the chosen penalty)
    against scikit-learn's RidgeClassifierCV on the same standardised features: the same penalty, LOO score,
    coefficients, intercepts, scores and predictions, bit for bit, with fewer samples than features (its
    own path: ten, two and three classes, float32 and float64) and with more (scikit-learn's)."""
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.preprocessing import StandardScaler

    from neurosim.learning.readout import RIDGE_ALPHAS
    from neurosim.learning.ridge_loo import RidgeLOOClassifier

    rng = np.random.default_rng(samples)
    labels = rng.integers(0, classes, samples + 30)
    centres = rng.normal(size=(classes, features))                              # a class signal to find
    x = (rng.poisson(1.0, (samples + 30, features)) + centres[labels]).astype(dtype)
    x = StandardScaler().fit_transform(x)
    train, test = slice(0, samples), slice(samples, None)
    ours = RidgeLOOClassifier(alphas=RIDGE_ALPHAS).fit(x[train], labels[train])
    theirs = RidgeClassifierCV(alphas=RIDGE_ALPHAS).fit(x[train], labels[train])
    assert ours.alpha_ == theirs.alpha_ and ours.best_score_ == theirs.best_score_
    assert ours.coef_.dtype == theirs.coef_.dtype == dtype and ours.coef_.shape == theirs.coef_.shape
    assert np.array_equal(ours.coef_, theirs.coef_) and np.array_equal(ours.intercept_, theirs.intercept_)
    assert np.array_equal(ours.decision_function(x[test]), theirs.decision_function(x[test]))
    assert np.array_equal(ours.predict(x), theirs.predict(x)) and np.array_equal(ours.classes_, theirs.classes_)
    assert np.mean(ours.predict(x[test]) == labels[test]) > 0.8     # it learnt the signal
