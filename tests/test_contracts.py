"""``neurosim.testing.check_*`` over every registered member, and each check catching a broken one.

The members are read from the registries when the tests are collected, so a task, model, engine
or dataset added later is checked without editing this file.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import SHARED_DATA, skip_or_fail
from neurosim.data import Dataset, get_dataset, list_datasets, register_dataset, unregister_dataset
from neurosim.engines import engine_names, get_engine
from neurosim.errors import EngineError
from neurosim.events import VISION_DTYPE, EventBatch
from neurosim.networks.models import get_model, model_names, register_model, unregister_model
from neurosim.networks.models.discrete_lif import DiscreteLIF
from neurosim.tasks import Headline, Task, get_task, register_task, task_names, unregister_task
from neurosim.testing import ContractError, check_dataset, check_engine, check_model, check_task
from tiny import TINY_RUNS

#: Tasks whose tiny run still takes tens of seconds (several trainings or long simulations).
SLOW_TASKS = {"zeroshot", "continual", "prediction"}
#: Engines that compile per network (Brian2): their check is slow, so it runs on one model only.
SLOW_ENGINES = {"brian2", "brian2-standalone"}


def _marked(names, slow):
    return [pytest.param(n, marks=pytest.mark.slow) if n in slow else n for n in names]


# --------------------------------------------------------------------------- every registered member

@pytest.mark.parametrize("name", _marked(task_names(), SLOW_TASKS))
def test_every_task_meets_its_contract(name):
    report = check_task(get_task(name), TINY_RUNS.get(name, ()))
    assert report["task"] == name


@pytest.mark.parametrize("name", model_names())
def test_every_neuron_model_meets_its_contract(name):
    check_model(get_model(name))


@pytest.mark.parametrize("name", _marked(engine_names(), SLOW_ENGINES))
def test_every_engine_meets_its_contract(name):
    try:
        engine = get_engine(name)
    except EngineError as exc:
        if name != "gpu":  # only the GPU engine may be missing (no CuPy or CUDA device); any other must build
            raise
        pytest.skip(str(exc))
    assert check_engine(engine, models=model_names()[:1] if name in SLOW_ENGINES else None)


@pytest.mark.parametrize("name", [info.name for info in list_datasets()])
def test_every_dataset_meets_its_contract(name, tmp_path):
    dataset = get_dataset(name)
    root = SHARED_DATA
    if name == "ntidigits" and not dataset.present(root):
        # N-TIDIGITS cannot be had offline: a tiny file in its real layout (tests/test_ntidigits.py)
        from test_ntidigits import TEST, TRAIN, write_ntidigits
        from neurosim.data.datasets import ntidigits

        root = tmp_path
        write_ntidigits(root / "ntidigits" / ntidigits.FILENAME, {"train": TRAIN, "test": TEST})
    if not dataset.builtin and not dataset.present(root):
        skip_or_fail(f"no {name} data under {root}")
    check_dataset(dataset, root)


# --------------------------------------------------------------------------- broken members are caught

class Quiet(Task):
    """A task that declares a headline its report never writes."""

    name = "test-quiet"
    description = "reports nothing it promised (test only)"
    uses_dataset = False
    headline = (Headline("quiet.level", "level"),)

    def run(self, config, context):
        return None

    def report(self, result):
        return {"dataset": {"name": "none"}, "engine": "none",
                "energy": {"per_inference_J": 1e-9, "breakdown_J": {}, "improvement_vs_baseline": 1.0,
                           "baseline": {"name": "itself", "per_inference_J": 1e-9}},
                "latency": {"per_inference_s": 1e-3}, "quiet": {"volume": 0.0}}


def test_check_task_catches_a_missing_headline_and_a_missing_description():
    register_task(Quiet)
    try:
        with pytest.raises(ContractError, match="'headline in report'.*quiet.level"):
            check_task(get_task(Quiet.name))
        undescribed = get_task(Quiet.name)
        type(undescribed).description = ""
        with pytest.raises(ContractError, match="'declared'"):
            check_task(undescribed)
    finally:
        Quiet.description = "reports nothing it promised (test only)"
        unregister_task(Quiet.name)


class MisTuned(DiscreteLIF):
    """A discrete LIF that names a tuning key its section does not have."""

    name = "test-mistuned"
    threshold_decay_keys = ("threshold", "leak")


def test_check_model_catches_undeclared_tuning_keys():
    model = register_model(MisTuned())
    try:
        with pytest.raises(ContractError, match="'tuning keys'.*leak"):
            check_model(model)
    finally:
        unregister_model(model.name)


@dataclasses.dataclass
class _Activity:
    spike_raster: np.ndarray


class Fake:
    """An engine that answers with the right shape but breaks one rule."""

    def __init__(self, rule: str):
        self.name, self.rule = f"fake-{rule}", rule
        self.calls = 0

    def supports(self, lsm):
        return self.rule != "supports something"

    def run(self, lsm, raster, **options):
        self.calls += 1
        shape = (raster.shape[0], raster.shape[1], lsm.neurons)
        spikes = np.random.default_rng(self.calls).random(shape) < 0.5
        if self.rule == "dtype":
            spikes = spikes.astype(np.int8)
        if self.rule == "shape":
            spikes = spikes[:, :-1]
        return _Activity(spikes)


@pytest.mark.parametrize("rule", ["deterministic", "dtype", "shape", "supports something"])
def test_check_engine_catches_each_broken_rule(rule):
    with pytest.raises(ContractError, match=f"'{rule}'"):
        check_engine(Fake(rule), models=model_names()[:1])


class Shuffled(Dataset):
    """Eight samples on a 4x4 sensor that break one rule of the dataset contract, as asked."""

    name = "test-shuffled"
    modality = "vision"
    sensor_size = (4, 4, 2)
    n_classes = 2
    description = "broken test dataset"
    builtin = True
    how_to_get = "defined in tests/test_contracts.py"
    rule = ""
    calls = 0

    def labels(self, root):
        return np.arange(8, dtype=np.int64) % 2

    def load(self, root, *, indices=None, seed=0, progress=None, skip_corrupt=False):
        idx = np.arange(8) if indices is None else np.asarray(indices, dtype=np.int64)
        if self.rule == "order":
            idx = np.sort(idx)  # ignores the order asked for
        samples = []
        for i in idx.tolist():
            ev = np.zeros(3, dtype=VISION_DTYPE)
            ev["x"], ev["y"], ev["t"] = [0, 1, 2], [1, 2, 3], [10, 20, 30]
            ev["x"][0] = i % 4
            if self.rule == "deterministic":  # draws from a generator shared by every call
                Shuffled.calls += 1
                ev["t"] += Shuffled.calls
            samples.append(ev)
        is_test = np.zeros(len(idx), bool) if self.rule == "load" else None
        return EventBatch.from_samples(samples, self.labels(root)[idx], self.sensor_size, self.name,
                                       is_test=is_test)


@pytest.mark.parametrize("rule", ["order", "deterministic", "load"])
def test_check_dataset_catches_each_broken_rule(rule, tmp_path):
    broken = type(f"Shuffled_{rule}", (Shuffled,), {"rule": rule})
    register_dataset(broken)
    try:
        with pytest.raises(ContractError, match=f"'{rule}'"):
            check_dataset(get_dataset(Shuffled.name), tmp_path)
    finally:
        unregister_dataset(Shuffled.name)


def test_check_dataset_passes_the_unbroken_one(tmp_path):
    register_dataset(Shuffled)
    try:
        check_dataset(get_dataset(Shuffled.name), tmp_path)
    finally:
        unregister_dataset(Shuffled.name)
