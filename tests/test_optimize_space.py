"""The co-design search's request and scoring, without running anything: ``[optimize]`` parsing and
its errors, objectives over chip instances, constraints, the too-few-samples refusal, the front and
its hypervolume."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.errors import ConfigError
from neurosim.optimize.objectives import directions, held_out_samples, reduce, refusal, score, unit_metric
from neurosim.optimize.pareto import hypervolume, non_dominated
from neurosim.optimize.space import Param, spec_from_file, spec_from_table

SPACE = {"crossbar.adc_bits": {"low": 3, "high": 8}}


def table(**kw):
    return {"space": SPACE, **kw}


def test_a_full_space_parses_with_every_kind_of_key():
    spec = spec_from_table(table(space={
        "network.lif.tau_m": {"low": 0.01, "high": 0.05, "when": {"network.model": "lif"}},  # child first
        "network.model": {"choices": ["lif", "discrete-lif"]},
        "crossbar.adc_bits": {"low": 3, "high": 8},
        "device.g_max": {"low": 2e-5, "high": 2e-4, "log": True},
        "network.neurons": {"low": 20, "high": 80, "step": 20}}))
    kinds = {p.key: p.kind for p in spec.space}
    assert kinds == {"network.model": "categorical", "network.lif.tau_m": "float", "crossbar.adc_bits": "int",
                     "device.g_max": "float", "network.neurons": "int"}
    keys = spec.keys
    assert keys.index("network.model") < keys.index("network.lif.tau_m")  # parents are sampled first
    tau = spec.space[keys.index("network.lif.tau_m")]
    assert tau.active({"network.model": "lif"}) and not tau.active({"network.model": "discrete-lif"})
    # default objectives: accuracy up, dynamic energy and area down
    assert [o.metric for o in spec.objectives] == ["accuracy", "energy", "area"]
    assert directions(spec) == [True, False, False]


@pytest.mark.parametrize("space, message", [
    ({"crossbar.nope": {"low": 1, "high": 2}}, "unknown config key"),
    ({"run.instance": {"low": 0, "high": 3}}, "search's own settings"),
    ({"crossbar.adc_bits": {"low": 8, "high": 3}}, "must be below high"),
    ({"crossbar.adc_bits": {"low": 3}}, "give low and high"),
    ({"crossbar.adc_bits": {"low": 3, "high": 8.0}}, "both be integers"),
    ({"device.g_max": {"low": 0.0, "high": 1e-4, "log": True}}, "log scale needs low > 0"),
    ({"device.g_max": {"low": 1e-6, "high": 1e-4, "log": True, "step": 1e-6}}, "step and log"),
    ({"crossbar.adc_bits": {"low": 3, "high": 8, "step": 0.5}}, "integer step"),
    ({"crossbar.adc_bits": {"choices": []}}, "non-empty list"),
    ({"crossbar.adc_bits": {"choices": [4, 4]}}, "listed twice"),
    ({"crossbar.adc_bits": {"choices": [4], "low": 1}}, "either choices or low/high"),
    ({"crossbar.adc_bits": {"low": 3, "high": 8, "scale": "log"}}, "unknown field(s) scale"),
    ({"crossbar.adc_bits": {"low": 3, "high": 8, "when": {"network.model": "lif"}}}, "must be a searched key"),
    ({"network.model": {"choices": ["lif"]},
      "network.lif.tau_m": {"low": 0.8, "high": 0.9, "when": {"network.model": "izh"}}}, "not among its choices"),
    ({"crossbar.adc_bits": {"low": 3, "high": 8},
      "crossbar.rows": {"low": 64, "high": 512, "when": {"crossbar.adc_bits": 4}}}, "must be a categorical key"),
    ({"crossbar.rows": {"choices": [64, 128], "when": {"crossbar.cols": 64}},
      "crossbar.cols": {"choices": [64, 128], "when": {"crossbar.rows": 64}}}, "cycle"),
    ({}, "at least one key"),
])
def test_space_errors_name_the_key_and_what_is_expected(space, message):
    with pytest.raises(ConfigError, match="optimize") as info:
        spec_from_table({"space": space})
    assert message in str(info.value)


@pytest.mark.parametrize("extra, message", [
    ({"sampler": "cmaes"}, "choose one of nsga2, tpe, random, grid"),
    ({"instances": 0}, "instances: expected a whole number >= 1"),
    ({"trials": True}, "trials: expected a whole number"),
    ({"population": 1}, "population: expected a whole number >= 2"),
    ({"budget": 3}, "unknown key(s) budget"),
    ({"objectives": [{"metric": "latency.per_inference_s"}]}, "say direction"),
    ({"objectives": [{"metric": "energy", "direction": "maximize"}]}, "always minimised"),
    ({"objectives": [{"metric": "accuracy", "statistic": "quantile"}]}, "needs q in [0, 1]"),
    ({"objectives": [{"metric": "accuracy", "statistic": "p10"}]}, "statistic 'p10'"),
    ({"objectives": [{"metric": "accuracy"}, {"metric": "accuracy"}]}, "given twice"),
    ({"objectives": [{"metric": "speed"}]}, "dotted report key"),
    ({"constraints": [{"metric": "accuracy"}]}, "give min = ... or max = ..."),
    ({"constraints": [{"metric": "accuracy", "min": 0.9, "share": 1.5}]}, "share must be a fraction"),
    ({"reference": {"latency": 1.0}}, "is not an objective"),
    ({"sampler": "grid", "space": {"network.model": {"choices": ["lif", "izhikevich"]},
                                   "network.lif.tau_m": {"low": 0.8, "high": 0.9,
                                                         "when": {"network.model": "lif"}}}}, "conditional"),
])
def test_settings_errors(extra, message):
    with pytest.raises(ConfigError) as info:
        spec_from_table(table(**extra))
    assert message in str(info.value)


def test_a_file_without_optimize_table_and_cli_overrides(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[network]\nneurons = 30\n")
    with pytest.raises(ConfigError, match="no \\[optimize\\] table"):
        spec_from_file(path)
    path.write_text("[optimize]\ntrials = 5\nsampler = \"tpe\"\n[optimize.space]\n"
                    "\"crossbar.adc_bits\" = { low = 3, high = 8 }\n")
    spec = spec_from_file(path, trials=9, sampler=None)
    assert (spec.trials, spec.sampler) == (9, "tpe")


def test_grid_levels_of_each_kind():
    assert Param("a.b", 3, 8).levels(3) == [3, 6, 8]
    assert Param("a.b", 1e-6, 1e-4, log=True).levels(3) == pytest.approx([1e-6, 1e-5, 1e-4])
    assert Param("a.b", 20, 80, step=20).levels(4) == [20, 40, 60, 80]
    assert Param("a.b", choices=("x", "y")).levels(5) == ["x", "y"]


def report(acc_cv=0.8, acc_test=0.7, energy=5e-8, static=3e-8, area=2e-7, n_train=96, n_test=24, folds=True):
    rep = {"headline": [{"key": "accuracy.cv.value", "label": "CV accuracy", "unit": "%", "higher_is_better": True,
                         "count": "", "required": False},
                        {"key": "accuracy.test", "label": "test accuracy", "unit": "%", "higher_is_better": True,
                         "count": "dataset.n_test", "required": True}],
           "accuracy": {"test": acc_test},
           "dataset": {"n_train": n_train, "n_test": n_test},
           "energy": {"per_inference_J": energy, "breakdown_J": {"static": static, "adc": energy - static}},
           "area": {"total_m2": area}}
    if folds:
        rep["accuracy"]["cv"] = {"value": acc_cv, "per_fold": [acc_cv] * 5}
    return rep


def test_metrics_read_the_headline_and_the_dynamic_energy():
    r = report()
    assert unit_metric(r, "accuracy") == 0.8  # the CV accuracy, not the small test split
    assert unit_metric(r, "energy") == pytest.approx(2e-8)  # static part left out
    assert unit_metric(r, "energy_total") == 5e-8
    assert unit_metric(r, "area") == 2e-7
    assert unit_metric(r, "dataset.n_test") == 24
    assert unit_metric(report(folds=False), "accuracy") == 0.7  # no CV: the test accuracy
    # held-out samples: CV holds every sample out once; a single split only its test samples
    assert held_out_samples(r) == 120 and held_out_samples(report(folds=False)) == 24
    assert refusal([r, r], 100) is None
    assert "24 held-out samples" in refusal([report(folds=False)], 100)
    assert "96 held-out samples" in refusal([report(n_train=72)], 100)


def test_statistics_and_constraints_over_instances():
    from neurosim.optimize.space import Constraint, Objective

    values = [0.95, 0.91, 0.85, 0.93]
    assert reduce(values, "mean") == pytest.approx(0.91)
    assert reduce(values, "min") == 0.85 and reduce(values, "max") == 0.95
    assert reduce(values, "quantile", 0.1) == pytest.approx(np.quantile(values, 0.1))
    spec = spec_from_table(table(objectives=[{"metric": "accuracy", "statistic": "quantile", "q": 0.1},
                                             {"metric": "energy"}]))
    reports = [report(acc_cv=a) for a in values]
    from dataclasses import replace

    # accuracy >= 0.9 on >= 75 % of the chips: 3 of 4 reach it
    held = replace(spec, constraints=(Constraint("accuracy", min=0.9, share=0.75),))
    s = score(held, reports)
    assert s.feasible and s.values[0] == pytest.approx(np.quantile(values, 0.1))
    assert s.per_instance["accuracy"] == values
    # on every chip: one misses
    assert not score(replace(spec, constraints=(Constraint("accuracy", min=0.9, share=1.0),)), reports).feasible
    # a budget on the mean energy
    assert score(replace(spec, constraints=(Constraint("energy", max=3e-8),)), reports).feasible
    assert not score(replace(spec, constraints=(Constraint("energy", max=1e-8),)), reports).feasible
    assert Objective("accuracy", "quantile", 0.1).label == "accuracy (q0.1 over instances)"


def test_front_and_hypervolume():
    pts = np.array([[0.2, 0.8], [0.8, 0.2], [0.5, 0.5], [0.9, 0.9], [0.2, 0.8]])
    assert non_dominated(pts) == [0, 1, 2]  # the duplicate and the dominated point are left out
    # both against (1, 1): three boxes, overlaps removed
    # minimise both against (1, 1): the union of three boxes, 0.3×0.2 + 0.3×0.5 + 0.2×0.8
    assert hypervolume(pts, [False, False], np.array([1.0, 1.0])) == pytest.approx(0.37)
    # 3 objectives, accuracy maximised against 0: box acc × (1 − E/E_ref) × (1 − A/A_ref)
    assert hypervolume(np.array([[0.5, 0.5, 0.5]]), [True, False, False], np.array([0.0, 1.0, 1.0])) == 0.125
    assert hypervolume(np.array([[0.5, 1.5, 0.5]]), [True, False, False], np.array([0.0, 1.0, 1.0])) == 0.0


def test_the_request_keeps_a_zero_bound():
    """A range starting at 0.0 keeps its low bound in the stored request (0.0 == False once dropped it)."""
    spec = spec_from_table(table(space={"device.read_noise_std": {"low": 0.0, "high": 0.1}}))
    assert spec.as_dict()["space"] == [{"key": "device.read_noise_std", "low": 0.0, "high": 0.1}]


@pytest.mark.parametrize("sampler", ["grid", "random", "nsga2", "tpe"])
def test_asking_is_a_function_of_the_seed_and_a_grid_visits_each_point_once(sampler):
    """Trials asked in rounds of two, as the driver asks them: the same seed asks the same points in a
    fresh study; the grid sampler (rebuilt before each ask) takes every grid point once."""
    import optuna

    from neurosim.optimize.driver import _ask

    spec = spec_from_table({"space": {"crossbar.adc_bits": {"choices": [4, 8]},
                                      "crossbar.rows": {"choices": [64, 128]}}, "sampler": sampler, "seed": 5,
                            "population": 2})

    def points() -> list[tuple]:
        study = optuna.create_study(directions=["maximize", "minimize", "minimize"])
        out = []
        for start in (0, 2):
            numbers = [_ask(study, spec, (start, start + 2)) for _ in range(2)]
            for n in numbers:
                out.append(tuple(sorted(study.trials[n].params.items())))
                study.tell(n, [0.5 + 0.1 * n, 1.0 - 0.1 * n, 1.0])
        return out

    first = points()
    assert points() == first
    if sampler == "grid":
        assert len(set(first)) == 4
