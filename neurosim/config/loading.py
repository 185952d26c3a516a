"""Loading a config: TOML files, ``--set`` overrides, chip presets (values are set and validated by
:func:`~neurosim.config.sections.apply_mapping` and :func:`~neurosim.config.sections.validate`).

:func:`load_config` layers defaults ← chip preset ← the dataset's recommended settings ←
experiment file ← ``--set`` and validates the result. The recommended settings come from
providers that a higher layer installs (:func:`register_recommendations`;
:mod:`neurosim.plugins` installs the dataset registry's), so this layer imports nothing
above it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neurosim.config.chip import CHIP_SECTIONS
from neurosim.config.sections import Config, apply_mapping, validate
from neurosim.errors import ConfigError

__all__ = ["DEFAULT_CHIP", "apply_mapping", "dataset_recommendations", "list_chips", "load_config", "load_toml",
           "parse_override", "presets_dir", "register_recommendations", "register_task_settings", "resolve_chip",
           "task_recommendations", "validate"]

#: The chip preset a run uses when none is named (the CLI's ``--chip`` default, a sweep's ``chip``).
DEFAULT_CHIP = "rram-40nm-256kb"


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
