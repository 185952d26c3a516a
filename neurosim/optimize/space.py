"""The ``[optimize]`` table of a search file: what is searched, what is optimised, under which limits.

A search file is an experiment TOML (its other tables are the base config, as for ``neurosim run
--config``) with an ``[optimize]`` table::

    [optimize]
    chip = "rram-40nm-256kb"     # chip preset or .toml path
    task = "classify"
    instances = 3                # chip instances 0..K-1 per trial (run.instance)
    run_seed = 0                 # run.seed of every unit
    set = ["run.samples=120"]    # fixed overrides, as `neurosim sweep`'s [sweep] set
    trials = 12                  # trials to reach (a resumed search counts those it has)
    sampler = "nsga2"            # nsga2 | tpe | random | grid
    seed = 0                     # the sampler's seed
    batch = 2                    # trials asked per round, evaluated together
    population = 6               # nsga2's population; tpe's random startup trials
    min_test_samples = 100       # refuse a trial whose headline rests on fewer held-out samples

    [optimize.space]
    "crossbar.adc_bits" = { low = 3, high = 8 }                 # int range (ints given)
    "device.read_noise_std" = { low = 0.0, high = 0.05 }        # float range
    "device.g_max" = { low = 2e-5, high = 2e-4, log = true }    # log scale
    "network.neurons" = { low = 20, high = 80, step = 20 }      # stepped range
    "network.model" = { choices = ["lif", "izhikevich"] }       # categorical
    "network.lif.decay" = { low = 0.8, high = 0.99, when = { "network.model" = "lif" } }  # conditional

    [[optimize.objectives]]
    metric = "accuracy"          # accuracy | energy | energy_total | area | a dotted report key
    statistic = "quantile"       # mean | median | min | max | quantile (over chip instances)
    q = 0.1

    [[optimize.constraints]]
    metric = "accuracy"
    min = 0.9                    # or max = ...
    share = 0.95                 # on at least 95 % of the instances (else: on the statistic)

A key ``when`` names another searched categorical key and the value(s) under which this key is
searched; otherwise the key keeps its base config value. Every error names the key and what is
expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurosim.config import DEFAULT_CHIP, load_toml, reference_rows
from neurosim.errors import ConfigError
from neurosim.tasks.registry import DEFAULT_TASK

__all__ = ["Constraint", "METRICS", "Objective", "OptimizeSpec", "Param", "SAMPLERS", "STATISTICS",
           "spec_from_file", "spec_from_table"]

#: Samplers by name (the driver builds the Optuna sampler).
SAMPLERS = ("nsga2", "tpe", "random", "grid")
#: Statistics an objective or constraint aggregates the instances' values with.
STATISTICS = ("mean", "median", "min", "max", "quantile")
#: Named metrics: (what it is, unit, higher is better; None: the task's headline says).
METRICS: dict[str, tuple[str, str, bool | None]] = {
    "accuracy": ("the task's primary headline metric (classify: CV accuracy when CV runs)", "%", None),
    "energy": ("dynamic energy per inference (energy.per_inference_J less its static part)", "J", False),
    "energy_total": ("energy per inference with static power (energy.per_inference_J)", "J", False),
    "area": ("chip area of the mapped arrays and periphery (area.total_m2)", "m²", False),
}
_OWN_AXES = ("run.instance", "run.seed")
_TABLE_KEYS = {"chip", "task", "instances", "run_seed", "set", "trials", "sampler", "seed", "batch",
               "min_test_samples", "grid_levels", "population", "engine", "data_dir", "space", "objectives",
               "constraints", "reference"}
_PARAM_KEYS = {"low", "high", "log", "step", "choices", "when"}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class Param:
    """One searched config key: a range (``low``–``high``, int when both are ints, ``log`` scale,
    ``step``) or ``choices``; ``when``: ``((parent key, (values…)), …)``, searched only where each
    parent takes one of its values."""

    key: str
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    step: float | int | None = None
    choices: tuple | None = None
    when: tuple[tuple[str, tuple], ...] = ()

    @property
    def kind(self) -> str:
        """``"categorical"``, ``"int"`` or ``"float"``."""
        if self.choices is not None:
            return "categorical"
        return "int" if isinstance(self.low, int) and isinstance(self.high, int) else "float"

    def active(self, point: dict[str, Any]) -> bool:
        """Whether this key is searched at ``point`` (the parents' values sampled so far)."""
        return all(parent in point and point[parent] in values for parent, values in self.when)

    def levels(self, n: int) -> list:
        """``n`` evenly spaced values of the range (log-spaced on a log scale; ints rounded, distinct),
        or the choices: the axis of a grid search."""
        if self.choices is not None:
            return list(self.choices)
        lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
        if n == 1:
            raw = [lo]
        elif self.log:
            raw = [math.exp(math.log(lo) + i * (math.log(hi) - math.log(lo)) / (n - 1)) for i in range(n)]
        else:
            raw = [lo + i * (hi - lo) / (n - 1) for i in range(n)]
        if self.step is not None:
            raw = [lo + round((v - lo) / float(self.step)) * float(self.step) for v in raw]
        if self.kind == "int":
            return list(dict.fromkeys(int(round(v)) for v in raw))
        return list(dict.fromkeys(float(v) for v in raw))


@dataclass(frozen=True)
class Objective:
    """One objective: ``metric`` (a name of :data:`METRICS` or a dotted report key) aggregated over
    chip instances by ``statistic`` (``q``: the quantile); ``maximize``: None where the metric's
    direction comes from the task's headline (``accuracy``)."""

    metric: str
    statistic: str = "mean"
    q: float | None = None
    maximize: bool | None = None

    @property
    def label(self) -> str:
        stat = f"q{self.q:g}" if self.statistic == "quantile" else self.statistic
        return f"{self.metric} ({stat} over instances)"


@dataclass(frozen=True)
class Constraint:
    """``metric`` ≥ ``min`` and/or ≤ ``max``: on at least ``share`` of the chip instances when
    ``share`` is set, else on the ``statistic`` over instances."""

    metric: str
    min: float | None = None
    max: float | None = None
    share: float | None = None
    statistic: str = "mean"
    q: float | None = None

    @property
    def label(self) -> str:
        bounds = " and ".join(t for t in (f"≥ {self.min:g}" if self.min is not None else "",
                                          f"≤ {self.max:g}" if self.max is not None else "") if t)
        where = (f"on ≥ {100 * self.share:g} % of instances" if self.share is not None
                 else f"({self.statistic} over instances)")
        return f"{self.metric} {bounds} {where}"


DEFAULT_OBJECTIVES = (Objective("accuracy"), Objective("energy", maximize=False), Objective("area", maximize=False))


@dataclass(frozen=True)
class OptimizeSpec:
    """A search request (plain data, stored in the search folder's manifest)."""

    space: tuple[Param, ...]
    objectives: tuple[Objective, ...] = DEFAULT_OBJECTIVES
    constraints: tuple[Constraint, ...] = ()
    chip: str = DEFAULT_CHIP
    task: str = DEFAULT_TASK
    instances: int = 3
    run_seed: int = 0
    overrides: tuple[str, ...] = ()
    trials: int = 12
    sampler: str = "nsga2"
    seed: int = 0
    batch: int = 2
    population: int = 6
    min_test_samples: int = 100
    grid_levels: int = 3
    engine: str = "auto"
    data_dir: str | None = None
    config_file: str | None = None
    reference: tuple[tuple[str, float], ...] = field(default=())

    def __post_init__(self) -> None:
        for name, value, least in (("instances", self.instances, 1), ("trials", self.trials, 1),
                                   ("batch", self.batch, 1), ("population", self.population, 2),
                                   ("run_seed", self.run_seed, 0),
                                   ("seed", self.seed, 0), ("min_test_samples", self.min_test_samples, 0),
                                   ("grid_levels", self.grid_levels, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(f"[optimize] {name}: expected a whole number >= {least}, got {value!r}")
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"[optimize] sampler {self.sampler!r}: choose one of {', '.join(SAMPLERS)}")
        if self.sampler == "grid" and any(p.when for p in self.space):
            raise ConfigError("[optimize] sampler \"grid\": a grid cannot hold conditional keys (when = ...); "
                              "use nsga2, tpe or random")
        if not self.space:
            raise ConfigError("[optimize.space]: give at least one key to search, e.g. "
                              "\"crossbar.adc_bits\" = { low = 3, high = 8 }")
        if not self.objectives:
            raise ConfigError("[[optimize.objectives]]: give at least one objective, e.g. metric = \"accuracy\"")
        names = [o.metric for o in self.objectives]
        if len(set(names)) != len(names):
            raise ConfigError(f"[[optimize.objectives]]: metric given twice among {', '.join(names)}")
        unknown = {k for k, _ in self.reference} - set(names)
        if unknown:
            raise ConfigError(f"[optimize] reference: {', '.join(sorted(unknown))} is not an objective; "
                              f"objectives: {', '.join(names)}")

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.space]

    def as_dict(self) -> dict:
        """JSON-able form."""
        from dataclasses import asdict

        d = asdict(self)
        d["space"] = [{k: v for k, v in asdict(p).items() if not (v is None or v is False or v == ())}
                      for p in self.space]
        d["reference"] = dict(self.reference)
        return d


def _param(key: str, raw: Any, known: set[str]) -> Param:
    where = f"[optimize.space] {key!r}"
    if key in _OWN_AXES:
        raise ConfigError(f"{where}: chip instances and the run seed are the search's own settings; "
                          "use [optimize] instances / run_seed")
    if key not in known:
        raise ConfigError(f"{where}: unknown config key (`neurosim config` lists them all)")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table such as {{ low = 3, high = 8 }} or {{ choices = [4, 8] }}")
    extra = set(raw) - _PARAM_KEYS
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(extra))}; allowed: "
                          f"{', '.join(sorted(_PARAM_KEYS))}")
    when = raw.get("when", {})
    if not isinstance(when, dict):
        raise ConfigError(f"{where}: when must be a table such as {{ \"network.model\" = \"lif\" }}")
    conditions = tuple((parent, tuple(v) if isinstance(v, list) else (v,)) for parent, v in when.items())
    if "choices" in raw:
        if {"low", "high", "log", "step"} & set(raw):
            raise ConfigError(f"{where}: give either choices or low/high, not both")
        choices = raw["choices"]
        if not isinstance(choices, list) or not choices:
            raise ConfigError(f"{where}: choices must be a non-empty list of values")
        if any(isinstance(c, (list, dict)) for c in choices):
            raise ConfigError(f"{where}: choices must be scalars (numbers, strings, booleans)")
        if len({repr(c) for c in choices}) != len(choices):
            raise ConfigError(f"{where}: a choice is listed twice in {choices}")
        return Param(key, choices=tuple(choices), when=conditions)
    if "low" not in raw or "high" not in raw:
        raise ConfigError(f"{where}: give low and high (a range) or choices (a list)")
    low, high, log, step = raw["low"], raw["high"], raw.get("log", False), raw.get("step")
    if not (_is_number(low) and _is_number(high)):
        raise ConfigError(f"{where}: low and high must be finite numbers, got {low!r} and {high!r}")
    if not low < high:
        raise ConfigError(f"{where}: low ({low}) must be below high ({high})")
    if not isinstance(log, bool):
        raise ConfigError(f"{where}: log must be true or false")
    if log and low <= 0:
        raise ConfigError(f"{where}: a log scale needs low > 0, got {low}")
    if step is not None:
        if log:
            raise ConfigError(f"{where}: step and log cannot be combined")
        if not _is_number(step) or step <= 0 or step > high - low:
            raise ConfigError(f"{where}: step must be a number in (0, high − low], got {step!r}")
        if isinstance(low, int) and isinstance(high, int) and not isinstance(step, int):
            raise ConfigError(f"{where}: an integer range takes an integer step, got {step!r}")
    if isinstance(low, int) != isinstance(high, int):
        raise ConfigError(f"{where}: low and high must both be integers (an integer key) or both decimals "
                          f"(e.g. 0.0 and 1.0), got {low!r} and {high!r}")
    return Param(key, low, high, log, step, when=conditions)


