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

        The values must be finite, non-negative (see :func:`read_conductances`)
        and lie in the device window [g_min, g_max]: the device model was not
        fitted outside it.
        """
        values = read_conductances(path)
        if values.size < 2:
            raise ConfigError(f"device.conductance_file {path}: needs at least 2 measured values, "
                              f"found {values.size}")
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


ACCEPTED = ("accepted: a .npy holding a real numeric 1-D array (or 2-D: its first column is read), "
            "or a .csv whose first column holds the numbers (one optional header line, '#' comments); "
            "values are finite, non-negative conductances in siemens")


def read_conductances(path: str | Path) -> np.ndarray:
    """The conductances (S, float64, 1-D) in a .npy file or the first column of a .csv file.

    Anything else is refused with a :class:`ConfigError` naming the file and
    what is accepted (:data:`ACCEPTED`): a structured, complex, boolean or
    object array, an array of more than 2 dimensions, text that is not a
    number, NaN/inf, negative values, an empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"device.conductance_file {path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".npy", ".csv", ".txt"):
        raise ConfigError(f"device.conductance_file {path}: expected a .csv or .npy file; {ACCEPTED}")
    try:
        values = _read_npy_column(path) if suffix == ".npy" else _read_csv_column(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"device.conductance_file {path}: cannot read it: {exc}; {ACCEPTED}") from None
    return _checked(values, path)


def _checked(values: np.ndarray, path: Path) -> np.ndarray:
    """``values`` (S) if they are finite and non-negative, else a :class:`ConfigError`."""
    if values.size == 0:
        raise ConfigError(f"device.conductance_file {path}: holds no values; {ACCEPTED}")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ConfigError(f"device.conductance_file {path}: holds {int(bad.sum())} non-finite values "
                          f"(first at index {int(np.argmax(bad))}); {ACCEPTED}")
    if values.min() < 0:
        raise ConfigError(f"device.conductance_file {path}: holds negative values (minimum "
                          f"{float(values.min()):g} S); {ACCEPTED}")
    return values


def _read_npy_column(path: Path) -> np.ndarray:
    """The first column of a real numeric .npy array (S); ``ValueError`` names what is wrong."""
    array = np.load(path, allow_pickle=False)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"its dtype is {array.dtype} ({_KINDS.get(array.dtype.kind, 'not a real number')})")
    if array.ndim == 1:
        return array.astype(np.float64)
    if array.ndim == 2:
        return array[:, 0].astype(np.float64)
    raise ValueError(f"its shape is {array.shape} ({array.ndim}-D)")


_KINDS = {"V": "a structured array", "c": "complex numbers", "b": "booleans", "O": "Python objects",
          "U": "text", "S": "bytes", "M": "dates", "m": "time differences"}


def _read_csv_column(path: Path) -> np.ndarray:
    """The first column of a .csv file as numbers (S): one header line at most, before the numbers."""
    values: list[float] = []
    header = False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        field = line.split(",")[0].strip()
        if not field or field.startswith("#"):
            continue
        try:
            values.append(float(field))
        except ValueError:
            if values or header:  # a single header is allowed, only before the numbers
                raise ValueError(f"line {number}: {field!r} is not a number") from None
            header = True
    return np.asarray(values, dtype=np.float64)
