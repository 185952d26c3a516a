"""Finished sweep units aggregated per configuration: the data of the comparison report.

:func:`load_units` reads the finished units of one or more sweep folders;
:func:`aggregate` groups them by configuration (a grid point of a sweep: same config
but for ``run.instance`` and ``run.seed``) and gives, per configuration and per metric,
the distribution over chip instances (and seeds): mean, standard deviation (spread), the
95 % Student-t interval of the mean, min and max, and the values themselves. It also
marks the accuracy–energy Pareto front.

Metrics are read generically from each unit's report, so new report keys do not break
it: every numeric leaf of ``accuracy``, of the task's
own section (``<task>.…``), of ``energy`` (``energy.per_inference_J``,
``energy.improvement_vs_baseline``, ``energy.baseline.…``, ``energy.breakdown_J.…``, and each
record of a list of named records such as ``energy.baselines`` as ``energy.baselines.<key>.…``;
other lists and strings are skipped), of ``latency`` and of the sections that hold the
report's headline metrics.

The headline metrics are those the units' reports declare (``report["headline"]``, written from
the task's :attr:`~neurosim.tasks.Task.headline`, less optional ones a report lacks, e.g. the CV
accuracy of a run with ``classify.folds = 0``; test accuracy for a report without one): the
first one and the energy per inference span the Pareto front, in the direction the headline
says is better. The front respects uncertainty (:mod:`neurosim.sweep.front`): a configuration
is dominated only by one that is significantly better (one-sided t-test at 5 %, paired over chip
instances and seeds, and over folds where the report has per-fold figures) or identical on each
objective; each configuration also gets its share of chip instances on which it is on the front.

The data also says what ran (:func:`neurosim.sweep.ran.what_ran`: ``"ran"``) and warns
(``"warnings"``) when a headline is measured on a test split of fewer than 100 samples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.stats import mean_interval
from neurosim.report.format import is_number
from neurosim.report.headline import Headline, report_headlines
from neurosim.sweep.front import front_share, significant_front
from neurosim.sweep.ran import small_split_warnings, what_ran
from neurosim.sweep.store import MANIFEST, SweepStore

__all__ = ["ENERGY", "PARETO_TEST", "UnitResult", "aggregate", "headlines", "load_units", "pareto_front",
           "sweep_headlines", "write_json_h5"]

#: The energy metrics (dotted report keys).
ENERGY = "energy.per_inference_J"
BREAKDOWN = "energy.breakdown_J."
IMPROVEMENT = "energy.improvement_vs_baseline"
_SECTIONS = ("accuracy", "energy", "latency")


@dataclass(frozen=True)
class UnitResult:
    """One finished unit: its record (``unit.json``), its flattened numeric ``metrics`` and the
    names of its baselines (``energy.baseline.name`` and any ``energy.baseline.<x>.name``)."""

    folder: Path
    record: dict
    metrics: dict[str, float]
    baselines: dict[str, str]
    report: dict


def _flatten(prefix: str, node: Any, out: dict[str, float], names: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}", value, out, names)
    elif isinstance(node, list) and node and all(isinstance(v, dict) and isinstance(v.get("key", v.get("name")), str)
                                                 for v in node):
        for item in node:  # a list of named records (e.g. energy.baselines): one prefix per record
            _flatten(f"{prefix}.{item.get('key', item.get('name'))}", item, out, names)
    elif is_number(node) and np.isfinite(node):
        out[prefix] = float(node)
    elif isinstance(node, str) and prefix.startswith("energy.baseline") and prefix.endswith(".name"):
        names[prefix.removesuffix(".name")] = node


def unit_metrics(report: dict) -> tuple[dict[str, float], dict[str, str]]:
    """``(metrics, baseline names)`` of one report (see the module docstring)."""
    out: dict[str, float] = {}
    names: dict[str, str] = {}
    heads = [h.key.split(".")[0] for h in report_headlines(report)]
    for section in dict.fromkeys((*_SECTIONS, report.get("task"), *heads)):
        if isinstance(section, str) and section in report and section not in ("config", "provenance"):
            _flatten(section, report[section], out, names)
    return out, names


def load_units(folders: list[Path]) -> list[UnitResult]:
    """The finished units of sweep folders ``folders`` (a unit in two folders counts once)."""
    units: dict[str, UnitResult] = {}
    for folder in folders:
        folder = Path(folder)
        store = SweepStore(folder)
        if not (folder / MANIFEST).is_file() and not store.units.is_dir():
            raise NeurosimError(f"{folder}: not a sweep folder (no {MANIFEST}); run `neurosim sweep "
                                f"--out {folder}` first")
        spec = (store.read_manifest() or {}).get("spec", {})
        for uid in sorted(store.finished()):
            if uid in units:
                continue
            record, report = store.read_unit(uid)
            if "overrides" not in record:  # a unit written before records held them: the manifest's
                record = {**record, "overrides": list(spec.get("overrides", []))}
            metrics, names = unit_metrics(report)
            units[uid] = UnitResult(store.unit_dir(uid), record, metrics, names, report)
    if not units:
        raise NeurosimError(f"no finished units in {', '.join(map(str, folders))}; run the sweep first")
    return list(units.values())


def sweep_headlines(units: list[UnitResult]) -> list[Headline]:
    """The headline metrics every unit's report declares, in the first report's order; test
    accuracy when they share none (a comparison of different tasks)."""
    per_unit = [report_headlines(u.report) for u in units]
    common = [h for h in per_unit[0] if all(h in hs for hs in per_unit[1:])]
    return common or report_headlines({})


def headlines(data: dict) -> list[Headline]:
    """The headline metrics of :func:`aggregate`'s ``data`` (its ``"headline"`` list)."""
    return [Headline(**h) for h in data["headline"]]


