"""Configuration: a tree of frozen dataclasses loaded from TOML.

A run is described by one :class:`Config` with one section per concern. A chip
preset (``hardware_models/*.toml``) fills the chip sections (``chip``, ``device``,
``crossbar``, ``energy``, ``baseline``); the settings the run's dataset recommends, an
optional experiment file and ``--set section.key=value`` overrides fill the rest. Units are SI throughout
(S, V, s, J, W); every field documents its unit and its allowed range in its
metadata, which :func:`validate` enforces and the docs' config reference (docs/reference/config.md) lists.

The package is the bottom layer: it imports nothing of ``neurosim`` but
:mod:`neurosim.errors`. Its modules: :mod:`~neurosim.config.fields` (the field helper),
:mod:`~neurosim.config.chip` and :mod:`~neurosim.config.experiment` (the core sections),
:mod:`~neurosim.config.registry` (the store of registered sections and its discovery, the bottom),
:mod:`~neurosim.config.sections` (:class:`Config`, registering sections, setting and validating values),
:mod:`~neurosim.config.loading` (TOML, ``--set``, presets) and
:mod:`~neurosim.config.export` (dicts, hashes, TOML text, the reference table).
"""

from neurosim.config.chip import (
    CHIP_SECTIONS,
    RESISTIVE_KINDS,
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
    network_models,
)
from neurosim.config.export import (
    FILE_KEYS,
    _toml_value,  # noqa: F401 (imported from here by neurosim.sweep.spec)
    chip_hash,
    config_hash,
    file_digests,
    hashed_dict,
    in_use,
    reference_markdown,
    reference_rows,
    to_dict,
    to_toml,
)
from neurosim.config.fields import field_choices, param
from neurosim.config.loading import (
    DEFAULT_CHIP,
    dataset_recommendations,
    list_chips,
    load_config,
    load_toml,
    parse_override,
    presets_dir,
    register_recommendations,
    register_task_settings,
    resolve_chip,
    task_recommendations,
)
from neurosim.config.registry import (
    _discover_sections,  # noqa: F401 (imported from here by tests)
    discover_members,
    register_section_discovery,
)
from neurosim.config.sections import (
    SECTIONS,
    Config,
    all_section_paths,
    apply_mapping,
    register_section,
    registered_section_type,
    unregister_section,
    validate,
)
from neurosim.errors import ConfigError

__all__ = [
    "CHIP_SECTIONS", "DEFAULT_CHIP", "FILE_KEYS", "RESISTIVE_KINDS", "SECTIONS", "discover_members",
    "BaselineConfig", "ChipInfo", "Config", "ConfigError", "CrossbarConfig", "DeviceConfig", "EnergyConfig",
    "InputConfig", "NetworkConfig", "ReadoutConfig", "RunConfig", "all_section_paths", "apply_mapping", "chip_hash",
    "config_hash", "dataset_recommendations", "field_choices", "file_digests", "hashed_dict", "in_use",
    "list_chips", "load_config", "load_toml", "network_models", "param", "parse_override", "presets_dir",
    "reference_markdown", "reference_rows", "register_recommendations", "register_section",
    "register_section_discovery", "register_task_settings", "registered_section_type", "resolve_chip",
    "task_recommendations", "to_dict", "to_toml",
    "unregister_section", "validate",
]
