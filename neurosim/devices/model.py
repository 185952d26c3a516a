"""A resistive device (RRAM, PCM) composed of named components.

:func:`build_device` turns a ``[device]`` config into a :class:`DeviceModel`
whose components are each present only when their keys enable them (the
``ideal`` chip has none). The life of an array of devices:

1. ``form`` (random conductances, the LSM's random weights) or ``program``
   (write-verify to given targets): conductances ``g0`` and pulse counts;
2. ``sample_state``: the per-device properties drawn once per chip (drift
   exponents, stuck-at map) → a :class:`DeviceState`;
3. ``conductance(state, time, temperature)``: the deterministic conductance at
   read time (drift, temperature, faults applied);
4. ``read``: one noisy read (read noise, drawn on every read).

Every random draw takes an explicit ``numpy.random.Generator``; components that
are off draw nothing, so enabling one never changes another's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import RESISTIVE_KINDS, DeviceConfig
from neurosim.devices.drift import PowerLawDrift
from neurosim.devices.faults import StuckAtFaults
from neurosim.devices.forming import MeasuredForming, NormalForming
from neurosim.devices.programming import WriteVerify
from neurosim.devices.read_noise import ReadNoise
from neurosim.devices.temperature import LinearTemperature
from neurosim.errors import ConfigError


@dataclass(frozen=True)
class DeviceState:
    """An array of devices after programming.

    ``g0`` (S) are the programmed conductances; ``nu`` the drift exponents
    (None without drift); ``faults`` the stuck-at map (None without faults).
    """

    g0: np.ndarray
    nu: np.ndarray | None = None
    faults: np.ndarray | None = None


@dataclass(frozen=True)
class DeviceModel:
    """A resistive device: conductance window plus its enabled components."""

    g_min: float
    g_max: float
    forming: NormalForming | MeasuredForming | None
    programming: WriteVerify
    read_noise: ReadNoise | None = None
    drift: PowerLawDrift | None = None
    faults: StuckAtFaults | None = None
    temperature: LinearTemperature | None = None
    read_time: float = 1.0
    operating_temperature: float = 300.0

    def form(self, shape: tuple[int, ...], rng: np.random.Generator) -> tuple[np.ndarray, int]:
        """Formed conductances (S, ``shape``) and the forming pulses spent (one per device)."""
        if self.forming is None:
            raise ValueError("this device model was built without its forming component")
        g = self.forming.sample(shape, rng)
        return g, int(g.size)

    def program(self, target: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        """Conductances programmed towards ``target`` (S) and the write-verify pulses spent."""
        return self.programming.program(target, rng)

    def sample_state(self, g0: np.ndarray, rng: np.random.Generator) -> DeviceState:
        """Draw the per-device properties of a freshly programmed array."""
        nu = self.drift.sample_nu(g0.shape, rng) if self.drift is not None else None
        faults = self.faults.sample(g0.shape, rng) if self.faults is not None else None
        return DeviceState(g0, nu, faults)

    def conductance(self, state: DeviceState, time: float | None = None,
                    temperature: float | None = None) -> np.ndarray:
        """Conductance (S) at ``time`` s after programming and ``temperature`` K.

        Defaults are the configured ``device.drift_time`` and ``device.temperature``.
        Times or temperatures outside the fitted ranges raise an error.
        """
        time = self.read_time if time is None else time
        temperature = self.operating_temperature if temperature is None else temperature
        g = state.g0
        if self.drift is not None and state.nu is not None:
            g = g * self.drift.factor(state.nu, time)
        elif self.drift is not None:
            self.drift.check(time)
        if self.temperature is not None:
            g = g * self.temperature.g_factor(temperature)
        if state.faults is not None:
            g = StuckAtFaults.apply(g, state.faults, self.g_min, self.g_max)
        return np.maximum(g, 0.0)

    def read_noise_std(self, temperature: float | None = None) -> float:
        """Relative read-noise std at ``temperature`` (0 without read noise)."""
        if self.read_noise is None:
            return 0.0
        temperature = self.operating_temperature if temperature is None else temperature
        factor = self.temperature.noise_factor(temperature) if self.temperature is not None else 1.0
        return self.read_noise.std * factor

    def read(self, g: np.ndarray, rng: np.random.Generator,
             temperature: float | None = None) -> np.ndarray:
        """One read of every device: ``g`` with read noise (S)."""
        std = self.read_noise_std(temperature)
        return ReadNoise(std).apply(g, rng) if std > 0 else g


def build_device(device: DeviceConfig, with_forming: bool = True) -> DeviceModel:
    """The device model of a ``[device]`` section (reads ``conductance_file`` if one is set).

    ``with_forming = False`` leaves the forming component out (no file is read):
    enough to read, age and re-program an array that was already formed.

    Raises :class:`ConfigError` for an ideal device (it has no conductances),
    for an unreadable measured distribution, and for values outside the
    device's fitted ranges.
    """
    if device.kind not in RESISTIVE_KINDS:
        raise ConfigError(f"device.kind = {device.kind!r} has no conductance model; "
                          f"choose one of {', '.join(map(repr, RESISTIVE_KINDS))}")
    if not with_forming:
        forming = None
    elif device.conductance_file:
        forming = MeasuredForming.from_file(device.conductance_file, device.conductance_sampling,
                                            device.g_min, device.g_max)
    else:
        forming = NormalForming(device.forming_mean, device.forming_std, device.g_min, device.g_max)
    programming = WriteVerify(device.g_min, device.g_max, device.levels, device.program_std,
                              device.verify_tolerance, device.max_program_pulses)
    read_noise = ReadNoise(device.read_noise_std) if device.read_noise_std > 0 else None
    drift = None
    if device.drift_nu > 0 or device.drift_nu_dtod > 0:
        drift = PowerLawDrift(device.drift_nu, device.drift_nu_dtod, device.drift_t0, device.drift_t_max)
    faults = None
    if device.stuck_at_gmin > 0 or device.stuck_at_gmax > 0:
        faults = StuckAtFaults(device.stuck_at_gmin, device.stuck_at_gmax)
    temperature = LinearTemperature(device.temperature_ref, device.temperature_min, device.temperature_max,
                                    device.temp_coeff_g, device.temp_coeff_read_noise)
    read_time = device.drift_time or device.drift_t0
    model = DeviceModel(device.g_min, device.g_max, forming, programming, read_noise, drift, faults,
                        temperature, read_time, device.temperature)
    if drift is not None:
        drift.check(read_time)
    temperature.check(device.temperature)
    return model
