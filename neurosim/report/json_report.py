"""The versioned JSON report (schema ``neurosim.report/1``).

A report is a plain ``dict``; its required layout (all quantities SI)::

    {"schema": "neurosim.report/1",
     "run": {"id": "<identity hash>-s<seed>", "engine_choice": "auto"},
     "task": "classify",
     "dataset": {"name": "dvs-digits", "n_train": 800, "n_test": 200},
     "chip": {"name": "rram-40nm-256kb", "config_hash": "ab12...", "instance": 0},
     "engine": "brian2", "seed": 0,
     "accuracy": {"test": 0.81, "train": 0.93},            # fractions in [0, 1]
     "energy": {"per_inference_J": 2.1e-7,                 # joules, static included
                "breakdown_J": {"cell_reads": 1e-8, ...},  # joules per component
                "baseline": {"name": "digital int8 ...", "per_inference_J": 5e-6},
                "improvement_vs_baseline": 2.2},           # the headline: baseline / chip dynamic
                                                           # energy (same spikes), dimensionless
     "latency": {"per_inference_s": 1.2e-4},               # seconds
     "headline": [{"key": "accuracy.test", "label": "test accuracy",   # the task's headline
                   "unit": "%", "higher_is_better": true}],           # metrics (optional)
     "activity": {...},                                    # optional
     "config": {...},                                      # optional, full nested config
     "provenance": {"versions": {...}, "created": "2026-11-26T12:00:00Z",
                    "config_hash": "...", "python": "3.11.7"}}

``accuracy.train``, ``activity``, ``config`` and the other keys not listed in
:data:`REQUIRED_KEYS` are optional; each task declares the keys it always writes
(``accuracy.test`` for ``classify``; a ``reservoir`` report has no accuracy and
holds its metrics under ``"reservoir"``), checked when its report is built.
A task's own metrics sit under a key named after the task. Numpy scalars and arrays are accepted and
written as Python numbers and lists. NaN and infinity are refused (strict JSON).
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.report.atomic import REPORT_JSON, prepare_output_dir, write_atomic

__all__ = [
    "SCHEMA",
    "REQUIRED_KEYS",
    "make_run_id",
    "validate_report",
    "to_jsonable",
    "dumps_report",
    "write_json_report",
    "read_json_report",
]

#: Schema identifier stored in every report's ``"schema"`` key.
SCHEMA = "neurosim.report/1"

#: Dotted paths of the keys every report must have.
REQUIRED_KEYS: tuple[str, ...] = (
    "schema",
    "run.id",
    "task",
    "dataset.name",
    "chip.name",
    "engine",
    "seed",
    "energy.per_inference_J",
    "energy.breakdown_J",
    "energy.baseline.name",
    "energy.baseline.per_inference_J",
    "energy.improvement_vs_baseline",
    "latency.per_inference_s",
    "provenance.config_hash",
    "provenance.created",
    "provenance.versions",
)


_NONNEGATIVE_NUMBERS = (
    "energy.per_inference_J",
    "energy.baseline.per_inference_J",
    "energy.improvement_vs_baseline",
    "latency.per_inference_s",
)
_STRINGS = ("run.id", "task", "dataset.name", "chip.name", "engine",
            "energy.baseline.name", "provenance.config_hash", "provenance.created")


def make_run_id(config_hash: str, seed: int) -> str:
    """The report's ``run.id``: ``"<config_hash>-s<seed>"`` (same config and seed ⇒ same id)."""
    return f"{config_hash}-s{int(seed)}"


def _get(report: dict, dotted: str) -> Any:
    node: Any = report
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def _is_real(value: Any) -> bool:
    """True for int/float and numpy integer/floating scalars (bools excluded)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def dataset_counts_text(dataset: dict) -> str:
    """``"nmnist (1,000 train, 100 test, 2 corrupt skipped)"`` from a report's ``dataset`` section."""
    labels = {"n_train": "train", "n_test": "test", "n_samples": "in all", "skipped_corrupt": "corrupt skipped"}
    counts = [f"{dataset[k]:,} {label}" for k, label in labels.items()
              if _is_real(dataset.get(k)) and (k != "skipped_corrupt" or dataset[k] > 0)]
    return f"{dataset['name']} ({', '.join(counts)})" if counts else str(dataset["name"])


