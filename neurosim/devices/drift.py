"""Drift: conductance relaxation after programming, a power law in time.

``G(t) = G0 · (t / t0)^-ν`` for ``t0 <= t <= t_max``, with the exponent ν drawn
once per device from Normal(nu, nu_dtod) and clipped at 0 (conductances only
relax). The law is used only inside the time range it was fitted on: asking
for an earlier or later time is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import NeurosimError


@dataclass(frozen=True)
class PowerLawDrift:
    """Power-law drift with mean exponent ``nu`` and device spread ``nu_dtod``."""

    nu: float
    nu_dtod: float
    t0: float
    t_max: float

    def sample_nu(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Drift exponent of every device (dimensionless, >= 0)."""
        if self.nu_dtod == 0.0:
            return np.full(shape, self.nu)
        return np.maximum(rng.normal(self.nu, self.nu_dtod, size=shape), 0.0)

    def factor(self, nu: np.ndarray, t: float) -> np.ndarray:
        """``(t / t0)^-ν``: the fraction of the programmed conductance left at time ``t`` (s)."""
        self.check(t)
        return (t / self.t0) ** (-np.asarray(nu))

    def check(self, t: float) -> None:
        if not self.t0 <= t <= self.t_max:
            raise NeurosimError(f"drift time {t:g} s is outside the range the drift law was fitted on: "
                                f"[{self.t0:g}, {self.t_max:g}] s (device.drift_t0, device.drift_t_max)")
