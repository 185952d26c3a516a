"""Forming: the random conductance a device holds after electroforming.

Lin et al. (Nat. Comput. Sci. 2025) use this randomness as the random weights
of a reservoir. Two interchangeable sources:

* :class:`NormalForming`: Normal(mean, std) clipped to the window [g_min, g_max];
* :class:`MeasuredForming`: a user's measured conductances, sampled by inverse
  CDF (linear interpolation between the sorted measurements) or by bootstrap.

Both expose ``mean`` and ``std``: the figures the periphery's gain is set from
(``w = (G+ − G−) / (√2 · std)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurosim.errors import ConfigError


@dataclass(frozen=True)
class NormalForming:
    """Normal(mean, std) conductances (S) clipped to [g_min, g_max]."""

    mean: float
    std: float
    g_min: float
    g_max: float

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Formed conductances (S, float64, ``shape``)."""
        return np.clip(rng.normal(self.mean, self.std, size=shape), self.g_min, self.g_max)


@dataclass(frozen=True)
class MeasuredForming:
    """Conductances drawn from measured values (S, 1-D, sorted ascending).

    ``method = "inverse_cdf"`` maps uniform draws through the piecewise-linear
    empirical quantile function (a continuous distribution between the
    measurements); ``"bootstrap"`` resamples the measured values themselves.
    """

    values: np.ndarray
    method: str = "inverse_cdf"

    @property
    def mean(self) -> float:
        return float(self.values.mean())

    @property
    def std(self) -> float:
        return float(self.values.std())

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if self.method == "bootstrap":
            return rng.choice(self.values, size=shape, replace=True)
        u = rng.random(size=shape)
        return quantile(self.values, u)

    @classmethod
    def from_file(cls, path: str | Path, method: str, g_min: float, g_max: float) -> "MeasuredForming":
        """Read measured conductances (S) from a .csv or .npy file.

        The values must be finite and lie in the device window [g_min, g_max]:
        the device model was not fitted outside it.
        """
        values = read_conductances(path)
        if values.size < 2:
            raise ConfigError(f"device.conductance_file {path}: needs at least 2 measured values, "
                              f"found {values.size}")
        if not np.all(np.isfinite(values)):
            raise ConfigError(f"device.conductance_file {path}: holds non-finite values")
        lo, hi = float(values.min()), float(values.max())
        if lo < g_min or hi > g_max:
            raise ConfigError(f"device.conductance_file {path}: values span [{lo:g}, {hi:g}] S, outside "
                              f"the device window [device.g_min, device.g_max] = [{g_min:g}, {g_max:g}] S "
                              "(conductances are in siemens)")
        return cls(np.sort(values), method)


def quantile(sorted_values: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Empirical quantile function: ``u`` in [0, 1] → value, linear between order statistics."""
    n = sorted_values.size
    return np.interp(u * (n - 1), np.arange(n), sorted_values)


def read_conductances(path: str | Path) -> np.ndarray:
    """The numbers in a .npy file, or the first column of a .csv file (a header line is skipped)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"device.conductance_file {path}: no such file")
    try:
        if path.suffix.lower() == ".npy":
            return np.asarray(np.load(path, allow_pickle=False), dtype=np.float64).ravel()
        if path.suffix.lower() in (".csv", ".txt"):
            return _read_csv_column(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"device.conductance_file {path}: cannot read it: {exc}") from None
    raise ConfigError(f"device.conductance_file {path}: expected a .csv or .npy file")


def _read_csv_column(path: Path) -> np.ndarray:
    values = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        field = line.split(",")[0].strip()
        if not field or field.startswith("#"):
            continue
        try:
            values.append(float(field))
        except ValueError:
            if values:  # a header is allowed only before the numbers
                raise ValueError(f"line {number}: {field!r} is not a number") from None
    return np.asarray(values, dtype=np.float64)
