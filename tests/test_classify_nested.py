"""Nested cross-validation (classify.nested): inner folds choose a setting inside each outer training fold,
outer folds report; and the N-MNIST study's table on its docs page comes from its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from docpages import page
from studies import load_bench_script, load_study_script
from tiny import TINY

from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.learning.evaluate import stratified_folds
from neurosim.learning.nested import nested_cv
from neurosim.tasks import RunContext, run_task
from neurosim.tasks.classify_nested import parse_grid

REPO = Path(__file__).resolve().parents[1]


def _constructed(n=90, classes=3, seed=0):
    """Labels, a feature set that carries them (class centres plus noise) and one that does not (noise)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), n // classes)
    signal = (rng.normal(size=(classes, 8))[labels] * 1.5 + rng.normal(size=(n, 8))).astype(np.float32)
    noise = rng.normal(size=(n, 8)).astype(np.float32)
    return labels, signal, noise


def test_inner_folds_never_see_the_outer_test_fold():
    labels, signal, noise = _constructed()
    outer = stratified_folds(labels, 5, seed=3)
    result = nested_cv({"noise": noise, "signal": signal}, labels, load_config().readout, outer, seed=1)
    assert len(result.inner) == len(outer)
    for (train, test), inner in zip(outer, result.inner):
        assert len(inner) == 3
        seen = np.concatenate([np.concatenate([a, b]) for a, b in inner])
        assert not np.intersect1d(seen, test).size              # no inner fold holds an outer test sample
        assert np.array_equal(np.sort(np.concatenate([b for _, b in inner])), np.sort(train))  # all of train
        for a, b in inner:
            assert not np.intersect1d(a, b).size


def test_nested_chooses_the_setting_that_carries_the_labels():
    labels, signal, noise = _constructed()
    outer = stratified_folds(labels, 5, seed=3)
    # the useless setting is declared first: a tie or a broken choice would pick it
    result = nested_cv({"noise": noise, "signal": signal}, labels, load_config().readout, outer, seed=1)
    assert result.chosen == ("signal",) * 5
    assert (result.inner_accuracy[:, 1] > result.inner_accuracy[:, 0]).all()
    assert result.accuracy.value > 0.8
    flipped = nested_cv({"signal": signal, "noise": noise}, labels, load_config().readout, outer, seed=1)
    assert flipped.chosen == ("signal",) * 5 and flipped.accuracy.value == result.accuracy.value
    assert result.as_dict()["per_outer_fold"][0]["chosen"] == "signal"


def test_grid_is_parsed_in_declared_order_and_bad_grids_are_refused():
    grid = parse_grid("network.neurons=500,2000; readout.windows=1,5")
    assert grid == [{"network.neurons": 500, "readout.windows": 1}, {"network.neurons": 500, "readout.windows": 5},
                    {"network.neurons": 2000, "readout.windows": 1}, {"network.neurons": 2000, "readout.windows": 5}]
    assert parse_grid("") == []
    for bad in ("readout.model=ridge,logistic", "network.neurons=500", "network.neurons", "network.neurons=5,5",
                "network.neurons=5,10; network.neurons=20,40"):
        with pytest.raises(ConfigError, match="classify.nested"):
            parse_grid(bad)
    with pytest.raises(ConfigError, match="classify.nested"):
        load_config(overrides=['classify.nested="run.seed=1,2"'])


def test_classify_nested_key_reports_the_nested_figure_and_choices():
    overrides = [*TINY, "run.samples=60", "classify.folds=3", "classify.repeats=1", "classify.baselines=false",
                 "classify.feedforward=false", "classify.learning_curve=false",
                 'classify.nested="network.neurons=10,30; readout.windows=1,3"']
    report = run_task("classify", load_config(overrides=overrides), RunContext("cpu")).report
    nested = report["nested"]
    assert nested["outer_folds"] == 3 and nested["inner_folds"] == 3
    assert nested["settings"] == ["network.neurons=10, readout.windows=1", "network.neurons=10, readout.windows=3",
                                  "network.neurons=30, readout.windows=1", "network.neurons=30, readout.windows=3"]
    assert all(f["chosen"] in nested["settings"] for f in nested["per_outer_fold"])
    assert nested["cv_same_outer_folds"] == report["accuracy"]["cv"]["value"]
    off = run_task("classify", load_config(overrides=overrides[:-1]), RunContext("cpu")).report
    assert "nested" not in off


def _study_script():
    return load_study_script("classify_nmnist")


def test_the_nmnist_page_table_is_the_study_json_table():
    study = _study_script()
    result = json.loads(study.RESULT.read_text())
    assert result["version"] == study.VERSION and set(result["runs"]) == set(study.READOUTS)
    shown = page("studies/classification.md")
    table = study.table(result)
    assert table in shown, "docs/studies/classification.md's N-MNIST table differs from " \
        "`python bench/studies/classify_nmnist.py --table`"
    assert f"{study.STUDY} v{study.VERSION}" in shown


def test_the_results_page_rows_of_a_study_are_rendered_from_its_json():
    module = load_bench_script("readme_results.py")
    args, rows = module.selected_rows("", ["--rows", *map(str, module.STUDIES)])
    shown = page("studies/results.md")
    for k, label, config, _ in rows:
        report, source = module.study_report(k, config)
        assert source == "classify_nmnist v1"
        line = module.table_row(label, config, report, f"neurosim run {module.ROWS[k][1]}", source)
        assert line in shown, f"docs/studies/results.md row {k} differs from its study's JSON"
        with pytest.raises(SystemExit, match="row"):
            module.study_report(k, config.set({"network.neurons": 200}))
