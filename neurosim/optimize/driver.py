"""The search loop: Optuna ask/tell, trials evaluated as the sweep's units on dask, all on disk.

Layout of the search folder ``OUT``::

    OUT/optuna.journal     Optuna's journal storage (append-only): every trial asked and told
    OUT/units/<unit id>/   the finished units, exactly as a sweep folder holds them
                           (:class:`~neurosim.sweep.store.SweepStore`; `neurosim report OUT` reads them)
    OUT/computed.log       one line per unit computed (not reused), appended as each is written
    OUT/search.json        the request, every trial (params, units, per-instance metrics, values,
                           constraints, state), the front, the hypervolume curve and this run's rounds
                           (timings), written when the search ends (the journal is the live record)
    OUT/optimize.html …    the page (:mod:`neurosim.optimize.page`) and OUT/front/ (:mod:`.export`)

A trial is a point of the space; its units are those a grid sweep of that point over the same chip
instances would run (:func:`neurosim.sweep.spec.plan_units`, named by the hash of their config), so a
unit already in ``OUT/units`` (from this search, an earlier one, or a sweep copied there) is read,
not recomputed. Trials are asked ``batch`` at a time (a round); the round's units run together on
the dask cluster (a ``LocalCluster``, or ``scheduler``), and the trials are told in trial order once
all of them are scored.

Reproducibility and resuming: before each ``ask`` the sampler is rebuilt with a seed drawn from
(``seed``, trial number), so what a trial asks depends only on the seed, its number and the trials
told before its round, not on the process. A search killed at any point and rerun finds its
finished trials in the journal, re-asks the trials of the unfinished round that were never asked,
scores the asked ones from their units (computing only those not on disk) and goes on: it loses no
told trial, computes no unit twice, and ends with the same trials, values and front as an
uninterrupted search of the same seed. This holds for every sampler and any number of workers (the
units are bit-identical whatever runs them); it does not hold when ``batch`` or the space changes
between runs (a changed request is refused). One search process works in a folder at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import optuna

from neurosim.errors import ConfigError, NeurosimError
from neurosim.optimize.objectives import directions, refusal, score
from neurosim.optimize.pareto import hypervolume_curve, non_dominated
from neurosim.optimize.space import OptimizeSpec, Param
from neurosim.sweep.spec import SweepSpec, Unit, plan_units
from neurosim.sweep.store import SweepStore

__all__ = ["JOURNAL", "OptimizeOutcome", "run_search", "trial_seed"]

JOURNAL = "optuna.journal"
SEARCH_JSON = "search.json"
COMPUTED_LOG = "computed.log"
STUDY = "neurosim-optimize"
#: The parts of a request that decide which trials it asks (a resumed search must not change them).
_IDENTITY = ("space", "objectives", "constraints", "chip", "task", "instances", "run_seed", "overrides",
             "sampler", "seed", "batch", "population", "grid_levels", "engine", "base")


def trial_seed(seed: int, number: int) -> int:
    """The sampler's seed for trial ``number`` of a search seeded ``seed``."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def _sampler(spec: OptimizeSpec, seed: int):
    """The Optuna sampler of ``spec`` seeded ``seed`` (constraints reach NSGA-II and TPE through each
    trial's ``set_constraint`` values)."""
    if spec.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=spec.population, seed=seed)
    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(n_startup_trials=spec.population, seed=seed)
    if spec.sampler == "grid":  # the search's seed: it shuffles the grid once, trial n takes point n
        return _GridSampler({p.key: p.levels(spec.grid_levels) for p in spec.space}, seed=spec.seed)
    return optuna.samplers.RandomSampler(seed=seed)


class _GridSampler(optuna.samplers.GridSampler):
    """Optuna's grid sampler without its ``study.stop()`` once the grid is done (that works only inside
    ``study.optimize``; here the search's ``trials`` end it)."""

    def after_trial(self, study, trial, state, values) -> None:
        return None


