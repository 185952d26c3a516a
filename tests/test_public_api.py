"""The public Python API: every exported name is importable and documented, the README's script runs,
``Config.set`` → ``run`` → ``Run.save`` round-trips, and the CLI computes its run id and preflight once."""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest
from conftest import REPO, SHARED_DATA, require_data
from tiny import READOUT_EXTRAS_OFF, TINY, as_mapping, cli

import neurosim
from neurosim import api, tasks
from neurosim.cli import main
from neurosim.report import provenance
from neurosim.tasks import runner



def readme_python_api_script() -> str:
    """The ```python blocks under the README's "## Python API" heading, one after the other."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, re.DOTALL))


def test_every_public_name_imports_and_is_documented():
    assert neurosim.__all__, "neurosim exports nothing"
    for name in neurosim.__all__:
        value = getattr(neurosim, name)
        if name == "__version__":
            assert re.fullmatch(r"\d+\.\d+\.\d+", value)
            continue
        doc = inspect.getdoc(value)
        assert doc and len(doc) > 30, f"neurosim.{name} has no docstring"
    assert set(neurosim.__all__) <= set(dir(neurosim))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        neurosim.nope  # noqa: B018


def test_import_is_light():
    """``import neurosim`` loads none of the numerical stack; the public names load on first use."""
    code = ("import sys, neurosim; print('numpy' in sys.modules, 'neurosim.tasks' in sys.modules); "
            "neurosim.task_names; print('neurosim.tasks' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]


def test_public_names_are_the_library_objects():
    from neurosim.config import Config, load_config
    from neurosim.events import to_raster
    from neurosim.tasks import task_names

    assert neurosim.Config is Config and neurosim.load_config is load_config
    assert neurosim.to_raster is to_raster and neurosim.task_names is task_names
    assert "classify" in neurosim.task_names() and "cpu" in neurosim.engine_names()
    assert "rram-40nm-256kb" in neurosim.list_chips()
    assert "dvs-digits" in [d.name for d in neurosim.list_datasets()]


def test_set_run_save_round_trip(tmp_path):
    """Config.set, run, save and its refusals; the readout's extras and the figures are other tests'."""
    config = neurosim.load_config("rram-40nm-256kb").set(as_mapping(TINY + READOUT_EXTRAS_OFF))
    with pytest.raises(neurosim.ConfigError, match="network.nerons"):
        config.set({"network.nerons": 5})
    run = neurosim.run("classify", config, engine="cpu")
    assert isinstance(run, neurosim.Run) and run.task == "classify"
    assert run.report["run"]["id"] == run.id and run.report["config"]["network"]["neurons"] == 30
    assert run.report["dataset"]["n_train"] + run.report["dataset"]["n_test"] == 40
    assert 0.0 <= run.result.accuracy_test <= 1.0
    assert run.report["accuracy"]["test"] == run.result.accuracy_test
    assert run.saved == ()

    json_path, html_path = run.save(tmp_path / "r", draw_figures=False)
    assert run.saved == (json_path, html_path) and html_path.is_file()
    assert json.loads(json_path.read_text()) == json.loads(json.dumps(run.report))
    run.save(tmp_path / "r", draw_figures=False)  # its own report: overwritten

    other = neurosim.run("classify", config.set({"run.seed": 1}), engine="cpu")
    assert other.id != run.id
    with pytest.raises(neurosim.NeurosimError, match="different run"):
        other.save(tmp_path / "r", draw_figures=False)
    assert json.loads(json_path.read_text())["run"]["id"] == run.id


def test_run_refuses_another_runs_folder_before_any_work(tmp_path, monkeypatch):
    config = neurosim.load_config().set(as_mapping(TINY))
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps({"run": {"id": "0000000000000000-s9"}}))

    def no_work(*args, **kwargs):
        raise AssertionError("the task ran although the output folder was refused")

    monkeypatch.setattr(api, "run_task", no_work)
    with pytest.raises(neurosim.NeurosimError, match="different run"):
        neurosim.run("classify", config, out=folder)
    with pytest.raises(neurosim.EngineError, match="unknown engine 'fast'; choose one of auto, "):
        neurosim.run("classify", config, engine="fast")
    with pytest.raises(neurosim.ConfigError, match="unknown task 'clasify'"):
        neurosim.run("clasify", config)


def test_cli_computes_run_id_and_preflight_once(tmp_path, monkeypatch):
    """Before, ``neurosim run`` computed both in the CLI and again in ``run_task``."""
    calls = {"identity": 0, "preflight": 0}
    identity, check = runner.run_identity, runner.preflight

    def counted_identity(*args, **kwargs):
        calls["identity"] += 1
        return identity(*args, **kwargs)

    def counted_preflight(config):
        calls["preflight"] += 1
        return check(config)

    monkeypatch.setattr(runner, "run_identity", counted_identity)
    for module in (runner, tasks, api):
        monkeypatch.setattr(module, "preflight", counted_preflight, raising=False)
    argv = ["run", "--samples", "40", "--set", "network.neurons=30", "--set", "input.n_bins=20", "--quiet",
            "--out", str(tmp_path / "r"), "--no-figures", *cli(READOUT_EXTRAS_OFF)]
    assert main(argv) == 0
    assert calls == {"identity": 1, "preflight": 1}


def test_to_raster_takes_transforms_or_input_settings():
    from neurosim.events import CenterCrop, SelectPolarity, bin_events

    config = neurosim.load_config().set({"input.n_bins": 7})
    batch = neurosim.load_dataset("dvs-digits", n_samples=6, seed=0)
    from_settings = neurosim.to_raster(batch, config.input)
    explicit = neurosim.to_raster(batch, [SelectPolarity(config.input.polarity), CenterCrop(config.input.crop)], 7)
    assert from_settings.dtype == bool and from_settings.shape[:2] == (6, 7)
    np.testing.assert_array_equal(from_settings, explicit)
    np.testing.assert_array_equal(neurosim.to_raster(batch, (), 7), bin_events(batch, 7) > 0)
    assert neurosim.to_raster(batch, config.input, 3).shape[1] == 3
    with pytest.raises(neurosim.ConfigError, match="n_bins"):
        neurosim.to_raster(batch, [SelectPolarity(0)])


def test_chip_programs_the_tasks_reservoir_and_prices_its_activity():
    from neurosim.energy import count_operations, estimate_energy
    from neurosim.tasks.pipeline import Pipeline

    config = neurosim.load_config().set({**as_mapping(TINY), "run.instance": 2})
    chip = neurosim.Chip(config)
    assert chip.instance == 2 and chip.name == "rram-40nm-256kb"
    batch = neurosim.load_dataset("dvs-digits", n_samples=5, seed=0)
    raster = neurosim.to_raster(batch, config.input)
    lsm = chip.reservoir(raster.shape[2])
    assert chip.reservoir(raster.shape[2]) is lsm
    np.testing.assert_array_equal(lsm.w_rec, Pipeline(config).network(raster.shape[2]).w_rec)
    assert not np.array_equal(lsm.w_rec, neurosim.Chip(config, instance=0).reservoir(raster.shape[2]).w_rec)

    activity = chip.simulate(raster, engine="cpu")
    assert activity.spike_raster.shape == (5, 20, 30)
    np.testing.assert_array_equal(activity.spike_raster,
                                  neurosim.simulate(lsm, raster, "cpu", seed=config.run.seed).spike_raster)
    counts = count_operations(raster, activity.spike_raster, lsm.programmed.tiling, 10, network=lsm)
    expected = estimate_energy(config, counts, lsm.programmed, raster.shape[2], 10, 20, sample_s=0.3)
    assert chip.energy(activity, raster, n_classes=10, sample_s=0.3) == expected
    assert chip.energy(chip.operations(raster, activity, 10), n_classes=10, sample_s=0.3) == expected
    assert expected.per_inference_J > expected.breakdown_J["static"] > 0
    with pytest.raises(neurosim.ConfigError, match="input raster"):
        chip.energy(activity)
    with pytest.raises(neurosim.ConfigError, match="instance"):
        neurosim.Chip(config, instance=-1)


def test_simulate_delivers_background_noise():
    """An Izhikevich network with thalamic noise gets it through ``simulate``, as in a task run."""
    config = neurosim.load_config().set({"network.model": "izhikevich", "network.neurons": 20,
                                         "input.n_bins": 30, "crossbar.adc_mode": "ideal"})
    chip = neurosim.Chip(config)
    raster = np.zeros((2, 30, 8), dtype=bool)
    lsm = chip.reservoir(8)
    from neurosim.engines import get_engine

    assert not get_engine("cpu").run(lsm, raster).spike_raster.any()   # no input, no noise: silent
    noisy = neurosim.simulate(lsm, raster, "cpu").spike_raster
    assert noisy.any(), "the background noise never reached the network"
    np.testing.assert_array_equal(neurosim.simulate(lsm, raster, "cpu").spike_raster, noisy)
    assert not np.array_equal(neurosim.simulate(lsm, raster, "cpu", seed=1).spike_raster, noisy)
    with pytest.raises(neurosim.EngineError, match="background noise"):
        neurosim.simulate(lsm, raster, "brian2-standalone")


def test_provenance_names_numba_dask_and_cupy_when_importable(monkeypatch):
    versions = provenance.package_versions()
    assert versions["numba"] != "not installed" and versions["dask"] != "not installed"
    assert ("cupy" in versions) == (provenance.cupy_version() is not None)
    fake = types.ModuleType("cupy")
    fake.__version__ = "13.9.9"
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "cupy" else None)
    assert provenance.package_versions()["cupy"] == "13.9.9"


def test_readme_python_api_script_runs_on_real_nmnist():
    """The README's notebook-style script (and the lower-level one after it), run as written from
    the repository root; each prints what the README says."""
    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    script = readme_python_api_script()
    assert "import neurosim" in script and "../shared/data" in script
    names = set(re.findall(r"neurosim\.(\w+)", script))
    assert names and names <= set(neurosim.__all__), f"not exported: {names - set(neurosim.__all__)}"
    done = subprocess.run([sys.executable, "-c", script], check=False, cwd=REPO, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-3000:]
    accuracy = re.search(r"accuracy ([\d.]+) %", done.stdout)
    energy = re.search(r"dynamic energy ([\d.]+) nJ per inference", done.stdout)
    assert accuracy and energy, done.stdout
    assert 50 < float(accuracy.group(1)) <= 100   # ten classes: chance is 10 %
    assert re.search(r"against [\w ]+: [+-]\d", done.stdout), done.stdout   # the strongest control's verdict
    assert float(energy.group(1)) > 0
    chip_energy = float(done.stdout.strip().splitlines()[-1])   # the Chip example: J per inference
    assert 0 < chip_energy < 1e-3
