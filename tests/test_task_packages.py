"""The zero-shot and prediction tasks are packages split along their seams: each registers once,
from its package, keeps the names other modules and tests import from it, and every module of it
says its one job; the modules they replaced are gone (no shims)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import neurosim
from neurosim.tasks import get_task, task_names

PACKAGES = ("zeroshot", "prediction")

#: Names imported from the package by neurosim/, bench/ and tests/ (before the split they were the module's).
KEPT_NAMES = {
    "zeroshot": ("DIRECTIONS", "ModalityData", "Split", "Zeroshot", "ZeroshotResult", "ZeroshotSettings",
                 "modality_config", "parse_classes", "split_modality", "train_and_select", "training_cost",
                 "_crossbar_pre1", "_standardised"),
    "prediction": ("Prediction", "PredictionSettings", "block_amplitudes", "prediction_figures",
                   "prediction_report", "prediction_summary", "relative_amplitude", "_learning_curve",
                   "_run_trials"),
}


def _modules(name: str) -> list[str]:
    package = importlib.import_module(f"neurosim.tasks.{name}")
    return [package.__name__] + [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


@pytest.mark.parametrize("name", PACKAGES)
def test_a_task_package_registers_its_task_once_from_the_package(name):
    task = get_task(name)
    assert type(task).__module__ == f"neurosim.tasks.{name}"
    assert task_names().count(name) == 1
    for module in _modules(name):        # importing any of its modules registers nothing again
        importlib.import_module(module)
    assert get_task(name) is task and task_names().count(name) == 1


@pytest.mark.parametrize("name", PACKAGES)
def test_a_task_package_keeps_the_names_imported_from_it(name):
    package = importlib.import_module(f"neurosim.tasks.{name}")
    missing = [n for n in KEPT_NAMES[name] if not hasattr(package, n)]
    assert not missing, f"neurosim.tasks.{name} no longer offers {missing}"
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_module_of_a_task_package_says_its_job(name):
    modules = _modules(name)
    assert len(modules) >= 6, "split along its seams: settings, training/trials, metrics, energy, report"
    for module in modules:
        doc = importlib.import_module(module).__doc__
        assert doc and doc.strip(), f"{module} has no module docstring"


def test_the_modules_the_packages_replaced_are_gone():
    root = Path(neurosim.__file__).parent
    for old in ("tasks/zeroshot.py", "tasks/prediction.py", "tasks/prediction_paradigm.py", "learning/stats.py"):
        assert not (root / old).exists(), f"neurosim/{old} is left behind"
