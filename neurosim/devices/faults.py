"""Stuck-at faults: devices that hold g_min or g_max whatever they are programmed to.

Each device is independently stuck at g_min with probability ``p_min``, at
g_max with probability ``p_max``, and works otherwise. The fault map is drawn
once per chip (a device-to-device property) as int8: -1 stuck at g_min,
+1 stuck at g_max, 0 working.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StuckAtFaults:
    """Fractions of devices stuck at g_min and at g_max."""

    p_min: float
    p_max: float

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        u = rng.random(size=shape)
        mask = np.zeros(shape, dtype=np.int8)
        mask[u < self.p_min] = -1
        mask[(u >= self.p_min) & (u < self.p_min + self.p_max)] = 1
        return mask

    @staticmethod
    def apply(g: np.ndarray, mask: np.ndarray, g_min: float, g_max: float) -> np.ndarray:
        """``g`` with the stuck devices replaced by g_min or g_max (S)."""
        return np.where(mask < 0, g_min, np.where(mask > 0, g_max, g))
