"""Tests for neurosim.report: atomic output, JSON schema, HTML page, unit formatting."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neurosim.errors import NeurosimError
from neurosim.report import (
    SCHEMA,
    format_percent,
    format_quantity,
    format_ratio,
    make_run_id,
    prepare_output_dir,
    read_json_report,
    render_html,
    validate_report,
    write_atomic,
    write_html_report,
    write_json_report,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def report() -> dict:
    """A realistic classify report (energies in J, latency in s, accuracies as fractions)."""
    config_hash = "ab12cd34ef56"
    breakdown = {
        "cell_reads": 1.0e-8,
        "row_drivers": 2.4e-8,
        "adc": 1.1e-7,
        "neuron_updates": 4.0e-8,
        "partial_sums": 1.5e-8,
        "readout": 1.1e-8,
    }
    return {
        "schema": SCHEMA,
        "run": {"id": make_run_id(config_hash, 0)},
        "task": "classify",
        "dataset": {"name": "dvs-digits", "n_train": 800, "n_test": 200},
        "chip": {"name": "rram-40nm-256kb", "config_hash": config_hash},
        "engine": "brian2",
        "seed": 0,
        "accuracy": {"test": 0.81, "train": 0.93},
        "energy": {
            "per_inference_J": 2.1e-7,
            "breakdown_J": breakdown,
            "baseline": {"name": "digital fp32 (45 nm, Horowitz)", "per_inference_J": 5.0e-6},
            "improvement_vs_baseline": 23.8,
        },
        "latency": {"per_inference_s": 1.2e-4},
        "activity": {
            "mean_rate_hz": 12.5,
            "silent_fraction": 0.07,
            "input_events_per_sample": 4012.0,
            "spikes_per_sample": 930.0,
        },
        "config": {"chip": {"array": {"rows": 512, "cols": 512}, "adc_bits": 6},
                   "network": {"n_neurons": 200, "decay": 0.9, "v_th": 5.0}},
        "provenance": {
            "versions": {"neurosim": "0.1.0", "numpy": np.__version__, "brian2": "2.7.1"},
            "created": "2026-11-26T12:00:00Z",
            "config_hash": config_hash,
            "python": "3.11.7",
        },
    }


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- atomic writes


def test_write_atomic_writes_and_replaces_without_temp_files(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "first µ")
    assert target.read_text(encoding="utf-8") == "first µ"
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert _entries(tmp_path) == ["out.txt"]


def test_write_atomic_failure_keeps_old_content_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    write_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(NeurosimError, match="out.txt"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert _entries(tmp_path) == ["out.txt"]


def test_write_atomic_missing_folder_names_path(tmp_path):
    with pytest.raises(NeurosimError, match="nope"):
        write_atomic(tmp_path / "nope" / "x.json", "{}")


# ---------------------------------------------------------------- output folder rule


def test_prepare_output_dir_creates_parents(tmp_path):
    out = prepare_output_dir(tmp_path / "a" / "b", "h-s0")
    assert out == tmp_path / "a" / "b" and out.is_dir()


def test_prepare_output_dir_same_run_ok_different_run_refused(tmp_path, report):
    out = tmp_path / "run"
    write_json_report(report, out)
    assert prepare_output_dir(out, report["run"]["id"]) == out  # identical experiment re-run

    with pytest.raises(NeurosimError, match="different run") as info:
        prepare_output_dir(out, "ffff0000-s1")
    assert "--out" in str(info.value) and str(out) in str(info.value)

    other = copy.deepcopy(report)
    other["seed"] = 1
    other["run"]["id"] = make_run_id("ab12cd34ef56", 1)
    with pytest.raises(NeurosimError, match="different run"):
        write_json_report(other, out)
    with pytest.raises(NeurosimError, match="different run"):
        write_html_report(other, out)
    assert read_json_report(out / "report.json")["seed"] == 0  # untouched


def test_prepare_output_dir_refuses_unreadable_report_and_file_path(tmp_path):
    (tmp_path / "report.json").write_text("{ not json")
    with pytest.raises(NeurosimError, match="could not be read"):
        prepare_output_dir(tmp_path, "h-s0")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(NeurosimError, match="not a folder"):
        prepare_output_dir(a_file, "h-s0")


# ---------------------------------------------------------------- JSON report


def test_json_round_trip_with_numpy_types(tmp_path, report):
    report["seed"] = np.int64(0)
    report["accuracy"]["test"] = np.float32(0.8125)
    report["energy"]["breakdown_J"]["adc"] = np.float64(1.1e-7)
    report["activity"]["spike_counts"] = np.array([[1, 2], [3, 4]], dtype=np.int32)
    report["activity"]["mask"] = np.bool_(True)
    report["config"]["shape"] = (512, 512)

    path = write_json_report(report, tmp_path / "out")
    assert path == tmp_path / "out" / "report.json"
    assert _entries(path.parent) == ["report.json"]
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and '\n  "schema": "neurosim.report/1"' in text  # pretty

    back = read_json_report(path)
    assert back["schema"] == SCHEMA
    assert back["seed"] == 0 and type(back["seed"]) is int
    assert back["accuracy"]["test"] == pytest.approx(0.8125)
    assert back["energy"]["breakdown_J"]["adc"] == 1.1e-7
    assert back["activity"]["spike_counts"] == [[1, 2], [3, 4]]
    assert back["activity"]["mask"] is True
    assert back["config"]["shape"] == [512, 512]
    assert back["config"]["network"] == report["config"]["network"]


def test_validate_names_missing_key(report):
    validate_report(report)
    del report["accuracy"]["test"]
    validate_report(report)  # accuracy is not required of every task …
    with pytest.raises(NeurosimError, match=r"'accuracy\.test'"):
        validate_report(report, ("accuracy.test",))  # … but of one that declares it (classify)


@pytest.mark.parametrize("key", ["task", "seed", "latency", "provenance", "energy"])
def test_write_refuses_missing_required_key(tmp_path, report, key):
    del report[key]
    with pytest.raises(NeurosimError, match=f"'{key}"):
        write_json_report(report, tmp_path)
    assert not (tmp_path / "report.json").exists()


def test_optional_keys_may_be_missing(tmp_path, report):
    del report["activity"], report["config"], report["accuracy"]["train"]
    read_json_report(write_json_report(report, tmp_path))
    assert "Train accuracy" not in render_html(report)


def test_bad_values_are_refused(report):
    bad = copy.deepcopy(report)
    bad["accuracy"]["test"] = 81.0  # a percentage, not a fraction
    with pytest.raises(NeurosimError, match=r"accuracy\.test.*\[0, 1\]"):
        validate_report(bad)
    bad = copy.deepcopy(report)
    bad["energy"]["breakdown_J"]["adc"] = float("nan")
    with pytest.raises(NeurosimError, match=r"energy\.breakdown_J\.adc"):
        validate_report(bad)
    bad = copy.deepcopy(report)
    bad["config"]["network"]["decay"] = np.float64("inf")
    with pytest.raises(NeurosimError, match=r"config\.network\.decay"):
        write_json_report(bad, Path("/nonexistent-never-created"))
    bad = copy.deepcopy(report)
    bad["schema"] = "neurosim.report/0"
    with pytest.raises(NeurosimError, match="schema"):
        validate_report(bad)


def test_read_rejects_malformed_and_wrong_schema(tmp_path, report):
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "neurosim.report/1",')
    with pytest.raises(NeurosimError, match="broken.json.*not valid JSON"):
        read_json_report(broken)

    nan_file = tmp_path / "nan.json"
    nan_file.write_text(json.dumps(report).replace("0.81", "NaN"))
    with pytest.raises(NeurosimError, match="nan.json"):
        read_json_report(nan_file)

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**report, "schema": "other/2"}))
    with pytest.raises(NeurosimError, match="wrong.json.*other/2"):
        read_json_report(wrong)

    no_schema = tmp_path / "plain.json"
    no_schema.write_text(json.dumps({"a": 1}))
    with pytest.raises(NeurosimError, match="plain.json.*not a neurosim report"):
        read_json_report(no_schema)

    missing = tmp_path / "missing.json"
    partial = copy.deepcopy(report)
    del partial["latency"]
    missing.write_text(json.dumps(partial))
    with pytest.raises(NeurosimError, match="missing.json.*'latency"):
        read_json_report(missing)

    with pytest.raises(NeurosimError, match="absent.json"):
        read_json_report(tmp_path / "absent.json")


# ---------------------------------------------------------------- HTML report


def _png_payloads(page: str) -> list[bytes]:
    marker = 'src="data:image/png;base64,'
    chunks = page.split(marker)[1:]
    return [base64.b64decode(c.split('"', 1)[0]) for c in chunks]


def test_html_report_content(tmp_path, report):
    report["chip"]["name"] = "rram <script>alert(1)</script>"
    path = write_html_report(report, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    assert _entries(path.parent) == ["figures", "report.html"]  # the page and its figures as SVG and PDF
    page = path.read_text(encoding="utf-8")

    assert page.startswith("<!DOCTYPE html>")
    assert "81.00 %" in page and "93.00 %" in page  # accuracy
    assert "210 nJ" in page and "5.00 µJ" in page  # chip and baseline energy per inference
    assert "23.8×" in page  # improvement
    assert "120 µs" in page  # latency
    assert "110 nJ" in page and "52.4 %" in page  # ADC component and its share of the total
    assert "12.5 Hz" in page and "4,012" in page  # activity
    assert report["provenance"]["config_hash"] in page and "2026-11-26T12:00:00Z" in page
    assert "<details>" in page and "&quot;schema&quot;: &quot;neurosim.report/1&quot;" in page

    assert "<script>" not in page
    assert "rram &lt;script&gt;alert(1)&lt;/script&gt;" in page

    pngs = _png_payloads(page)
    assert len(pngs) == 2  # breakdown bars + chip vs baseline
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert "http://" not in page.replace("http://www.w3.org", "")  # self-contained


def test_html_report_with_figures(tmp_path, report):
    rng = np.random.default_rng(0)
    figures = {
        "spike_counts": rng.poisson(3.0, size=200).astype(float),
        "confusion": rng.integers(0, 20, size=(10, 10)),
        "class_labels": [str(d) for d in range(10)],
        "something_else": "ignored",
    }
    page = write_html_report(report, tmp_path, figures=figures).read_text(encoding="utf-8")
    assert len(_png_payloads(page)) == 4
    assert "Firing per neuron" in page and "Confusion matrix" in page


def test_html_report_rejects_bad_figures(tmp_path, report):
    with pytest.raises(NeurosimError, match="spike_counts"):
        render_html(report, {"spike_counts": np.ones((3, 3))})
    with pytest.raises(NeurosimError, match="confusion"):
        render_html(report, {"confusion": np.ones(4)})


def test_html_does_not_import_pyplot(tmp_path, report):
    """Plots use Figure + FigureCanvasAgg: no pyplot, no process-wide backend choice."""
    (tmp_path / "r.json").write_text(json.dumps(report))
    code = textwrap.dedent(
        f"""
        import sys, json
        from pathlib import Path
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from neurosim.report import write_html_report
        report = json.loads(Path({str(tmp_path / "r.json")!r}).read_text())
        figures = {{"spike_counts": [1.0, 2.0, 0.0], "confusion": [[3, 1], [0, 4]]}}
        write_html_report(report, Path({str(tmp_path / "o")!r}), figures=figures)
        assert "matplotlib.pyplot" not in sys.modules
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "report.html").is_file()


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (2.3e-6, "J", "2.30 µJ"),
        (2.1e-7, "J", "210 nJ"),
        (5e-12, "J", "5.00 pJ"),
        (1.2e-4, "s", "120 µs"),
        (0.0123, "s", "12.3 ms"),
        (1.0, "J", "1.00 J"),
        (1500.0, "J", "1.50 kJ"),
        (999.96e-9, "J", "1.00 µJ"),  # rounding moves up a prefix
        (-3e-3, "s", "-3.00 ms"),
        (0, "J", "0 J"),
        (1e-18, "J", "1.00e-18 J"),  # below the prefix table
        (np.float32(12.5), "Hz", "12.5 Hz"),
        (float("nan"), "J", "n/a"),
        (None, "J", "n/a"),
    ],
)
def test_format_quantity_examples(value, unit, expected):
    assert format_quantity(value, unit) == expected


