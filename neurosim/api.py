"""Run a task from Python: ``neurosim.run(task, config) -> Run``, the same run as ``neurosim run``.

The CLI is a thin layer over :func:`run`: a script gets the same report, the same run id and
the same refusal of an output folder that holds another run's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neurosim.config import Config, load_config
from neurosim.engines import engine_choices
from neurosim.errors import EngineError
from neurosim.progress import Progress
from neurosim.report import check_output_dir
from neurosim.report.write import write_reports
from neurosim.tasks import (
    DEFAULT_TASK,
    RunContext,
    get_task,
    preflight,
    run_id,
    run_task,
    summary_rows,
)
from neurosim.tasks.needs import settings_report

__all__ = ["Run", "default_folder", "run"]

#: Where :meth:`Run.save` writes when given no folder: ``<this>/<task>-<chip>-<run id>``.
OUT_ROOT = Path("neurosim-out")


def default_folder(task: str, config: Config, rid: str) -> Path:
    """``neurosim-out/<task>-<chip>-<run id>``, the report folder of ``neurosim run`` without ``--out``."""
    return OUT_ROOT / f"{task}-{config.chip.name}-{rid}"


@dataclass
class Run:
    """A finished run of a task.

    ``report``: the validated ``neurosim.report/1`` dict (what ``report.json`` holds: accuracy,
    energy in J, latency in s, config, provenance …; e.g. ``report["energy"]["per_inference_J"]``);
    ``figures``: the arrays its HTML report plots (name → numpy array or plot spec);
    ``result``: the task's own result object (e.g. ``ClassifyResult``); ``id``: the run id, a hash
    of everything that changes the result (``"<16 hex>-s<seed>"``); ``saved``: the report files
    written by :func:`run` (``out=``) or the last :meth:`save`.
    """

    task: str
    id: str
    config: Config
    result: object
    report: dict
    figures: dict
    saved: tuple[Path, ...] = ()

    @property
    def folder(self) -> Path:
        """The default report folder, ``neurosim-out/<task>-<chip>-<run id>``."""
        return default_folder(self.task, self.config, self.id)

    def save(self, out: Path | str | None = None, *, draw_figures: bool = True) -> tuple[Path, Path]:
        """Write ``report.json`` and ``report.html`` into ``out`` (default :attr:`folder`), each
        atomically; returns their paths. A folder holding another run's report is refused
        (:class:`~neurosim.errors.NeurosimError`); this run's own report is overwritten.
        ``draw_figures=False``: the HTML page without its figures and no ``figures/`` files."""
        paths = write_reports(self.report, self.figures, Path(out) if out is not None else self.folder, self.id,
                              draw=draw_figures)
        self.saved = paths
        return paths

    def summary(self) -> list[tuple[str, str]]:
        """(label, text) lines summing the run up, as ``neurosim run`` prints them."""
        return summary_rows(self.report)


def run(task: str = DEFAULT_TASK, config: Config | None = None, *, engine: str = "auto",
        data_dir: Path | str | None = None, progress: bool | Progress = False,
        out: Path | str | bool | None = None, draw_figures: bool = True) -> Run:
    """Run ``task`` (one of :func:`neurosim.task_names`) on ``config``; the finished :class:`Run`.

    ``config``: from :func:`neurosim.load_config`, edited with ``Config.set`` (default: the
    default chip and settings with the task's declared ones, ``load_config(task=task)``).
    ``engine``: ``"auto"`` or a name of :func:`neurosim.engine_names`.
    ``data_dir``: the folder holding the datasets' files (default ``$NEUROSIM_DATA`` or
    ``./datasets``; built-in datasets need none). ``progress``: True (or a
    :class:`~neurosim.progress.Progress`) prints the run's stages on stderr.
    ``out``: also write the reports, into this folder (True: :attr:`Run.folder`); the folder is
    checked before any work, so a folder holding another run's report costs nothing.
    ``draw_figures=False``: the saved HTML page without its figures (see :meth:`Run.save`).

    An unknown task or engine, and the chip's device files, are checked before any data is read (:class:`ConfigError`
    naming the file); the run id and that check are computed once.
    """
    config = config if config is not None else load_config(task=task)
    if engine not in engine_choices():
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(engine_choices())}")
    data_dir = Path(data_dir) if data_dir is not None else None
    rid = run_id(config, task, engine, data_dir)
    folder = None
    if out is not None and out is not False:
        folder = default_folder(task, config, rid) if out is True else Path(out)
        check_output_dir(folder, rid)   # before the work, so that none is lost
    preflight(config)
    if not isinstance(progress, Progress):
        progress = Progress(enabled=bool(progress))
    for line in _notes(task, config, engine):
        progress.note(line)
    output = run_task(task, config, RunContext(engine, data_dir, progress), rid=rid)
    finished = Run(task, rid, config, output.result, output.report, output.figures)
    if folder is not None:
        finished.save(folder, draw_figures=draw_figures)
    return finished


def _notes(task: str, config: Config, engine: str) -> list[str]:
    """What the run is, then one line per setting the run's dataset recommends: in use, or changed."""
    from neurosim.data import recommended_settings

    data = f"dataset {config.run.dataset}, " if get_task(task).uses_dataset else ""
    lines = [(f"neurosim {task}: chip {config.chip.name} (instance {config.run.instance}), "
              f"{data}engine {engine}, seed {config.run.seed}")]
    for key, value in recommended_settings(config.run.dataset).items():
        section, _, name = key.rpartition(".")
        used = getattr(config.section(section), name)
        state = "in use" if used == value else f"this run uses {used}"
        lines.append(f"{config.run.dataset} recommends {key} = {value} ({state}; see `neurosim datasets`)")
    for s in settings_report(task, config):
        state = "in use" if s["applied"] else f"this run uses {s['used']!r}"
        lines.append(f"task {task} runs with {s['key']} = {s['value']!r} ({state}): {s['why']}")
    return lines
