"""Finding every registered member: the built-in packages and third-party plugins.

The registries (config sections, tasks, neuron models, datasets, engines) never list
their members; a member registers itself when its module is imported. This module,
above all of them, does the importing:

* the built-in packages, :data:`BUILTIN_PACKAGES`, by name;
* third-party plugins: every Python entry point of group ``"neurosim.plugins"``
  (:data:`ENTRY_POINT_GROUP`). A plugin package declares one in its ``pyproject.toml``::

      [project.entry-points."neurosim.plugins"]
      my_model = "my_package.neurosim_plugin"

  The entry point names a module, imported so that its decorators and
  ``register_*`` calls run, or a function, called with no arguments.

:func:`install` (run by ``import neurosim``) hands :func:`load_plugins` and the dataset
registry's recommended settings to :mod:`neurosim.config`, the bottom layer, which calls
them when a config is first loaded: a config file may then use ``[network.lif]``,
``[reservoir]`` or a plugin's section before anything else imported them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from neurosim.config import register_recommendations, register_section_discovery, register_task_settings
from neurosim.errors import NeurosimError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["BUILTIN_PACKAGES", "ENTRY_POINT_GROUP", "PluginError", "install", "load_plugins"]

#: Packages whose modules register the built-in members (tasks, neuron models, datasets, engines).
BUILTIN_PACKAGES = ("neurosim.tasks", "neurosim.networks", "neurosim.data", "neurosim.engines")

#: The entry-point group third-party plugins declare.
ENTRY_POINT_GROUP = "neurosim.plugins"


class PluginError(NeurosimError, ImportError):
    """A third-party plugin failed to load; the message names its entry point and distribution."""


_loaded = False


def load_plugins() -> None:
    """Import the built-in packages and load every ``neurosim.plugins`` entry point, once.

    A plugin that fails raises :class:`PluginError` naming it; the next call tries again
    (so a fixed environment needs no restart, and a broken one keeps saying so).
    """
    global _loaded
    if _loaded:
        return
    # imported here: it is slow to import, and `import neurosim` should not be
    from importlib.metadata import entry_points

    for package in BUILTIN_PACKAGES:
        import_module(package)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        _load_entry_point(entry)
    _loaded = True


def _load_entry_point(entry: EntryPoint) -> None:
    """Import the module ``entry`` names, or call the function it names."""
    dist = getattr(entry, "dist", None)
    origin = f" from the distribution {dist.name!r}" if dist is not None else ""
    where = f"neurosim plugin {entry.name!r} ({entry.value}{origin})"
    try:
        target = entry.load()
    except Exception as exc:
        raise PluginError(f"{where} failed to import: {type(exc).__name__}: {exc}; fix it or uninstall "
                          "the package that provides it") from exc
    if callable(target):
        try:
            target()
        except NeurosimError:
            raise
        except Exception as exc:
            raise PluginError(f"{where} failed while registering: {type(exc).__name__}: {exc}") from exc


def dataset_recommendations(name: str) -> dict[str, Any]:
    """The settings dataset ``name`` recommends, ``{"section.key": value}`` ({} for an unknown one)."""
    from neurosim.data import recommended_settings

    return recommended_settings(name)


def task_settings(name: str) -> dict[str, Any]:
    """The settings task ``name`` declares it runs with (``Task.needs``), ``{"section.key": value}``."""
    from neurosim.tasks.needs import needed_settings

    return needed_settings(name)


def install() -> None:
    """Hand this module's discovery, the datasets' recommended settings and the tasks' declared
    settings to :mod:`neurosim.config` (idempotent; ``import neurosim`` runs it)."""
    register_section_discovery(load_plugins)
    register_recommendations(dataset_recommendations)
    register_task_settings(task_settings)
