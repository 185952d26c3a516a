"""The store of registered config sections and the discovery that fills it.

Tasks and neuron models register their own sections (``[reservoir]``, ``[network.lif]``) through
:func:`neurosim.config.register_section`, which checks a section against the core ones and
stores it here. The store does not know who registers: a higher layer installs a discovery hook
(:func:`register_section_discovery`, :mod:`neurosim.plugins` does) that imports those modules on
the store's first use, so a config file may name ``[network.lif]`` or ``[reservoir]`` before
anything imported them. This module is the bottom of the package (it imports no other config
module), so the core sections (e.g. ``network.model``'s choices) can read the store.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["discover_members", "register_section_discovery", "registered_paths"]

#: Sections added by tasks and neuron models: dotted path → frozen dataclass of ``param`` fields.
_REGISTERED: dict[str, type] = {}

#: Discovery hooks not yet run: each imports the modules that register sections.
_pending_discovery: list[Callable[[], None]] = []


def registered_paths() -> list[str]:
    """The registered sections' dotted paths, sorted, after running any pending discovery."""
    _discover_sections()
    return sorted(_REGISTERED)


def register_section_discovery(hook: Callable[[], None]) -> None:
    """Install ``hook``, a function that imports the modules registering sections (the built-in
    tasks and neuron models, third-party plugins); it runs once, on the registry's next use.

    The config layer knows no package above it: :mod:`neurosim.plugins` installs its
    discovery here when ``neurosim`` is imported.
    """
    if hook not in _pending_discovery:
        _pending_discovery.append(hook)


def discover_members() -> None:
    """Run the discovery hooks not yet run (:func:`register_section_discovery`): the built-in
    members and the third-party plugins (entry points) are registered after this. Every registry
    calls it before it answers, so a plugin's task, model, dataset or engine is known even where no
    config was loaded first."""
    _discover_sections()


def _discover_sections() -> None:
    """Run the discovery hooks not yet run. A hook that fails stays pending, so the next use of
    the registry raises its error again instead of going on without its sections."""
    while _pending_discovery:
        hook = _pending_discovery.pop(0)  # first: a hook's imports may use the registry again
        try:
            hook()
        except BaseException:
            _pending_discovery.insert(0, hook)
            raise
