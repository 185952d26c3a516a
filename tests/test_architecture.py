"""Architecture rules checked on the source text: packages of ``neurosim`` form no import cycle.

Every ``import``/``from ... import`` anywhere in a module (module level, inside functions,
under ``if``) counts. Nodes are the top-level parts of ``neurosim``: each subpackage
(``neurosim.events``, ``neurosim.data``, ...) and each top-level module
(``neurosim.config``, ``neurosim.errors``, ...); the bare package ``neurosim`` (its
``__init__``) is a node of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "neurosim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the ``neurosim`` modules that ``path`` imports."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from neurosim import seeds`` imports the module neurosim.seeds
                sub = f"{source}.{alias.name}"
                found.add(sub if _is_module(sub) else source)
    return {m for m in found if m == "neurosim" or m.startswith("neurosim.")}


def _node(module: str) -> str:
    """The top-level part a module belongs to: ``neurosim.events.batch`` -> ``neurosim.events``."""
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    """Edges ``a -> {b, ...}``: some module of part ``a`` imports some module of part ``b``."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _node(_module_name(path))
        targets = {_node(m) for m in _imported_modules(path)} - {src}
        graph.setdefault(src, set()).update(targets)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle ``[a, b, ..., a]`` of ``graph``, or None (iterative three-colour DFS)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in sorted(graph):
        if state.get(root):
            continue
        path = [root]
        stack = [iter(sorted(graph.get(root, ())))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_find_cycle_sees_a_cycle_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_graph_reads_function_level_imports():
    graph = package_graph()
    # neurosim.cli imports the data package only inside functions
    assert "neurosim.data" in graph["neurosim.cli"]
    assert "neurosim.errors" in graph["neurosim.events"]


def test_no_import_cycles_between_packages():
    cycle = find_cycle(package_graph())
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle)
