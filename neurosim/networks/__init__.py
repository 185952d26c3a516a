"""Spiking networks (reservoirs) whose weights come from a programmed chip.

:func:`build_lsm` turns the ``[network]`` section into an :class:`LSM` spec:
discrete-time LIF (Lin et al. 2025), continuous LIF or Izhikevich (2003)
neurons, random or distance-based connectivity, optional Dale's law and
per-transmission read noise.
"""

from neurosim.networks.izhikevich import IzhikevichParams, izhikevich_params
from neurosim.networks.lsm import LSM, LIFParams, SynapseParams, build_lsm

__all__ = ["LSM", "LIFParams", "SynapseParams", "IzhikevichParams", "build_lsm", "izhikevich_params"]
