"""Plugin discovery above config: built-in packages by name, third-party ones by entry point."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from neurosim import plugins
from neurosim.config import load_config, register_section_discovery, unregister_section
from neurosim.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]

# No ``from __future__ import annotations``: the fields' types are classes, not strings.
PLUGIN_SOURCE = '''
from dataclasses import dataclass

from neurosim.config import param, register_section


@dataclass(frozen=True)
class FixtureSettings:
    gain: float = param(1.0, "A fixture plugin's gain", "", 0.0, 10.0)


def register():
    register_section("{section}", FixtureSettings)

{on_import}
'''


def _plugin_module(tmp_path: Path, monkeypatch, name: str, section: str, on_import: str) -> None:
    """Write module ``name`` registering section ``section`` (on import, or by ``register()``)."""
    (tmp_path / f"{name}.py").write_text(PLUGIN_SOURCE.format(section=section, on_import=on_import))
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.fixture
def entry_points(monkeypatch):
    """Replace the installed entry points by a list the test fills; discovery runs again."""
    points: list[importlib.metadata.EntryPoint] = []

    def fake(**selection):
        return [p for p in points if p.group == selection.get("group")]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    monkeypatch.setattr(plugins, "_loaded", False)
    yield points


def _entry(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=plugins.ENTRY_POINT_GROUP)


def test_an_entry_point_module_registers_its_section(entry_points, tmp_path, monkeypatch):
    """Loading a config runs the discovery that config was handed, which loads the entry point."""
    from neurosim.config import registry as sections

    _plugin_module(tmp_path, monkeypatch, "fixture_plugin_mod", "fixture_plugin_mod", "register()")
    entry_points.append(_entry("fixture", "fixture_plugin_mod"))
    monkeypatch.setattr(sections, "_pending_discovery", [])
    plugins.install()
    try:
        config = load_config(overrides=["fixture_plugin_mod.gain=2"])
        assert config.section("fixture_plugin_mod").gain == 2.0
    finally:
        unregister_section("fixture_plugin_mod")
        sys.modules.pop("fixture_plugin_mod", None)


def test_an_entry_point_function_is_called(entry_points, tmp_path, monkeypatch):
    _plugin_module(tmp_path, monkeypatch, "fixture_plugin_fn", "fixture_plugin_fn", "")
    entry_points.append(_entry("fixture-fn", "fixture_plugin_fn:register"))
    try:
        plugins.load_plugins()
        assert load_config(overrides=["fixture_plugin_fn.gain=3"]).section("fixture_plugin_fn").gain == 3.0
    finally:
        unregister_section("fixture_plugin_fn")
        sys.modules.pop("fixture_plugin_fn", None)


def test_a_broken_plugin_is_named_and_tried_again(entry_points, tmp_path, monkeypatch):
    entry_points.append(_entry("broken", "fixture_plugin_missing_module"))
    with pytest.raises(plugins.PluginError, match=r"plugin 'broken' \(fixture_plugin_missing_module\) failed "
                                                  r"to import: ModuleNotFoundError"):
        plugins.load_plugins()
    with pytest.raises(plugins.PluginError, match="'broken'"):  # still broken: it says so again
        plugins.load_plugins()
    entry_points.clear()
    plugins.load_plugins()
    assert plugins._loaded


def test_a_failing_discovery_hook_fails_every_use_until_it_works(monkeypatch):
    """A hook that raises stays pending: the registry does not go on without its sections."""
    from neurosim.config import registry as sections

    calls = []

    def hook():
        calls.append(1)
        if len(calls) == 1:
            raise ConfigError("fixture hook failed")

    monkeypatch.setattr(sections, "_pending_discovery", [])
    register_section_discovery(hook)
    with pytest.raises(ConfigError, match="fixture hook failed"):
        load_config()
    load_config()
    load_config()
    assert len(calls) == 2


def test_a_config_names_model_and_task_sections_before_anything_imported_them(tmp_path):
    """In a fresh interpreter, loading a config is what imports the neuron models and tasks."""
    experiment = tmp_path / "exp.toml"
    experiment.write_text('[network]\nmodel = "lif"\n\n[network.lif]\ntau_m = 0.02\n\n'
                          '[reservoir]\n')
    script = textwrap.dedent(f"""
        import sys
        from neurosim.config import load_config
        assert "neurosim.networks" not in sys.modules and "neurosim.tasks" not in sys.modules
        config = load_config(config_file={str(experiment)!r}, overrides=['run.dataset="nmnist"'])
        assert config.section("network.lif").tau_m == 0.02, config.section("network.lif")
        assert config.network.neurons == 2000  # nmnist's recommended setting still applies
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


TASK_PLUGIN_SOURCE = '''
from neurosim.tasks import Task, register_task


@register_task
class FixturePluginTask(Task):
    name = "fixture-plugin-task"
    description = "a plugin's task, found through its entry point"
'''


def test_a_plugin_task_is_listed_before_any_config_is_loaded(entry_points, tmp_path, monkeypatch):
    """The registries run the plugin discovery themselves: ``task_names()`` knows an entry point's
    task though nothing loaded a config."""
    from neurosim.config import registry as sections
    from neurosim.tasks import task_names, unregister_task

    (tmp_path / "fixture_plugin_task.py").write_text(TASK_PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    entry_points.append(_entry("fixture-task", "fixture_plugin_task"))
    monkeypatch.setattr(sections, "_pending_discovery", [])
    plugins.install()
    try:
        assert "fixture-plugin-task" in task_names()
    finally:
        unregister_task("fixture-plugin-task")
        sys.modules.pop("fixture_plugin_task", None)
