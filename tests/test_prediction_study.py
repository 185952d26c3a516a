"""The prediction study's results as published: version 2 and its continuation merged per figure
(bench/studies/prediction_v2_continued.md), the page's merged table, and the figures drawn from the JSON."""

from __future__ import annotations

import copy
import json

import pytest
from docpages import page
from studies import load_study_script


@pytest.fixture(scope="module")
def study():
    return load_study_script("prediction_v2")


def _split(study, data: dict, last_seed: int) -> tuple[dict, dict]:
    """Version 2's JSON cut in two runs: its jobs of seeds ≤ ``last_seed``, and the rest as a continuation."""
    first, cont = copy.deepcopy(data), copy.deepcopy(data)
    first["jobs"] = [r for r in data["jobs"] if r["job"]["seed"] <= last_seed]
    cont["jobs"] = [r for r in data["jobs"] if r["job"]["seed"] > last_seed]
    return first, cont


def test_merging_a_run_cut_in_two_gives_the_whole_runs_summary(study):
    data = json.loads(study.RESULT.read_text())
    first, cont = _split(study, data, 9)
    merged = study.merge(first, cont)
    assert json.loads(json.dumps(merged["summary"])) == data["summary"]
    assert merged["runs"]["continuation"]["finished_jobs"][0] == "sweep-seed10"


def test_merge_refuses_a_rerun_job_and_another_lambda(study):
    data = json.loads(study.RESULT.read_text())
    first, cont = _split(study, data, 9)
    rerun = copy.deepcopy(cont)
    rerun["jobs"].append(first["jobs"][0])
    with pytest.raises(ValueError, match="sweep-seed6"):
        study.merge(first, rerun)
    other = copy.deepcopy(cont)
    other["tuning"]["lambda"]["lambda"] = 0.9995
    with pytest.raises(ValueError, match="λ"):
        study.merge(first, other)


def test_the_continued_json_holds_the_merge_of_the_two_runs(study):
    """The committed continuation ran version 2's unstarted jobs only, with its λ, on version 2's code,
    and its stored merged figures are :func:`merge` of the two JSONs."""
    first = json.loads(study.RESULT.read_text())
    cont = json.loads(study.CONTINUED.read_text())
    assert not cont["smoke"] and cont["protocol"] == study.ADDENDUM and cont["protocol_commit"]
    assert cont["commit"] == first["commit"] and not cont["tree_dirty"]
    assert cont["tuning"]["lambda"] == first["tuning"]["lambda"] and not cont["tuning"]["jobs"]
    ran = [study.name(r["job"]) for r in cont["jobs"]] + cont["stopped_at_deadline"] + cont["not_run"]
    assert sorted(ran) == sorted(first["not_run"])
    assert cont["merged"] == json.loads(json.dumps(study.merge(first, cont)))


def test_the_prediction_page_shows_the_merged_table(study):
    """`python bench/studies/prediction_v2.py --table` prints the merged table; the page carries it."""
    cont = json.loads(study.CONTINUED.read_text())
    assert study.merged_table(cont) in page("studies/prediction.md")


def _plotted(fig) -> dict:
    """Every labelled line of a figure: label -> (x, y) as lists."""
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata()))
            for ax in fig.axes for line in ax.get_lines()}


@pytest.mark.parametrize("which", ["RESULT", "CONTINUED"])
def test_the_figures_plot_the_json_numbers(study, which):
    """Each seed's r (both measures) and trials to re-track (never at 101) as the JSON's summary has them,
    with the targets' lines."""
    data = json.loads(getattr(study, which).read_text())
    s = data["merged"]["summary"] if "merged" in data else data["summary"]
    figs = study.figures(data)
    assert set(figs) == {"r", "retrack"}
    r = _plotted(figs["r"])
    for key in ("r_a", "r_b", "r_a_second_half", "r_b_second_half"):
        per = s[key]["per_seed"]
        assert r[key] == ([int(k) for k in per], list(per.values())), key
    assert r["target 0.97"][1][0] == 0.97 and r["target -0.97"][1][0] == -0.97
    lines = _plotted(figs["retrack"])
    for pre in (5, 3):
        for i, method in enumerate(("three-factor", "force", "force-reset", "force-lambda")):
            per = s[f"switch_pre{pre}_{method}"]["trials_to_recover"]["per_seed"]
            x, y = lines[f"switch_pre{pre}_{method}"]
            assert y == [101 if v is None else v for v in per.values()]
            assert [round((xi - i) / 0.04 + 10.5) for xi in x] == [int(k) for k in per]
    assert lines["target 30"][1][0] == 30