def _ordered(params: list[Param]) -> tuple[Param, ...]:
    """Parents before the keys that depend on them; every ``when`` checked."""
    by_key = {p.key: p for p in params}
    for p in params:
        for parent, values in p.when:
            where = f"[optimize.space] {p.key!r} when {parent!r}"
            if parent not in by_key:
                raise ConfigError(f"{where}: the parent must be a searched key of [optimize.space]")
            if by_key[parent].choices is None:
                raise ConfigError(f"{where}: the parent must be a categorical key (choices = [...])")
            missing = [v for v in values if v not in by_key[parent].choices]
            if missing:
                raise ConfigError(f"{where}: {missing} is not among its choices {list(by_key[parent].choices)}")
    done: list[Param] = []
    placed: set[str] = set()
    pending = list(params)
    while pending:
        ready = [p for p in pending if all(parent in placed for parent, _ in p.when)]
        if not ready:
            raise ConfigError("[optimize.space]: conditional keys depend on each other in a cycle: "
                              + ", ".join(p.key for p in pending))
        for p in ready:
            done.append(p)
            placed.add(p.key)
            pending.remove(p)
    return tuple(done)


def _statistic(where: str, raw: dict) -> tuple[str, float | None]:
    statistic = raw.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise ConfigError(f"{where}: statistic {statistic!r}: choose one of {', '.join(STATISTICS)}")
    q = raw.get("q")
    if statistic == "quantile":
        if not _is_number(q) or not 0.0 <= q <= 1.0:
            raise ConfigError(f"{where}: statistic \"quantile\" needs q in [0, 1], e.g. q = 0.1")
        return statistic, float(q)
    if q is not None:
        raise ConfigError(f"{where}: q is for statistic = \"quantile\" only")
    return statistic, None


