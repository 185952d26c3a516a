"""The sweep page and the run report compare baselines on dynamic energy (the headline's measure),
not on totals that include each side's static power (issue 26)."""

from __future__ import annotations

import neurosim
from neurosim.report.html_report import render_html
from neurosim.sweep.page import _baseline_table, improvement_series
from tiny import TINY, as_mapping


def _stat(v: float) -> dict:
    return {"mean": v, "std": 0.0, "ci95_low": v, "ci95_high": v, "n": 3}


def _config(with_dynamic: bool) -> dict:
    metrics = {"energy.per_inference_J": _stat(2e-6), "energy.dynamic_J": _stat(1e-7),
               "energy.baselines.b0.per_inference_J": _stat(4e-5), "energy.baselines.b0.ratio": _stat(20.0)}
    if with_dynamic:
        metrics |= {"energy.baselines.b0.dynamic_J": _stat(3e-7), "energy.baselines.b0.dynamic_ratio": _stat(3.0)}
    return {"id": "c0", "label": "adc_bits=8", "point": {}, "metrics": metrics,
            "baselines": {"energy.baselines.b0": "int8 digital"}, "pareto": True}


def test_the_improvement_bars_use_the_dynamic_ratio_when_the_reports_carry_it():
    assert improvement_series([_config(True)]) == [("energy.baselines.b0.dynamic_ratio", "int8 digital")]
    # reports written before the dynamic headline keep their total ratio
    assert improvement_series([_config(False)]) == [("energy.baselines.b0.ratio", "int8 digital")]


def test_the_baseline_table_shows_dynamic_energy_beside_the_totals():
    html = _baseline_table([_config(True)])
    assert "Baseline dynamic energy per inference" in html
    cells = [">300 nJ<", ">100 nJ<", ">40.0 µJ<", ">2.00 µJ<"]  # dynamic beside totals
    assert [c for c in cells if c in html] == cells


def test_the_run_report_lists_other_baselines_by_their_dynamic_ratio():
    report = neurosim.run("classify", neurosim.load_config().set(as_mapping(TINY))).report
    others = [b for b in report["energy"]["baselines"] if b["name"] != report["energy"]["baseline"]["name"]]
    assert others, "the tiny run lists more than one baseline"
    html = render_html(report)
    for b in others:
        assert b["dynamic_ratio"] is not None
    assert html.count(" dynamic · ") == len(others)
