"""Energy of reading a word from an on-chip SRAM of a given size (Horowitz, ISSCC 2014, 45 nm).

Horowitz's table (Fig. 1.1.9) gives the energy of a 64-bit read from an 8 KB, a 32 KB and a
1 MB SRAM: 10, 20 and 100 pJ. Between those sizes the energy is interpolated on log-log axes;
below 8 KB the 8 KB figure is kept (a smaller bank is not modelled cheaper), above 1 MB the
32 KB → 1 MB slope is extrapolated (marked as an extrapolation wherever it is shown). A narrower
word costs its share of the 64-bit read (the array is read 64 bits wide).
"""

from __future__ import annotations

import math

__all__ = ["HOROWITZ_SRAM_64BIT", "sram_read_J"]

#: (memory size in bytes, energy of one 64-bit read in J): Horowitz, ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V).
HOROWITZ_SRAM_64BIT: tuple[tuple[float, float], ...] = ((8 * 1024, 10e-12), (32 * 1024, 20e-12),
                                                       (1024 * 1024, 100e-12))


def sram_read_J(word_bits: int, memory_bytes: float) -> float:
    """Energy (J) of reading one ``word_bits``-bit word from an SRAM of ``memory_bytes`` bytes."""
    points = HOROWITZ_SRAM_64BIT
    size = max(float(memory_bytes), points[0][0])
    for (s0, e0), (s1, e1) in zip(points, points[1:]):
        if size <= s1 or (s1, e1) == points[-1]:
            slope = math.log(e1 / e0) / math.log(s1 / s0)
            return e0 * (size / s0) ** slope * word_bits / 64.0
    raise AssertionError("unreachable: the table has at least two points")
