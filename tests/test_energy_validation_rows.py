"""Energy validation against published silicon: calibration and prediction rows apart, enough
predictions from enough papers, leave-one-macro-out, the breakdown's error, and citations of papers
(never of work items)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from neurosim.energy.validation import (BREAKDOWNS, FIGURES, ROLES, breakdown_table, figure, fixed_share,
                                        leave_one_macro_out, mvm_time_from_throughput, names_a_work_item,
                                        simulate_value, validation_table)
from studies import load_bench_script

REPO = Path(__file__).resolve().parents[1]


def _bench():
    return load_bench_script("energy_validation.py")


@pytest.fixture(scope="module")
def rows():
    return validation_table()


def _workload(item):
    return (item.chip, item.rows, item.outputs, item.input_bits, item.phases, item.layers)


def test_calibration_and_prediction_rows_are_printed_apart(rows):
    bench = _bench()
    text = bench.table_text(rows, leave_one_macro_out(), breakdown_table())
    starts = {role: text.index(role.upper() + " (") for role in ROLES}
    assert starts["calibration"] < starts["prediction"] < starts["consistency"]
    blocks = {"calibration": text[starts["calibration"]:starts["prediction"]],
              "prediction": text[starts["prediction"]:starts["consistency"]]}
    for r in rows:
        line = re.compile(rf"^{re.escape(r['key'])}\s", re.MULTILINE)
        for role, block in blocks.items():  # each row sits in its own role's block, never another's
            assert bool(line.search(block)) == (r["role"] == role), (r["key"], role)
    markdown = bench.markdown(rows, leave_one_macro_out(), breakdown_table())
    for r in rows:
        expected = "**prediction**" if r["role"] == "prediction" else r["role"]
        assert f"| `{r['key']}` | {r['paper']} | {expected} |" in markdown


def test_at_least_six_predictions_from_three_papers(rows):
    counts = _bench().summary(rows)
    assert counts["predictions"] >= 6 and counts["papers"] >= 3
    # the ones whose number was read from the paper itself, counted apart (the rest say why not)
    assert counts["primary_predictions"] >= 4 and counts["primary_papers"] >= 3
    for item in FIGURES:
        assert item.role in ROLES and item.as_printed and item.operating_point
        if item.source == "unverified":
            assert "unverified" in item.citation, f"{item.key}: say why the number is unverified"


def test_no_prediction_repeats_its_calibration_point():
    calibrations = {_workload(f): f for f in FIGURES if f.role == "calibration"}
    for item in FIGURES:
        if item.role != "prediction":
            continue
        assert _workload(item) not in calibrations, f"{item.key} repeats a calibration's workload"
        if item.calibrated_on:
            calibration = figure(item.calibrated_on)
            assert calibration.role == "calibration" and calibration.chip == item.chip
            assert _workload(item) != _workload(calibration)
    # a second figure of a calibration's own workload is a consistency row, never a prediction
    for item in FIGURES:
        same = [c for c in calibrations.values() if _workload(c) == _workload(item) and c.key != item.key]
        if same:
            assert item.role == "consistency", item.key


def test_read_phases_change_what_they_claim():
    one, four = figure("hermes2022-peak"), figure("legallo2023-four-phase")
    assert (four.phases, one.phases) == (4, 1) and _workload(four)[:4] == _workload(one)[:4]
    ratio = simulate_value(one) / simulate_value(four)
    assert 3.5 < ratio <= 4.0 + 1e-9  # four reads and conversions per MVM, the digital part once
    t_one = simulate_value(figure("legallo2023-one-phase-time"))
    assert simulate_value(figure("legallo2023-four-phase-time")) == pytest.approx(4 * t_one, rel=0.05)
    # 64 cores x 2 x 256 x 256 operations per MVM time
    assert mvm_time_from_throughput(63.1, 64, 256, 256) == pytest.approx(64 * 131072 / 63.1e12)


def test_leave_one_macro_out_is_computed():
    lomo = leave_one_macro_out()
    calibrations = {f.key for f in FIGURES if f.role == "calibration" and f.quantity == "TOPS/W"}
    assert {r["held_out"] for r in lomo} == calibrations and len(lomo) >= 3
    for r in lomo:
        assert math.isfinite(r["relative_error"]) and r["others_fom_J"] != pytest.approx(r["fom_J"], rel=1e-3, abs=0)
        assert r["relative_error"] == pytest.approx(r["neurosim"] / r["published"] - 1.0)


def test_breakdown_error_is_reported():
    table = breakdown_table()
    assert [r["key"] for r in table] == [b.key for b in BREAKDOWNS]
    measured = [r for r in table if r["error_pp"] is not None]
    assert any(r["source"] == "paper" for r in measured)
    for r in table:
        if r["error_pp"] is None:
            assert r["unverified"], f"{r['key']}: no error and no reason"
        else:
            assert r["error_pp"] == pytest.approx(100 * (r["neurosim_share"] - r["published_share"]))
            assert sum(r["model_components"].values()) == pytest.approx(1.0)


def test_fixed_share_recovers_a_known_split():
    # E(n) = 2 + 8 n (J per MVM): at one repeat 2 of 10 J do not repeat
    ops = 1.0
    tops = [ops / (2.0 + 8.0 * n) for n in (1, 4)]
    assert fixed_share(tops[0], tops[1], 1, 4) == pytest.approx(0.2)
    assert fixed_share(1.0, 0.25, 1, 4) == pytest.approx(0.0)  # everything repeats


def test_no_source_names_a_work_item():
    assert names_a_work_item("quoted from the issue-15 summary")  # the check can fail
    assert names_a_work_item("see work item 26") and not names_a_work_item("Horowitz, ISSCC 2014, Table 1")
    pattern = re.compile(r'^\s*source\s*=\s*"([^"]*)"', re.MULTILINE)
    sources = [(path.name, s) for path in sorted((REPO / "hardware_models").rglob("*.toml"))
               for s in pattern.findall(path.read_text())]
    assert len(sources) > 20
    for name, text in sources:
        assert not names_a_work_item(text), f"{name}: source {text!r} names a work item, not a paper"
    for item in FIGURES:
        assert not names_a_work_item(item.citation), item.key


def test_the_study_page_tables_are_the_bench_output(rows):
    # docs/studies/energy-validation.md shows `python bench/energy_validation.py --markdown`, run at build time
    from docpages import hooks, page

    text = page("studies/energy-validation.md")
    assert text.count("<!-- generate: energy-validation -->") == 1, "the study page lost its generated tables"
    tables = _bench().markdown(rows, leave_one_macro_out(), breakdown_table())
    assert tables in hooks().expand(text)
