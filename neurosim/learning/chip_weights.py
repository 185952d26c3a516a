"""Readout weights stored on the crossbar: reads with the device's noise, updates as programming pulses.

A weight ``w ∈ [−w_max, w_max]`` is a differential conductance pair programmed onto
``levels`` evenly spaced values (step ``Δ = 2 w_max / (levels − 1)``). An update ``Δw``
moves it by ``round_stochastic(Δw / Δ)`` levels (stochastic rounding, the usual way on-chip
learning keeps updates smaller than one level unbiased: Gupta et al., ICML 2015), each
level one programming pulse, each pulse adding a write error ``N(0, program_std)`` (in
weight units); weights saturate at ``±w_max``. A read returns ``w (1 + σ_read N(0, 1))``.
``pulses_`` and ``updates_`` count what learning cost; ``reads_`` the reads.

``levels = 0`` means an ideal float store (exact reads, updates applied as they are,
no pulses): what a digital readout does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ChipWeights"]


class ChipWeights:
    """A ``shape`` weight array on the chip (see the module docstring); draws from ``rng``."""

    def __init__(self, shape: tuple[int, ...], rng: np.random.Generator, levels: int = 0, w_max: float = 1.0,
                 read_noise: float = 0.0, program_std: float = 0.0):
        if levels == 1 or levels < 0:
            raise ValueError(f"levels must be 0 (ideal) or >= 2, got {levels}")
        self.w = np.zeros(shape)
        self.rng = rng
        self.levels = int(levels)
        self.w_max = float(w_max)
        self.step = 2.0 * self.w_max / (self.levels - 1) if self.levels else 0.0
        self.read_noise = float(read_noise)
        self.program_std = float(program_std)
        self.pulses_ = 0
        self.updates_ = 0
        self.reads_ = 0

    def read(self) -> np.ndarray:
        """The weights as the array reads them now (a fresh read-noise draw when ``read_noise > 0``)."""
        self.reads_ += 1
        if self.read_noise > 0:
            return self.w * (1.0 + self.read_noise * self.rng.standard_normal(self.w.shape))
        return self.w

    def update(self, dw: np.ndarray) -> None:
        """Apply the change ``dw`` (same shape; zeros are not programmed)."""
        nz = dw != 0
        n = int(np.count_nonzero(nz))
        if n == 0:
            return
        self.updates_ += n
        if not self.levels:
            self.w += dw
            return
        q = np.floor(dw[nz] / self.step + self.rng.random(n))
        pulses = np.abs(q)
        self.pulses_ += int(pulses.sum())
        new = self.w[nz] + q * self.step
        if self.program_std > 0:
            new = new + self.program_std * np.sqrt(pulses) * self.rng.standard_normal(n)
        self.w[nz] = np.clip(new, -self.w_max, self.w_max)
