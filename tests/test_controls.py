"""The classification controls and intervals (issue 25): the random-feature control of equal width, the
feed-forward spiking control, the verdict against the strongest of all controls, repeated CV with the
corrected resampled t interval, and every feature set on the held-out split."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from neurosim import seeds
from neurosim.config import load_config
from neurosim.engines import get_engine
from neurosim.learning.controls import FEEDFORWARD, RANDOM_FEATURES, feedforward_network, random_features
from neurosim.learning.evaluate import cross_validate, repeated_cv, stratified_folds
from neurosim.networks.lsm import build_lsm
from neurosim.stats import corrected_resampled_interval, corrected_resampled_p
from neurosim.tasks.classify import Classify, _partition_seed, run_classify, split_indices
from neurosim.tasks.pipeline import Pipeline
from tests.tiny import TINY_120

#: A classify run with both controls, 3 folds repeated twice, no learning curve.
SMALL = TINY_120 + ["classify.folds=3", "classify.repeats=2", "classify.learning_curve=false"]
CONTROLS = {RANDOM_FEATURES, FEEDFORWARD}


def test_corrected_resampled_interval_matches_a_hand_computation():
    # J = 4 splits, mean 0.75, s² = (0.05² + 0.05² + 0.15² + 0.15²) / 3 = 0.05 / 3; n_test/n_train = 10/90
    values = [0.8, 0.7, 0.9, 0.6]
    t_975_3 = 3.182446305284263                     # Student t quantile, 3 degrees of freedom (tables)
    half = t_975_3 * np.sqrt((1 / 4 + 10 / 90) * 0.05 / 3)
    interval = corrected_resampled_interval(values, n_train=90, n_test=10)
    assert interval.value == pytest.approx(0.75)
    assert (interval.low, interval.high) == pytest.approx((0.75 - half, 0.75 + half), rel=1e-9)
    naive_half = t_975_3 * np.sqrt(0.05 / 3 / 4)    # the uncorrected s²/J interval is narrower
    assert interval.high - interval.value > naive_half * 1.15   # × √(1 + J·n_test/n_train) = 1.20
    # the paired test: t = mean / √((1/J + n_test/n_train) s²), two-sided, J − 1 degrees of freedom
    d = np.array([0.1, 0.2, 0.0, 0.1])
    t = d.mean() / np.sqrt((1 / 4 + 10 / 90) * d.var(ddof=1))
    from scipy import stats as sps
    assert corrected_resampled_p(d, 90, 10) == pytest.approx(2 * sps.t.sf(t, 3), rel=1e-12)
    assert corrected_resampled_p(np.zeros(4), 90, 10) == 1.0
    with pytest.raises(ValueError, match="≥ 2"):
        corrected_resampled_interval([0.9], 90, 10)


def test_random_features_are_seeded_rectified_and_as_wide_as_asked():
    x = seeds.rng(0, "test").poisson(2.0, (12, 30)).astype(np.float32)
    f = random_features(x, 2500, seed=7)                 # more than one block of the projection
    assert f.shape == (12, 2500) and f.dtype == np.float32 and f.min() >= 0 and (f > 0).mean() > 0.3
    assert np.array_equal(f, random_features(x, 2500, seed=7))
    assert np.array_equal(f[:5], random_features(x[:5], 2500, seed=7))    # a row does not depend on the others
    assert not np.array_equal(f, random_features(x, 2500, seed=8))
    assert not random_features(np.zeros_like(x), 2500, seed=7).any()     # zero input: zero features


def test_feedforward_network_has_no_recurrence_and_the_same_inputs():
    config = load_config(overrides=TINY_120)
    network = build_lsm(config, 16, seeds.chip_rng(0))
    ff = feedforward_network(network)
    assert not ff.w_rec.any()
    assert ff.w_in is network.w_in and ff.params is network.params and ff.programmed is network.programmed
    raster = seeds.rng(0, "raster").random((4, 20, 16)) < 0.5
    engine = get_engine("cpu")
    a = np.asarray(engine.run(ff, raster).spike_raster)
    busy = int(a.sum(axis=(0, 1)).argmax())
    others = np.arange(a.shape[2]) != busy
    # without recurrence, silencing the busiest neuron's input changes no other neuron's spikes …
    muted_in = np.where(np.arange(ff.w_in.shape[1]) == busy, 0.0, ff.w_in)
    b = np.asarray(engine.run(replace(ff, w_in=muted_in), raster).spike_raster)
    assert a[..., busy].any() and not b[..., busy].any() and np.array_equal(a[..., others], b[..., others])
    # … with it, it does (the recurrent network is the one the control removes)
    rec = np.asarray(engine.run(network, raster).spike_raster)
    rec_muted = np.asarray(engine.run(replace(network, w_in=muted_in), raster).spike_raster)
    assert not np.array_equal(rec[..., others], rec_muted[..., others])


@pytest.fixture(scope="module")
def small():
    result = run_classify(load_config(overrides=SMALL), engine="cpu")
    return result, Classify().report(result)


def test_both_controls_run_on_the_same_folds_and_the_verdict_is_against_the_strongest_of_all(small):
    result, report = small
    assert set(report["controls"]) == CONTROLS
    assert all(c["features_per_sample"] == result.n_features for c in report["controls"].values())
    everything = {**report["baselines"], **report["controls"]}
    comparison = report["comparison"]
    assert comparison["strongest_control"] == max(everything, key=lambda k: everything[k]["value"])
    assert comparison["control_accuracy"] == everything[comparison["strongest_control"]]["value"]
    # the verdict's test is the corrected resampled t over 2 × 3 splits; its statement follows from its numbers
    assert comparison["control_test"] == "corrected resampled t over 6 splits"
    beats = comparison["control_repeated_margin_points"] > 0 and comparison["control_corrected_t_p"] < 0.05
    assert comparison["reservoir_beats_all_controls"] is beats
    rows = dict(Classify().summary(report))
    assert rows["reservoir vs strongest control"] == comparison["control_verdict"]
    assert comparison["strongest_control"] in rows["strongest of all controls"]
    # the feed-forward control is its own network's features, not the reservoir's
    assert not np.array_equal(result.controls[FEEDFORWARD].predicted, result.cv.predicted) or \
        report["controls"][FEEDFORWARD]["value"] != report["accuracy"]["cv"]["value"]


def test_the_verdict_follows_which_side_wins(small):
    """A control that knows the labels must be the strongest and beat the reservoir; a reservoir that knows
    them must beat every control (same folds and partitions as the run)."""
    result, _ = small
    config = result.config
    data_labels = _run_labels(config)
    classes = np.unique(data_labels)
    leak = np.eye(len(classes), dtype=np.float32)[np.searchsorted(classes, data_labels)]
    leak += seeds.rng(0, "leak").normal(0, 0.01, leak.shape).astype(np.float32)
    partitions = [stratified_folds(data_labels, 3, _partition_seed(config.run.seed, r)) for r in range(2)]
    cv = cross_validate(leak, data_labels, config.readout, partitions[0], 0)
    rep = repeated_cv(leak, data_labels, config.readout, partitions, 0, cv)
    assert cv.accuracy.value == 1.0
    control_wins = replace(result, controls={**result.controls, RANDOM_FEATURES: cv},
                           repeated={**result.repeated, RANDOM_FEATURES: rep})
    comparison = Classify().report(control_wins)["comparison"]
    assert comparison["strongest_control"] == RANDOM_FEATURES
    assert not comparison["reservoir_beats_all_controls"] and "is worse than" in comparison["control_verdict"]
    reservoir_wins = replace(result, cv=cv, repeated={**result.repeated, "reservoir": rep})
    comparison = Classify().report(reservoir_wins)["comparison"]
    assert comparison["reservoir_beats_all_controls"] and "the reservoir beats it" in comparison["control_verdict"]


def _run_labels(config) -> np.ndarray:
    """The labels of the samples a run of ``config`` streams, in its order."""
    return Pipeline(config, "cpu").planned_labels()[0]


def test_zeroed_reservoir_features_fall_to_chance_and_lose_to_the_controls(small, monkeypatch):
    import neurosim.tasks.pipeline as pipeline

    base, base_report = small
    monkeypatch.setattr(pipeline, "reservoir_features",
                        lambda spikes, readout: np.zeros((len(spikes), readout.windows * spikes.shape[2]),
                                                         np.float32))
    result = run_classify(load_config(overrides=SMALL + ["classify.feedforward=false"]), engine="cpu")
    report = Classify().report(result)
    chance = 1 / len(np.unique(_run_labels(result.config)))
    assert report["accuracy"]["repeated_cv"]["value"] < chance + 0.1
    assert "is worse than" in report["comparison"]["control_verdict"]
    # the input controls never read the reservoir's features: unchanged by the mutation
    assert report["controls"][RANDOM_FEATURES]["value"] == base_report["controls"][RANDOM_FEATURES]["value"]
    assert set(report["controls"]) == {RANDOM_FEATURES}


def test_repeats_key_gives_the_headline_interval_over_fresh_partitions(small):
    result, report = small
    repeated = report["accuracy"]["repeated_cv"]
    assert repeated["repeats"] == 2 and repeated["splits"] == 6
    assert repeated["low"] < repeated["value"] < repeated["high"]
    splits = result.repeated["reservoir"].split_accuracy
    assert np.array_equal(splits[:3], result.cv.fold_accuracy)      # partition 0 is the single-partition CV
    labels = _run_labels(result.config)
    p0, p1 = (stratified_folds(labels, 3, _partition_seed(0, r)) for r in (0, 1))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(p0, p1))   # partition 1 is reshuffled
    rows = Classify().summary(report)
    assert rows[0][0] == "accuracy (2×3-fold repeated CV)" and "Nadeau & Bengio" in rows[0][1]
    assert "Wilson interval (binomial, pooled out-of-fold)" in dict(rows)["accuracy (3-fold CV)"]
    one = Classify().report(run_classify(load_config(overrides=SMALL + [
        "classify.repeats=1", "classify.feedforward=false", "classify.baselines=false"]), engine="cpu"))
    assert "repeated_cv" not in one["accuracy"] and one["accuracy"]["cv"]["value"] == report["accuracy"]["cv"]["value"]


def test_every_feature_set_is_scored_on_the_held_out_split(small):
    result, report = small
    held = report["held_out"]
    train, test = split_indices_of(result)
    assert held["split"] == "random" and held["n_test"] == len(test) == result.n_test
    sets = held["feature_sets"]
    assert set(sets) == {"reservoir", *report["baselines"], *CONTROLS}
    assert sets["reservoir"]["value"] == result.accuracy_test and sets["reservoir"]["mcnemar_p_vs_reservoir"] == 1.0
    assert sets["reservoir"]["cv_on_test_samples"] == pytest.approx(result.cv.correct[test].mean())
    assert all(0 < s["mcnemar_p_vs_reservoir"] <= 1 for s in sets.values())
    assert "held-out test split (random)" in dict(Classify().summary(report))


def split_indices_of(result):
    data = Pipeline(result.config, "cpu").run_dataset()
    return split_indices(data, result.config)


def test_the_learning_curve_changes_nothing_in_the_verdict(small):
    """The real-data verdict test below runs without the learning curve: the same comparison with it."""
    _, report = small
    assert "learning_curve" not in report
    curved = Classify().report(run_classify(load_config(overrides=SMALL + ["classify.learning_curve=true"]),
                                            engine="cpu"))
    assert curved["learning_curve"] and curved["comparison"] == report["comparison"]


def test_the_html_page_prints_the_verdict_against_all_controls(small):
    from neurosim.report.html_report import _baselines_html
    from neurosim.report.figures import PageFigures

    _, report = small
    page = "".join(_baselines_html(report, PageFigures()))
    assert report["comparison"]["control_verdict"] in page.replace("&#x27;", "'")
    assert all(name in page for name in CONTROLS)


@pytest.mark.brian2
def test_the_feedforward_network_runs_on_brian2_as_on_cpu():
    """The control must run on whatever engine ran the reservoir: the reference engine included."""
    config = load_config("ideal", overrides=TINY_120 + ["crossbar.adc_mode=ideal"])
    ff = feedforward_network(build_lsm(config, 16, seeds.chip_rng(0)))
    raster = seeds.rng(0, "raster").random((2, 20, 16)) < 0.5
    spikes = [np.asarray(get_engine(name).run(ff, raster).spike_raster) for name in ("brian2", "cpu")]
    assert spikes[1].any() and np.array_equal(*spikes)
