"""``classify.nested``: the declared grid of network settings, and the reservoir's features at each.

A grid is written ``"network.neurons=500,2000; readout.windows=1,5"``: every combination of the
listed values is one candidate setting (here 4), named like ``"network.neurons=500, readout.windows=1"``.
Keys may be ``network.*`` (the network is rebuilt and the data run through it again, one engine pass
per combination of network values) or the readout's features ``readout.windows``,
``readout.feature``, ``readout.trace_decay`` (computed from the same spikes, no extra pass). The
readout model and its penalty are not settings here: the nested CV evaluates them as configured.
:func:`neurosim.learning.nested.nested_cv` then chooses among the candidates in inner folds.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import numpy as np

from neurosim.config import Config
from neurosim.config.loading import parse_override
from neurosim.errors import ConfigError, DataError
from neurosim.learning.features import reservoir_features
from neurosim.tasks.pipeline import Chunk, DatasetRun, Pipeline

__all__ = ["FEATURE_KEYS", "collector", "grid_features", "main_readouts", "parse_grid", "setting_name"]

#: Readout keys a grid may vary: they change the features of the same spikes.
FEATURE_KEYS = ("readout.windows", "readout.feature", "readout.trace_decay")

_EXAMPLE = "e.g. classify.nested = \"network.neurons=500,2000; readout.windows=1,5\""


def parse_grid(text: str) -> list[dict[str, Any]]:
    """The candidate settings of grid ``text`` (``""``: none), in declared order (the last key varies
    fastest): one ``{dotted key: value}`` per combination. Values are read like ``--set`` values.
    Raises :class:`ConfigError` on a malformed grid, a key outside ``network.*`` and
    :data:`FEATURE_KEYS`, a repeated key or value, or a grid of a single setting."""
    if not text.strip():
        return []
    axes: dict[str, list] = {}
    for part in text.split(";"):
        key, sep, values = part.partition("=")
        key = key.strip()
        if not sep or not values.strip():
            raise ConfigError(f"classify.nested: {part.strip()!r} is not key=value,value,…; {_EXAMPLE}")
        if not (key.startswith("network.") or key in FEATURE_KEYS):
            raise ConfigError(f"classify.nested: {key!r} cannot be a grid key; use network.* or one of "
                              f"{', '.join(FEATURE_KEYS)}; {_EXAMPLE}")
        if key in axes:
            raise ConfigError(f"classify.nested: {key!r} appears twice; list all its values once")
        parsed = [_value(key, v.strip()) for v in values.split(",")]
        if len(set(map(repr, parsed))) != len(parsed):
            raise ConfigError(f"classify.nested: {key!r} lists a value twice ({values.strip()})")
        axes[key] = parsed
    grid = [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]
    if len(grid) < 2:
        raise ConfigError(f"classify.nested = {text!r} declares a single setting: nothing to choose; "
                          f"list ≥ 2 values, {_EXAMPLE}")
    return grid


def _value(key: str, raw: str) -> Any:
    if not raw:
        raise ConfigError(f"classify.nested: an empty value for {key!r}; {_EXAMPLE}")
    node: Any = parse_override(f"{key}={raw}")
    for part in key.split("."):
        node = node[part]
    return node


def setting_name(setting: dict[str, Any]) -> str:
    """``{"network.neurons": 500, "readout.windows": 1}`` → ``"network.neurons=500, readout.windows=1"``."""
    return ", ".join(f"{k}={v}" for k, v in setting.items())


def _network_part(setting: dict[str, Any]) -> tuple:
    return tuple((k, v) for k, v in setting.items() if k not in FEATURE_KEYS)


def main_readouts(grid: list[dict[str, Any]], config: Config) -> list:
    """The readout configs of the grid settings whose network is ``config``'s own (their features come
    from the main run's spikes, gathered by :func:`collector`), in grid order."""
    return [c.readout for c in map(config.set, grid) if _same_network(config, c)]


def grid_features(grid: list[dict[str, Any]], config: Config, pipe: Pipeline, engine: str,
                  main: tuple[DatasetRun, list[list[np.ndarray]]]) -> dict[str, np.ndarray]:
    """The reservoir's features (float32 ``(samples, features)``) at every setting of ``grid``, keyed
    by :func:`setting_name`: one pass of the data through ``engine`` per distinct network part of
    the grid, except ``config``'s own network, whose features ``main`` holds (the main run and what
    its :func:`collector` of :func:`main_readouts` gathered)."""
    configs = [config.set(setting) for setting in grid]
    run, gathered = main
    out: dict[str, np.ndarray] = {}
    by_network: dict[tuple, list[int]] = {}
    for i, setting in enumerate(grid):
        by_network.setdefault(_network_part(setting), []).append(i)
    for part, members in by_network.items():
        if _same_network(config, configs[members[0]]):
            chunks = gathered
        else:
            chunks = []
            other = Pipeline(configs[members[0]], engine, pipe.data_dir, pipe.progress).run_dataset(
                on_chunk=collector([configs[i].readout for i in members], chunks),
                stage=f"nested grid: {', '.join(f'{k}={v}' for k, v in part)} through the reservoir")
            if not np.array_equal(other.labels, run.labels):
                raise DataError("classify.nested: a grid setting read other samples than the reservoir; "
                                "rerun without run.skip_corrupt")
        for j, i in enumerate(members):
            out[setting_name(grid[i])] = np.concatenate([c[j] for c in chunks])
    return out


def _same_network(config: Config, other: Config) -> bool:
    """Whether ``other`` differs from ``config`` at most in its readout (so the same spikes serve it)."""
    return replace(other, readout=config.readout) == config


def collector(readouts: list, into: list[list[np.ndarray]]):
    """An ``on_chunk`` callback appending, per chunk, the features of each readout config in ``readouts``."""
    def collect(chunk: Chunk) -> None:
        spikes = np.asarray(chunk.activity.spike_raster)
        into.append([reservoir_features(spikes, r) for r in readouts])
    return collect
