"""The config package is layered: its modules import one another without a cycle, and only at
module top (a function-level import of a config module hides a cycle from the import graph).

Checked on the source text of ``neurosim/config/*.py``: every ``import`` / ``from ... import``
naming a ``neurosim.config`` module (relative imports resolved) is an edge; an edge from inside a
function or class body is an error of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "neurosim" / "config"
PACKAGE = "neurosim.config"


def _module(path: Path) -> str:
    return PACKAGE if path.name == "__init__.py" else f"{PACKAGE}.{path.stem}"


def _config_imports(node: ast.AST, package: str) -> list[str]:
    """The ``neurosim.config`` modules an import statement names (the package itself excluded)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [f"{source}.{a.name}" if (CONFIG / f"{a.name}.py").is_file() and source == PACKAGE else source
                 for a in node.names]
    return [n for n in names if n.startswith(PACKAGE + ".")]


def _edges(path: Path) -> tuple[set[str], list[str]]:
    """``(config modules imported anywhere in the file, descriptions of those imports that sit inside a
    def or class)``."""
    tree = ast.parse(path.read_text(), str(path))
    found_all: set[str] = set()
    nested: list[str] = []

    def visit(node: ast.AST, inside: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            found = _config_imports(child, PACKAGE)
            if found:
                found_all.update(found)
                if inside:
                    nested.append(f"{path.name}:{child.lineno} in {inside}: {', '.join(found)}")
            scope = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
            visit(child, inside or scope)

    visit(tree, None)
    return found_all, nested


def graph() -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = {}
    nested: list[str] = []
    for path in sorted(CONFIG.glob("*.py")):
        imported, inner = _edges(path)
        edges[_module(path)] = imported - {_module(path)}
        nested += inner
    return edges, nested


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among ``edges`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_config_modules_import_each_other_only_at_module_top():
    _, nested = graph()
    assert not nested, "function-level imports of config modules (a hidden cycle):\n" + "\n".join(nested)


def test_config_modules_form_no_import_cycle():
    edges, _ = graph()
    assert _cycle(edges) is None, f"import cycle in neurosim/config: {' -> '.join(_cycle(edges))}"


def test_the_checks_see_a_cycle_and_a_nested_import(tmp_path):
    """The checks above can fail: a cycle and a function-level import are both found."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    source = tmp_path / "mod.py"
    source.write_text("from neurosim.config.fields import param\n\n"
                      "def f():\n    from neurosim.config.loading import validate\n")
    imported, nested = _edges(source)
    assert imported == {"neurosim.config.fields", "neurosim.config.loading"}
    assert nested == ["mod.py:4 in f: neurosim.config.loading"]


def test_the_registry_is_the_bottom_of_the_package():
    edges, _ = graph()
    assert edges["neurosim.config.registry"] == set()
    assert "neurosim.config.sections" not in edges["neurosim.config.experiment"]
