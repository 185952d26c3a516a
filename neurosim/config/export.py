"""A config as data: plain dicts, hashes, TOML text and the docs' config reference table."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from neurosim.config.chip import CHIP_SECTIONS
from neurosim.config.fields import field_choices
from neurosim.config.sections import SECTIONS, Config, all_section_paths
from neurosim.errors import ConfigError

__all__ = ["FILE_KEYS", "chip_hash", "config_hash", "file_digests", "hashed_dict", "in_use", "reference_markdown",
           "reference_rows", "to_dict", "to_toml"]


def to_dict(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Nested plain dict of the config (all sections, or the top-level ones named).

    Registered subsections nest inside their core section (``d["network"]["lif"]``);
    registered top-level sections sit beside the core ones (``d["reservoir"]``).
    """
    full = {name: dataclasses.asdict(getattr(config, name)) for name in SECTIONS}
    for path in all_section_paths()[len(SECTIONS):]:
        parent, _, name = path.rpartition(".")
        (full[parent] if parent else full)[name] = dataclasses.asdict(config.section(path))
    return {k: v for k, v in full.items() if sections is None or k in sections}


# Keys whose value names a file the run reads: hashes cover the file's bytes, not only its path.
FILE_KEYS = ("device.conductance_file",)


def file_digests(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, str]:
    """sha256 (hex) of the contents of each file named by a set :data:`FILE_KEYS` key.

    Only keys of ``sections`` (all when None) count. Paths resolve relative to the
    current folder, as the loaders read them; a missing file is a
    :class:`ConfigError` naming the key and the path.
    """
    digests = {}
    for key in FILE_KEYS:
        section, _, name = key.partition(".")
        path = getattr(getattr(config, section), name)
        if path and (sections is None or section in sections):
            digests[key] = _file_sha256(key, Path(path))
    return digests


def _file_sha256(key: str, path: Path) -> str:
    """sha256 (hex) of the bytes of ``path``, the file config key ``key`` names."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ConfigError(f"{key} {path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{key} {path}: cannot read it: {exc.strerror or exc}") from None


def hashed_dict(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, Any]:
    """What a hash of the config covers: :func:`to_dict` without the registered subsections
    that are not in use (:func:`in_use`), plus ``"file_sha256"`` (:func:`file_digests`) when a
    section names a file."""
    data: dict[str, Any] = to_dict(config, sections)
    for path in all_section_paths()[len(SECTIONS):]:
        parent, _, name = path.rpartition(".")
        if parent in data and not in_use(config, path):
            del data[parent][name]
    digests = file_digests(config, sections)
    if digests:
        data["file_sha256"] = digests
    return data


def in_use(config: Config, path: str) -> bool:
    """Whether registered section ``path`` can change a run.

    A subsection of a core section that picks a ``model`` (``[network.lif]`` under
    ``network.model``) is in use only for the model picked; every other section is.
    So adding a neuron-model plugin, or changing an unused model's key, leaves hashes
    and run ids unchanged.
    """
    parent, _, name = path.rpartition(".")
    picked = getattr(config.section(parent), "model", None) if parent else None
    return picked is None or picked == name


def config_hash(config: Config, sections: tuple[str, ...] | None = None) -> str:
    """Stable 16-hex-digit hash of the config (or of some sections of it).

    Computed from canonical JSON (sorted keys, repr-exact floats) of
    :func:`hashed_dict`, so it changes exactly when a value changes, whatever the
    order of keys in the TOML file, and when a file a key names changes its bytes.
    """
    text = json.dumps(hashed_dict(config, sections), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chip_hash(config: Config) -> str:
    """Hash of the chip sections only: equal for the same chip whatever the experiment."""
    return config_hash(config, CHIP_SECTIONS)


def to_toml(config: Config, sections: tuple[str, ...] | None = None) -> str:
    """The config (or some sections) as TOML text that :func:`apply_mapping` loads back unchanged."""
    lines: list[str] = []

    def table(path: str, values: dict[str, Any]) -> None:
        lines.append(f"[{path}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items() if not isinstance(v, dict))
        lines.append("")
        for k, v in values.items():
            if isinstance(v, dict):
                table(f"{path}.{k}", v)

    for section, values in to_dict(config, sections).items():
        table(section, values)
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def reference_markdown() -> str:
    """The config reference table (Markdown) of docs/reference/config.md, generated from the field metadata."""
    lines = ["| key | default | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for key, default, unit, allowed, doc in reference_rows():
        lines.append(f"| `{key}` | `{default}` | {unit} | {allowed} | {doc} |")
    return "\n".join(lines)


def reference_rows() -> list[tuple[str, str, str, str, str]]:
    """(key, default, unit, allowed, doc) for every config key: the docs' config reference table."""
    rows = []
    default = Config()
    for path in all_section_paths():
        values = default.section(path)
        for f in fields(values):
            meta = f.metadata
            choices = field_choices(f)
            if choices:
                allowed = " | ".join(_toml_value(c) if isinstance(c, bool) else str(c) for c in choices)
            elif meta.get("lo") is not None:
                allowed = f"{meta['lo']:g} … {meta['hi']:g}"
            else:
                allowed = "text"
            rows.append((f"{path}.{f.name}", repr(getattr(values, f.name)),
                         meta.get("unit", ""), allowed, meta["doc"]))
    return rows
