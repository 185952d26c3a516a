"""What an engine returns: the reservoir's spikes for a batch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activity:
    """Spikes of a batch: ``spike_raster`` is bool ``[samples, bins, neurons]``."""

    spike_raster: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Spikes per neuron per sample (int64, ``[samples, neurons]``): the LSM feature."""
        return self.spike_raster.sum(axis=1, dtype=np.int64)
