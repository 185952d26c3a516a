"""Contract checks for plugin authors, in the pattern of scikit-learn's ``check_estimator``.

A task, a neuron model, an engine or a dataset is added by writing one module that declares
itself (see docs/reference/extending.md and the plugin tutorial). These functions run the contract such a member must
meet and raise :class:`ContractError` (an :class:`AssertionError`) naming the broken rule, so a
plugin's own test suite can say::

    from neurosim.testing import check_dataset, check_engine, check_model, check_task

    def test_my_model_meets_the_contract():
        check_model(get_model("my-model"))

Each check is quick: tiny networks (a dozen neurons), a few samples, short simulations.

* :func:`check_task`: declared name, description, headline metrics and config section (every key
  documented); a tiny run (``overrides`` make it tiny) gives a valid report holding every headline
  metric, a summary, figures and an HTML page.
* :func:`check_model`: declared name, section (documented keys), kernel family and tuning keys;
  a tiny network of it builds and simulates to a bool ``[samples, bins, neurons]`` raster, the same
  twice from the same seed.
* :func:`check_engine`: a name; for every registered model it says it supports, a tiny network
  simulates to the right shape and dtype, the same twice.
* :func:`check_dataset`: the declared contract (tonic's ``sensor_size``, ``dtype``, ``ordering``, …);
  labels; a few samples loaded in any order, inside the sensor, with the declared dtype, the same
  twice from the same seed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ContractError", "check_dataset", "check_engine", "check_model", "check_task"]

#: Tiny sizes of the simulation checks: reservoir neurons, input channels, samples, time bins.
NEURONS, INPUTS, SAMPLES, BINS = 12, 4, 2, 30


class ContractError(AssertionError):
    """A registered member breaks a rule of its contract.

    Attributes:
        member: what was checked, e.g. ``"neuron model 'lif'"``.
        rule: the rule broken, e.g. ``"deterministic"``.
    """

    def __init__(self, member: str, rule: str, detail: str):
        super().__init__(f"{member} breaks the rule {rule!r}: {detail}")
        self.member, self.rule = member, rule


def _require(ok: Any, member: str, rule: str, detail: str) -> None:
    if not ok:
        raise ContractError(member, rule, detail)


def _documented_section(member: str, path: str, section: type) -> None:
    """``section`` is a frozen dataclass whose every field is a documented config key ``path.<field>``."""
    from neurosim.config import reference_rows

    _require(dataclasses.is_dataclass(section) and section.__dataclass_params__.frozen, member, "section",
             f"its section must be a frozen dataclass of neurosim.config.param fields, got {section!r}")
    docs = {row[0]: row[4] for row in reference_rows()}
    for f in dataclasses.fields(section):
        key = f"{path}.{f.name}"
        _require(key in docs, member, "section registered", f"config key {key} is not in the config reference")
        _require(str(docs[key]).strip(), member, "documented keys", f"config key {key} has no description")


# --------------------------------------------------------------------------- tasks

def check_task(task, overrides: list[str] | tuple[str, ...] = (), chip: str = "ideal",
               data_dir: Path | None = None) -> dict:
    """Check a registered task (an instance, as :func:`neurosim.tasks.get_task` returns it).

    ``overrides`` (``"section.key=value"`` texts) make its run tiny; ``chip`` is the preset it runs
    on; ``data_dir`` the data root. Returns the tiny run's report.

    Rules: ``registered`` (found by its name), ``declared`` (a name and a one-line description),
    ``headline`` (a non-empty tuple of :class:`~neurosim.report.headline.Headline`), ``section``
    (its ``Settings`` a frozen dataclass registered as ``[<name>]``, every key documented),
    ``report`` (the run's report validates, with its ``required_keys``), ``headline in report``
    (every headline metric is a number in the report), ``summary`` (``(name, value)`` text pairs),
    ``figures`` (a dict), ``html`` (the report page renders).
    """
    from neurosim.config import load_config
    from neurosim.report import render_html
    from neurosim.report.headline import Headline
    from neurosim.tasks import RunContext, get_task, run_task

    member = f"task {getattr(task, 'name', '')!r}"
    _require(isinstance(getattr(task, "name", None), str) and task.name, member, "declared",
             "a task needs a non-empty string name")
    _require(isinstance(task.description, str) and task.description.strip(), member, "declared",
             "a task needs a one-line description")
    try:
        registered = get_task(task.name)
    except Exception as exc:
        raise ContractError(member, "registered", str(exc)) from exc
    _require(type(registered) is type(task), member, "registered",
             f"the name is registered by {type(registered).__qualname__}")
    _require(isinstance(task.headline, tuple) and task.headline
             and all(isinstance(h, Headline) for h in task.headline), member, "headline",
             "headline must be a non-empty tuple of neurosim.report.headline.Headline")
    if task.Settings is not None:
        _documented_section(member, task.name, task.Settings)

    config = load_config(chip, overrides=list(overrides), task=task.name)  # with the settings the task declares
    if task.Settings is not None:
        _require(isinstance(config.section(task.name), task.Settings), member, "section registered",
                 f"config.section({task.name!r}) is not its Settings")
    try:
        output = run_task(task.name, config, RunContext(data_dir=data_dir))
    except Exception as exc:
        raise ContractError(member, "report", f"the tiny run failed: {type(exc).__name__}: {exc}") from exc
    report = output.report
    for head in task.headline:  # an optional one (required=False) may be absent when its work is off
        _require(head.value(report) is not None or not head.required, member, "headline in report",
                 f"the report has no number at {head.key} ({head.label})")
    rows = task.summary(report)
    _require(isinstance(rows, list) and all(isinstance(r, tuple) and len(r) == 2 and all(isinstance(x, str) for x in r)
                                            for r in rows), member, "summary",
             "summary(report) must return a list of (name, value) text pairs")
    _require(isinstance(output.figures, dict), member, "figures", "figures(result) must return a dict")
    try:
        page = render_html(report, output.figures)
    except Exception as exc:
        raise ContractError(member, "html", f"the report page does not render: {exc}") from exc
    _require(page.rstrip().endswith("</html>"), member, "html", "the report page is incomplete")
    return report


# --------------------------------------------------------------------------- models and engines

def _tiny_network(model_name: str, seed: int = 0):
    """A tiny reservoir of ``model_name`` on the ideal chip, and an input raster for it."""
    from neurosim.config import load_config
    from neurosim.networks import build_lsm

    config = load_config("ideal", overrides=[f"network.model={model_name}", f"network.neurons={NEURONS}"])
    lsm = build_lsm(config, INPUTS, np.random.default_rng(seed))
    raster = np.random.default_rng(seed + 1).random((SAMPLES, BINS, INPUTS)) < 0.3
    return lsm, raster


def _simulates(member: str, engine, lsm, raster) -> np.ndarray:
    """Run ``lsm`` twice on ``engine``; check shape, dtype and determinism; return the spikes."""
    try:
        first = engine.run(lsm, raster).spike_raster
        again = engine.run(lsm, raster).spike_raster
    except Exception as exc:
        raise ContractError(member, "simulates", f"{type(exc).__name__}: {exc}") from exc
    first, again = np.asarray(first), np.asarray(again)
    expected = (SAMPLES, BINS, lsm.neurons)
    _require(first.shape == expected, member, "shape", f"spike_raster has shape {first.shape}, expected {expected} "
             "(samples, bins, neurons)")
    _require(first.dtype == np.bool_, member, "dtype", f"spike_raster has dtype {first.dtype}, expected bool")
    _require(np.array_equal(first, again), member, "deterministic",
             "two runs of the same network on the same input gave different spikes")
    return first


def check_model(model) -> None:
    """Check a registered neuron model (a :class:`~neurosim.networks.models.NeuronModel` instance).

    Rules: ``registered`` (found by its name), ``declared`` (name, description, ``kernel`` one of
    ``None``, ``"discrete"``, ``"continuous"``), ``section`` (``[network.<name>]`` a frozen
    dataclass, every key documented), ``tuning keys`` (``threshold_decay_keys``, when declared, are
    two keys of its section), ``builds`` (a tiny network of it builds on the ideal chip), then, on
    the engine ``auto`` picks for it, ``simulates``, ``shape``, ``dtype`` and ``deterministic``.
    """
    from neurosim.engines import get_engine
    from neurosim.networks.models import get_model

    member = f"neuron model {getattr(model, 'name', '')!r}"
    _require(isinstance(getattr(model, "name", None), str) and model.name, member, "declared",
             "a model needs a non-empty string name")
    _require(isinstance(model.description, str) and model.description.strip(), member, "declared",
             "a model needs a one-line description")
    _require(model.kernel in (None, "discrete", "continuous"), member, "declared",
             f"kernel must be None, 'discrete' or 'continuous', got {model.kernel!r}")
    try:
        registered = get_model(model.name)
    except Exception as exc:
        raise ContractError(member, "registered", str(exc)) from exc
    _require(type(registered) is type(model), member, "registered",
             f"the name is registered by {type(registered).__qualname__}")
    _documented_section(member, f"network.{model.name}", model.section)
    keys = model.threshold_decay_keys
    if keys is not None:
        names = {f.name for f in dataclasses.fields(model.section)}
        _require(len(keys) == 2 and set(keys) <= names, member, "tuning keys",
                 f"threshold_decay_keys {keys!r} must be two keys of [network.{model.name}] ({sorted(names)})")
    try:
        lsm, raster = _tiny_network(model.name)
    except Exception as exc:
        raise ContractError(member, "builds", f"{type(exc).__name__}: {exc}") from exc
    _simulates(member, get_engine("auto", network=lsm), lsm, raster)


def check_engine(engine, models: list[str] | None = None) -> list[str]:
    """Check an engine instance (as :func:`neurosim.engines.get_engine` returns it) on a tiny
    network of every registered neuron model it supports (or of ``models``).

    Rules: ``declared`` (a non-empty ``name`` and a ``run`` method), ``supports something`` (at
    least one model), then per model ``simulates``, ``shape`` (bool ``[samples, bins, neurons]``),
    ``dtype`` and ``deterministic``. Returns the models it ran.
    """
    from neurosim.engines import supports
    from neurosim.networks.models import model_names

    member = f"engine {getattr(engine, 'name', '')!r}"
    _require(isinstance(getattr(engine, "name", None), str) and engine.name, member, "declared",
             "an engine needs a non-empty string name")
    _require(callable(getattr(engine, "run", None)), member, "declared", "an engine needs a run method")
    ran = []
    for name in (model_names() if models is None else models):
        lsm, raster = _tiny_network(name)
        if supports(engine, lsm):
            _simulates(f"{member} on model {name!r}", engine, lsm, raster)
            ran.append(name)
    _require(ran, member, "supports something", "it supports none of the registered neuron models")
    return ran


# --------------------------------------------------------------------------- datasets

def check_dataset(dataset, data_dir: Path | None = None, n_samples: int = 4, seed: int = 0) -> None:
    """Check a registered dataset (a :class:`~neurosim.data.Dataset` instance) on ``n_samples`` of
    its samples under the data root ``data_dir`` (the default root when None).

    Rules: ``registered``, ``declared`` (the class contract :func:`~neurosim.data.register_dataset`
    checks: name, modality, ``sensor_size``, ``dtype``, ``ordering``, ``n_classes``, …),
    ``present`` (its data is under the root), ``labels`` (int64 ``(n,)`` in ``[0, n_classes)``),
    ``groups`` (None or int64 ``(n,)``), ``load`` (an EventBatch of the asked samples in that order,
    named as declared, on the declared sensor, with the asked labels, ``is_test`` set exactly when
    ``official_split``), ``events`` (each sample's events have the declared ``dtype``, lie inside
    the sensor, and are ordered in time), ``deterministic`` (the same seed gives the same events),
    ``order`` (a sample does not depend on which others are loaded with it).
    """
    from neurosim.data import data_root, get_dataset
    from neurosim.data.registry import _check_contract
    from neurosim.errors import DataError
    from neurosim.events.batch import EventBatch

    member = f"dataset {getattr(dataset, 'name', '')!r}"
    try:
        _check_contract(type(dataset))
    except DataError as exc:
        raise ContractError(member, "declared", str(exc)) from exc
    try:
        registered = get_dataset(dataset.name)
    except DataError as exc:
        raise ContractError(member, "registered", str(exc)) from exc
    _require(type(registered) is type(dataset), member, "registered",
             f"the name is registered by {type(registered).__qualname__}")
    _require(dataset.dtype is not None and dataset.ordering == "".join(np.dtype(dataset.dtype).names),
             member, "declared", f"dtype {dataset.dtype} and ordering {dataset.ordering!r} must agree")
    root = data_root(data_dir)
    _require(dataset.present(root), member, "present", f"no data under {root}: {dataset.how_to_get}")

    labels = np.asarray(dataset.labels(root))
    _require(labels.ndim == 1 and labels.dtype == np.int64 and labels.size > 0, member, "labels",
             f"labels(root) must be int64 of shape (n,), got {labels.dtype} {labels.shape}")
    _require(labels.min() >= 0 and labels.max() < dataset.n_classes, member, "labels",
             f"labels must lie in [0, {dataset.n_classes}), got {labels.min()}..{labels.max()}")
    groups = dataset.groups(root)
    _require(groups is None or (np.asarray(groups).dtype == np.int64 and np.shape(groups) == labels.shape),
             member, "groups", "groups(root) must be None or int64 of the labels' shape")

    picks = np.unique(np.linspace(0, labels.size - 1, min(n_samples, labels.size)).round().astype(np.int64))
    batch = dataset.load(root, indices=picks, seed=seed)
    _require(isinstance(batch, EventBatch) and len(batch) == len(picks), member, "load",
             f"load(indices=<{len(picks)} positions>) must return an EventBatch of {len(picks)} samples")
    _require(batch.name == dataset.name and tuple(batch.sensor_size) == tuple(dataset.sensor_size)
             and batch.modality == dataset.modality, member, "load",
             f"the batch is {batch.name!r} {batch.modality} on {batch.sensor_size}, not as declared")
    _require(np.array_equal(batch.labels, labels[picks]), member, "load",
             "the batch's labels differ from labels(root) at the asked positions")
    _require((batch.is_test is not None) == bool(dataset.official_split), member, "load",
             "is_test must be set exactly when official_split is declared")
    w, h, p = dataset.sensor_size
    for i in range(len(batch)):
        events = batch.sample(i)
        _require(events.dtype == dataset.dtype, member, "events",
                 f"sample {picks[i]} has dtype {events.dtype}, declared {dataset.dtype}")
        inside = (events["x"] < w) & (events["p"] < p) & (events["x"] >= 0)
        if "y" in events.dtype.names:
            inside &= (events["y"] >= 0) & (events["y"] < h)
        _require(inside.all(), member, "events", f"sample {picks[i]} has events outside the sensor {(w, h, p)}")
        _require(np.all(np.diff(events["t"]) >= 0), member, "events", f"sample {picks[i]} is not ordered in time")

    again = dataset.load(root, indices=picks, seed=seed)
    _require(np.array_equal(again.events, batch.events), member, "deterministic",
             "loading the same samples with the same seed gave different events")
    reverse = dataset.load(root, indices=picks[::-1].copy(), seed=seed)
    for i in range(len(picks)):
        _require(np.array_equal(reverse.sample(len(picks) - 1 - i), batch.sample(i)), member, "order",
                 f"sample {picks[i]} changes with the samples loaded beside it")