def _suggest(trial, p: Param) -> Any:
    if p.kind == "categorical":
        return trial.suggest_categorical(p.key, list(p.choices or ()))
    if p.kind == "int":
        return trial.suggest_int(p.key, int(p.low), int(p.high), step=int(p.step or 1), log=p.log)  # type: ignore
    return trial.suggest_float(p.key, float(p.low), float(p.high), step=p.step, log=p.log)  # type: ignore


def _ask(study, spec: OptimizeSpec, round_: tuple[int, int]) -> int:
    """Ask the next trial (sampler seeded by its number), mark its round ``(first, end)`` and sample
    its active keys; its number."""
    study.sampler = _sampler(spec, trial_seed(spec.seed, len(study.get_trials(deepcopy=False))))
    trial = study.ask()
    trial.set_user_attr("round", list(round_))
    _complete_params(trial, spec)
    return trial.number


def _complete_params(trial, spec: OptimizeSpec) -> dict[str, Any]:
    """Sample the trial's active keys in order (a key sampled before keeps its value)."""
    point: dict[str, Any] = {}
    for p in spec.space:
        if p.active(point):
            point[p.key] = _suggest(trial, p)
    return point


def _units(spec: OptimizeSpec, point: dict[str, Any]) -> list[Unit]:
    """The units of one trial: a one-point grid sweep over the chip instances."""
    sweep = _sweep_spec(spec, point)
    return plan_units(sweep)


def _sweep_spec(spec: OptimizeSpec, point: dict[str, Any]) -> SweepSpec:
    return SweepSpec(chip=spec.chip, task=spec.task, grid=tuple((k, (v,)) for k, v in point.items()),
                     instances=spec.instances, seeds=(spec.run_seed,), config_file=spec.config_file,
                     overrides=spec.overrides, engine=spec.engine, data_dir=spec.data_dir)


@dataclass
class OptimizeOutcome:
    """What a search did: its folder, every trial's record, the front (trial numbers), the page
    and front files written, the units computed now and those reused."""

    folder: Path
    spec: OptimizeSpec
    trials: list[dict]
    front: list[int]
    maximize: list[bool]
    computed: list[str] = field(default_factory=list)
    reused: int = 0
    page: Path | None = None
    front_files: list[Path] = field(default_factory=list)
    cluster: str = ""

    def front_trials(self) -> list[dict]:
        by_number = {t["number"]: t for t in self.trials}
        return [by_number[n] for n in self.front]


class _Cluster:
    """The dask client, started on first use and kept for the whole search."""

    def __init__(self, stack: contextlib.ExitStack, scheduler: str | None, workers: int | None,
                 unit_figures: bool = True):
        self.stack, self.scheduler, self.workers = stack, scheduler, workers
        self.unit_figures = unit_figures  # draw the figures of each unit's report.html
        self.client: Any = None
        self.where = ""

    def get(self):
        if self.client is None:
            from neurosim.sweep.execute import dask_client

            self.client, self.where = self.stack.enter_context(
                dask_client(self.scheduler, self.workers or min(os.cpu_count() or 1, 2)))
        return self.client


def _run_units(units: list[Unit], spec: OptimizeSpec, store: SweepStore, cluster: _Cluster,
               log: Callable[[str], None]) -> tuple[list[str], dict[str, str], float]:
    """Compute ``units`` on the cluster, writing each as it finishes; ``(computed ids, failures,
    seconds of unit compute)``."""
    from distributed import as_completed

    from neurosim.sweep.execute import UnitJob, run_unit, store_unit

    client = cluster.get()
    by_id = {u.id: u for u in units}
    sweep = _sweep_spec(spec, {})
    jobs = [UnitJob(u.id, spec.task, u.config, spec.engine, spec.data_dir,  # type: ignore[arg-type]
                    figures=cluster.unit_figures) for u in units]
    futures = client.map(run_unit, jobs, key=[f"neurosim-unit-{u.id}" for u in units], pure=False)
    computed, failed, seconds = [], {}, 0.0
    for future in as_completed(futures):
        uid = future.key.removeprefix("neurosim-unit-")
        if future.status != "finished":
            exc = future.exception() if future.status == "error" else None
            failed[uid] = (str(exc) or type(exc).__name__) if exc is not None else future.status
            log(f"  unit {uid} failed: {failed[uid]}")
        else:
            payload = future.result()
            store_unit(store, by_id[uid], sweep, payload)
            with open(store.root / COMPUTED_LOG, "a", encoding="utf-8") as f:
                f.write(uid + "\n")
            computed.append(uid)
            seconds += float(payload["seconds"])
        future.release()
    return computed, failed, seconds


