"""RRAM device model: conductances produced by stochastic electroforming.

Lin et al. (Nat. Comput. Sci. 2025) use the randomness of electroforming as the
random weights of a reservoir: after forming, each 1T1R cell holds a random
conductance. Here that conductance is Normal(forming_mean, forming_std), clipped
to the device's window [g_min, g_max]. A later issue adds write-verify levels,
read noise, drift, faults and temperature as further named components.
"""

from __future__ import annotations

import numpy as np

from neurosim.config import DeviceConfig


def form_conductances(device: DeviceConfig, shape: tuple[int, ...],
                      rng: np.random.Generator) -> np.ndarray:
    """Conductances (S, float64, ``shape``) of freshly formed devices.

    Values outside [g_min, g_max] are clipped, as a device cannot hold them.
    """
    g = rng.normal(device.forming_mean, device.forming_std, size=shape)
    return np.clip(g, device.g_min, device.g_max)
