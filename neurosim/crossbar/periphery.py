"""The macro's periphery: input drivers (DAC), column ADCs, and a first-order IR-drop model.

Written against an array namespace ``xp`` (numpy today; the same code runs on
CuPy arrays when a GPU path passes ``xp=cupy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def input_planes(x, input_bits: int, xp=np) -> list[tuple[float, object]]:
    """Split inputs ``x`` (``[batch, inputs]``) into the pulses the drivers apply.

    Returns ``(scale, plane)`` pairs with ``x = Σ scale · plane``; each plane is
    one read of the array.

    * ``input_bits = 0``: an ideal analog driver; the plane holds ``|x|``
      itself (pulse width ∝ ``|x|``), one plane per sign present.
    * ``input_bits = n >= 1``: ``|x|`` is rounded to an unsigned n-bit code
      (clipped to ``[0, 2^n − 1]``) and applied bit-serially: plane ``b`` holds
      bit ``b`` (0 or 1) and has scale ``± 2^b``. Binary spikes (n = 1) are one
      plane of 0/1 pulses.

    Negative inputs are applied in a second pass with negative scale
    (sign-magnitude). Planes without any pulse are left out: they cost nothing.
    """
    planes = []
    for sign in (1.0, -1.0):
        magnitude = xp.maximum(sign * x, 0.0)
        if not bool(xp.any(magnitude > 0)):
            continue
        if input_bits == 0:
            planes.append((sign, magnitude))
            continue
        codes = xp.clip(xp.rint(magnitude), 0, 2 ** input_bits - 1).astype(xp.int64)
        for bit in range(input_bits):
            plane = ((codes >> bit) & 1).astype(xp.float64)
            if bool(xp.any(plane > 0)):
                planes.append((sign * float(2 ** bit), plane))
    return planes


@dataclass(frozen=True)
class Adc:
    """A uniform ADC over ``[lo, hi]`` with ``bits`` bits.

    Codes ``k = 0 … 2^bits − 1`` stand for ``lo + k · lsb`` with
    ``lsb = (hi − lo) / (2^bits − 1)``; a value inside the range is returned
    within half an LSB, a value outside is clipped to the range.
    ``quantize = False`` models an ideal converter (the value passes through).
    """

    bits: int
    lo: float
    hi: float
    quantize: bool = True

    @property
    def lsb(self) -> float:
        return (self.hi - self.lo) / (2 ** self.bits - 1)

    def convert(self, v, xp=np):
        if not self.quantize:
            return v
        codes = xp.clip(xp.rint((v - self.lo) / self.lsb), 0, 2 ** self.bits - 1)
        return self.lo + codes * self.lsb


def ir_drop(current, g_active, resistance: float):
    """First-order IR drop on a summing line.

    A line of ``N`` cells with wire resistance ``r`` per segment puts, on
    average, ``R = r · N / 2`` in series with the active cells, whose parallel
    conductance is ``g_active``; the line current falls from ``I`` to
    ``I / (1 + R · g_active)``. ``resistance`` is that ``R`` (Ω); arrays are
    elementwise (``[batch, outputs]``). Exact for one active cell at the line's
    midpoint; an estimate otherwise (it ignores the distribution of cells
    along the line and the word-line drop).
    """
    if resistance == 0.0:
        return current
    return current / (1.0 + resistance * g_active)
