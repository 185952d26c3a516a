"""The whole config: its sections, registering more, and setting and validating values.

:class:`Config` holds the core sections as attributes and the sections that tasks and
neuron models register (:func:`register_section`; stored in :mod:`neurosim.config.registry`,
which also runs the discovery that imports them) by dotted path. :func:`apply_mapping` sets
values from a nested mapping (a TOML file, ``--set``, :meth:`Config.set`) and :func:`validate`
checks every value; both live here, with :class:`Config`, so that :meth:`Config.set` needs no
module above this one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace
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
from neurosim.config.fields import field_choices
from neurosim.config.registry import _REGISTERED, _discover_sections, registered_paths
from neurosim.errors import ConfigError

__all__ = [
    "SECTIONS", "Config", "all_section_paths", "apply_mapping", "register_section", "registered_section_type",
    "unregister_section", "validate",
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
    return [*SECTIONS, *registered_paths()]


def _coerce(section: str, key: str, value: Any, ftype: str | type, where: str) -> Any:
    """Check one TOML value against a field's type; ints are accepted for floats.

    ``ftype`` is the field's annotation: a string under ``from __future__ import annotations``,
    else the class itself (a plugin's module may use either).
    """
    name = f"{section}.{key}"
    ftype = ftype if isinstance(ftype, str) else ftype.__name__
    if ftype == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {name} must be a number, got {value!r}")
        return float(value)
    if ftype == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"{where}: {name} must be a whole number, got {value!r}")
        return value
    if ftype == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {name} must be true or false, got {value!r}")
        return value
    if ftype == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name} must be a string, got {value!r}")
        return value
    raise AssertionError(f"unsupported field type {ftype}")  # a bug in this module, not user input


def apply_mapping(config: Config, data: dict[str, Any], where: str) -> Config:
    """Return ``config`` with the values of a nested ``{section: {key: value}}`` mapping.

    A core section may hold registered subsections as nested tables
    (``{"network": {"lif": {"tau_m": 0.02}}}``, i.e. ``[network.lif]``); a registered
    top-level section (``[reservoir]``) sits beside the core ones. ``where`` names the
    origin (a file path, ``--set``) for error messages. Unknown sections and keys are
    errors that list what is allowed.
    """
    _discover_sections()
    updates: dict[str, Any] = {}
    registered = dict(config.registered)
    for section, values in data.items():
        if section in SECTIONS:
            sub = _subsection_tables(section, values, where)
            for name, table in sub.items():
                registered[f"{section}.{name}"] = _updated(config.section(f"{section}.{name}"), table,
                                                            f"{section}.{name}", where)
            updates[section] = _updated(getattr(config, section),
                                        {k: v for k, v in values.items() if k not in sub}, section, where)
        elif section in _REGISTERED:
            registered[section] = _updated(config.section(section), values, section, where)
        else:
            raise ConfigError(f"{where}: unknown section [{section}]; allowed: "
                              f"{', '.join(all_section_paths())}")
    # canonical form: a registered section at its defaults is not stored (so equal configs compare equal)
    explicit = {k: v for k, v in registered.items() if v != registered_section_type(k)()}
    return replace(config, **updates, registered=tuple(sorted(explicit.items())))


def _subsection_tables(section: str, values: Any, where: str) -> dict[str, dict]:
    """The tables inside core ``section`` that are registered subsections, by name."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: [{section}] must be a table of key = value pairs")
    return {k: v for k, v in values.items() if f"{section}.{k}" in _REGISTERED}


def _updated(current: Any, values: Any, path: str, where: str) -> Any:
    """``current`` (a section's dataclass) with ``values`` coerced onto its fields."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: [{path}] must be a table of key = value pairs")
    known = {f.name: f for f in fields(current)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            subs = [p.rpartition(".")[2] for p in _REGISTERED if p.startswith(path + ".")]
            allowed = [*known, *(f"[{path}.{s}]" for s in sorted(subs))]
            hint = _moved_key_hint(path, key)
            raise ConfigError(f"{where}: unknown key {path}.{key}{hint}; allowed: {', '.join(allowed)}")
        changes[key] = _coerce(path, key, value, known[key].type, where)
    return replace(current, **changes)


def _moved_key_hint(path: str, key: str) -> str:
    """`` (it is now network.lif.tau_m)``-style advice when ``key`` lives in a registered subsection
    of ``path``, else `` (did you mean classify.folds?)`` when a registered top-level section has it."""
    def homes(candidates: list[str]) -> str:
        return " or ".join(f"{p}.{key}" for p in sorted(candidates) if key in {f.name for f in fields(_REGISTERED[p])})

    inside = homes([p for p in _REGISTERED if p.startswith(path + ".")])
    if inside:
        return f" (it is now {inside})"
    elsewhere = homes([p for p in _REGISTERED if "." not in p and p != path])
    return f" (did you mean {elsewhere}?)" if elsewhere else ""


def validate(config: Config) -> Config:
    """Check every value against its allowed range and the cross-field rules.

    Returns the config unchanged, or raises :class:`ConfigError` naming the key,
    the value and what is allowed.
    """
    for path in all_section_paths():
        values = config.section(path)
        for f in fields(values):
            value = getattr(values, f.name)
            meta = f.metadata
            name = f"{path}.{f.name}"
            unit = f" {meta['unit']}" if meta.get("unit") else ""
            choices = field_choices(f)
            if choices and value not in choices:
                raise ConfigError(f"{name} = {value!r} is not allowed; choose one of "
                                  f"{', '.join(map(repr, choices))}")
            lo, hi = meta.get("lo"), meta.get("hi")
            if lo is not None and not (lo <= value <= hi):
                raise ConfigError(f"{name} = {value!r}{unit} is out of range: "
                                  f"expected {lo:g} ≤ {f.name} ≤ {hi:g}{unit}")
    for path in SECTIONS:  # cross-key rules of the core sections, then the registered ones
        check = getattr(getattr(config, path), "check", None)
        if check is not None:
            check()
    for path in sorted(_REGISTERED):
        check = getattr(config.section(path), "check", None)
        if check is not None:
            check(config)
    return config
