"""Numbers in readable units: SI prefixes, percentages, ratios, counts.

Used by the HTML page, its plots and the CLI's summary. Every formatter takes any
value and returns text: ``"n/a"`` (:data:`NA`) for None, NaN and non-numbers.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["NA", "format_interval", "format_number", "format_percent", "format_quantity", "format_ratio", "is_number",
           "prefix_scale"]

# (exponent of ten, prefix); format_quantity picks among these.
_PREFIXES: tuple[tuple[int, str], ...] = (
    (-15, "f"), (-12, "p"), (-9, "n"), (-6, "µ"), (-3, "m"), (0, ""), (3, "k"), (6, "M"), (9, "G"),
)
_MIN_EXP, _MAX_EXP = _PREFIXES[0][0], _PREFIXES[-1][0]
_PREFIX_OF = dict(_PREFIXES)

#: Text shown for a missing or non-numeric value.
NA = "n/a"


def is_number(value: Any) -> bool:
    """True for a real number (int, float, numpy scalar), False for bools and anything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _sig(x: float, digits: int) -> str:
    """``x`` (> 0) with ``digits`` significant figures in fixed-point notation."""
    decimals = max(digits - 1 - _decimal_exponent(x, digits), 0)
    return f"{x:.{decimals}f}"


def _decimal_exponent(magnitude: float, digits: int = 3) -> int:
    """Power of ten of ``magnitude`` (> 0) after rounding to ``digits`` significant figures."""
    return int(f"{magnitude:.{digits - 1}e}".split("e")[1])


def _prefix_exponent(magnitude: float, digits: int = 3) -> int:
    """Exponent (multiple of 3, clamped to the prefix table) that puts the rounded
    ``magnitude`` (> 0) in [1, 1000)."""
    exp = 3 * (_decimal_exponent(magnitude, digits) // 3)
    return min(max(exp, _MIN_EXP), _MAX_EXP)


def format_quantity(value: Any, unit: str, digits: int = 3) -> str:
    """Format an SI quantity with a prefix and ``digits`` significant figures.

    ``value`` is in base SI units of ``unit`` (J, s, Hz, ...). The prefix is
    chosen so the number lies in [1, 1000): f, p, n, µ, m, (none), k, M, G.
    Examples: ``format_quantity(2.3e-6, "J") == "2.30 µJ"``,
    ``format_quantity(1.2e-4, "s") == "120 µs"``, ``format_quantity(0, "J") == "0 J"``.
    Values outside the prefix range use scientific notation (``"1.00e-18 J"``);
    ``None``, NaN and non-numbers give ``"n/a"``, infinities ``"∞ J"``.
    """
    if not is_number(value) or digits < 1:
        return NA
    v = float(value)
    if math.isnan(v):
        return NA
    sign = "-" if v < 0 else ""
    mag = abs(v)
    if math.isinf(mag):
        return f"{sign}∞ {unit}".rstrip()
    if mag == 0.0:
        return f"0 {unit}".rstrip()
    e10 = _decimal_exponent(mag, digits)  # exponent after rounding: 999.96e-9 -> -6
    if not _MIN_EXP <= e10 < _MAX_EXP + 3:  # beyond the prefix table
        return f"{sign}{mag:.{digits - 1}e} {unit}".rstrip()
    exp = _prefix_exponent(mag, digits)
    decimals = max(digits - 1 - (e10 - exp), 0)
    return f"{sign}{mag / 10.0**exp:.{decimals}f} {_PREFIX_OF[exp]}{unit}".rstrip()


def format_percent(fraction: Any, decimals: int = 2) -> str:
    """A fraction (0.81) as a percentage (``"81.00 %"``); ``"n/a"`` if not a finite number."""
    if not is_number(fraction) or not math.isfinite(fraction):
        return NA
    return f"{100.0 * float(fraction):.{decimals}f} %"


def format_interval(interval: dict, decimals: int = 1) -> str:
    """An accuracy with its interval, from a dict with ``value``, ``low``, ``high`` and ``level``
    (fractions): ``"92.3 % (95 % CI 90.6–93.7 %)"``; ``"n/a"`` if a bound is not a number."""
    values = [interval.get(k) for k in ("value", "low", "high", "level")]
    if not all(is_number(v) and math.isfinite(v) for v in values):
        return NA
    v, lo, hi, level = (100.0 * float(x) for x in values)
    return f"{v:.{decimals}f} % ({level:g} % CI {lo:.{decimals}f}–{hi:.{decimals}f} %)"


def format_ratio(ratio: Any) -> str:
    """A dimensionless factor with 3 significant figures and a ×: ``23.8×``, ``160×``, ``1,234×``."""
    if not is_number(ratio) or math.isnan(ratio):
        return NA
    r = float(ratio)
    if math.isinf(r):
        return "∞×"
    if r == 0.0:
        return "0×"
    if abs(r) >= 1000.0:
        return f"{r:,.0f}×"
    sign = "-" if r < 0 else ""
    return f"{sign}{_sig(abs(r), 3)}×"


def format_number(value: Any) -> str:
    """A plain count or number: ``4,012`` from 100 up, else 3 significant figures (``12.3``)."""
    if not is_number(value) or math.isnan(value):
        return NA
    v = float(value)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v == 0.0:
        return "0"
    if abs(v) >= 100.0 or (isinstance(value, numbers.Integral)):
        return f"{v:,.0f}"
    sign = "-" if v < 0 else ""
    return f"{sign}{_sig(abs(v), 3)}"


def prefix_scale(values: list[float]) -> tuple[float, str]:
    """(divisor, prefix) that puts the largest of ``values`` in [1, 1000)."""
    positive = [abs(v) for v in values if v]
    if not positive:
        return 1.0, ""
    exp = _prefix_exponent(max(positive))
    return 10.0**exp, _PREFIX_OF[exp]