def _metric(where: str, raw: dict) -> str:
    metric = raw.get("metric")
    if not isinstance(metric, str) or not metric:
        raise ConfigError(f"{where}: give metric = one of {', '.join(METRICS)} or a dotted report key")
    if metric not in METRICS and (metric.split(".")[0] in ("", "config") or "." not in metric):
        raise ConfigError(f"{where}: metric {metric!r}: use one of {', '.join(METRICS)} or a dotted report key "
                          "such as \"latency.per_inference_s\"")
    return metric


def _objective(i: int, raw: Any) -> Objective:
    where = f"[[optimize.objectives]] #{i + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table with metric = ...")
    extra = set(raw) - {"metric", "statistic", "q", "direction"}
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(extra))}; allowed: metric, statistic, "
                          "q, direction")
    metric = _metric(where, raw)
    statistic, q = _statistic(where, raw)
    direction = raw.get("direction")
    if direction not in (None, "maximize", "minimize"):
        raise ConfigError(f"{where}: direction must be \"maximize\" or \"minimize\", got {direction!r}")
    if metric in METRICS:
        declared = METRICS[metric][2]
        if direction is not None and declared is not None and (direction == "maximize") != declared:
            raise ConfigError(f"{where}: {metric} is always {'maximised' if declared else 'minimised'}")
        maximize = declared if direction is None else direction == "maximize"
    elif direction is None:
        raise ConfigError(f"{where}: metric {metric!r}: say direction = \"maximize\" or \"minimize\"")
    else:
        maximize = direction == "maximize"
    return Objective(metric, statistic, q, maximize)


