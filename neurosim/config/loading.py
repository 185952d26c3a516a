"""Loading a config: TOML files, ``--set`` overrides, validation, chip presets.

:func:`load_config` layers defaults ← chip preset ← the dataset's recommended settings ←
experiment file ← ``--set`` and validates the result. The recommended settings come from
providers that a higher layer installs (:func:`register_recommendations`;
:mod:`neurosim.plugins` installs the dataset registry's), so this layer imports nothing
above it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from neurosim.config.chip import CHIP_SECTIONS
from neurosim.config.fields import field_choices
from neurosim.config.sections import (
    _REGISTERED,
    SECTIONS,
    Config,
    _discover_sections,
    all_section_paths,
    registered_section_type,
)
from neurosim.errors import ConfigError

__all__ = ["DEFAULT_CHIP", "apply_mapping", "dataset_recommendations", "list_chips", "load_config", "load_toml",
           "parse_override", "presets_dir", "register_recommendations", "register_task_settings", "resolve_chip",
           "task_recommendations", "validate"]

#: The chip preset a run uses when none is named (the CLI's ``--chip`` default, a sweep's ``chip``).
DEFAULT_CHIP = "rram-40nm-256kb"


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


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file into a dict, with errors that name the file."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; expected a TOML file (e.g. experiment.toml)")
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start}); TOML files must be UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def parse_override(text: str) -> dict[str, Any]:
    """Turn ``section.key=value`` into ``{section: {key: value}}``.

    The value is read as a TOML value (``1e-6``, ``true``, ``"x"``); anything that
    is not valid TOML is taken as a plain string, so ``chip.name=my-chip`` works.
    A registered subsection is one more level: ``network.lif.tau_m=0.02``.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or "." not in key:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. network.neurons=1000")
    if not raw.strip():
        raise ConfigError(f"--set {text!r}: no value after '='; an empty string is written {key}=\"\" "
                          f"(quoted for the shell: --set '{key}=\"\"')")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    *path, name = key.split(".")
    nested: dict[str, Any] = {name: value}
    for part in reversed(path):
        nested = {part: nested}
    return nested


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


# --------------------------------------------------------------------------- presets

def presets_dir() -> Path:
    """Folder of the chip presets shipped with the package (``hardware_models/``).

    An installed package carries them as ``neurosim/hardware_models``; a source
    checkout has them at the top level, beside ``neurosim/``.
    """
    package = Path(__file__).resolve().parents[1]  # neurosim/
    installed = package / "hardware_models"
    if installed.is_dir():
        return installed
    return package.parent / "hardware_models"


def list_chips() -> list[str]:
    """Names of the shipped chip presets, sorted."""
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def resolve_chip(name_or_path: str) -> Path:
    """A preset name (``rram-40nm-256kb``) or a path to a chip TOML file → its path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        if candidate.is_dir():
            raise ConfigError(f"--chip {name_or_path}: is a folder; expected a chip .toml file or a "
                              f"preset name ({', '.join(list_chips())})")
        if not candidate.is_file():
            raise ConfigError(f"--chip {name_or_path}: no such file")
        return candidate
    preset = presets_dir() / f"{name_or_path}.toml"
    if not preset.is_file():
        raise ConfigError(f"--chip {name_or_path}: unknown chip; presets are "
                          f"{', '.join(list_chips())}, or give a path to a .toml file")
    return preset


def load_config(chip: str = DEFAULT_CHIP, config_file: Path | None = None,
                overrides: list[str] = (), skip_tables: tuple[str, ...] = (), task: str | None = None) -> Config:
    """Build and validate the run's config.

    Order: defaults ← chip file (chip sections only) ← the settings the dataset recommends
    (:func:`dataset_recommendations`, for the dataset the later layers name) ← the settings
    ``task`` declares it runs with (:func:`task_recommendations`; none when ``task`` is None) ←
    experiment file ← ``--set``. ``skip_tables``: top-level tables of the experiment file that
    are not config sections (a sweep file's ``[sweep]``), left out.
    """
    chip_path = resolve_chip(chip)
    chip_data = load_toml(chip_path)
    stray = set(chip_data) - set(CHIP_SECTIONS)
    if stray:
        raise ConfigError(f"{chip_path}: a chip file holds only {', '.join(CHIP_SECTIONS)}; "
                          f"found [{', '.join(sorted(stray))}]")
    chip_config = apply_mapping(Config(), chip_data, str(chip_path))
    layers = []
    if config_file is not None:
        layers.append(({k: v for k, v in load_toml(config_file).items() if k not in skip_tables},
                       str(config_file)))
    layers += [(parse_override(text), f"--set {text}") for text in overrides]
    config = _applied(chip_config, layers)
    under = [(dataset_recommendations(config.run.dataset), f"dataset {config.run.dataset!r}'s recommended settings")]
    if task is not None:
        under.append((task_recommendations(task), f"task {task!r}'s settings"))
    under = [(data, where) for data, where in under if data]
    if under:  # under the layers: a file or --set that names a key wins
        config = _applied(_applied(chip_config, under), layers)
    return validate(config)


def _applied(config: Config, layers: list[tuple[dict, str]]) -> Config:
    for data, where in layers:
        config = apply_mapping(config, data, where)
    return config


#: Functions ``name -> {"section.key": value}`` giving the settings dataset ``name`` recommends.
_recommenders: list[Callable[[str], dict[str, Any]]] = []


def register_recommendations(provider: Callable[[str], dict[str, Any]]) -> None:
    """Install ``provider(dataset_name) -> {"section.key": value}``: the settings a dataset
    recommends, applied by :func:`load_config` under the experiment file and ``--set``.

    The dataset registry lives above this layer; :mod:`neurosim.plugins` installs its
    ``recommended_settings`` here when ``neurosim`` is imported. Installing the same
    provider again is a no-op.
    """
    if provider not in _recommenders:
        _recommenders.append(provider)


def dataset_recommendations(name: str) -> dict[str, Any]:
    """The settings dataset ``name`` recommends as a nested ``{section: {key: value}}`` mapping
    ({} for none or an unknown dataset), from every installed provider (a later one wins)."""
    return _nested(_recommenders, name)


#: Functions ``name -> {"section.key": value}`` giving the settings task ``name`` runs with.
_task_providers: list[Callable[[str], dict[str, Any]]] = []


def register_task_settings(provider: Callable[[str], dict[str, Any]]) -> None:
    """Install ``provider(task_name) -> {"section.key": value}``: the settings a task declares it
    runs with (``Task.needs``), applied by :func:`load_config` under the experiment file and
    ``--set``. :mod:`neurosim.plugins` installs the task registry's; installing it again is a no-op."""
    if provider not in _task_providers:
        _task_providers.append(provider)


def task_recommendations(name: str) -> dict[str, Any]:
    """The settings task ``name`` declares, as a nested ``{section: {key: value}}`` mapping."""
    return _nested(_task_providers, name)


def _nested(providers: list[Callable[[str], dict[str, Any]]], name: str) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for provider in providers:
        for key, value in provider(name).items():
            *path, last = key.split(".")
            node = nested
            for part in path:
                node = node.setdefault(part, {})
            node[last] = value
    return nested
