"""Running a sweep's units on dask.distributed, writing each as it finishes.

:func:`run_sweep` plans the units (:func:`neurosim.sweep.spec.plan_units`), skips
those already in the folder, submits the others to a dask cluster and streams the
results back (``distributed.as_completed``): the client writes each finished unit
atomically (:class:`~neurosim.sweep.store.SweepStore`), so workers need no shared
file system. The cluster is a ``LocalCluster`` of ``workers`` single-threaded
processes (a Brian2 run holds a per-process lock, and one thread per process keeps
numba's threads from competing), or the running scheduler at ``scheduler`` (the same
code path; started by ``dask scheduler`` + ``dask worker ADDRESS --nthreads 1``).

A unit runs its task through :func:`neurosim.tasks.run_task` with ``run.instance`` and
``run.seed`` set: its result depends on nothing else, so the sweep is bit-identical
whatever the number of workers, their order or the cluster. Inside a worker, loaded
event data is kept between units (:func:`neurosim.data.memo.memoized_loading`), so a
chunk of samples is read (or generated) once per worker, not once per unit; the numba
and Brian2 compiled code is cached on disk (numba's ``cache=True``, Brian2's cache
below ``$NEUROSIM_CACHE_DIR``) and shared by every worker on a machine.

A unit that raises (a bad config value, corrupt data) is a failure with its reason
and does not stop the others; a worker that dies mid-unit is replaced and its unit
retried by the scheduler (``distributed.scheduler.allowed-failures``, 3 by default).

``unit_figures=False`` (``--no-unit-figures``) writes each unit's ``report.html`` without its figures:
drawing them is ~95 % of a tiny unit's time, and the sweep page reads the units' JSON reports and
arrays, which are the same either way (so is every result digest).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np

from neurosim.config import Config, chip_hash, config_hash
from neurosim.errors import NeurosimError
from neurosim.sweep.progress import SweepProgress
from neurosim.sweep.ran import package_commit
from neurosim.sweep.spec import SweepSpec, Unit, plan_units
from neurosim.sweep.store import SweepStore, result_digest

__all__ = ["SweepOutcome", "UnitJob", "dask_client", "run_sweep", "run_unit", "store_unit"]

#: Bytes of loaded event data a worker keeps between units (see neurosim.data.memo).
DEFAULT_MEMO_BYTES = 1 << 30


@dataclass(frozen=True)
class UnitJob:
    """What a worker needs to run one unit (pickled to the worker)."""

    unit_id: str
    task: str
    config: Config
    engine: str = "auto"
    data_dir: str | None = None
    memo_bytes: int = DEFAULT_MEMO_BYTES
    figures: bool = True  # draw the figures of the unit's report.html


def run_unit(job: UnitJob) -> dict:
    """Run one unit on this process (a dask worker): its report, HTML page (with its figures drawn
    if ``job.figures``) and figure arrays.

    Returns ``{"report", "html", "arrays", "seconds", "worker", "memo"}``; raises the task's
    error for a unit that fails.
    """
    from neurosim.data.memo import memo_stats, memoized_loading
    from neurosim.report import render_html, to_jsonable
    from neurosim.tasks import RunContext, run_task

    start = time.perf_counter()
    with memoized_loading(job.memo_bytes):
        output = run_task(job.task, job.config,
                          RunContext(job.engine, Path(job.data_dir) if job.data_dir else None))
    if output.report["run"]["id"] != job.unit_id:  # the unit's name is its inputs' hash
        raise NeurosimError(f"unit {job.unit_id}: the run reported id {output.report['run']['id']}")
    html = render_html(output.report, output.figures, draw=job.figures)
    arrays = {}
    for name, value in output.figures.items():
        if value is None or isinstance(value, (dict, list, tuple, str)):
            continue                    # plot specs (e.g. "panels") live in the page, not in arrays.h5
        array = np.asarray(value.get() if hasattr(value, "get") and not isinstance(value, np.ndarray) else value)
        if array.dtype.kind in "biuf":
            arrays[name] = array
    return {"report": to_jsonable(output.report), "html": html, "arrays": arrays,
            "seconds": time.perf_counter() - start,
            "worker": f"{socket.gethostname()}:{os.getpid()}", "memo": memo_stats()}


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[tuple[object, str]]:
    """``(client, description)`` of a running scheduler at ``scheduler``, or of a new
    ``LocalCluster`` of ``workers`` (default: CPU count) single-threaded worker processes."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise NeurosimError(f"--scheduler {scheduler}: cannot connect ({exc}); start one with "
                                "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`") from exc
        with client:
            n = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            yield client, f"scheduler {scheduler} ({n} workers)"
        return
    n = workers or os.cpu_count() or 1
    # one numba thread per worker process, like the BLAS/OpenMP threads dask already limits
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), "NUMBA_NUM_THREADS": 1}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client, f"LocalCluster ({n} worker processes, 1 thread each)"


