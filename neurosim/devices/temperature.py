"""Temperature: a linear model around a reference temperature, valid in a fitted range.

``G(T) = G(T_ref) · (1 + coeff_g · (T − T_ref))`` and
``read_noise_std(T) = read_noise_std · (1 + coeff_noise · (T − T_ref))``.
Linear coefficients are what a two- or three-point measurement supports; the
model refuses temperatures outside [t_min, t_max], where it was not fitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.errors import NeurosimError


@dataclass(frozen=True)
class LinearTemperature:
    """Temperature dependence of conductance and read noise (K, 1/K)."""

    t_ref: float
    t_min: float
    t_max: float
    coeff_g: float = 0.0
    coeff_noise: float = 0.0

    def check(self, temperature: float) -> None:
        if not self.t_min <= temperature <= self.t_max:
            raise NeurosimError(f"temperature {temperature:g} K is outside the range the temperature model "
                                f"was fitted on: [{self.t_min:g}, {self.t_max:g}] K "
                                "(device.temperature_min, device.temperature_max)")

    def g_factor(self, temperature: float) -> float:
        """Conductance at ``temperature`` relative to the reference temperature."""
        self.check(temperature)
        return 1.0 + self.coeff_g * (temperature - self.t_ref)

    def noise_factor(self, temperature: float) -> float:
        """Read-noise std at ``temperature`` relative to the reference temperature (>= 0)."""
        self.check(temperature)
        return max(0.0, 1.0 + self.coeff_noise * (temperature - self.t_ref))
