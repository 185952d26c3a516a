"""Loading a study script of bench/studies/ as a module, for tests that check a docs page's table against its JSON."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

STUDIES = Path(__file__).resolve().parents[1] / "bench" / "studies"


def load_study_script(name: str) -> ModuleType:
    """``bench/studies/<name>.py`` as a module (its folder on ``sys.path``, as when the script runs)."""
    if str(STUDIES) not in sys.path:
        sys.path.insert(0, str(STUDIES))
    spec = importlib.util.spec_from_file_location(name, STUDIES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
