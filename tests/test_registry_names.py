"""Registries own their members: no task, neuron-model or engine name is written, as a string
literal, anywhere in ``neurosim/`` but in the member's own module and the registry modules.

A literal elsewhere is a branch on a member's name (``if model == "discrete-lif"``), a list of
members, or a default. Defaults and homonyms (the word "reservoir" labelling a feature set, the
array device "cpu") are allowed on a line that says why, with the comment
``# registry-name: <why>``. Tests are not scanned.
"""

from __future__ import annotations

import ast
from pathlib import Path


from neurosim import engines
from neurosim.networks.models import get_model, model_names
from neurosim.tasks import get_task, task_names

PACKAGE = Path(__file__).resolve().parents[1] / "neurosim"
PRAGMA = "# registry-name:"
#: The registries themselves: where members are looked up (they may name them).
REGISTRY_MODULES = ("neurosim.tasks.registry", "neurosim.networks.models", "neurosim.engines")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def registered_names() -> dict[str, tuple[str, str]]:
    """``{name: (kind, own module)}`` of every registered task, neuron model and engine."""
    names = {n: ("task", type(get_task(n)).__module__) for n in task_names()}
    names.update({n: ("neuron model", type(get_model(n)).__module__) for n in model_names()})
    entries = engines._registry()  # the registered entries; an engine's module is its constructor's
    names.update({n: ("engine", entries[n].make.__module__) for n in engines.engine_names()})
    return names


def literal_uses(source: str, names: dict) -> list[tuple[int, str]]:
    """``(line, name)`` of every string literal in ``source`` that is exactly one of ``names``,
    except on lines carrying the :data:`PRAGMA` comment."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
                and PRAGMA not in lines[node.lineno - 1]):
            found.append((node.lineno, node.value))
    return sorted(found)


def violations(root: Path = PACKAGE, names: dict | None = None) -> list[str]:
    """``"path:line: kind 'name' (its module: ...)"`` for every literal outside its own module."""
    names = registered_names() if names is None else names
    out = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        if module in REGISTRY_MODULES:
            continue
        for line, name in literal_uses(path.read_text(), names):
            kind, own = names[name]
            if module != own and not module.startswith(own + "."):   # a package member owns its modules
                out.append(f"{path.relative_to(root.parent)}:{line}: {kind} {name!r} (its module: {own})")
    return out


def test_the_scan_finds_a_branch_on_a_name_and_honours_the_pragma(tmp_path):
    pkg = tmp_path / "neurosim"
    (pkg / "tasks").mkdir(parents=True)
    (pkg / "tasks" / "mine.py").write_text('NAME = "mine"\n')
    (pkg / "other.py").write_text('if task == "mine":\n    pass\nDEFAULT = "mine"  # registry-name: the default\n'
                                  'TEXT = "mine and more"\n')
    found = violations(pkg, {"mine": ("task", "neurosim.tasks.mine")})
    assert found == ["neurosim/other.py:1: task 'mine' (its module: neurosim.tasks.mine)"]


def test_no_member_name_outside_its_own_module():
    found = violations()
    assert not found, "registered names written outside their modules:\n" + "\n".join(found)
