"""The prediction study's protocol pieces (bench/studies/prediction_v2.md): RLS's forgetting factor,
the two amplitude measures, and the study page's table generated from the study's JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from docpages import page
from studies import load_study_script

from neurosim.config import load_config
from neurosim.learning.rls import RLS, ridge_solution
from neurosim.tasks.prediction import Prediction, block_amplitudes
from neurosim.tasks.prediction.paradigm import Block, schedule_trials
from neurosim.tasks.registry import RunContext
from tests.tiny import TINY_PREDICTION


def test_rls_with_forgetting_is_the_exponentially_weighted_ridge_solution():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((40, 5)), rng.standard_normal((40, 2))
    rls = RLS(5, 2, alpha=0.5, forgetting=0.9)
    for x, y in zip(X, Y):
        rls.update(x, y)
    np.testing.assert_allclose(rls.w_, ridge_solution(X, Y, 0.5, forgetting=0.9), rtol=1e-8, atol=1e-10)
    assert not np.allclose(rls.w_, ridge_solution(X, Y, 0.5)), "λ < 1 weighs old samples less"


def test_rls_with_forgetting_retracks_a_switched_target_faster_than_classic_rls():
    """A constant target 1 for 500 samples, then 0: 50 samples after the switch classic RLS is still
    about 500/550 of the way at the old value, λ = 0.95 (memory ~20 samples) is near the new one."""
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(550), 0.1 * rng.standard_normal(550)])
    target = np.r_[np.ones(500), np.zeros(50)]
    off = {}
    for lam in (1.0, 0.95):
        rls = RLS(2, 1, alpha=1.0, forgetting=lam)
        for xi, t in zip(x, target):
            rls.update(xi, np.array([t]))
        off[lam] = abs(float(rls.predict(np.array([1.0, 0.0]))[0]))
    assert off[1.0] > 0.8 and off[0.95] < 0.1, off


def test_the_end_of_block_and_second_half_measures_differ_on_a_constructed_block():
    """One block of 10 training trials, a test trial after every 2 and 2 at its end: the output's
    amplitude rises over the block, so the second-half mean (test points at 6, 8 and 10 trials)
    lies below the end-of-block value (10 trials only)."""
    trials = schedule_trials([Block(0.5, 0.3, 0.7, 10)], 2, 2, np.random.default_rng(0))
    dt, sigma, bins = 1e-3, 0.03, 1000
    t = np.arange(bins) * dt
    kernel = np.exp(-0.5 * ((t[:, None] - np.array([0.3, 0.7])[None, :]) / sigma) ** 2)
    outputs = np.stack([kernel * (tr.position / 10.0) for tr in trials])     # amplitude = position / 10
    _, half = block_amplitudes(trials, outputs, sigma, dt, 0.5)
    _, end = block_amplitudes(trials, outputs, sigma, dt, 1.0)
    np.testing.assert_allclose(end[0], [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(half[0], [0.8, 0.8], rtol=1e-12)            # mean of 0.6, 0.8, 1.0


def test_prediction_force_forgetting_reaches_the_rls_readout():
    base = TINY_PREDICTION + ["prediction.sweep=false", "prediction.switch_methods=force"]
    outs = {}
    for lam in (1.0, 0.9):
        config = load_config("ideal", overrides=base + [f"prediction.force_forgetting={lam}"])
        result = Prediction().run(config, RunContext("cpu"))
        hook = result.runs[0].switch["force"][1]
        assert hook.rls.forgetting == lam
        outs[lam] = hook.outputs_.copy()
    assert not np.array_equal(outs[1.0], outs[0.9])


def _study():
    return load_study_script("prediction_v2")


def test_the_prediction_page_table_is_the_study_json_table():
    """`python bench/studies/prediction_v2.py --table` reprints docs/studies/prediction.md's table from the JSON."""
    study = _study()
    data = json.loads(study.RESULT.read_text())
    assert not data["smoke"] and data["protocol_commit"], "the JSON is the study's own run"
    assert study.table(data) in page("studies/prediction.md")


def test_the_study_table_carries_the_verdicts_of_its_summary():
    """A constructed summary: the table shows per-seed values, the t interval, "never" and the verdicts."""
    study = _study()
    s = study.summarise([
        {"job": {"kind": "sweep", "seed": 6}, "r_a": 0.99, "r_b": -0.985, "r_a_second_half": 0.98,
         "r_b_second_half": -0.98},
        {"job": {"kind": "sweep", "seed": 7}, "r_a": 0.96, "r_b": -0.986, "r_a_second_half": 0.97,
         "r_b_second_half": -0.99},
        {"job": {"kind": "switch", "seed": 6, "pre": 5, "method": "three-factor"}, "trials_to_recover": None,
         "off": 0.4, "force_forgetting": 1.0}], {6, 7})
    assert s["r_a"]["mean"] == pytest.approx(0.975) and s["targets"]["r_a >= 0.97"].startswith("met on the mean")
    assert s["targets"]["r_b <= -0.97"].startswith("met (the 95 % t interval")
    assert s["targets"]["three-factor re-tracks within 30 trials (5 blocks before)"].startswith("missed")
    lam = {"lambda": 0.9995, "scores": {"0.9995": {"trials_to_recover_mean": 20.0, "off_mean": 0.3}}}
    text = study.table({"summary": s, "tuning": {"lambda": lam}, "development_seeds": [0],
                        "jobs": [{"job": {"seed": 6}}], "stopped_at_deadline": [], "not_run": ["sweep-seed8"],
                        "deadline_utc": "2026-12-07T07:40", "started_utc": "06:44", "finished_utc": "07:40",
                        "machine": {"cpus": 2, "loadavg_at_start": [20.0, 20.0, 20.0]}, "commit": "0" * 40,
                        "protocol_commit": "1" * 40})
    assert "0.990 / 0.960 (0.975 [" in text and "| never (n/a; n = 0) |" in text and "λ = 0.9995" in text
    assert "re-tracks in 20 trials" in text and "not started: 1 job(s)" in text