def config_value(unit: UnitResult, key: str) -> Any:
    """The value of config key ``key`` (dotted) that unit ran with (from its report's config), else
    its grid point's."""
    node: Any = unit.report.get("config", {})
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return unit.record["point"].get(key)
        node = node[part]
    return node


def _distribution(values: list[float]) -> dict:
    v = np.asarray(values, dtype=np.float64)
    ci = mean_interval(v)
    return {"n": int(v.size), "mean": ci.value, "std": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "ci95_low": ci.low, "ci95_high": ci.high, "min": float(v.min()), "max": float(v.max()),
            "values": v.tolist()}


def _label(point: dict, chip: str, multiple_chips: bool, shown: list[str]) -> str:
    parts = [f"{k.rpartition('.')[2]}={point[k]}" for k in shown if k in point]
    if multiple_chips:
        parts.insert(0, chip)
    return ", ".join(parts) or chip


def pareto_front(accuracy: list[float], energy: list[float]) -> list[int]:
    """Indices of the points no other point beats: at least as accurate (``accuracy``: any metric
    where higher is better) with at most the energy, and strictly better in one. Ordered by energy."""
    front = []
    for i, (a, e) in enumerate(zip(accuracy, energy)):
        dominated = any((a2 >= a and e2 <= e) and (a2 > a or e2 < e)
                        for j, (a2, e2) in enumerate(zip(accuracy, energy)) if j != i)
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: (energy[i], -accuracy[i]))


def aggregate(units: list[UnitResult]) -> dict:
    """The comparison data (JSON-able, schema ``neurosim.sweep-report/1``); see the module docstring."""
    groups: dict[str, list[UnitResult]] = {}
    for u in units:
        groups.setdefault(u.record["configuration"], []).append(u)
    chips = {u.record["chip"]["name"] for u in units}
    keys: list[str] = []
    for u in units:
        keys += [k for k in u.record["point"] if k not in keys]
    points = {u.record["id"]: {k: config_value(u, k) for k in keys} for u in units}
    swept = [k for k in keys if len({json.dumps(p[k]) for p in points.values()}) > 1]
    shown = swept or keys
    configs = []
    for cid, members in groups.items():
        members.sort(key=lambda u: (u.record["instance"], u.record["seed"]))
        first = members[0].record
        point = points[first["id"]]
        names = sorted({m for u in members for m in u.metrics})
        metrics = {m: _distribution([u.metrics[m] for u in members if m in u.metrics]) for m in names}
        baselines = {}
        for u in members:
            baselines.update(u.baselines)
        configs.append({
            "id": cid, "label": _label(point, first["chip"]["name"], len(chips) > 1, shown),
            "point": point, "task": first["task"], "chip": first["chip"],
            "units": [u.record["id"] for u in members],
            "instances": sorted({u.record["instance"] for u in members}),
            "seeds": sorted({u.record["seed"] for u in members}),
            "config_hashes": sorted({u.record["config_hash"] for u in members}),
            "engines": sorted({str(u.record.get("engine")) for u in members}),
            "versions": first["versions"], "baselines": baselines, "metrics": metrics,
        })
    labels = [c["label"] for c in configs]
    for c in configs:  # two configurations that differ only outside the grid keep apart
        if labels.count(c["label"]) > 1:
            c["label"] += f" [{c['id'][:6]}]"
    configs.sort(key=lambda c: _sort_key(c["point"], keys) + [c["label"]])
    heads = sweep_headlines(units)
    primary, sign = heads[0].key, (1.0 if heads[0].higher_is_better else -1.0)
    front: list[str] = []
    have = [c for c in configs if primary in c["metrics"] and ENERGY in c["metrics"]]
    if have:
        objectives = [[_observations(groups[c["id"]], primary, sign, folds=True),
                       _observations(groups[c["id"]], ENERGY, -1.0, folds=False)] for c in have]
        front = [have[i]["id"] for i in sorted(significant_front(objectives),
                                               key=lambda i: have[i]["metrics"][ENERGY]["mean"])]
        per_instance = [[_observations(groups[c["id"]], primary, sign, folds=False), o[1]]
                        for c, o in zip(have, objectives)]
        for c, (on, of) in zip(have, front_share(per_instance)):
            c["front_share"] = {"on_front": on, "instances": of}
    for c in configs:
        c["pareto"] = c["id"] in front
        c["headline_samples"] = {h.key: sorted({n for u in groups[c["id"]] if (n := h.samples(u.report)) is not None})
                                 for h in heads if h.count}
    return {"schema": "neurosim.sweep-report/1", "swept_keys": swept, "grid_keys": keys,
            "tasks": sorted({u.record["task"] for u in units}), "chips": sorted(chips),
            "n_units": len(units), "headline": [h.as_dict() for h in heads], "configurations": configs,
            "pareto_front": front, "pareto_test": PARETO_TEST, "ran": what_ran(units),
            "warnings": small_split_warnings(units, heads)}