def test_format_ratio_and_percent():
    assert format_ratio(23.34) == "23.3×"
    assert format_ratio(160) == "160×"
    assert format_ratio(1234.4) == "1,234×"
    assert format_percent(0.8966) == "89.66 %"


_SCALE = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "µ": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


@given(st.floats(min_value=1e-15, max_value=9.9e11, allow_nan=False))
def test_format_quantity_round_trips_to_three_significant_figures(value):
    text = format_quantity(value, "J")
    number, unit = text.split(" ")
    prefix = unit[:-1]
    assert 1.0 <= float(number) < 1000.0
    assert len(number.replace(".", "").lstrip("0")) == 3
    assert float(number) * _SCALE[prefix] == pytest.approx(value, rel=5e-3)


def test_html_shows_programming_energy_and_area_when_present(report):
    from neurosim.report.html_report import render_html

    report["energy"]["programming_J"] = 5.47e-5
    report["area"] = {"total_m2": 2.2e-7, "breakdown_m2": {"cells": 2e-7}}
    html = render_html(report, None)
    assert "Programming the chip (once)" in html and "54.7 µJ" in html
    assert "0.22 mm²" in html


def test_html_dataset_counts_read_naturally(report):
    from neurosim.report.html_report import render_html

    assert "(800 train, 200 test)" in render_html(report, None)
    del report["dataset"]["n_train"], report["dataset"]["n_test"]
    report["dataset"]["n_samples"] = 1100
    assert "(1,100 in all)" in render_html(report, None)


def test_html_names_each_other_baseline_once_with_its_node(report):
    """A baseline whose name carries its node is not given it again ("(45 nm) (45 nm, …)")."""
    from neurosim.report.html_report import build_html

    report["energy"]["baselines"] = [
        {"name": "dense int8 digital (45 nm)", "technology_nm": 45, "fair": False, "source": "Horowitz 2014",
         "per_inference_J": 2e-6, "ratio": 4.0},
        {"name": "event-driven core", "technology_nm": 14, "fair": True, "source": "Davies 2018",
         "per_inference_J": 1e-6, "ratio": 2.0}]
    html, _ = build_html(report)
    assert "vs dense int8 digital (45 nm) (not fair; Horowitz 2014)" in html
    assert "vs event-driven core (14 nm; Davies 2018)" in html
    assert "45 nm) (45 nm" not in html
