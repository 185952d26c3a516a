"""Settings a task declares it runs with (``Task.needs``), and how a run states them.

A task whose experiment is defined on a particular network, or that cannot run with some part of
the chip model yet, declares those config values with the reason. :func:`neurosim.load_config`
(``task=``) applies them above the chip preset and the dataset's recommended settings and under the
user's ``--config`` file and ``--set``, so a user's explicit value always wins; the report
(``task_settings``) and the CLI summary say which the run used and why, so a run never changes the
chip without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TaskSetting", "needed_settings", "settings_report", "settings_rows"]


@dataclass(frozen=True)
class TaskSetting:
    """One config value a task runs with: ``key`` (dotted, ``"crossbar.adc_mode"``), ``value`` (as in
    TOML), ``why`` (one sentence a user reads in the summary)."""

    key: str
    value: Any
    why: str


def needed_settings(task: str) -> dict[str, Any]:
    """``{"section.key": value}`` of the settings task ``task`` declares (its ``needs``)."""
    from neurosim.tasks.registry import get_task

    return {s.key: s.value for s in get_task(task).needs}


def settings_report(task: str, config) -> list[dict]:
    """The report's ``task_settings``: per declared setting its ``key``, declared ``value``, the value
    this run ``used`` (``config``'s), ``applied`` (whether they agree: False when a --config file or
    --set chose another value) and ``why``."""
    from neurosim.tasks.registry import get_task

    rows = []
    for s in get_task(task).needs:
        section, _, name = s.key.rpartition(".")
        used = getattr(config.section(section), name)
        rows.append({"key": s.key, "value": s.value, "used": used, "applied": used == s.value, "why": s.why})
    return rows


def settings_rows(report: dict) -> list[tuple[str, str]]:
    """Summary lines, one per declared setting of the report's task: what the run used and why."""
    rows = []
    for s in report.get("task_settings", ()):
        if s["applied"]:
            rows.append((f"{report['task']} sets", f"{s['key']} = {s['value']!r}: {s['why']}"))
        else:
            rows.append((f"{report['task']} would set", f"{s['key']} = {s['value']!r}, but your --config/--set "
                         f"chose {s['used']!r} ({s['why']})"))
    return rows
