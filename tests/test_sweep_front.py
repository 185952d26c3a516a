"""The sweep comparison judges by the task's declared headline (CV accuracy for classify), warns
about tiny test splits, says what ran, and calls a configuration dominated only where the
difference is significant over chip instances (and folds)."""

from __future__ import annotations

import json

import pytest
from tiny import TINY_120

from neurosim.sweep import SweepStore, plan_units, spec_from_sources
from neurosim.sweep.compare import UnitResult, aggregate, unit_metrics
from neurosim.sweep.execute import SweepOutcome, UnitJob, _write, run_unit
from neurosim.sweep.front import dominates, significantly_better
from neurosim.sweep.page import render_page, write_report
from neurosim.sweep.ran import what_ran
from neurosim.sweep.summary import summary_table

# CV with 2 folds on 120 samples: the test split holds 24 (< 100), the CV accuracy all 120
CV_ON = [*TINY_120, "classify.folds=2", "classify.baselines=false", "classify.learning_curve=false",
         "readout.tune=false"]


@pytest.fixture(scope="module")
def tiny_split_sweep(tmp_path_factory):
    """A sweep folder of 2 ADC resolutions × 2 chip instances, run in this process (no dask) and
    stored the way the sweep stores its units; its outcome."""
    folder = tmp_path_factory.mktemp("front") / "sweep"
    spec = spec_from_sources(grid=["crossbar.adc_bits=4,8"], instances=2, overrides=CV_ON)
    store = SweepStore(folder)
    store.prepare()
    units = plan_units(spec)
    for unit in units:
        _write(store, unit, spec, run_unit(UnitJob(unit.id, spec.task, unit.config, figures=False)))
    return SweepOutcome(folder, units, skipped=[], computed=[u.id for u in units])


def test_a_tiny_test_split_warns_and_the_front_uses_cv_accuracy(tiny_split_sweep, tmp_path, capsys):
    outcome = tiny_split_sweep
    text = summary_table(outcome)
    err = capsys.readouterr().err
    assert "warning" in err and "test accuracy on fewer than 100 samples (as few as 24)" in err
    assert "CV accuracy (mean ± sd, 95 % CI)" in text and "(n = 24)" in text  # test split beside, with its count

    page, json_path, _ = write_report([outcome.folder], tmp_path / "comparison.html")
    assert "fewer than 100 samples" in capsys.readouterr().err
    html = page.read_text(encoding="utf-8")
    assert 'data-warning="small-split"' in html and "as few as 24" in html
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["headline"][0]["key"] == "accuracy.cv.value"
    assert data["warnings"] and "CV accuracy–energy Pareto front" in html
    for c in data["configurations"]:
        assert c["front_share"]["instances"] == 2
        assert c["headline_samples"]["accuracy.test"] == [24]


def test_the_header_says_what_ran(tiny_split_sweep, tmp_path):
    page, json_path, _ = write_report([tiny_split_sweep.folder], tmp_path / "comparison.html")
    ran = json.loads(json_path.read_text(encoding="utf-8"))["ran"]
    assert ran["dataset"] == ["dvs-digits"]
    assert ran["samples"] == {"train": [96], "test": [24], "folds": [2]}
    assert ran["network"] == {"model": ["discrete-lif"], "neurons": [40]}
    assert ran["readout"] == [{"model": "ridge", "feature": "counts", "windows": 5}]
    assert "classify.folds=2" in ran["overrides"] and "network.neurons=40" in ran["overrides"]
    assert ran["seeds"] == [0] and ran["instances"] == [0, 1] and len(ran["commit"]) == 1
    html = page.read_text(encoding="utf-8")
    header = html[html.index("<header>"):html.index("</header>")]
    for text in ("<th>Dataset</th>", "dvs-digits", "96 train, 24 test, 2-fold cross-validation", "40 neurons",
                 "<th>Readout</th>", "model ridge", "<th>Fixed overrides</th>", "network.neurons=40",
                 "<th>Commit</th>", "<th>Engine</th>"):
        assert text in header, text


# ----------------------------------------------------------------- significance, from fake units