def _check_same_request(study, spec: OptimizeSpec, out: Path) -> None:
    mine = {k: v for k, v in spec.as_dict().items() if k in _IDENTITY}
    mine = json.loads(json.dumps(mine, default=str))
    # the base config (search file's tables, chip file, overrides) by its hash, not by the file's path
    mine["base"] = _units(replace(spec, instances=1), {})[0].configuration
    stored = study.user_attrs.get("request")
    if stored is None:
        study.set_user_attr("request", mine)
    elif stored != mine:
        changed = sorted(k for k in _IDENTITY if stored.get(k) != mine.get(k))
        raise ConfigError(f"{out} holds a search with other settings ({', '.join(changed)} differ); "
                          "pick another --out to start a new search (only trials may change on a resume)")


def _describe(spec: OptimizeSpec, record: dict) -> str:
    from neurosim.optimize.page import format_metric

    point = " ".join(f"{k.rsplit('.', 1)[-1]}={_short(v)}" for k, v in record["params"].items())
    head = f"trial {record['number'] + 1}/{spec.trials} {point}"
    if record["state"] != "COMPLETE":
        return f"{head} → {record['state'].lower()}: {record.get('reason', '')}"
    values = ", ".join(f"{o.metric} {format_metric(o.metric, v)}" for o, v in zip(spec.objectives, record["values"]))
    tag = "feasible" if record["feasible"] else "infeasible"
    return f"{head} → {values} · {tag} · {len(record['units'])} units ({record['reused']} reused)"


def _short(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _record(trial) -> dict:
    """A trial's record (``search.json``) from Optuna's frozen trial."""
    attrs = trial.user_attrs
    return {"number": trial.number, "state": trial.state.name, "params": dict(trial.params),
            "values": list(trial.values) if trial.values is not None else None,
            "feasible": bool(attrs.get("feasible", False)), "violations": attrs.get("violations", []),
            "per_instance": attrs.get("per_instance", {}), "units": attrs.get("units", []),
            "reused": attrs.get("reused", 0), "reason": attrs.get("reason", "")}


def front_numbers(records: list[dict], maximize: list[bool]) -> list[int]:
    """Trial numbers of the feasible complete trials no other dominates (ties: the first)."""
    done = [r for r in records if r["state"] == "COMPLETE" and r["feasible"]]
    if not done:
        return []
    values = np.array([r["values"] for r in done], dtype=np.float64)
    signs = np.where(np.asarray(maximize), -1.0, 1.0)
    return [done[i]["number"] for i in non_dominated(values * signs)]


def _reference(spec: OptimizeSpec, records: list[dict], maximize: list[bool]) -> list[float]:
    """The hypervolume's reference point: the spec's, else the worst value of each objective seen."""
    given = dict(spec.reference)
    done = [r["values"] for r in records if r["state"] == "COMPLETE"]
    out = []
    for i, o in enumerate(spec.objectives):
        if o.metric in given:
            out.append(given[o.metric])
        elif done:
            col = [v[i] for v in done]
            out.append(min(col) if maximize[i] else max(col))
        else:
            out.append(0.0)
    return out


def summary(spec: OptimizeSpec, records: list[dict], maximize: list[bool]) -> dict:
    """The search's data (``search.json``): request, trials, front, hypervolume curve."""
    front = front_numbers(records, maximize)
    reference = _reference(spec, records, maximize)
    ordered = sorted(records, key=lambda r: r["number"])
    values = [r["values"] if r["state"] == "COMPLETE" else [0.0] * len(maximize) for r in ordered]
    feasible = [r["state"] == "COMPLETE" and r["feasible"] for r in ordered]
    curve = hypervolume_curve(np.array(values, dtype=np.float64), feasible, maximize,
                              np.array(reference)) if ordered else []
    return {"schema": "neurosim.optimize/1", "request": spec.as_dict(), "maximize": maximize,
            "reference": reference, "reference_given": sorted(dict(spec.reference)),
            "trials": ordered, "front": front, "hypervolume": curve}


def _study(spec: OptimizeSpec, out: Path):
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(out / JOURNAL)))
    maximize = directions(spec)
    study = optuna.create_study(storage=storage, study_name=STUDY, load_if_exists=True,
                                directions=["maximize" if m else "minimize" for m in maximize])
    return study, maximize


