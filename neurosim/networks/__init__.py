"""Spiking networks (reservoirs) whose weights come from a programmed chip."""

from neurosim.networks.lsm import LSM, build_lsm

__all__ = ["LSM", "build_lsm"]
