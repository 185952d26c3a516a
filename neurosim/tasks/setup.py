"""What every task starts with: the data as input spikes, the chip-programmed network, an engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.data import load_dataset
from neurosim.engines import get_engine
from neurosim.events import CenterCrop, EventBatch, SelectPolarity, bin_events
from neurosim.networks import LSM, build_lsm
from neurosim.progress import Progress


@dataclass(frozen=True)
class TaskSetup:
    """``raster`` is bool ``[samples, n_bins, inputs]``; ``network`` is programmed on the chip."""

    batch: EventBatch
    raster: np.ndarray
    network: LSM
    engine: object


def input_raster(config: Config, batch: EventBatch) -> np.ndarray:
    """The reservoir's input spikes, bool ``[samples, n_bins, channels]``.

    Applies the ``[input]`` section (polarity, centre crop) and bins each
    sample's events; a channel that saw one or more events in a bin spikes once.
    """
    polarity = None if config.input.polarity < 0 else config.input.polarity
    batch = CenterCrop(config.input.crop)(SelectPolarity(polarity)(batch))
    return bin_events(batch, config.input.n_bins) > 0


def set_up(config: Config, engine: str = "auto", data_dir: Path | None = None,
           progress: Progress | None = None) -> TaskSetup:
    """Load ``run.dataset`` (``run.samples`` of it, ``run.skip_corrupt``), bin it, program the
    network into the chip from the run seed's ``chip`` stream, and pick the engine."""
    progress = progress or Progress(enabled=False)
    batch = load_dataset(config.run.dataset, data_dir=data_dir,
                         n_samples=config.run.samples or None, seed=config.run.seed,
                         progress=progress.stage(f"loading {config.run.dataset}"),
                         skip_corrupt=config.run.skip_corrupt)
    raster = input_raster(config, batch)
    network = build_lsm(config, raster.shape[2], seeds.rng(config.run.seed, "chip"))
    return TaskSetup(batch, raster, network, get_engine(engine, network=network))