def run_search(spec: OptimizeSpec, out: Path | str, *, scheduler: str | None = None, workers: int | None = None,
               progress: bool = True, page: bool = True, unit_figures: bool = True) -> OptimizeOutcome:
    """Run (or resume) the search ``spec`` in folder ``out`` (see the module docstring): ``trials``
    trials in all, each evaluated over the chip instances; then write ``search.json``, the page and
    the front's TOML files. ``scheduler``: address of a running dask scheduler; ``workers``:
    LocalCluster processes (default: up to 2); ``unit_figures=False``: the units' report.html pages
    without figures (as for a sweep, :func:`neurosim.sweep.run_sweep`)."""
    from optuna.trial import Trial, TrialState

    out = Path(out)
    store = SweepStore(out)
    store.prepare()
    study, maximize = _study(spec, out)
    _check_same_request(study, spec, out)

    def log(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    outcome = OptimizeOutcome(out, spec, [], [], maximize)
    rounds: list[dict] = []
    with contextlib.ExitStack() as stack:
        cluster = _Cluster(stack, scheduler, workers, unit_figures)
        while True:
            trials = study.get_trials(deepcopy=False)
            running = [t for t in trials if t.state == TrialState.RUNNING]
            if not running and len(trials) >= spec.trials:
                break
            tick = time.perf_counter()
            if running:  # a round the last run did not finish: ask its missing trials, as it would have
                start, end = running[-1].user_attrs.get("round", [len(trials) - len(running), len(trials)])
                log(f"neurosim optimize: resuming the round of trials {start + 1}–{end} "
                    f"({len(running)} asked before the stop)")
                for t in running:  # a stop inside an ask leaves keys unsampled: sample them now
                    study.sampler = _sampler(spec, trial_seed(spec.seed, t.number))
                    _complete_params(Trial(study, t._trial_id), spec)
            else:
                start, end = len(trials), min(len(trials) + spec.batch, spec.trials)
            numbers = [t.number for t in running] + [_ask(study, spec, (start, end))
                                                     for _ in range(max(0, end - len(trials)))]
            rounds.append(_evaluate(study, spec, sorted(numbers), store, cluster, outcome, log, tick))
            outcome.cluster = cluster.where or outcome.cluster
    records = [_record(t) for t in study.get_trials(deepcopy=False)]
    data = summary(spec, records, maximize)
    data["rounds"] = rounds
    data["importances"] = importances(study, spec) if len(records) >= 4 else {}
    outcome.trials, outcome.front = data["trials"], data["front"]
    _write_json(out / SEARCH_JSON, data)
    if page:
        from neurosim.optimize.export import write_front
        from neurosim.optimize.page import write_page

        outcome.front_files = write_front(spec, outcome.front_trials(), out / "front")
        files = {t["number"]: [f"front/trial-{t['number']}.chip.toml", f"front/trial-{t['number']}.toml"]
                 for t in outcome.front_trials()}
        outcome.page = write_page(data, out / "optimize.html", files)
    return outcome


def _write_json(path: Path, data: dict) -> None:
    from neurosim.report import to_jsonable, write_atomic

    write_atomic(path, json.dumps(to_jsonable(data), indent=1) + "\n")


def importances(study, spec: OptimizeSpec) -> dict[str, dict[str, float]]:
    """Per objective, each searched key's importance (Optuna's fANOVA, normalised to sum 1; seeded),
    over the complete trials; empty where it cannot be computed (too few trials, one value)."""
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    out: dict[str, dict[str, float]] = {}
    for i, o in enumerate(spec.objectives):
        try:
            out[o.metric] = dict(get_param_importances(
                study, evaluator=FanovaImportanceEvaluator(seed=spec.seed), target=lambda t, i=i: t.values[i]))
        except (RuntimeError, ValueError, ZeroDivisionError, optuna.exceptions.OptunaError):
            out[o.metric] = {}
    return out


def _evaluate(study, spec: OptimizeSpec, numbers: list[int], store: SweepStore, cluster: _Cluster,
              outcome: OptimizeOutcome, log: Callable[[str], None], tick: float) -> dict:
    """Score the round's trials ``numbers`` (computing their units not on disk) and tell them in order."""
    from optuna.trial import Trial, TrialState

    frozen = {t.number: t for t in study.get_trials(deepcopy=False)}
    plans: dict[int, list[Unit]] = {}
    for n in numbers:
        plans[n] = _units(spec, dict(frozen[n].params))
    finished = store.finished()
    todo: dict[str, Unit] = {}
    for n, units in plans.items():
        bad = [u for u in units if u.error]
        samples = units[0].config.run.samples if units and units[0].config is not None else 0
        if bad or (0 < samples < spec.min_test_samples):
            continue
        todo.update({u.id: u for u in units if u.id not in finished})
    computed, failed, unit_s = [], {}, 0.0
    ask_s = time.perf_counter() - tick
    wall = time.perf_counter()
    if todo:
        log(f"round of trials {numbers[0] + 1}–{numbers[-1] + 1}: {len(todo)} units to compute "
            f"({sum(len(u) for u in plans.values()) - len(todo)} on disk or refused)")
        computed, failed, unit_s = _run_units(list(todo.values()), spec, store, cluster, log)
        outcome.computed += computed
    wall = time.perf_counter() - wall
    tell = time.perf_counter()
    for n in numbers:
        trial = Trial(study, frozen[n]._trial_id)
        units = plans[n]
        trial.set_user_attr("units", [u.id for u in units])
        reused = sum(1 for u in units if u.id in finished)
        outcome.reused += reused
        trial.set_user_attr("reused", reused)
        samples = units[0].config.run.samples if units and units[0].config is not None else 0
        reason = next((u.error for u in units if u.error), None)
        if reason is None and 0 < samples < spec.min_test_samples:
            reason = (f"run.samples = {samples} is below min_test_samples = {spec.min_test_samples}: the "
                      "headline would rest on too few held-out samples")
        reason = reason or next((f"unit {u.id}: {failed[u.id]}" for u in units if u.id in failed), None)
        reports = [] if reason else [store.read_unit(u.id)[1] for u in units]
        reason = reason or refusal(reports, spec.min_test_samples)
        if reason:
            trial.set_user_attr("reason", reason)
            study.tell(n, state=TrialState.FAIL)
        else:
            try:
                result = score(spec, reports)
            except NeurosimError as exc:
                trial.set_user_attr("reason", str(exc))
                study.tell(n, state=TrialState.FAIL)
            else:
                trial.set_user_attr("per_instance", result.per_instance)
                trial.set_user_attr("violations", list(result.violations))
                for i, v in enumerate(result.violations):
                    trial.set_constraint(f"constraint{i}", v)
                trial.set_user_attr("feasible", result.feasible)
                study.tell(n, list(result.values))
        log(_describe(spec, _record(study.get_trials(deepcopy=False)[n])))
    return {"trials": numbers, "computed": len(computed), "unit_seconds": unit_s, "compute_wall_s": wall,
            "ask_s": ask_s, "tell_s": time.perf_counter() - tell}
