"""What an engine returns: the reservoir's spikes (and optional membrane traces) for a batch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import EngineError
from neurosim.events.binning import window_sums


@dataclass(frozen=True)
class Activity:
    """Spikes of a batch: ``spike_raster`` is bool ``[samples, bins, neurons]`` (one step per bin).

    ``traces``: float64 ``[samples, bins, recorded neurons]`` membrane potential of
    the first recorded neurons at the end of each bin's step (membrane units, mV
    for Izhikevich), or ``None`` when traces were not asked for.
    """

    spike_raster: np.ndarray
    traces: np.ndarray | None = None

    @property
    def counts(self) -> np.ndarray:
        """Spikes per neuron per sample (int64, ``[samples, neurons]``): the LSM feature."""
        return self.spike_raster.sum(axis=1, dtype=np.int64)

    def window_counts(self, n_windows: int) -> np.ndarray:
        """Spikes per neuron in ``n_windows`` consecutive time windows (int64, ``[samples, n_windows, neurons]``).

        The bins are split as evenly as possible (``numpy.array_split``: the first
        ``bins % n_windows`` windows get one bin more); the windows sum to :attr:`counts`.
        """
        return window_sums(self.spike_raster, n_windows)


def run_noise_seed(noise_seed: int | None, first_sample: int) -> int | None:
    """Seed of the per-step read noise of a run whose first sample has position ``first_sample``
    in a longer stream of samples: ``noise_seed`` itself at 0, else a child stream of it, so that
    the chunks of a streamed dataset never repeat each other's noise."""
    if noise_seed is None or first_sample == 0:
        return noise_seed
    return int(np.random.SeedSequence(noise_seed, spawn_key=(int(first_sample),)).generate_state(1)[0])


def check_input_raster(raster, n_inputs: int) -> np.ndarray:
    """The input raster as a numpy array, checked: bool-like ``[samples, bins, inputs]`` with
    ``inputs == n_inputs`` (the network's input count), else :class:`EngineError`."""
    raster = np.asarray(raster)
    if raster.ndim != 3:
        raise EngineError(f"input raster must be [samples, bins, inputs], got shape {raster.shape}")
    if raster.shape[2] != n_inputs:
        raise EngineError(f"input raster has {raster.shape[2]} channels, the network {n_inputs} inputs")
    return raster
