"""What a sweep asks for, and the units of work it makes.

A sweep is a grid of config values (``--grid crossbar.adc_bits=4,6,8``, one axis per
key, every combination) × chip instances ``0 … K−1`` (``run.instance``, i.e. stream
``("chip", k)`` of the seed, :func:`neurosim.seeds.chip_rng`) × run seeds, all on one
chip preset, base experiment config and task. It comes from CLI options or from a
TOML file whose ``[sweep]`` table holds the same keys (the file's other tables are the
base experiment config, as for ``neurosim run --config``)::

    [sweep]
    chip = "rram-40nm-256kb"
    task = "classify"
    instances = 3
    seeds = [0]
    set = ["run.samples=100", "network.neurons=100"]
    [sweep.grid]
    "crossbar.adc_bits" = [4, 6, 8]
    "device.read_noise_std" = [0.0, 0.02, 0.05]

One :class:`Unit` is one (grid point, chip instance, seed); its id is the run id
``neurosim run`` gives the same config (:func:`neurosim.tasks.run_id`: a hash of
everything that changes the result), so a unit is named by its inputs and a
rerun, or a grid that grew, recognises the units already done. A grid value that the
config refuses (out of range, wrong type) makes that unit fail with the reason; the
other units still run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from neurosim.config import (DEFAULT_CHIP, Config, _toml_value, load_config, load_toml, parse_override,
                             reference_rows)
from neurosim.errors import ConfigError, NeurosimError
from neurosim.tasks.registry import DEFAULT_TASK

__all__ = ["SweepSpec", "Unit", "parse_grid", "parse_seeds", "plan_units", "spec_from_sources"]

#: Keys a grid may not sweep: the sweep's own axes.
_OWN_AXES = {"run.instance": "--instances", "run.seed": "--seeds"}


@dataclass(frozen=True)
class SweepSpec:
    """A sweep request (plain data: it is stored in the sweep's manifest).

    ``grid``: ``((key, (value, …)), …)`` in the order given; values are TOML scalars
    (int, float, bool, str). ``instances``: chip instances ``0 … instances−1``.
    ``config_file``: base experiment TOML (its ``[sweep]`` table is not config);
    ``overrides``: ``--set`` texts applied after it, before the grid point.
    """

    chip: str = DEFAULT_CHIP
    task: str = DEFAULT_TASK
    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    instances: int = 1
    seeds: tuple[int, ...] = (0,)
    config_file: str | None = None
    overrides: tuple[str, ...] = ()
    engine: str = "auto"
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.instances, bool) or not isinstance(self.instances, int) or self.instances < 1:
            raise ConfigError(f"sweep instances must be a whole number >= 1, got {self.instances!r}")
        if not self.seeds:
            raise ConfigError("sweep seeds: give at least one seed, e.g. --seeds 0")
        for s in self.seeds:
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise ConfigError(f"sweep seeds must be whole numbers >= 0, got {s!r}")
        keys = [k for k, _ in self.grid]
        if len(set(keys)) != len(keys):
            raise ConfigError(f"sweep grid: key given twice among {', '.join(keys)}")
        for key, values in self.grid:
            if not values:
                raise ConfigError(f"sweep grid {key}: give at least one value")

    def as_dict(self) -> dict:
        """JSON-able form (grid as ``{key: [values]}``)."""
        d = asdict(self)
        d["grid"] = {k: list(v) for k, v in self.grid}
        d["seeds"] = list(self.seeds)
        d["overrides"] = list(self.overrides)
        return d

    @property
    def size(self) -> int:
        """Units asked for: grid points × instances × seeds."""
        n = self.instances * len(self.seeds)
        for _, values in self.grid:
            n *= len(values)
        return n


@dataclass(frozen=True)
class Unit:
    """One unit of work: grid ``point`` (``((key, value), …)``), chip ``instance``, ``seed``.

    ``id``: the run id of its config (folder name of its results); ``configuration``: the
    hash part of the run id of the same config at instance 0 and seed 0 (equal for every
    instance and seed of one grid point). A unit whose config is refused has ``config``
    None, ``error`` set and an id ``invalid-<hash of the request>``.
    """

    id: str
    configuration: str
    point: tuple[tuple[str, Any], ...]
    instance: int
    seed: int
    config: Config | None = field(default=None, compare=False, repr=False)
    error: str | None = None

    def describe(self) -> dict:
        """JSON-able identity of the unit (manifest entry)."""
        return {"id": self.id, "configuration": self.configuration, "point": dict(self.point),
                "instance": self.instance, "seed": self.seed,
                **({"error": self.error} if self.error else {})}


def parse_value(key: str, raw: str) -> Any:
    """One grid value as ``--set`` reads it: a TOML scalar, else the plain string."""
    nested = parse_override(f"{key}={raw}")
    for part in key.split("."):
        nested = nested[part]
    return nested


def parse_grid(text: str) -> tuple[str, tuple[Any, ...]]:
    """``"crossbar.adc_bits=4,6,8"`` → ``("crossbar.adc_bits", (4, 6, 8))``."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    values = tuple(parse_value(key, v.strip()) for v in raw.split(",") if v.strip()) if sep else ()
    if not sep or "." not in key or not values:
        raise ConfigError(f"--grid {text!r}: expected section.key=V1,V2,…, e.g. crossbar.adc_bits=4,6,8")
    return key, values


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0,1,2"`` → ``(0, 1, 2)``."""
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise ConfigError(f"--seeds {text!r}: expected whole numbers separated by commas, e.g. 0,1") from None
    if not seeds or min(seeds) < 0:
        raise ConfigError(f"--seeds {text!r}: expected whole numbers >= 0 separated by commas, e.g. 0,1")
    return seeds


_SPEC_KEYS = {"chip", "task", "grid", "instances", "seeds", "set", "engine", "data_dir"}


def _sweep_table(path: Path) -> dict:
    data = load_toml(path).get("sweep", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [sweep] must be a table")
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [sweep]: {', '.join(sorted(unknown))}; "
                          f"allowed: {', '.join(sorted(_SPEC_KEYS))}")
    return data


def spec_from_sources(config_file: Path | None = None, *, chip: str | None = None,
                      task: str | None = None, grid: list[str] = (), instances: int | None = None,
                      seeds: str | None = None, overrides: list[str] = (), engine: str | None = None,
                      data_dir: Path | None = None) -> SweepSpec:
    """The sweep described by ``config_file``'s ``[sweep]`` table, then the CLI options (which win;
    a ``--grid`` key replaces the file's axis of that key, ``--set`` texts come after the file's)."""
    table = _sweep_table(config_file) if config_file is not None else {}
    where = f"{config_file} [sweep]"
    axes: dict[str, tuple] = {}
    file_grid = table.get("grid", {})
    if not isinstance(file_grid, dict):
        raise ConfigError(f"{where}: grid must be a table of key = [values]")
    for key, values in file_grid.items():
        values = values if isinstance(values, list) else [values]
        if any(isinstance(v, (list, dict)) for v in values):
            raise ConfigError(f"{where}: grid {key} must list scalar values")
        axes[key] = tuple(values)
    for text in grid:
        key, values = parse_grid(text)
        axes[key] = values
    file_seeds = table.get("seeds", [0])
    file_seeds = file_seeds if isinstance(file_seeds, list) else [file_seeds]
    file_set = table.get("set", [])
    if not isinstance(file_set, list) or not all(isinstance(s, str) for s in file_set):
        raise ConfigError(f"{where}: set must be a list of \"section.key=value\" strings")
    spec = SweepSpec(
        chip=chip or table.get("chip", DEFAULT_CHIP), task=task or table.get("task", DEFAULT_TASK),
        grid=tuple(axes.items()), instances=instances if instances is not None else table.get("instances", 1),
        seeds=parse_seeds(seeds) if seeds is not None else tuple(file_seeds),
        config_file=str(config_file) if config_file is not None else None,
        overrides=(*file_set, *overrides), engine=engine or table.get("engine", "auto"),
        data_dir=_absolute(data_dir if data_dir is not None else table.get("data_dir")))
    _check_keys(spec)
    return spec


def _absolute(path: str | Path | None) -> str | None:
    """A data folder as an absolute path, so that workers started elsewhere read the same folder."""
    return None if path in (None, "") else str(Path(path).absolute())


def _check_keys(spec: SweepSpec) -> None:
    """Refuse (for the whole sweep) an unknown engine, a grid key that is no config key, or one of the
    sweep's own axes."""
    from neurosim.engines import engine_choices

    if spec.engine not in engine_choices():
        raise ConfigError(f"sweep engine {spec.engine!r}: choose one of {', '.join(engine_choices())}")
    known = {row[0] for row in reference_rows()}
    for key, _ in spec.grid:
        if key in _OWN_AXES:
            raise ConfigError(f"--grid {key}: chip instances and seeds are the sweep's own axes; "
                              f"use {_OWN_AXES[key]}")
        if key not in known:
            raise ConfigError(f"--grid {key}: unknown config key (`neurosim config` lists them all)")


def _override(key: str, value: Any) -> str:
    return f"{key}={_toml_value(value)}"


def plan_units(spec: SweepSpec) -> list[Unit]:
    """Every unit of ``spec`` in grid order (first key slowest), then instance, then seed.

    Units whose configs coincide (a value listed twice) appear once.
    """
    from neurosim.tasks import get_task, run_id

    get_task(spec.task)
    data_dir = Path(spec.data_dir) if spec.data_dir else None
    config_file = Path(spec.config_file) if spec.config_file else None
    keys = [k for k, _ in spec.grid]
    units: dict[str, Unit] = {}
    for values in itertools.product(*(v for _, v in spec.grid)):
        point = tuple(zip(keys, values))
        base_texts = [*spec.overrides, *(_override(k, v) for k, v in point)]
        try:
            base = load_config(spec.chip, config_file, base_texts, skip_tables=("sweep", "optimize"),
                               task=spec.task)
            canonical = replace(base, run=replace(base.run, instance=0, seed=0))
            configuration = run_id(canonical, spec.task, spec.engine, data_dir).split("-s")[0]
        except NeurosimError as exc:
            base, configuration, error = None, "invalid", str(exc)
        for instance, seed in itertools.product(range(spec.instances), spec.seeds):
            if base is None:
                request = json.dumps([spec.as_dict(), dict(point), instance, seed], sort_keys=True,
                                     default=str)
                uid = "invalid-" + hashlib.sha256(request.encode()).hexdigest()[:16]
                units.setdefault(uid, Unit(uid, configuration, point, instance, seed, None, error))
                continue
            config = replace(base, run=replace(base.run, instance=instance, seed=seed))
            uid = run_id(config, spec.task, spec.engine, data_dir)
            units.setdefault(uid, Unit(uid, configuration, point, instance, seed, config))
    return list(units.values())
