"""The config field helper: a dataclass field carrying its documentation, unit and allowed range."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import field
from typing import Any

__all__ = ["field_choices", "param"]


def param(default: Any, doc: str, unit: str = "", lo: float | None = None,
          hi: float | None = None, choices: tuple | Callable[[], tuple] | None = None) -> Any:
    """A config field with its documentation, unit and allowed range (inclusive).

    ``choices``: the allowed values, or a function returning them (for a registry, e.g. the
    neuron models, read when the config is validated or documented).
    """
    return field(default=default,
                 metadata={"doc": doc, "unit": unit, "lo": lo, "hi": hi, "choices": choices})


def field_choices(f: dataclasses.Field) -> tuple | None:
    """The allowed values of config field ``f`` (calling its ``choices`` function if it has one)."""
    choices = f.metadata.get("choices")
    return choices() if callable(choices) else choices
