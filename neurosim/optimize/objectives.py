"""A trial's objectives and constraints, read from its units' reports (one per chip instance).

A metric is read from each instance's report (:func:`unit_metric`): ``accuracy`` is the task's
primary headline (:func:`neurosim.report.headline.report_headlines`: for classify the cross-validated
accuracy when CV runs, else the test accuracy), ``energy`` the dynamic energy per inference (J: the
per-inference energy less its ``static`` part), ``energy_total`` the energy per inference with static
power (J), ``area`` the chip area (m², ``area.total_m2``), any other name a dotted report key. The
instances' values are then reduced by the objective's statistic (mean, median, min, max, or a
quantile: the 10th percentile is what 90 % of the chips off the line do at least).

A constraint holds when the statistic lies within its bounds, or, with ``share``, when at least that
fraction of the instances does (accuracy ≥ 0.9 on ≥ 95 % of the chips). Its violation (≤ 0 feasible,
as Optuna's ``constraints_func`` reads it) is how far it misses, relative to the bound.

A trial is refused (:func:`refusal`) when its headline rests on fewer held-out samples than
``min_test_samples``: a small single test split swings by several points between runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.optimize.space import Constraint, Objective, OptimizeSpec
from neurosim.report.headline import _number_at, report_headlines

__all__ = ["TrialScore", "directions", "held_out_samples", "reduce", "refusal", "score", "unit_metric"]


def unit_metric(report: dict, metric: str) -> float | None:
    """The value of ``metric`` in one unit's report (see the module docstring), or None."""
    if metric == "accuracy":
        return report_headlines(report)[0].value(report)
    if metric == "energy":
        total = _number_at(report, "energy.per_inference_J")
        static = _number_at(report, "energy.breakdown_J.static") or 0.0
        return None if total is None else total - static
    if metric == "energy_total":
        return _number_at(report, "energy.per_inference_J")
    if metric == "area":
        return _number_at(report, "area.total_m2")
    return _number_at(report, metric)


def held_out_samples(report: dict) -> int | None:
    """Held-out samples behind the report's primary headline: its declared count (e.g. the test
    split), or for a cross-validated metric (``….value`` beside ``….per_fold``) every sample the
    folds held out (train + test); None when the report does not say."""
    head = report_headlines(report)[0]
    n = head.samples(report)
    if n is not None:
        return n
    parent = head.key.rsplit(".", 1)[0]
    node = report
    for part in parent.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict) and isinstance(node.get("per_fold"), list):
        train, test = _number_at(report, "dataset.n_train"), _number_at(report, "dataset.n_test")
        if train is not None and test is not None:
            return int(train + test)
    return None


def refusal(reports: list[dict], min_samples: int) -> str | None:
    """Why a trial with these reports is refused (its headline on too few held-out samples), or None."""
    counts = [n for r in reports if (n := held_out_samples(r)) is not None]
    if counts and min(counts) < min_samples:
        head = report_headlines(reports[0])[0]
        return (f"{head.label} rests on {min(counts)} held-out samples, fewer than min_test_samples = "
                f"{min_samples}; raise run.samples")
    return None


def reduce(values: list[float], statistic: str, q: float | None = None) -> float:
    """``values`` (one per chip instance) reduced by ``statistic``."""
    a = np.asarray(values, dtype=np.float64)
    if statistic == "mean":
        return float(a.mean())
    if statistic == "median":
        return float(np.median(a))
    if statistic == "min":
        return float(a.min())
    if statistic == "max":
        return float(a.max())
    return float(np.quantile(a, q if q is not None else 0.5))


def _violation(c: Constraint, values: list[float]) -> float:
    """How far constraint ``c`` is missed (≤ 0: it holds)."""
    def miss(v: float) -> float:
        out = -np.inf
        if c.min is not None:
            out = max(out, (c.min - v) / max(abs(c.min), 1e-300))
        if c.max is not None:
            out = max(out, (v - c.max) / max(abs(c.max), 1e-300))
        return float(out)

    if c.share is None:
        return miss(reduce(values, c.statistic, c.q))
    held = float(np.mean([miss(v) <= 0 for v in values]))
    return c.share - held


@dataclass(frozen=True)
class TrialScore:
    """A trial's figures: per metric the instances' values; the objective values (in the spec's
    order) and the constraint violations (≤ 0 feasible)."""

    per_instance: dict[str, list[float]]
    values: tuple[float, ...]
    violations: tuple[float, ...]

    @property
    def feasible(self) -> bool:
        return all(v <= 0 for v in self.violations)


def score(spec: OptimizeSpec, reports: list[dict]) -> TrialScore:
    """Objectives and constraints of one trial from its units' reports (one per chip instance)."""
    from neurosim.errors import NeurosimError

    metrics = dict.fromkeys([*(o.metric for o in spec.objectives), *(c.metric for c in spec.constraints)])
    per: dict[str, list[float]] = {}
    for m in metrics:
        values = [unit_metric(r, m) for r in reports]
        if any(v is None for v in values):
            raise NeurosimError(f"[optimize] metric {m!r}: the {spec.task} reports hold no such number")
        per[m] = [float(v) for v in values if v is not None]
    values = tuple(_objective_value(o, per[o.metric]) for o in spec.objectives)
    violations = tuple(_violation(c, per[c.metric]) for c in spec.constraints)
    return TrialScore(per, values, violations)


def _objective_value(o: Objective, values: list[float]) -> float:
    return reduce(values, o.statistic, o.q)


def directions(spec: OptimizeSpec) -> list[bool]:
    """Per objective, whether higher is better (``accuracy`` follows the task's primary headline)."""
    from neurosim.tasks import get_task

    from neurosim.optimize.space import METRICS

    primary = get_task(spec.task).headline[0].higher_is_better
    out = []
    for o in spec.objectives:
        declared = METRICS[o.metric][2] if o.metric in METRICS else None
        out.append(o.maximize if o.maximize is not None else declared if declared is not None else primary)
    return out
