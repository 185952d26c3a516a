"""Figures fit for a paper and tidy data (issue 29): no colour reused within a figure, every figure of
a run and of a sweep page also written as SVG and PDF, the tidy CSV (one row per unit and metric), and
the comparison page without a horizontal scrollbar at 1,400 px in headless Chromium."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import skip_or_fail
from tiny import READOUT_EXTRAS_OFF, TINY, as_mapping

import neurosim
from neurosim.report.continual_plots import continual_plots
from neurosim.report.figures import PageFigures
from neurosim.report.headline import ACCURACY_HEADLINE
from neurosim.report.html_report import build_html
from neurosim.report.plots import plot_curves, plot_learning_curve
from neurosim.report.tidy import RUN_COLUMNS, metric_rows
from neurosim.sweep import SweepStore, plan_units, spec_from_sources
from neurosim.sweep.compare import load_units, unit_metrics
from neurosim.sweep.execute import UnitJob, _write, run_unit
from neurosim.sweep.page import plot_breakdown, plot_improvement, plot_vs_key, render_page, write_report

SETS = [*TINY, *READOUT_EXTRAS_OFF]
#: the 14 breakdown components of a classify report (docs/reference/report.md): more than any palette has colours
COMPONENTS = ["synapse_reads", "row_drivers", "dac", "adc", "tia", "sample_hold", "column_mux", "bitlines",
              "control", "partial_sums", "buffer", "neuron_updates", "readout", "static"]


# ----------------------------------------------------------------------------- colours


def series_colours(fig) -> list[list[str]]:
    """Per axes of ``fig``, the colour of each labelled series (lines, bar and error-bar containers)."""
    from matplotlib.colors import to_hex

    out = []
    for ax in fig.axes:
        colours = []
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                colours.append(to_hex(line.get_color()))
        for container in ax.containers:
            label = container.get_label() or "_"
            if label.startswith("_"):
                continue
            if hasattr(container, "patches"):
                colours.append(to_hex(container.patches[0].get_facecolor()))
            elif container.lines[0] is not None:
                colours.append(to_hex(container.lines[0].get_color()))
        out.append(colours)
    return out


def assert_distinct_colours(fig, name: str) -> None:
    for colours in series_colours(fig):
        assert len(colours) == len(set(colours)), f"{name}: a colour is reused within the figure: {colours}"


def test_the_colour_check_catches_a_reused_colour():
    from neurosim.report.plots import new_figure

    fig = new_figure(4.0, 3.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#0072B2", label="a")
    ax.barh([0, 1], [1, 2], color="#0072B2", label="b")
    with pytest.raises(AssertionError, match="reused"):
        assert_distinct_colours(fig, "two series in one blue")


def _stat(mean: float) -> dict:
    return {"n": 2, "mean": mean, "std": 0.0, "ci95_low": 0.9 * mean, "ci95_high": 1.1 * mean, "min": mean,
            "max": mean, "values": [mean, mean]}


def _configs(n: int) -> list[dict]:
    """``n`` synthetic sweep configurations with every breakdown component, three baselines, two keys."""
    configs = []
    for i in range(n):
        metrics = {"accuracy.test": _stat(0.5 + 0.04 * i), "energy.per_inference_J": _stat(1e-6 * (i + 1))}
        metrics |= {f"energy.breakdown_J.{k}": _stat(1e-8 * (j + 1) * (i + 1)) for j, k in enumerate(COMPONENTS)}
        metrics |= {f"energy.baselines.b{b}.ratio": _stat(10.0 * (b + 1)) for b in range(3)}
        configs.append({"id": f"c{i}", "label": f"adc_bits={4 + i % 3}, neurons={100 * (1 + i // 3)}",
                        "point": {"crossbar.adc_bits": 4 + i % 3, "network.neurons": 100 * (1 + i // 3)},
                        "metrics": metrics, "baselines": {f"energy.baselines.b{b}": f"base {b}" for b in range(3)},
                        "pareto": i == 0})
    return configs


def test_no_two_series_of_a_figure_share_a_colour():
    configs = _configs(30)  # 10 lines per swept key: more than the palette's 8 colours
    figures = {
        "sweep breakdown (14 components)": plot_breakdown(configs),
        "sweep improvement (3 baselines)": plot_improvement(configs),
        "sweep headline against a key (10 lines)": plot_vs_key(configs, "crossbar.adc_bits", ["network.neurons"],
                                                                 ACCURACY_HEADLINE),
        "run curves (12 series)": plot_curves(list(range(5)), {f"s{i}": list(range(5)) for i in range(12)},
                                              "t", "epoch", "y"),
        "run learning curve": plot_learning_curve({k: [{"n_train": n, "value": 0.5, "low": 0.4, "high": 0.6}
                                                       for n in (10, 20, 40)] for k in ("reservoir", "raw", "pca")}),
    }
    R = [[0.9, None], [0.8, 0.85]]
    method = {"R": R, "acc": 0.8, "bwt": -0.1}
    section = {"methods": {m: method for m in ("hlop", "exact", "finetune", "ewc")},
               "k_sweep": [{"method": m, "k": k, "lateral_neurons": 10 * k, "acc": 0.8, "bwt": -0.1}
                           for m in ("hlop", "exact") for k in (1, 2)]}
    figures |= {f"continual: {alt}": fig for fig, alt, _ in continual_plots(section)}
    for name, fig in figures.items():
        n_series = sum(len(c) for c in series_colours(fig))
        assert n_series >= 2 or name.startswith("continual: accuracy matrix"), name  # the check has teeth
        assert_distinct_colours(fig, name)
    # the stacked breakdown: the largest components in their own colours, the rest as one "other"
    labels = [c.get_label() for c in figures["sweep breakdown (14 components)"].axes[0].containers]
    assert len(labels) == 8 and labels[-1] == "other (7 components)"


def test_integer_keys_get_integer_ticks_and_breakdowns_linear_shares():
    configs = _configs(3)  # adc_bits 4, 5, 6
    fig = plot_vs_key(configs, "crossbar.adc_bits", [], ACCURACY_HEADLINE)
    assert list(fig.axes[0].get_xticks()) == [4.0, 5.0, 6.0]
    from neurosim.report.plots import plot_breakdown as run_breakdown

    fig = run_breakdown({"adc": 3e-9, "synapse_reads": 1e-9, "dac": 0.0})
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["adc", "synapse reads"]  # no empty dac bar
    assert [p.get_width() for p in ax.containers[0].patches] == pytest.approx([75.0, 25.0])


# ----------------------------------------------------------------------------- a tiny run and sweep


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    config = neurosim.load_config().set(as_mapping(SETS))
    run = neurosim.run("classify", config)
    folder = tmp_path_factory.mktemp("run")
    run.save(folder)
    return run, folder


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    """A sweep of 3 ADC resolutions × 2 chip instances, its units run in this process (no dask) and
    stored as the sweep stores them; and its comparison page."""
    folder = tmp_path_factory.mktemp("sweep") / "out"
    spec = spec_from_sources(grid=["crossbar.adc_bits=4,6,8"], instances=2, overrides=SETS)
    store = SweepStore(folder)
    store.prepare()
    for unit in plan_units(spec):
        # the units' own report pages unfigured: this module checks the comparison page's figures
        _write(store, unit, spec, run_unit(UnitJob(unit.id, spec.task, unit.config, figures=False)))
    page, json_path, _ = write_report([folder], folder.parent / "comparison.html")
    return folder, page, json.loads(json_path.read_text())


def figure_names(html: str) -> list[str]:
    return [s.split('"')[0] for s in html.split('data-figure="')[1:]]


def check_vector_files(folder: Path, n_figures: int) -> None:
    svgs, pdfs = sorted(folder.glob("*.svg")), sorted(folder.glob("*.pdf"))
    assert len(svgs) == len(pdfs) == n_figures >= 2
    assert [p.stem for p in svgs] == [p.stem for p in pdfs]
    for svg, pdf in zip(svgs, pdfs):
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
        assert pdf.read_bytes().startswith(b"%PDF")


def test_every_figure_of_a_run_is_written_as_svg_and_pdf(tiny_run):
    run, folder = tiny_run
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<figure") == len(figure_names(html))  # every figure is named, so it has files
    check_vector_files(folder / "figures", len(figure_names(html)))
    _, figs = build_html(run.report, run.figures)
    for stem, fig in figs.items:
        assert_distinct_colours(fig, stem)


def test_every_figure_of_a_sweep_page_is_written_as_svg_and_pdf(tiny_sweep):
    folder, page, data = tiny_sweep
    html = page.read_text(encoding="utf-8")
    names = figure_names(html)
    assert {"accuracy", "energy", "pareto", "breakdown", "vs:crossbar.adc_bits", "improvement"} <= set(names)
    assert html.count("<figure") == len(names)
    check_vector_files(page.with_name("comparison_figures"), len(names))
    figs = PageFigures()
    render_page(data, figs=figs)
    for stem, fig in figs.items:
        assert_distinct_colours(fig, stem)
    vs_key = dict(figs.items)["vs-crossbar.adc_bits"]
    assert list(vs_key.axes[0].get_xticks()) == [4.0, 6.0, 8.0]  # no 4.5 or 5.5 bits


# ----------------------------------------------------------------------------- tidy data


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_a_runs_tidy_csv_has_one_row_per_metric(tiny_run):
    run, folder = tiny_run
    columns, rows = read_rows(folder / "report.csv")
    assert columns == list(RUN_COLUMNS)
    metrics = [r["metric"] for r in rows]
    assert len(metrics) == len(set(metrics)) and {r["run"] for r in rows} == {run.id}
    by_metric = {r["metric"]: r for r in rows}
    assert float(by_metric["accuracy.test"]["value"]) == run.report["accuracy"]["test"]
    energy = by_metric["energy.per_inference_J"]
    assert float(energy["value"]) == run.report["energy"]["per_inference_J"] and energy["unit"] == "J"
    for k, v in run.report["energy"]["breakdown_J"].items():
        assert float(by_metric[f"energy.breakdown_J.{k}"]["value"]) == v
        assert by_metric[f"energy.breakdown_J.{k}"]["unit"] == "J"
    assert by_metric["latency.per_inference_s"]["unit"] == "s"
    assert {r["seed"] for r in rows} == {str(run.report["seed"])}
    _pandas_reads(folder / "report.csv", len(rows), len(columns))


def test_a_sweeps_tidy_csv_has_one_row_per_unit_and_metric(tiny_sweep):
    folder, page, data = tiny_sweep
    columns, rows = read_rows(page.with_suffix(".csv"))
    assert columns[:3] == ["run", "configuration", "label"] and "crossbar.adc_bits" in columns
    assert columns[-len(RUN_COLUMNS) + 1:] == list(RUN_COLUMNS[1:])
    pairs = [(r["run"], r["metric"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    units = load_units([folder])
    assert {r["run"] for r in rows} == {u.record["id"] for u in units} and len(units) == 6
    for u in units:
        mine = {r["metric"]: r for r in rows if r["run"] == u.record["id"]}
        # every metric the comparison aggregates is a row (intervals fold their low/high into one row)
        aggregated, _ = unit_metrics(u.report)
        assert {m for m in aggregated if m.rpartition(".")[2] not in ("value", "low", "high")} <= set(mine)
        assert float(mine["accuracy.test"]["value"]) == u.report["accuracy"]["test"]
        assert {int(r["crossbar.adc_bits"]) for r in mine.values()} == {u.record["point"]["crossbar.adc_bits"]}
        assert {int(r["instance"]) for r in mine.values()} == {u.record["instance"]}
    _pandas_reads(page.with_suffix(".csv"), len(rows), len(columns))


def test_an_interval_is_one_row_with_its_bounds():
    rows = metric_rows("", {"accuracy": {"cv": {"value": 0.9, "low": 0.85, "high": 0.95, "level": 0.95, "folds": 5},
                                         "test": 0.8},
                            "energy": {"baselines": [{"key": "int8", "name": "x", "per_inference_J": 2e-6}]},
                            "latency": {"per_inference_s": 1e-4, "note": "text", "flag": float("nan")}})
    assert rows == [
        {"metric": "accuracy.cv", "value": 0.9, "low": 0.85, "high": 0.95, "unit": ""},
        {"metric": "accuracy.cv.level", "value": 0.95, "low": "", "high": "", "unit": ""},
        {"metric": "accuracy.cv.folds", "value": 5.0, "low": "", "high": "", "unit": ""},
        {"metric": "accuracy.test", "value": 0.8, "low": "", "high": "", "unit": ""},
        {"metric": "energy.baselines.int8.per_inference_J", "value": 2e-6, "low": "", "high": "", "unit": "J"},
        {"metric": "latency.per_inference_s", "value": 1e-4, "low": "", "high": "", "unit": "s"},
    ]


def _pandas_reads(path: Path, n_rows: int, n_columns: int) -> None:
    try:
        import pandas as pd
    except ImportError:
        return  # pandas is optional; the csv module read it above
    frame = pd.read_csv(path)
    assert frame.shape == (n_rows, n_columns)
    assert np.issubdtype(frame["value"].dtype, np.floating)


# ----------------------------------------------------------------------------- the page in a browser


#: The test (not the page) adds this script: it lists every element wider than its box that scrolls
#: (the page itself, a section, a table) and writes the list into the DOM.
_PROBE = ("<script>window.addEventListener('load',()=>{const d=document.documentElement;const wide=[];"
          "if(d.scrollWidth>d.clientWidth)wide.push('page '+d.scrollWidth+'>'+d.clientWidth);"
          "for(const e of document.querySelectorAll('body *')){const o=getComputedStyle(e).overflowX;"
          "if((o==='auto'||o==='scroll')&&e.scrollWidth>e.clientWidth+1)"
          "wide.push(e.tagName+' '+e.scrollWidth+'>'+e.clientWidth);}"
          "document.body.setAttribute('data-probe',JSON.stringify({width:window.innerWidth,wide}));});</script>")


def test_the_comparison_page_has_no_horizontal_scrollbar_at_1400_px(tiny_sweep, tmp_path):
    _, page, _ = tiny_sweep
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                          "--hide-scrollbars", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.split('data-probe="')[1].split('"')[0].replace("&quot;", '"'))
    assert result["width"] == 1400
    assert result["wide"] == []
