"""Programming: multi-level write-verify with a programming error.

A target conductance is first rounded to the nearest of ``levels`` equally
spaced levels in [g_min, g_max] (``levels = 0``: continuous). Each programming
pulse then leaves the device at ``target + Normal(0, std)``; write-verify reads
it back and re-pulses until ``|G − target| <= tolerance`` or ``max_pulses``
pulses were spent (then the last value stays). ``tolerance = 0`` means one
pulse and no verify. The pulse count is returned for the programming energy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WriteVerify:
    """Write-verify programming onto ``levels`` levels (S)."""

    g_min: float
    g_max: float
    levels: int = 0
    std: float = 0.0
    tolerance: float = 0.0
    max_pulses: int = 20

    def quantize(self, target: np.ndarray) -> np.ndarray:
        """The level each target is programmed to (S)."""
        target = np.clip(target, self.g_min, self.g_max)
        if self.levels < 2:
            return target
        step = (self.g_max - self.g_min) / (self.levels - 1)
        return self.g_min + np.round((target - self.g_min) / step) * step

    def program(self, target: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        """Programmed conductances (S, clipped to the window) and the total pulse count."""
        level = self.quantize(np.asarray(target, dtype=np.float64))
        if self.std == 0.0:
            return level.copy(), int(level.size)
        g = level + rng.normal(0.0, self.std, size=level.shape)
        pulses = level.size
        if self.tolerance > 0.0:
            redo = np.abs(g - level) > self.tolerance
            for _ in range(self.max_pulses - 1):
                n = int(redo.sum())
                if n == 0:
                    break
                g[redo] = level[redo] + rng.normal(0.0, self.std, size=n)
                pulses += n
                redo[redo] = np.abs(g[redo] - level[redo]) > self.tolerance
        return np.clip(g, self.g_min, self.g_max), int(pulses)
