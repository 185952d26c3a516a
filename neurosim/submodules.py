"""Finding the modules that register themselves (tasks, datasets, neuron models, engines).

A registry never lists its members: each built-in member is a module of one
package that registers itself when imported, and :func:`import_submodules`
imports every module of that package once. A plugin or a test registers the
same way from anywhere else. A bottom-layer helper: it imports no ``neurosim``
module, so every registry may use it (:mod:`neurosim.plugins`, which finds the
members of all registries, sits above them).
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["import_submodules"]

_imported: set[tuple[str, str]] = set()


def import_submodules(package: str, suffix: str = "") -> None:
    """Import every module of ``package`` whose name ends with ``suffix`` and does not start
    with ``_``, once, in name order."""
    if (package, suffix) in _imported:
        return
    _imported.add((package, suffix))  # first: the modules call back into their registry while importing
    module = importlib.import_module(package)
    for name in sorted(info.name for info in pkgutil.iter_modules(module.__path__)):
        if not name.startswith("_") and name.endswith(suffix):
            importlib.import_module(f"{package}.{name}")
