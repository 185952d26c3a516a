"""Run a registered task by name and wrap its result in the common report header.

The header is the same for every task: schema, run id, task, chip (name, chip
hash, instance), seed, engine, the full config and provenance. The run id is a
hash of everything that changes the result (:func:`run_identity`), so a report
folder holding another run (another task, engine choice, config, seed, chip
instance or data folder) is refused, while rerunning the identical experiment
may overwrite its own report.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from neurosim.config import (RESISTIVE_KINDS, SECTIONS, Config, chip_hash, config_hash, hashed_dict,
                             to_dict)
from neurosim.data import data_root, list_datasets
from neurosim.devices import build_device
from neurosim.report.json_report import SCHEMA, dataset_counts_text, make_run_id, validate_report
from neurosim.report.provenance import provenance
from neurosim.tasks.needs import settings_report, settings_rows
from neurosim.tasks.registry import RunContext, get_task

__all__ = ["TaskOutput", "preflight", "run_identity", "run_id", "run_task", "summary_rows"]


@dataclass(frozen=True)
class TaskOutput:
    """A finished run: its ``neurosim.report/1`` dict, the arrays its HTML report plots, the raw result."""

    report: dict
    figures: dict
    result: object


def run_identity(config: Config, task: str, engine: str = "auto", data_dir: Path | None = None) -> dict:
    """Everything that changes a run's result, as plain data.

    The task, the engine choice, the core config sections (of the neuron models' sections,
    only the in-use model's: :func:`neurosim.config.in_use`) and the task's own section (seed
    and chip instance included) with the sha256 of any file a key names, and, for a dataset
    read from files, the resolved data folder.
    """
    get_task(task)
    sections = hashed_dict(config, (*SECTIONS, task))
    identity = {"task": task, "engine": engine, "config": sections}
    builtin = {info.name: info.builtin for info in list_datasets()}
    if not builtin.get(config.run.dataset, True):
        identity["data_root"] = str(data_root(data_dir).resolve())
    return identity


def run_id(config: Config, task: str, engine: str = "auto", data_dir: Path | None = None) -> str:
    """The report's ``run.id``: ``"<16 hex digits of the identity hash>-s<seed>"``."""
    text = json.dumps(run_identity(config, task, engine, data_dir), sort_keys=True, separators=(",", ":"))
    return make_run_id(hashlib.sha256(text.encode()).hexdigest()[:16], config.run.seed)


def preflight(config: Config) -> None:
    """Check the inputs that live in files before any data is read or simulated: the chip's
    device model, with its measured conductance file (:class:`ConfigError` naming the file)."""
    if config.device.kind in RESISTIVE_KINDS:
        build_device(config.device)


def run_task(name: str, config: Config, context: RunContext | None = None, *,
             rid: str | None = None) -> TaskOutput:
    """Run task ``name`` on ``config`` and build its validated report.

    ``rid``: the run id, when the caller has computed it (:func:`run_id`) and run :func:`preflight`
    already, as :func:`neurosim.run` does before checking the output folder; None does both here.
    """
    context = context or RunContext()
    task = get_task(name)
    if rid is None:
        preflight(config)
        rid = run_id(config, name, context.engine, context.data_dir)
    result = task.run(config, context)
    body = task.report(result)
    chash = config_hash(config)
    report = {
        "schema": SCHEMA,
        "run": {"id": rid, "engine_choice": context.engine},
        "task": name,
        "chip": {"name": config.chip.name, "config_hash": chip_hash(config),
                 "instance": config.run.instance},
        "seed": config.run.seed,
        "headline": [h.as_dict() for h in task.headline],
        **({"task_settings": settings_report(name, config)} if task.needs else {}),
        **body,
        "config": to_dict(config),
        "provenance": provenance(chash),
    }
    validate_report(report, task.required_keys)
    return TaskOutput(report, task.figures(result), result)


def summary_rows(report: dict) -> list[tuple[str, str]]:
    """The lines the CLI prints after a run: the common ones, then the task's own."""
    chip = report["chip"]
    instance = f", instance {chip['instance']}" if chip.get("instance") else ""
    rows = [
        ("task", f"{report['task']} on {dataset_counts_text(report['dataset'])}"),
        ("chip", f"{chip['name']} (chip hash {chip['config_hash']}{instance})"),
        ("engine, seed", f"{report['engine']}, {report['seed']}"),
    ]
    return rows + settings_rows(report) + get_task(report["task"]).summary(report)
