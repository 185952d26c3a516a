"""What a prediction run produced: per seed, each experiment's trials and its hook (outputs,
weights, counters), and the run as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from neurosim.config import Config
from neurosim.learning.what_when import WhatWhenHook
from neurosim.tasks.prediction.settings import PredictionSettings

__all__ = ["PredictionResult", "SeedRun"]


@dataclass
class SeedRun:
    """One seed's outputs: per experiment, the trials and the hook (outputs, weights, counters)."""

    seed: int
    sweep: tuple[list, WhatWhenHook] | None = None
    switch: dict[str, tuple[list, WhatWhenHook]] = field(default_factory=dict)
    ops: object = None
    trials_run: int = 0
    features: int = 0


@dataclass
class PredictionResult:
    config: Config
    settings: PredictionSettings
    engine: str
    runs: list
    bins: int
    energy: object
    on_chip: bool
    neurons: int
