"""Tidy tables of a run's or a sweep's numbers: one CSV row per (run, metric).

``pandas.read_csv(path)`` reads one in a line; so does :class:`csv.DictReader`. Columns:

* ``run``: the run id (for a sweep, the unit's id: each unit is one run);
* sweeps only: ``configuration`` (its id), ``label`` (as on the page) and one column per grid key
  (e.g. ``crossbar.adc_bits``) holding the value that unit ran with;
* ``task``, ``dataset``, ``chip``, ``instance`` (the chip instance), ``seed``, ``engine``;
* ``metric``: the dotted report key (``accuracy.test``, ``energy.breakdown_J.adc``, ``accuracy.cv``);
* ``value``, and ``low``, ``high`` for a metric the report gives with its interval (blank otherwise);
* ``unit``: ``J``, ``s``, ``Hz`` or ``m^2`` from the key's suffix (SI, as in ``report.json``); blank for
  fractions (accuracies are 0–1), counts and ratios.

Every numeric leaf of the report's result sections is a metric (``config``, ``provenance``, ``headline``
and the identity keys are not); an interval (a dict with ``value``, ``low`` and ``high``) is one row;
a list of named records (``energy.baselines``) gives one prefix per record; other lists (e.g. a
continual task's accuracy matrix) stay in ``report.json``.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from neurosim.report.atomic import write_atomic
from neurosim.report.format import is_number

__all__ = ["RUN_COLUMNS", "REPORT_CSV", "metric_rows", "run_rows", "tidy_csv", "write_tidy_csv"]

#: File name of a run's tidy table inside its output folder.
REPORT_CSV = "report.csv"

#: Columns of a run's table (a sweep's adds ``configuration``, ``label`` and its grid keys after ``run``).
RUN_COLUMNS = ("run", "task", "dataset", "chip", "instance", "seed", "engine", "metric", "value", "low", "high",
               "unit")

_NOT_METRICS = {"schema", "run", "task", "chip", "engine", "seed", "headline", "config", "provenance"}
_SUFFIX_UNITS = (("_J", "J"), ("_s", "s"), ("_hz", "Hz"), ("_Hz", "Hz"), ("_m2", "m^2"))


def _unit(metric: str) -> str:
    """The SI unit of ``metric`` from its own or its parent's suffix (``energy.breakdown_J.adc``: J)."""
    parts = metric.split(".")
    for name in (parts[-1], *reversed(parts[:-1])):
        for suffix, unit in _SUFFIX_UNITS:
            if name.endswith(suffix):
                return unit
    return ""


def _is_interval(node: dict) -> bool:
    return all(is_number(node.get(k)) for k in ("value", "low", "high"))


def _finite(value: Any) -> bool:
    return is_number(value) and not isinstance(value, bool) and math.isfinite(float(value))


def metric_rows(prefix: str, node: Any) -> list[dict]:
    """``{"metric", "value", "low", "high", "unit"}`` of every metric under ``node`` (see the module
    docstring), ``low`` and ``high`` ``""`` where there is no interval."""
    if isinstance(node, dict):
        rows = []
        if _is_interval(node):
            rows.append({"metric": prefix, "value": float(node["value"]), "low": float(node["low"]),
                         "high": float(node["high"]), "unit": _unit(prefix)})
            node = {k: v for k, v in node.items() if k not in ("value", "low", "high")}
        for key, value in node.items():
            rows += metric_rows(f"{prefix}.{key}" if prefix else str(key), value)
        return rows
    if isinstance(node, list) and node and all(isinstance(v, dict) and isinstance(v.get("key", v.get("name")), str)
                                               for v in node):
        return [row for item in node for row in metric_rows(f"{prefix}.{item.get('key', item.get('name'))}", item)]
    if _finite(node):
        return [{"metric": prefix, "value": float(node), "low": "", "high": "", "unit": _unit(prefix)}]
    return []


def run_rows(report: dict, extra: dict | None = None) -> list[dict]:
    """The tidy rows of one ``neurosim.report/1`` report, each also holding ``extra`` (e.g. a sweep
    unit's configuration and grid values)."""
    ident = {"run": report["run"]["id"], **(extra or {}), "task": report["task"],
             "dataset": report["dataset"]["name"], "chip": report["chip"]["name"],
             "instance": report["chip"].get("instance", ""), "seed": report["seed"], "engine": report["engine"]}
    results = {k: v for k, v in report.items() if k not in _NOT_METRICS}
    return [{**ident, **row} for row in metric_rows("", results)]


def tidy_csv(rows: list[dict], columns: list[str] | tuple[str, ...]) -> str:
    """``rows`` as CSV text under the header ``columns`` (a missing cell is blank)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def _cell(value: Any) -> Any:
    """Grid values that are lists or dicts as compact text; numbers and strings as they are."""
    if isinstance(value, (list, dict, tuple)):
        import json

        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return value


def write_tidy_csv(rows: list[dict], columns: list[str] | tuple[str, ...], path: Path | str) -> Path:
    """Write ``rows`` under ``columns`` to ``path`` atomically (UTF-8) and return it."""
    write_atomic(path, tidy_csv(rows, columns))
    return Path(path)
