"""Memory devices that store weights as conductances."""

from neurosim.devices.rram import form_conductances

__all__ = ["form_conductances"]