#: How the front decides domination (shown on the page and stored in the JSON).
PARETO_TEST = ("dominated only by a configuration that is, on each objective, significantly better "
               "(one-sided t-test at 5 %, paired over chip instances and seeds, and over folds where "
               "the report has per-fold figures; Welch's test where they share fewer than 2) or identical")


def _observations(members: list[UnitResult], metric: str, sign: float, folds: bool) -> dict[tuple, float]:
    """``metric`` of each unit keyed by (instance, seed), oriented (``sign``) so higher is better;
    with ``folds``, keyed by (instance, seed, fold) where the report has per-fold figures."""
    out: dict[tuple, float] = {}
    for u in members:
        key = (u.record["instance"], u.record["seed"])
        per_fold = _per_fold(u.report, metric) if folds else None
        if per_fold:
            out.update({(*key, f): sign * v for f, v in enumerate(per_fold)})
        elif metric in u.metrics:
            out[key] = sign * u.metrics[metric]
    return out


def _per_fold(report: dict, metric: str) -> list[float] | None:
    """The per-fold figures beside ``metric`` (``a.b.value`` → ``a.b.per_fold``), or None."""
    if not metric.endswith(".value"):
        return None
    node: Any = report
    for part in [*metric.split(".")[:-1], "per_fold"]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if isinstance(node, list) and len(node) >= 2 and all(is_number(v) for v in node):
        return [float(v) for v in node]
    return None


def _sort_key(point: dict, keys: list[str]) -> list:
    out = []
    for k in keys:
        v = point.get(k)
        out.append((0, float(v), "") if is_number(v) else (1, 0.0, str(v)))
    return out


def write_json_h5(data: dict, units: list[UnitResult], json_path: Path, h5_path: Path) -> None:
    """The aggregated data as JSON, and as HDF5: ``/units`` (one row per unit: configuration index,
    instance, seed, one column per metric, NaN where a unit lacks it) and ``/configurations``
    (one row per configuration: each metric's mean, std, ci95_low, ci95_high)."""
    import io

    import h5py

    from neurosim.report import write_atomic

    write_atomic(json_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    index = {c["id"]: i for i, c in enumerate(data["configurations"])}
    metrics = sorted({m for c in data["configurations"] for m in c["metrics"]})
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs["schema"] = data["schema"]
        g = f.create_group("units")
        g["id"] = np.array([u.record["id"] for u in units], dtype=object).astype(h5py.string_dtype())
        g["configuration"] = np.array([index[u.record["configuration"]] for u in units], dtype=np.int64)
        g["instance"] = np.array([u.record["instance"] for u in units], dtype=np.int64)
        g["seed"] = np.array([u.record["seed"] for u in units], dtype=np.int64)
        for m in metrics:
            g[m] = np.array([u.metrics.get(m, np.nan) for u in units], dtype=np.float64)
        c = f.create_group("configurations")
        c["id"] = np.array([x["id"] for x in data["configurations"]], dtype=object).astype(h5py.string_dtype())
        c["label"] = np.array([x["label"] for x in data["configurations"]],
                              dtype=object).astype(h5py.string_dtype())
        c["pareto"] = np.array([x["pareto"] for x in data["configurations"]], dtype=bool)
        for m in metrics:
            for stat in ("mean", "std", "ci95_low", "ci95_high"):
                c[f"{m}/{stat}"] = np.array([x["metrics"].get(m, {}).get(stat, np.nan)
                                             for x in data["configurations"]], dtype=np.float64)
    write_atomic(h5_path, buf.getvalue())
