"""The suite's own rules: missing real data skips locally and fails under CI; the x86_fma
bit-exactness tests skip, with a reason, off x86-64; the suite markers are registered, put on the
tests that need them and left out of the default run, while the README's (and CI's) test command runs
everything; tiny configs live in tests/tiny.py only."""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import in_ci, require_data, x86_fma_skip_reason
from markers import REALDATA_FIXTURES, SUITE_MARKERS, Brian2Watch, auto_markers, without_decorators
from tiny import TINY, as_mapping, cli


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("false", False), ("No", False),
                                             ("1", True), ("true", True), ("yes", True)])
def test_ci_flag(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_missing_real_data_skips_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="real data not found"):
        require_data(tmp_path / "absent")


def test_missing_real_data_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="real data not found.*CI is set"):
        require_data(tmp_path / "absent")


def test_present_data_is_returned(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "1")
    assert require_data(tmp_path) == tmp_path


def test_x86_fma_tests_run_only_on_x86_64():
    assert x86_fma_skip_reason("x86_64") is None and x86_fma_skip_reason("AMD64") is None
    for machine in ("aarch64", "arm64", "ppc64le", ""):
        assert "x86-64" in x86_fma_skip_reason(machine)


def test_x86_fma_marker_is_registered(pytestconfig):
    assert any(m.startswith("x86_fma:") for m in pytestconfig.getini("markers"))


# --------------------------------------------------------------------------- markers and the default run

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]


def test_suite_markers_are_registered_with_their_descriptions():
    registered = dict(m.split(": ", 1) for m in PYPROJECT["markers"])
    assert {k: registered.get(k) for k in SUITE_MARKERS} == SUITE_MARKERS


def test_the_default_run_leaves_out_exactly_the_suite_markers():
    addopts = shlex.split(PYPROJECT["addopts"])
    assert addopts[addopts.index("-m") + 1] == f"not ({' or '.join(SUITE_MARKERS)})"


def readme_test_command() -> str:
    readme = (REPO / "README.md").read_text()
    block = readme.split("**Install and run the tests:**", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
    return block.strip()


def test_ci_runs_the_readme_test_command_which_lints_and_selects_every_marker():
    command = readme_test_command()
    assert (REPO / ".ci" / "run").read_text().rstrip().splitlines()[-1] == command
    assert "ruff check ." in command and command.endswith('python -m pytest -m "" -n auto --dist worksteal')


@pytest.mark.parametrize("source, fixtures, params, filename, expected", [
    ("def test_a(nmnist_dir): ...", ["nmnist_dir"], {}, "test_x.py", {"realdata"}),
    ("require_data(SHARED_DATA / 'fsdd')", [], {}, "test_x.py", {"realdata"}),
    ("Brian2Engine().run(lsm, raster)", [], {}, "test_x.py", {"brian2"}),
    ("run_task('reservoir', config, RunContext(engine='brian2'))", [], {}, "test_x.py", {"brian2"}),
    ("get_engine(engine).run(lsm, raster)", [], {"engine": "brian2"}, "test_x.py", {"brian2"}),
    ("get_engine(engine).run(lsm, raster)", [], {"engine": "cpu"}, "test_x.py", set()),
    ("subprocess.run([sys.executable, '-m', 'neurosim'])", [], {}, "test_x.py", {"e2e"}),
    ("with LocalCluster(n_workers=2) as cluster: ...", [], {}, "test_x.py", {"e2e"}),
    ("fuzz(check, 1, 2)", [], {}, "tests/test_cli_fuzz.py", {"fuzz"}),
    ("assert report['provenance']['versions']['brian2']", [], {}, "test_x.py", set()),
])
def test_auto_markers(source, fixtures, params, filename, expected):
    assert auto_markers(filename, source, fixtures, params) == expected


def test_decorators_do_not_count():
    source = '@pytest.mark.parametrize("engine", ["cpu", "brian2"])\ndef test_a(engine):\n    run(engine)\n'
    assert without_decorators(source) == "def test_a(engine):\n    run(engine)"


def test_brian2_watch_counts_network_runs():
    class Network:
        def run(self, duration):
            return duration

    watch = Brian2Watch()
    watch.watch(Network)
    assert Network().run(3) == 3 and Network().run(4) == 4 and watch.runs == 2


# --------------------------------------------------------------------------- what every test file keeps to

TEST_FILES = sorted(TESTS.glob("test_*.py"))


def module_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_no_test_file_declares_its_own_tiny_config():
    declared = {p.name: sorted(n for n in module_level_names(p) if "TINY" in n.upper()) for p in TEST_FILES}
    assert {name: found for name, found in declared.items() if found} == {}, \
        "tiny configs live in tests/tiny.py: import them from there (add a new one there if needed)"


def real_data_tests(path: Path) -> set[str]:
    """Names of the test functions of ``path`` that read real data, found from its syntax tree alone:
    they (or a fixture of the file they take, at any depth) take a real-data fixture, name
    ``SHARED_DATA`` or call ``require_data``."""
    functions = {n.name: n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}

    def direct(node) -> bool:
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        return bool(names & {"SHARED_DATA", "require_data"}) or bool(
            {a.arg for a in node.args.args} & REALDATA_FIXTURES)

    real = {name for name, node in functions.items() if direct(node)}
    while True:  # a function that takes a real-data fixture of this file reads real data too
        more = {name for name, node in functions.items() if {a.arg for a in node.args.args} & real} - real
        if not more:
            return {name for name in real if name.startswith("test_")}
        real |= more


def collected(tmp_path: Path, *args: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(selected, deselected)`` by ``python -m pytest --collect-only args``: ``{node id (parameters
    dropped): marker names}`` of the tests it selects and of those its marker expression leaves out."""
    dump = tmp_path / "collected.json"
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "-p", "collection_dump", *args, str(TESTS)], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "NEUROSIM_COLLECTION_DUMP": str(dump),
                                 "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found = json.loads(dump.read_text())
    assert found["selected"], "the dump plugin saw no test"

    def by_name(tests: dict[str, list[str]]) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for node_id, markers in tests.items():
            names.setdefault(node_id.split("[")[0], set()).update(markers)
        return names

    return by_name(found["selected"]), by_name(found["deselected"])


@pytest.mark.e2e  # two pytest processes collect the suite
def test_every_real_data_test_carries_the_marker_and_the_ci_command_selects_every_test(tmp_path):
    default, left_out = collected(tmp_path)                      # the default run (addopts' -m)
    everything = default.keys() | left_out.keys()
    selected, deselected = collected(tmp_path, "-m", "")
    assert selected.keys() == everything and not deselected, "python -m pytest -m \"\" must select every test"
    marked = {name for name, markers in selected.items() if "realdata" in markers}
    others = [p for p in TEST_FILES if p.name != Path(__file__).name]  # this file reads temporary folders
    found = {f"tests/{p.name}::{name}" for p in others for name in real_data_tests(p)}
    assert found and found <= everything
    assert found - marked == set(), "these read real data but do not carry the realdata marker"
    assert not default.keys() & marked, "the default run must leave the real-data tests out"


def test_tiny_configs_as_command_line_and_mapping():
    assert cli(["run.samples=40", "input.n_bins=20"]) == ["--set=run.samples=40", "--set=input.n_bins=20"]
    assert as_mapping(TINY) == {"run.samples": 40, "network.neurons": 30, "input.n_bins": 20}
    assert as_mapping(["prediction.switch_methods='a,b'", "readout.tune=false"]) == {
        "prediction.switch_methods": "a,b", "readout.tune": False}
