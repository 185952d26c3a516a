"""The suite's markers, put on each collected test from what it uses (tests/conftest.py applies them).

The default ``python -m pytest`` leaves out every test that carries one of :data:`SUITE_MARKERS`
(pyproject.toml's ``addopts``); ``python -m pytest -m ""`` (the README's test command, which CI runs)
selects them all. A test may also carry a marker by hand (``@pytest.mark.slow``); the rules below
only add markers, never remove one.

* ``realdata``: the test (or a fixture it uses) takes a real-data fixture (:data:`REALDATA_FIXTURES`)
  or names ``SHARED_DATA``, the ../shared/data folder;
* ``brian2``: it builds or runs the Brian2 engine (:data:`BRIAN2_PATTERN` in its source or its fixtures'
  sources, or an ``engine`` parameter ``"brian2"``); :class:`Brian2Watch` fails any test that runs a
  Brian2 network without the marker, so a rule that misses one is found the first time it runs;
* ``e2e``: it starts other processes (a ``python -m neurosim`` subprocess, a dask cluster, Chromium);
* ``fuzz``: it lives in a hypothesis fuzz file (``*_fuzz.py``);
* ``slow``: by hand only, on tests that take long whatever they use.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import inspect
import re
import sys
import textwrap
from functools import cache, wraps
from pathlib import Path

#: name: description, as registered in pyproject.toml (tests/test_test_hygiene.py checks they agree).
SUITE_MARKERS = {
    "slow": "long-running tests",
    "realdata": "read the real data in ../shared/data (fail under CI when it is missing)",
    "brian2": "build or run the Brian2 reference engine (compiles Cython code the first time)",
    "e2e": "end to end through other processes: CLI subprocesses, dask clusters, SIGKILLs, Chromium",
    "fuzz": "hypothesis fuzzing of the command line and the dataset readers",
}

#: Fixtures (tests/conftest.py) that hand a test real data.
REALDATA_FIXTURES = frozenset({"nmnist_dir"})

#: Source text that builds or runs the Brian2 engine.
BRIAN2_PATTERN = re.compile(
    r"Brian2Engine|brian2_engine\b|_brian2\("
    r"""|get_engine\(\s*["']brian2|engine\s*=\s*["']brian2|RunContext\(\s*["']brian2"""
    r"""|["']--engines?["'],\s*["'][\w,-]*brian2""")

#: Source text that starts other processes.
E2E_PATTERN = re.compile(r"\bsubprocess\b|\bPopen\b|sys\.executable|LocalCluster|chromium")

REALDATA_PATTERN = re.compile(r"\bSHARED_DATA\b")

TESTS = Path(__file__).resolve().parent


def source_of(item) -> str:
    """The source of test ``item``'s function and of every fixture it uses that tests/ defines."""
    functions = [item.function]
    for defs in item._fixtureinfo.name2fixturedefs.values():
        functions += [d.func for d in defs]
    return "\n".join(filter(None, map(own_source, functions)))


@cache  # parametrized tests and shared fixtures come back many times; reading a source is slow
def own_source(function) -> str:
    """The source of ``function`` from its ``def`` line on, if tests/ defines it, else ""."""
    try:
        if TESTS in Path(inspect.getsourcefile(function) or "").resolve().parents:
            return without_decorators(inspect.getsource(function))
    except (OSError, TypeError):  # built-in fixtures: no Python source
        pass
    return ""


def without_decorators(source: str) -> str:
    """A function's ``source`` from its ``def`` line on: what its parameters are set to is read from the
    collected item (:func:`auto_markers`' ``params``), not from the text of its ``parametrize``."""
    source = textwrap.dedent(source)
    return "\n".join(source.splitlines()[ast.parse(source).body[0].lineno - 1:])


def auto_markers(filename: str, source: str, fixturenames, params: dict) -> set[str]:
    """The suite markers a test earns: ``filename`` of its module, ``source`` (:func:`source_of`),
    the names of the fixtures it uses and its parameter values (``item.callspec.params``)."""
    markers = set()
    if REALDATA_FIXTURES & set(fixturenames) or REALDATA_PATTERN.search(source):
        markers.add("realdata")
    if BRIAN2_PATTERN.search(source) or any(v in ("brian2", "brian2-standalone") for v in params.values()
                                            if isinstance(v, str)):
        markers.add("brian2")
    if E2E_PATTERN.search(source):
        markers.add("e2e")
    if Path(filename).stem.endswith("_fuzz"):
        markers.add("fuzz")
    return markers


def mark_items(items) -> None:
    """Add to each collected item the suite markers :func:`auto_markers` gives it."""
    import pytest

    for item in items:
        if not hasattr(item, "function"):
            continue
        params = item.callspec.params if hasattr(item, "callspec") else {}
        for name in sorted(auto_markers(str(item.path), source_of(item), item.fixturenames, params)):
            item.add_marker(getattr(pytest.mark, name))


#: Rough relative cost of a test carrying each marker, for :func:`heavy_modules_first` only.
MARKER_COST = {"slow": 8, "brian2": 4, "e2e": 4, "realdata": 2, "fuzz": 1}


def heavy_modules_first(items) -> None:
    """Reorder ``items`` in place: whole test modules, the costliest first (the sum of
    :data:`MARKER_COST` over their tests' markers), each module's tests in their own order.

    Under ``pytest -n`` the long tests then start first and the workers finish together, instead of
    one worker running a long test at the end while the other waits; modules stay contiguous, so a
    module-scoped fixture is still set up once per worker that runs the module."""
    def cost(item) -> int:
        return sum(MARKER_COST.get(m.name, 0) for m in item.iter_markers())

    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(str(item.path), []).append(item)
    total = {path: sum(cost(i) for i in group) for path, group in modules.items()}
    items[:] = [i for path in sorted(modules, key=lambda p: -total[p]) for i in modules[path]]


class Brian2Watch(importlib.abc.MetaPathFinder):
    """Counts Brian2 network runs in this process (``runs``), from the moment brian2 is imported.

    Installed on ``sys.meta_path`` before any test imports brian2 (importing it here would cost every
    test run its import time); when ``brian2.core.network`` loads, ``Network.run`` is wrapped.
    """

    MODULE = "brian2.core.network"

    def __init__(self):
        self.runs = 0

    def install(self) -> Brian2Watch:
        """Start watching: now if brian2 is already imported, else when it is; returns self."""
        if self.MODULE in sys.modules:
            self.watch(sys.modules[self.MODULE].Network)
        else:
            sys.meta_path.insert(0, self)
        return self

    def find_spec(self, fullname, path, target=None):
        if fullname != self.MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_and_watch(module):
            load(module)
            self.watch(module.Network)

        spec.loader.exec_module = exec_and_watch
        return spec

    def watch(self, network_class) -> None:
        """Count every call of ``network_class.run``."""
        run = network_class.run

        @wraps(run)
        def counted_run(*args, **kwargs):
            self.runs += 1
            return run(*args, **kwargs)

        network_class.run = counted_run
