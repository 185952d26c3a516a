"""Loading a script of bench/ (a study script of bench/studies/ among them) as a module, for tests that check a
docs page's table against its JSON or call a script's functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"
STUDIES = BENCH / "studies"


def load_bench_script(relative: str) -> ModuleType:
    """``bench/<relative>`` (e.g. ``"readme_results.py"``) as a module, its folder on ``sys.path`` as when
    the script runs."""
    path = BENCH / relative
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_study_script(name: str) -> ModuleType:
    """``bench/studies/<name>.py`` as a module."""
    return load_bench_script(f"studies/{name}.py")
