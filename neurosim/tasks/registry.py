"""The task registry: every task is one module that declares itself.

A task subclasses :class:`Task`, sets its ``name`` (the ``--task`` value), a
one-line ``description`` and, if it has settings, a ``Settings`` frozen
dataclass of :func:`neurosim.config.param` fields (its config section
``[<name>]``, settable from TOML and ``--set <name>.<key>=…``, listed in the
config reference), and implements

* ``run(config, context) -> result``: the experiment (any object);
* ``report(result) -> dict``: the task's part of the ``neurosim.report/1`` JSON
  (at least ``"dataset"`` and ``"engine"``; the common header is added by
  :func:`neurosim.tasks.runner.run_task`);
* ``figures(result) -> dict``: arrays the HTML report plots (optional);
* ``summary(report) -> list[(name, value)]``: the lines the CLI prints after
  the common ones (optional).

It declares its ``headline`` metrics (:class:`~neurosim.report.headline.Headline`: a dotted
report key, a label, a unit, the direction of improvement; default: test accuracy). The runner
writes them into the report; the run's HTML page shows them first and the sweep comparison page
plots the first one per configuration, against energy and against each swept key.

Decorating the class with :func:`register_task` makes the CLI, the config, the
JSON and HTML layers find it by name. Built-in tasks are the modules of this
package that register one; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from neurosim.config import Config, discover_members, register_section, unregister_section
from neurosim.errors import ConfigError
from neurosim.progress import Progress
from neurosim.report.headline import ACCURACY_HEADLINE, Headline
from neurosim.submodules import import_submodules
from neurosim.tasks.needs import TaskSetting

__all__ = ["DEFAULT_TASK", "Headline", "RunContext", "Task", "discover", "get_task", "register_task", "task_names",
           "unregister_task"]


@dataclass(frozen=True)
class RunContext:
    """How a task runs, beside its config: the engine choice, the data root, progress output."""

    engine: str = "auto"
    data_dir: Path | None = None
    progress: Progress = Progress(enabled=False)


class Task:
    """Base class of a task (see the module docstring)."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: The task's config section ``[<name>]`` (a frozen dataclass of param fields), or None.
    Settings: ClassVar[type | None] = None
    #: Report keys (dotted) this task always writes, checked before the report is saved.
    required_keys: ClassVar[tuple[str, ...]] = ()
    #: Whether the task reads ``run.dataset`` (False: it makes its own input, as ``prediction``).
    uses_dataset: ClassVar[bool] = True
    #: The metrics the task is judged by, the primary one first (keys its report always writes).
    headline: ClassVar[tuple[Headline, ...]] = (ACCURACY_HEADLINE,)
    #: Config values the task runs with unless a --config file or --set names the key
    #: (:class:`~neurosim.tasks.needs.TaskSetting`: key, value, why); stated in the report and summary.
    needs: ClassVar[tuple[TaskSetting, ...]] = ()

    def run(self, config: Config, context: RunContext) -> Any:
        raise NotImplementedError(f"task {self.name!r} does not implement run")

    def report(self, result: Any) -> dict:
        raise NotImplementedError(f"task {self.name!r} does not implement report")

    def figures(self, result: Any) -> dict:
        """Arrays for the HTML report (none by default)."""
        return {}

    def summary(self, report: dict) -> list[tuple[str, str]]:
        """Task-specific lines of the CLI summary (none by default)."""
        return []

    def settings(self, config: Config) -> Any:
        """This task's section of ``config`` (``None`` for a task without settings)."""
        return config.section(self.name) if self.Settings is not None else None


_TASKS: dict[str, Task] = {}

#: The task a run does when none is named (``neurosim run``, ``neurosim.run``, a sweep).
DEFAULT_TASK = "classify"  # registry-name: the one place the default task is named


def register_task(cls: type[Task]) -> type[Task]:
    """Class decorator: register task ``cls`` (and its config section) under ``cls.name``."""
    if not cls.name or not cls.name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"task {cls.__qualname__}: name must be a non-empty word, got {cls.name!r}")
    known = _TASKS.get(cls.name)
    if known is not None and type(known) is not cls:
        raise ValueError(f"task name {cls.name!r} is already registered by {type(known).__qualname__}")
    if not cls.headline or not all(isinstance(h, Headline) for h in cls.headline):
        raise ValueError(f"task {cls.name!r}: headline must be a non-empty tuple of neurosim.report.headline.Headline")
    if not isinstance(cls.needs, tuple) or not all(isinstance(s, TaskSetting) for s in cls.needs):
        raise ValueError(f"task {cls.name!r}: needs must be a tuple of neurosim.tasks.needs.TaskSetting")
    if cls.Settings is not None:
        register_section(cls.name, cls.Settings)
    _TASKS[cls.name] = cls()
    return cls


def unregister_task(name: str) -> None:
    """Remove task ``name`` and its config section (for tests and plugins)."""
    if _TASKS.pop(name, None) is not None:
        unregister_section(name)


def discover() -> None:
    """Import this package's modules once, so the built-in tasks register themselves, and run the
    plugin discovery (entry points) if nothing ran it yet."""
    import_submodules("neurosim.tasks")
    discover_members()


def task_names() -> list[str]:
    """Names of all registered tasks, sorted."""
    discover()
    return sorted(_TASKS)


def get_task(name: str) -> Task:
    """The registered task ``name``; :class:`ConfigError` listing the known tasks otherwise."""
    discover()
    if name not in _TASKS:
        raise ConfigError(f"unknown task {name!r}; known tasks: {', '.join(sorted(_TASKS))}")
    return _TASKS[name]
