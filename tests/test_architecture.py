"""Architecture rules checked on the source text: packages of ``neurosim`` form no import cycle,
and ``neurosim.config``, the bottom layer, imports nothing above it.

Every ``import``/``from ... import`` anywhere in a module (module level, inside functions,
under ``if``) counts, and so do imports by name: a call of ``importlib.import_module``,
``import_submodules`` or ``__import__`` with a string naming a ``neurosim`` module, or, when
such a call gets a variable, every string constant of the module that names one (a tuple of
package names looped over). Nodes are the top-level parts of ``neurosim``: each subpackage
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


#: Functions that import the module named by their first argument.
_IMPORT_CALLS = {"import_module", "import_submodules", "__import__"}


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the ``neurosim`` modules that ``path`` imports."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return _imports_in_source(path.read_text(), str(path), package)


def _imports_in_source(text: str, filename: str, package: str) -> set[str]:
    """Absolute names of the ``neurosim`` modules that source ``text`` imports (statements and
    imports by name); ``package`` resolves relative imports."""
    found: set[str] = set()
    tree = ast.parse(text, filename)
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) in _IMPORT_CALLS and node.args:
            target = node.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                found.add(target.value)
            else:  # a name computed or looked up: any constant of the module may be it
                found.update(c for c in constants if c.startswith("neurosim") and _is_module(c))
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


def _called_name(func: ast.expr) -> str:
    """``import_module`` for ``importlib.import_module(...)`` or ``import_module(...)``."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


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


def test_graph_reads_imports_by_name():
    source = (
        "import importlib\n"
        "from neurosim.submodules import import_submodules\n"
        "PACKAGES = ('neurosim.tasks', 'neurosim.networks')\n"
        "def find():\n"
        "    importlib.import_module('neurosim.data')\n"
        "    for p in PACKAGES:\n"
        "        import_submodules(p)\n"
        "    return 'neurosim.engines is only mentioned'\n"
    )
    found = _imports_in_source(source, "<test>", "neurosim")
    assert {"neurosim.data", "neurosim.tasks", "neurosim.networks", "neurosim.submodules"} <= found
    assert "neurosim.engines" not in found  # a string that names no module is no import
    # the plugin discovery's imports by name are edges of the real graph
    assert {"neurosim.tasks", "neurosim.networks"} <= package_graph()["neurosim.plugins"]


def test_config_imports_nothing_but_errors():
    """``neurosim.config`` is the bottom layer: the registries above it install hooks instead."""
    config_dir = PACKAGE / "config"
    files = sorted(config_dir.rglob("*.py")) if config_dir.is_dir() else [PACKAGE / "config.py"]
    outside = {f"{path.name}: {module}" for path in files for module in _imported_modules(path)
               if module != "neurosim.errors" and not (module + ".").startswith("neurosim.config.")}
    assert not outside, f"neurosim.config imports a higher layer: {sorted(outside)}"