@dataclass
class SweepOutcome:
    """What a sweep run did: units asked, skipped (done before), computed now, and failures
    (``{unit id: reason}``); ``cluster``: where it ran."""

    folder: Path
    units: list[Unit]
    skipped: list[str]
    computed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    cluster: str = ""

    @property
    def complete(self) -> bool:
        return not self.failed


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _manifest(spec: SweepSpec, units: list[Unit], store: SweepStore, runs: list[dict]) -> dict:
    done = store.finished()
    return {"schema": "neurosim.sweep/1", "spec": spec.as_dict(),
            "units": [u.describe() for u in units],
            "done": sorted(u.id for u in units if u.id in done),
            "total": len(units), "runs": runs}


def run_sweep(spec: SweepSpec, out: Path | str, *, scheduler: str | None = None, workers: int | None = None,
              progress: bool = True, memo_bytes: int = DEFAULT_MEMO_BYTES, unit_figures: bool = True) -> SweepOutcome:
    """Run every unit of ``spec`` not yet finished in folder ``out`` (see the module docstring);
    ``unit_figures=False``: the units' report.html pages without figures."""
    store = SweepStore(out)
    units = plan_units(spec)
    store.prepare()
    finished = store.finished()
    old = store.read_manifest()
    runs = list(old.get("runs", [])) if old else []
    invalid = {u.id: u.error for u in units if u.error}
    todo = [u for u in units if not u.error and u.id not in finished]
    outcome = SweepOutcome(Path(out), units, [u.id for u in units if u.id in finished], failed=dict(invalid))
    run = {"started": _now(), "finished": None, "spec": spec.as_dict(), "asked": len(units),
           "skipped": len(outcome.skipped), "computed": [], "failed": invalid, "cluster": None}
    runs.append(run)
    store.write_manifest(_manifest(spec, units, store, runs))
    bar = SweepProgress(len(units), len(outcome.skipped), enabled=progress)
    bar.update(failed=len(invalid))
    for uid, reason in invalid.items():
        bar.note(f"unit {uid} failed: {reason}")
    if todo:
        by_id = {u.id: u for u in todo}
        with dask_client(scheduler, workers or min(os.cpu_count() or 1, len(todo))) as (client, where):
            from distributed import as_completed

            run["cluster"] = outcome.cluster = where
            bar.note(f"neurosim sweep: {len(todo)} units to run on {where} "
                     f"({len(outcome.skipped)} of {len(units)} done before)")
            jobs = [UnitJob(u.id, spec.task, u.config, spec.engine, spec.data_dir, memo_bytes, unit_figures)
                    for u in todo]
            futures = client.map(run_unit, jobs, key=[f"neurosim-unit-{u.id}" for u in todo], pure=False)
            last_manifest = time.monotonic()
            bar.start_clock()
            for future in as_completed(futures):
                uid = future.key.removeprefix("neurosim-unit-")
                if future.status != "finished":
                    exc = future.exception() if future.status == "error" else None
                    reason = (str(exc) or type(exc).__name__) if exc is not None else future.status
                    if exc is not None and not isinstance(exc, NeurosimError):
                        reason = f"{type(exc).__name__}: {reason}"
                    outcome.failed[uid] = run["failed"][uid] = reason
                    bar.note(f"unit {uid} failed: {reason}")
                    bar.update(failed=1)
                else:
                    _write(store, by_id[uid], spec, future.result())
                    outcome.computed.append(uid)
                    run["computed"].append(uid)
                    bar.update(computed=1)
                future.release()
                if time.monotonic() - last_manifest > 2.0:
                    store.write_manifest(_manifest(spec, units, store, runs))
                    last_manifest = time.monotonic()
    bar.draw(final=True)
    run["finished"] = _now()
    store.write_manifest(_manifest(spec, units, store, runs))
    return outcome


def _write(store: SweepStore, unit: Unit, spec: SweepSpec, payload: dict) -> None:
    report, arrays = payload["report"], payload["arrays"]
    config = unit.config
    record = {
        "schema": "neurosim.sweep.unit/1", "id": unit.id, "configuration": unit.configuration,
        "point": dict(unit.point), "instance": unit.instance, "seed": unit.seed, "task": spec.task,
        "chip": {"name": config.chip.name, "chip_hash": chip_hash(config)},
        "config_hash": config_hash(config), "engine": report.get("engine"),
        # what the comparison page's header says ran: the fixed --set texts, the package commit
        "overrides": list(spec.overrides), "commit": package_commit(),
        "versions": report["provenance"]["versions"], "arrays": sorted(arrays),
        "result_sha256": result_digest(report, arrays), "worker": payload["worker"],
        "seconds": payload["seconds"], "finished": _now(),
        # the worker's loaded-data memo after this unit: hits are chunks it did not read again
        "data_memo": payload.get("memo", {}),
    }
    store.write_unit(unit.id, record, report, payload["html"], arrays)


#: :func:`_write` by a public name: the co-design search (neurosim.optimize) writes its trials' units with it.
store_unit = _write