def fake_units(accuracy: dict[str, list[float]], energy: dict[str, list[float]], n_test: int = 500,
               per_fold: dict[str, list[list[float]]] | None = None) -> list[UnitResult]:
    """Finished units of configurations ``name`` → one accuracy (and energy, J) per chip instance;
    ``per_fold``: per configuration, per instance, the CV folds' accuracies (the CV headline then)."""
    units = []
    for name, accs in accuracy.items():
        for instance, (acc, en) in enumerate(zip(accs, energy[name])):
            report = {
                "task": "classify", "dataset": {"name": "fake", "n_train": 4 * n_test, "n_test": n_test},
                "accuracy": {"test": acc}, "energy": {"per_inference_J": en},
                "headline": [{"key": "accuracy.test", "label": "test accuracy", "unit": "%",
                              "count": "dataset.n_test"}],
                "config": {"network": {"model": "discrete-lif", "neurons": 200}, "readout": {"model": "ridge"}}}
            if per_fold:
                folds = per_fold[name][instance]
                report["accuracy"]["cv"] = {"value": sum(folds) / len(folds), "per_fold": folds, "folds": len(folds)}
                report["headline"].insert(0, {"key": "accuracy.cv.value", "label": "CV accuracy", "unit": "%",
                                              "required": False})
            record = {"id": f"{name}-{instance}", "configuration": name, "point": {"crossbar.adc_bits": name},
                      "instance": instance, "seed": 0, "task": "classify",
                      "chip": {"name": "chip", "chip_hash": "0" * 16}, "config_hash": "0" * 16,
                      "engine": "cpu", "versions": {}, "overrides": ["run.samples=300"]}
            metrics, names = unit_metrics(report)
            units.append(UnitResult(None, record, metrics, names, report))
    return units


def test_overlapping_spreads_are_both_on_the_front():
    # "8" costs more and is, on average, a little less accurate: the plain front of the means drops
    # it, but its instances overlap "4"'s, so it is not significantly dominated
    data = aggregate(fake_units({"4": [0.80, 0.90, 0.84], "8": [0.86, 0.78, 0.85]},
                                {"4": [1.0e-6, 1.01e-6, 0.99e-6], "8": [2.0e-6, 2.02e-6, 1.98e-6]}))
    assert {c["label"] for c in data["configurations"] if c["pareto"]} == {"adc_bits=4", "adc_bits=8"}
    assert data["warnings"] == [] and "significantly better" in data["pareto_test"]
    html = render_page(data)
    assert "data-pareto-test" in html and "paired over chip instances" in html


def test_a_significant_difference_dominates_and_the_front_share_counts_instances():
    data = aggregate(fake_units({"4": [0.90, 0.91, 0.92], "8": [0.80, 0.82, 0.81]},
                                {"4": [1.0e-6, 1.01e-6, 0.99e-6], "8": [2.0e-6, 2.02e-6, 1.98e-6]}, n_test=30))
    by = {c["label"]: c for c in data["configurations"]}
    assert by["adc_bits=4"]["pareto"] and not by["adc_bits=8"]["pareto"]
    assert by["adc_bits=4"]["front_share"] == {"on_front": 3, "instances": 3}
    assert by["adc_bits=8"]["front_share"] == {"on_front": 0, "instances": 3}
    assert len(data["warnings"]) == 1 and "as few as 30" in data["warnings"][0]
    assert data["ran"]["overrides"] == ["run.samples=300"] and data["ran"]["commit"] == ["unknown"]


def test_the_front_uses_the_cv_headline_and_pairs_folds():
    # paired over 2 chip instances × 5 folds, "4" is more accurate (and cheaper); the test split says
    # the opposite, but the front judges by the declared headline, the CV accuracy
    folds = {"4": [[0.90, 0.91, 0.92, 0.90, 0.93], [0.89, 0.92, 0.91, 0.90, 0.92]],
             "8": [[0.85, 0.86, 0.88, 0.84, 0.87], [0.86, 0.85, 0.87, 0.85, 0.88]]}
    data = aggregate(fake_units({"4": [0.70, 0.72], "8": [0.95, 0.96]}, {"4": [1e-6, 1.1e-6], "8": [2e-6, 2.1e-6]},
                                per_fold=folds))
    assert data["headline"][0]["key"] == "accuracy.cv.value"
    assert [c["label"] for c in data["configurations"] if c["pareto"]] == ["adc_bits=4"]


def test_significance_rules():
    x = {(0, 0): 0.9, (1, 0): 0.91, (2, 0): 0.92}
    assert significantly_better(x, {k: v - 0.05 for k, v in x.items()})  # a constant paired shift
    assert not significantly_better(x, {k: v + 0.05 for k, v in x.items()})
    assert not significantly_better({(0, 0): 0.9}, {(0, 0): 0.1})  # one observation: nothing is significant
    energy = {(0, 0): -1.0, (1, 0): -1.0, (2, 0): -1.0}  # identical energy (oriented: higher is better)
    assert dominates([x, energy], [{k: v - 0.05 for k, v in x.items()}, dict(energy)])
    assert not dominates([x, energy], [dict(x), dict(energy)])



def test_what_ran_lists_numbers_in_numeric_order_and_overrides_as_given():
    units = fake_units({"a": [0.9], "b": [0.8], "c": [0.7]}, {"a": [1e-6], "b": [2e-6], "c": [3e-6]})
    for u, neurons, sets in zip(units, (200, 50, 100), (["z=1"], ["a=2"], ["z=1"])):
        u.report["config"]["network"]["neurons"] = neurons
        u.record["overrides"] = sets
    ran = what_ran(units)
    assert ran["network"]["neurons"] == [50, 100, 200] and ran["overrides"] == ["z=1", "a=2"]
