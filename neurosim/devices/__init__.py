"""Memory devices that store weights as conductances, built from named components.

``build_device(config.device)`` composes the enabled components: forming
(:class:`NormalForming` or a measured :class:`MeasuredForming`), write-verify
programming (:class:`WriteVerify`), :class:`ReadNoise`, :class:`PowerLawDrift`,
:class:`StuckAtFaults` and :class:`LinearTemperature`.
"""

from neurosim.devices.drift import PowerLawDrift
from neurosim.devices.faults import StuckAtFaults
from neurosim.devices.forming import MeasuredForming, NormalForming, read_conductances
from neurosim.devices.model import DeviceModel, DeviceState, build_device
from neurosim.devices.programming import WriteVerify
from neurosim.devices.read_noise import ReadNoise
from neurosim.devices.temperature import LinearTemperature

__all__ = ["DeviceModel", "DeviceState", "LinearTemperature", "MeasuredForming", "NormalForming",
           "PowerLawDrift", "ReadNoise", "StuckAtFaults", "WriteVerify", "build_device",
           "read_conductances"]
