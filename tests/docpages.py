"""The documentation site's pages and build hooks, for tests that check a page against the code or a study JSON."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

DOCS = Path(__file__).resolve().parents[1] / "docs"


def page(name: str) -> str:
    """The markdown source of ``docs/<name>`` (e.g. ``"studies/prediction.md"``), as committed."""
    return (DOCS / name).read_text(encoding="utf-8")


def hooks() -> ModuleType:
    """``docs/hooks.py``, the build's hooks: ``expand(markdown)`` is what the site shows of a page."""
    spec = importlib.util.spec_from_file_location("neurosim_docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
