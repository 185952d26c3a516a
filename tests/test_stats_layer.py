"""``neurosim.stats`` is a bottom-layer module: every layer may use it, so it imports nothing of
``neurosim`` but :mod:`neurosim.errors`, and only numpy and scipy beyond the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import neurosim.stats

ALLOWED_NEUROSIM = {"neurosim.errors"}
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def _top_level_imports(path: Path) -> set[str]:
    """Absolute module names that ``path`` imports anywhere (statements at any depth)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "neurosim.stats uses absolute imports"
            names.add(node.module or "")
    return names


def test_stats_imports_only_numpy_scipy_and_errors():
    imported = _top_level_imports(Path(neurosim.stats.__file__))
    ours = {m for m in imported if m.split(".")[0] == "neurosim"}
    assert ours <= ALLOWED_NEUROSIM, f"neurosim.stats imports {sorted(ours - ALLOWED_NEUROSIM)}"
    others = {m.split(".")[0] for m in imported} - {"neurosim", "__future__"}
    outside = {m for m in others if m not in ALLOWED_THIRD_PARTY and m not in sys.stdlib_module_names}
    assert not outside, f"neurosim.stats imports {sorted(outside)}"


def test_stats_lives_at_the_package_root_only():
    learning = Path(neurosim.stats.__file__).parent / "learning"
    assert not (learning / "stats.py").exists(), "no copy or shim of the statistics module in neurosim.learning"
