"""RRAM conductances produced by stochastic electroforming (the LSM's random weights).

Lin et al. (Nat. Comput. Sci. 2025) use the randomness of electroforming as the
random weights of a reservoir: after forming, each 1T1R cell holds a random
conductance, Normal(forming_mean, forming_std) clipped to [g_min, g_max], or
drawn from a measured distribution (``device.conductance_file``). The other
device effects are components of :class:`neurosim.devices.DeviceModel`.
"""

from __future__ import annotations

import numpy as np

from neurosim.config import DeviceConfig
from neurosim.devices.model import build_device


def form_conductances(device: DeviceConfig, shape: tuple[int, ...],
                      rng: np.random.Generator) -> np.ndarray:
    """Conductances (S, float64, ``shape``) of freshly formed devices.

    Values outside [g_min, g_max] are clipped, as a device cannot hold them.
    """
    return build_device(device).form(shape, rng)[0]
