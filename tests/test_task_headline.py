"""A task declares its headline metrics in its own module (here: this file), and the run's HTML
page, the sweep comparison page and the sweep's summary table show them, in the declared
direction (here lower is better), without any other file naming the task."""

from __future__ import annotations

import pytest

from neurosim.report import render_html
from neurosim.report.headline import ACCURACY_HEADLINE, Headline, report_headlines
from neurosim.sweep.compare import UnitResult, aggregate, unit_metrics
from neurosim.sweep.execute import UnitJob, run_unit
from neurosim.sweep.page import render_page
from neurosim.sweep.spec import plan_units, spec_from_sources
from neurosim.tasks import Task, get_task, register_task, unregister_task


class Settle(Task):
    """A task with no dataset whose figure of merit is a time, lower being better: a bigger
    network settles slower and costs more energy, so only the smallest is on the Pareto front."""

    name = "test-settle"
    description = "settling time of a made-up network (test only)"
    uses_dataset = False
    required_keys = ("settle.time_s",)
    headline = (Headline("settle.time_s", "settling time", "s", higher_is_better=False),
                Headline("settle.overshoot", "overshoot"))

    def run(self, config, context):
        scale = config.network.neurons * (1 + 0.1 * config.run.instance)
        return {"time_s": 1e-4 * scale, "overshoot": 0.01 * scale, "energy_J": 1e-10 * scale}

    def report(self, result):
        energy = result["energy_J"]
        return {"dataset": {"name": "none"}, "engine": "none",
                "energy": {"per_inference_J": energy, "breakdown_J": {"cells": energy},
                           "baseline": {"name": "a digital one", "per_inference_J": 10 * energy},
                           "improvement_vs_baseline": 10.0},
                "latency": {"per_inference_s": result["time_s"]},
                "settle": {"time_s": result["time_s"], "overshoot": result["overshoot"]}}


@pytest.fixture
def settle():
    register_task(Settle)
    yield get_task(Settle.name)
    unregister_task(Settle.name)


def finished_units(task: str, grid: list[str]) -> list[UnitResult]:
    """Every unit of a two-instance sweep of ``task``, run in this process (no dask) and wrapped
    as finished units the way the sweep stores them."""
    spec = spec_from_sources(chip="ideal", task=task, grid=grid, instances=2)
    units = []
    for unit in plan_units(spec):
        report = run_unit(UnitJob(unit.id, task, unit.config))["report"]
        record = {"id": unit.id, "configuration": unit.configuration, "point": dict(unit.point),
                  "instance": unit.instance, "seed": unit.seed, "task": task,
                  "chip": {"name": unit.config.chip.name, "chip_hash": "0" * 16},
                  "config_hash": report["provenance"]["config_hash"], "engine": report["engine"],
                  "versions": report["provenance"]["versions"]}
        metrics, names = unit_metrics(report)
        units.append(UnitResult(None, record, metrics, names, report))
    return units


def test_the_report_carries_the_declared_headline_and_its_page_shows_it(settle):
    units = finished_units(settle.name, ["network.neurons=10"])
    report = units[0].report
    assert report_headlines(report) == list(Settle.headline)
    page = render_html(report)
    assert "<th>Settling time</th><td class=\"num\">1.00 ms</td>" in page
    assert "<th>Overshoot</th>" in page


def test_the_sweep_page_plots_the_declared_headline_in_its_direction(settle):
    data = aggregate(finished_units(settle.name, ["network.neurons=10,20"]))
    assert [h["key"] for h in data["headline"]] == ["settle.time_s", "settle.overshoot"]
    small, big = data["configurations"]
    assert small["point"] == {"network.neurons": 10} and big["point"] == {"network.neurons": 20}
    # the smaller network is faster and cheaper: it alone is on the front, lower time being better
    assert data["pareto_front"] == [small["id"]]
    page = render_page(data)
    assert "<th>Settling time</th>" in page and "<th>Overshoot</th>" in page
    assert "Test accuracy" not in page and "test accuracy" not in page
    assert "Settling time–energy Pareto front" in page
    assert 'alt="box plot of settling time per configuration"' in page
    assert 'data-figure="vs:network.neurons"' in page and "Mean settling time over chip instances" in page


def test_reports_without_a_declared_headline_keep_test_accuracy():
    assert report_headlines({"accuracy": {"test": 0.5}}) == [ACCURACY_HEADLINE]
    # classify leads with CV accuracy (optional: absent with classify.folds = 0), test accuracy next
    assert get_task("classify").headline[0].key == "accuracy.cv.value"
    assert get_task("classify").headline[1:] == (ACCURACY_HEADLINE,)


@pytest.mark.parametrize("bad", [(), ("accuracy.test",)])
def test_a_task_must_declare_headline_objects(bad):
    class Broken(Settle):
        name = "test-broken-headline"
        headline = bad

    with pytest.raises(ValueError, match="headline must be a non-empty tuple"):
        register_task(Broken)
