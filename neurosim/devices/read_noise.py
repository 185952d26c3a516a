"""Read noise: cycle-to-cycle conductance fluctuation, drawn on every read.

Each read sees ``G · (1 + std · N(0, 1))``, independently per device and per
read. For a column sum ``Σ_i x_i G_i`` this is the same in distribution as
adding ``Normal(0, std · sqrt(Σ_i (x_i G_i)²))`` to the sum, which
:meth:`ReadNoise.column_std` gives without drawing one number per device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReadNoise:
    """Relative read noise ``std`` (dimensionless)."""

    std: float

    def apply(self, g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One noisy read of every device (S, same shape, never negative)."""
        return np.maximum(g * (1.0 + self.std * rng.standard_normal(g.shape)), 0.0)

    def column_std(self, x: np.ndarray, g_squared: np.ndarray) -> np.ndarray:
        """Std of the column sums ``x @ G`` under read noise.

        ``x`` is ``[batch, rows]`` (input amplitudes), ``g_squared`` is ``G²``
        (``[rows, cols]``); returns ``[batch, cols]`` in the units of ``x @ G``.
        """
        return self.std * np.sqrt((x * x) @ g_squared)
