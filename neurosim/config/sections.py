"""The whole config and its section registry.

:class:`Config` holds the core sections as attributes and the sections that tasks and
neuron models register (:func:`register_section`) by dotted path. The registry does not
know who registers: a higher layer installs a discovery hook
(:func:`register_section_discovery`, :mod:`neurosim.plugins` does) that imports those
modules on the registry's first use, so a config file may name ``[network.lif]`` or
``[reservoir]`` before anything imported them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from neurosim.config.chip import (
    BaselineConfig,
    ChipInfo,
    CrossbarConfig,
    DeviceConfig,
    EnergyConfig,
)
from neurosim.config.experiment import (
    InputConfig,
    NetworkConfig,
    ReadoutConfig,
    RunConfig,
)
from neurosim.errors import ConfigError

__all__ = [
    "SECTIONS", "Config", "all_section_paths", "discover_members", "register_section", "register_section_discovery",
    "registered_section_type", "unregister_section",
]


@dataclass(frozen=True)
class Config:
    """The whole run: chip sections, experiment sections, and the registered sections.

    The core sections are attributes (``config.network``); a section that a task
    or a neuron model registers (:func:`register_section`, e.g. ``[reservoir]``
    or ``[network.lif]``) is read with :meth:`section` and holds its defaults
    until a TOML file or ``--set`` changes it.
    """

    chip: ChipInfo = field(default_factory=ChipInfo)
    device: DeviceConfig = field(default_factory=DeviceConfig)
    crossbar: CrossbarConfig = field(default_factory=CrossbarConfig)
    energy: EnergyConfig = field(default_factory=EnergyConfig)
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    input: InputConfig = field(default_factory=InputConfig)
    readout: ReadoutConfig = field(default_factory=ReadoutConfig)
    run: RunConfig = field(default_factory=RunConfig)
    registered: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    def set(self, values: dict[str, Any] | None = None, /, **keys: Any) -> Config:
        """A copy with dotted keys changed, validated like a TOML file or ``--set``.

        ``config.set({"network.neurons": 500, "network.lif.tau_m": 0.02})`` or, for keys that are
        Python names within one level, ``config.set(**{"run.seed": 3})``. Unknown keys and
        out-of-range values raise :class:`ConfigError` naming the key; ``self`` is unchanged.
        """
        merged = {**(values or {}), **keys}
        nested: dict[str, Any] = {}
        for key, value in merged.items():
            *path, name = key.split(".")
            if not path:
                raise ConfigError(f"Config.set: {key!r} is not section.key (e.g. 'network.neurons')")
            node = nested
            for part in path:
                node = node.setdefault(part, {})
            node[name] = value
        from neurosim.config.loading import (  # loading builds on this module
            apply_mapping,
            validate,
        )

        return validate(apply_mapping(self, nested, "Config.set"))

    def section(self, path: str) -> Any:
        """The values of section ``path`` (``"network"``, ``"reservoir"``, ``"network.lif"``)."""
        if path in SECTIONS:
            return getattr(self, path)
        for name, values in self.registered:
            if name == path:
                return values
        return registered_section_type(path)()


SECTIONS: tuple[str, ...] = tuple(f.name for f in fields(Config) if f.name != "registered")

#: Sections added by tasks and neuron models: dotted path → frozen dataclass of :func:`param` fields.
_REGISTERED: dict[str, type] = {}


def register_section(path: str, values_type: type) -> None:
    r"""Add a config section that a task (``"reservoir"`` → ``[reservoir]``) or a neuron model
    (``"network.lif"`` → ``[network.lif]``) owns.

    ``values_type`` is a frozen dataclass whose fields are :func:`param`\ s (documented,
    unit, range); it may define ``check(self, config)`` for cross-key rules, called by
    :func:`validate`. Its keys are then loaded from TOML and ``--set``, validated,
    hashed, exported and listed in the config reference like the core sections.
    Registering the same path again with the same type is a no-op.
    """
    if not dataclasses.is_dataclass(values_type) or not values_type.__dataclass_params__.frozen:
        raise TypeError(f"section {path!r}: {values_type!r} must be a frozen dataclass")
    parent, _, name = path.rpartition(".")
    if not name or path in SECTIONS or (parent and parent not in SECTIONS):
        raise ValueError(f"section path {path!r}: a new top-level name, or '<core section>.<name>' "
                         f"(core sections: {', '.join(SECTIONS)})")
    if parent and name in {f.name for f in fields(getattr(Config(), parent))}:
        raise ValueError(f"section path {path!r} clashes with the key {path}")
    for f in fields(values_type):
        if "doc" not in f.metadata:
            raise TypeError(f"section {path!r}: field {f.name} needs param(...) documentation")
    known = _REGISTERED.get(path)
    if known is not None and known is not values_type:
        raise ValueError(f"config section {path!r} is already registered by {known.__qualname__}")
    _REGISTERED[path] = values_type


def unregister_section(path: str) -> None:
    """Remove a registered section (for tests and plugins that undo their registration)."""
    _REGISTERED.pop(path, None)


def registered_section_type(path: str) -> type:
    """The dataclass of registered section ``path``; :class:`ConfigError` naming the known ones if none."""
    _discover_sections()
    if path not in _REGISTERED:
        raise ConfigError(f"unknown config section [{path}]; known: {', '.join(all_section_paths())}")
    return _REGISTERED[path]


def all_section_paths() -> list[str]:
    """Every section path: the core ones in order, then the registered ones sorted."""
    _discover_sections()
    return [*SECTIONS, *sorted(_REGISTERED)]


#: Discovery hooks not yet run: each imports the modules that register sections.
_pending_discovery: list[Callable[[], None]] = []


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