def _constraint(i: int, raw: Any) -> Constraint:
    where = f"[[optimize.constraints]] #{i + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table with metric = ... and min = ... or max = ...")
    extra = set(raw) - {"metric", "min", "max", "share", "statistic", "q"}
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(extra))}; allowed: metric, min, max, "
                          "share, statistic, q")
    metric = _metric(where, raw)
    lo, hi, share = raw.get("min"), raw.get("max"), raw.get("share")
    if lo is None and hi is None:
        raise ConfigError(f"{where}: give min = ... or max = ... (the bound on {metric})")
    for name, v in (("min", lo), ("max", hi)):
        if v is not None and not _is_number(v):
            raise ConfigError(f"{where}: {name} must be a number, got {v!r}")
    if lo is not None and hi is not None and lo > hi:
        raise ConfigError(f"{where}: min ({lo}) is above max ({hi})")
    if share is not None and (not _is_number(share) or not 0.0 < share <= 1.0):
        raise ConfigError(f"{where}: share must be a fraction in (0, 1], e.g. 0.95, got {share!r}")
    statistic, q = _statistic(where, raw)
    return Constraint(metric, lo, hi, share, statistic, q)


def spec_from_table(table: dict, *, config_file: str | None = None) -> OptimizeSpec:
    """An :class:`OptimizeSpec` from the ``[optimize]`` table's data (see the module docstring)."""
    if not isinstance(table, dict):
        raise ConfigError("[optimize] must be a table")
    unknown = set(table) - _TABLE_KEYS
    if unknown:
        raise ConfigError(f"[optimize]: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                          f"{', '.join(sorted(_TABLE_KEYS))}")
    known = {row[0] for row in reference_rows()}
    space = table.get("space", {})
    if not isinstance(space, dict):
        raise ConfigError("[optimize.space] must be a table of \"section.key\" = { ... }")
    params = _ordered([_param(k, v, known) for k, v in space.items()])
    objectives = table.get("objectives")
    objectives = (DEFAULT_OBJECTIVES if objectives is None
                  else tuple(_objective(i, o) for i, o in enumerate(_as_list(objectives, "objectives"))))
    constraints = tuple(_constraint(i, c) for i, c in enumerate(_as_list(table.get("constraints", []),
                                                                         "constraints")))
    overrides = table.get("set", [])
    if not isinstance(overrides, list) or not all(isinstance(s, str) for s in overrides):
        raise ConfigError("[optimize] set must be a list of \"section.key=value\" strings")
    reference = table.get("reference", {})
    if not isinstance(reference, dict) or not all(_is_number(v) for v in reference.values()):
        raise ConfigError("[optimize] reference must be a table of objective = number, e.g. { energy = 1e-7 }")
    data_dir = table.get("data_dir")
    return OptimizeSpec(
        space=params, objectives=objectives, constraints=constraints,
        chip=table.get("chip", DEFAULT_CHIP), task=table.get("task", DEFAULT_TASK),
        instances=table.get("instances", 3), run_seed=table.get("run_seed", 0), overrides=tuple(overrides),
        trials=table.get("trials", 12), sampler=table.get("sampler", "nsga2"), seed=table.get("seed", 0),
        batch=table.get("batch", 2), population=table.get("population", 6),
        min_test_samples=table.get("min_test_samples", 100),
        grid_levels=table.get("grid_levels", 3), engine=table.get("engine", "auto"),
        data_dir=None if data_dir in (None, "") else str(Path(data_dir).absolute()),
        config_file=config_file, reference=tuple((k, float(v)) for k, v in reference.items()))


def _as_list(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(f"[[optimize.{name}]] must be an array of tables")
    return value


def spec_from_file(path: Path | str, **overrides: Any) -> OptimizeSpec:
    """The search of file ``path``'s ``[optimize]`` table; ``overrides`` (``trials``, ``sampler``,
    ``seed``, … not None) win over the file's values."""
    from dataclasses import replace

    from neurosim.engines import engine_choices
    from neurosim.tasks import get_task

    path = Path(path)
    data = load_toml(path)
    if "optimize" not in data:
        raise ConfigError(f"{path}: no [optimize] table; see examples/optimize.toml")
    spec = spec_from_table(data["optimize"], config_file=str(path))
    given = {k: v for k, v in overrides.items() if v is not None}
    if given:
        spec = replace(spec, **given)
    get_task(spec.task)
    if spec.engine not in engine_choices():
        raise ConfigError(f"[optimize] engine {spec.engine!r}: choose one of {', '.join(engine_choices())}")
    return spec