def validate_report(report: dict, required: tuple[str, ...] = ()) -> None:
    """Check that ``report`` has every key of :data:`REQUIRED_KEYS` (and of ``required``, the
    keys its task always writes, e.g. ``accuracy.test``) with a sensible value.

    Raises :class:`~neurosim.errors.NeurosimError` naming the first missing or
    wrong key (dotted path, e.g. ``energy.baseline.per_inference_J``). Checks:
    ``schema`` equals :data:`SCHEMA`; names are strings; ``seed`` is an integer;
    ``accuracy.test`` (and ``accuracy.train`` if present) is a fraction in
    [0, 1]; energies (J), latency (s) and the improvement factor are finite and
    non-negative; ``energy.breakdown_J`` maps component names to such energies.
    """
    if not isinstance(report, dict):
        raise NeurosimError(f"a report must be a dict, got {type(report).__name__}")
    for key in REQUIRED_KEYS + tuple(required):
        try:
            _get(report, key)
        except KeyError:
            raise NeurosimError(f"report is missing the required key '{key}'") from None

    if report["schema"] != SCHEMA:
        raise NeurosimError(f"report key 'schema' is {report['schema']!r}, expected {SCHEMA!r}")
    for key in _STRINGS:
        if not isinstance(_get(report, key), str):
            raise NeurosimError(f"report key '{key}' must be a string, got {_get(report, key)!r}")
    seed = report["seed"]
    if not isinstance(seed, (numbers.Integral, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise NeurosimError(f"report key 'seed' must be an integer, got {seed!r}")

    def check_number(key: str, value: Any, upper: float = math.inf) -> None:
        if not _is_real(value) or not math.isfinite(value) or not 0.0 <= value <= upper:
            expected = "a fraction in [0, 1]" if upper == 1.0 else "a finite number >= 0"
            raise NeurosimError(f"report key '{key}' must be {expected}, got {value!r}")

    accuracy = report.get("accuracy", {})
    for part in ("test", "train"):
        if isinstance(accuracy, dict) and part in accuracy:
            check_number(f"accuracy.{part}", accuracy[part], 1.0)
    for key in _NONNEGATIVE_NUMBERS:
        check_number(key, _get(report, key))
    breakdown = report["energy"]["breakdown_J"]
    if not isinstance(breakdown, dict):
        raise NeurosimError(
            f"report key 'energy.breakdown_J' must map component names to joules, got {breakdown!r}"
        )
    for name, value in breakdown.items():
        key = f"energy.breakdown_J.{name}"
        check_number(key, value)
    if not isinstance(report["provenance"]["versions"], dict):
        raise NeurosimError("report key 'provenance.versions' must map package names to versions")


def to_jsonable(obj: Any, _where: str = "report") -> Any:
    """Return a copy of ``obj`` made of JSON types only (dict, list, str, int, float, bool, None).

    Numpy scalars become Python scalars, numpy arrays and tuples become (nested)
    lists, ``pathlib.Path`` becomes ``str``. NaN/infinity and unsupported types
    raise :class:`~neurosim.errors.NeurosimError` naming the key.
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist(), _where)
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item(), _where)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        value = float(obj)
        if not math.isfinite(value):
            raise NeurosimError(
                f"{_where} is {value}; a JSON report cannot hold NaN or infinity"
            )
        return value
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if isinstance(key, np.generic):
                key = key.item()
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise NeurosimError(
                    f"{_where} has a key of type {type(key).__name__}; JSON keys must be strings"
                )
            out[str(key) if not isinstance(key, str) else key] = to_jsonable(value, f"{_where}.{key}")
        return out
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, f"{_where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, Path):
        return str(obj)
    raise NeurosimError(f"{_where} has a value of type {type(obj).__name__} that JSON cannot hold")


def dumps_report(report: dict) -> str:
    """Pretty JSON text of a report (2-space indent, UTF-8, trailing newline, strict: no NaN)."""
    data = to_jsonable(report)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json_report(report: dict, out_dir: Path | str) -> Path:
    """Validate ``report`` and write it atomically to ``out_dir/report.json``; return that path.

    ``out_dir`` is created if needed. If it already holds a report of a
    different run (another ``run.id``) a :class:`~neurosim.errors.NeurosimError`
    is raised and nothing is written (see
    :func:`~neurosim.report.atomic.prepare_output_dir`).
    """
    validate_report(report)
    text = dumps_report(report)
    out_dir = prepare_output_dir(out_dir, report["run"]["id"])
    path = out_dir / REPORT_JSON
    write_atomic(path, text)
    return path


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid in a strict JSON report")


def read_json_report(path: Path | str) -> dict:
    """Read a report written by :func:`write_json_report` and check it.

    Raises :class:`~neurosim.errors.NeurosimError` naming ``path`` if the file
    cannot be read, is not valid JSON (NaN/Infinity included), is not a
    ``neurosim.report/1`` report, or misses a required key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise NeurosimError(f"could not read report {path}: {reason}") from exc
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise NeurosimError(
            f"report {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except ValueError as exc:
        raise NeurosimError(f"report {path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise NeurosimError(f"report {path} must hold a JSON object, found {type(data).__name__}")
    if "schema" not in data:
        raise NeurosimError(f"{path} is not a neurosim report (no 'schema' key; expected {SCHEMA!r})")
    if data["schema"] != SCHEMA:
        raise NeurosimError(
            f"report {path} has schema {data['schema']!r}; this neurosim reads {SCHEMA!r}"
        )
    try:
        validate_report(data)
    except NeurosimError as exc:
        raise NeurosimError(f"report {path}: {exc}") from exc
    return data
