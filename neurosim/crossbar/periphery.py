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
    """A column ADC as in-memory-computing macros build them.

    ``signed = True`` (a differential column, or an offset column whose reference
    current is subtracted before the ADC): a **sign-magnitude** converter with
    ``2^bits − 1`` levels including an exact zero, magnitudes ``0 … M`` times
    ``lsb = full_scale / M`` with ``M = 2^(bits−1) − 1`` (e.g. "3b + sign" = 4 bits,
    15 levels). ``bits = 1`` is a true **sign comparator**: it reads ``sign(v)``,
    reconstructed at the centre of each half-range, ``± full_scale / 2`` (an exact
    0 reads 0).

    ``signed = False`` (a unipolar column current): ``2^bits`` levels
    ``k · lsb`` on ``[0, full_scale]``, ``lsb = full_scale / (2^bits − 1)``.

    A value beyond the range is clipped to the largest code (:meth:`clipped` tells
    which). ``quantize = False`` models an ideal converter (the value passes through).
    Values and ``full_scale`` share one unit (conductance × input, or membrane units).
    """

    bits: int
    full_scale: float
    signed: bool = True
    quantize: bool = True

    @property
    def levels(self) -> int:
        """Output codes: ``2^bits − 1`` (signed, zero included) or ``2^bits`` (unsigned)."""
        return 2 ** self.bits - 1 if self.signed else 2 ** self.bits

    @property
    def max_code(self) -> int:
        """Largest magnitude code ``M`` (0 for a 1-bit sign comparator)."""
        return 2 ** (self.bits - 1) - 1 if self.signed else 2 ** self.bits - 1

    @property
    def lsb(self) -> float:
        """Value of one code step (for a sign comparator: half the full scale)."""
        if self.signed and self.bits == 1:
            return 0.5 * self.full_scale
        return self.full_scale / self.max_code

    def convert(self, v, xp=np):
        """The value the ADC reads back for ``v`` (any array shape, numpy or CuPy: :func:`adc_read`)."""
        if not self.quantize:
            return v
        return adc_read(v, self.lsb, float(self.max_code), self.signed)

    def clipped(self, v, xp=np):
        """Bool array: which values lie beyond the range by more than half an LSB (they clip)."""
        if not self.quantize:
            return xp.zeros(v.shape, dtype=bool)
        if self.signed:
            limit = self.full_scale if self.bits == 1 else self.full_scale + 0.5 * self.lsb
            return xp.abs(v) > limit
        return (v > self.full_scale + 0.5 * self.lsb) | (v < -0.5 * self.lsb)


def adc_read(v, lsb: float, max_code: float, signed: bool):
    """What an ADC reads back for ``v``: the one quantizer of every path (the numpy macro, the
    engines' numpy/CuPy step, and the cpu engine's compiled kernel, which compiles this very
    function with numba). Written with numpy ufuncs only, so it takes a float, a numpy array
    or a CuPy array (ufuncs dispatch to CuPy).

    Signed: sign-magnitude, ``sign(v) · min(rint(|v| / lsb), max_code) · lsb``; with
    ``max_code = 0`` a sign comparator, ``sign(v) · lsb``. Unsigned:
    ``min(max(rint(v / lsb), 0), max_code) · lsb``.
    """
    if signed:
        if max_code == 0.0:
            return np.sign(v) * lsb
        return np.sign(v) * (np.minimum(np.rint(np.abs(v) / lsb), max_code) * lsb)
    return np.minimum(np.maximum(np.rint(v / lsb), 0.0), max_code) * lsb


def column_adc(crossbar, g_max: float, g_min: float, rows: int, full_input: float = 1.0,
               offset_signed: bool | None = None) -> Adc:
    """The configured column ADC of one array in conductance × input units.

    Full scale ``adc_range · rows · (g_max − g_min) · full_input`` for a signed column
    (differential, or offset with the reference column subtracted before the ADC:
    ``crossbar.offset_reference = 'column'``); an offset column converted raw
    (``offset_reference = 'digital'``) is unsigned with full scale
    ``adc_range · rows · g_max · full_input``: the reference current ``g_ref · Σx``
    is subtracted digitally after the ADC. ``crossbar`` is a
    :class:`~neurosim.config.CrossbarConfig`; ``rows`` the array's word lines.
    """
    signed = offset_signed if offset_signed is not None else True
    quantize = crossbar.adc_mode == "quantize"
    if signed:
        return Adc(crossbar.adc_bits, crossbar.adc_range * rows * (g_max - g_min) * full_input, True, quantize)
    return Adc(crossbar.adc_bits, crossbar.adc_range * rows * g_max * full_input, False, quantize)


@dataclass(frozen=True)
class DriveAdc:
    """The macro's ADC applied to a network's summed synaptic drive (every engine calls this).

    A reservoir's logical matrix (inputs stacked above the recurrent rows) lies on
    arrays of ``rows`` word lines; the rows of one array that belong to one group
    (``0`` = input rows, ``1`` = recurrent rows: the groups carry different scales, so
    they are read as separate column partial sums) form a *segment*. Each step, every
    segment's column partial sum ``Σ_r x_r w[r, j]`` (membrane units) passes through
    ``adc`` scaled to that group: ``convert(v / unit) · unit`` with ``unit[g]`` the
    membrane value of one conductance × input unit (``gain × group scale``). An
    unsigned (raw offset) column first adds the reference current ``ref[g] · Σx``
    (membrane units per active row) and subtracts it again after the ADC.

    ``segments``: tuple of ``(group, start, stop)`` rows of ``w_in`` (group 0) or
    ``w_rec`` (group 1).
    """

    adc: Adc
    segments: tuple[tuple[int, int, int], ...]
    unit: tuple[float, float]
    ref: tuple[float, float] = (0.0, 0.0)

    def drive(self, x, w, group: int, xp=np, noise=None):
        """Summed quantized drive ``[B, N]`` of 0/1 presynaptic ``x`` ``[B, P]`` through ``w`` ``[P, N]``.

        ``noise(x_seg, start, stop)``, if given, returns the read noise of a segment's
        partial sum (added before the ADC, as on the chip).
        """
        total = None
        for g, start, stop in self.segments:
            if g != group:
                continue
            value = xp.matmul(x[:, start:stop], w[start:stop])  # the segment's column partial sums
            if noise is not None:
                value = value + noise(x[:, start:stop], start, stop)
            value = self.convert(value, x[:, start:stop], group, xp)
            total = value if total is None else total + value
        if total is None:
            total = xp.zeros((x.shape[0], w.shape[1]), dtype=w.dtype)
        return total

    def convert(self, value, x_seg, group: int, xp=np):
        """A segment's partial sums ``[B, N]`` as the ADC reads them back (membrane units)."""
        unit = self.unit[group]
        if self.ref[group] == 0.0:
            return self.adc.convert(value / unit, xp) * unit
        offset = self.ref[group] * x_seg.sum(axis=1, keepdims=True)
        return self.adc.convert((value + offset) / unit, xp) * unit - offset

    def clipped(self, value, x_seg, group: int, xp=np):
        """Bool ``[B, N]``: which of a segment's partial sums clip in the ADC."""
        unit = self.unit[group]
        offset = self.ref[group] * x_seg.sum(axis=1, keepdims=True) if self.ref[group] else 0.0
        return self.adc.clipped((value + offset) / unit, xp)


def network_drive_adc(config, programmed, n_inputs: int, input_scale: float,
                      recurrent_scale: float) -> DriveAdc | None:
    """The :class:`DriveAdc` of a reservoir programmed as ``programmed`` (inputs stacked above
    the recurrent rows), or None when the chip's ADC is ideal (``crossbar.adc_mode =
    'ideal'``) or the chip has no analog array (an ideal device: weights are digital).

    ``config`` is the run's :class:`~neurosim.config.Config`; the scales are the
    network's ``input_scale`` and ``recurrent_scale`` (membrane units per unit weight).
    Binary spikes drive the rows (full input 1). A non-zero ``crossbar.wire_resistance`` is refused
    (:class:`~neurosim.errors.ConfigError` naming the key): no engine applies IR drop in the spiking loop.
    """
    x = config.crossbar
    if x.wire_resistance:  # every engine builds its network here: refuse what none of them applies
        from neurosim.errors import ConfigError

        raise ConfigError(f"crossbar.wire_resistance = {x.wire_resistance} Ω is not applied in the spiking loop "
                          "by any engine (only CrossbarMacro reads model IR drop); set crossbar.wire_resistance=0")
    if programmed.g_pos is None or x.adc_mode != "quantize":
        return None
    from neurosim.devices import build_device

    device = build_device(config.device, with_forming=False)
    n_neurons = programmed.weights.shape[1]
    signed = programmed.g_neg is not None or x.offset_reference == "column"
    adc = column_adc(x, device.g_max, device.g_min, programmed.tiling.rows_per_array, 1.0, signed)
    unit = (programmed.gain * input_scale, programmed.gain * recurrent_scale)
    ref = (0.0, 0.0) if signed else (unit[0] * programmed.g_ref, unit[1] * programmed.g_ref)
    return DriveAdc(adc, drive_segments(n_inputs, n_neurons, programmed.tiling.rows_per_array), unit, ref)


def drive_segments(n_inputs: int, n_neurons: int, rows: int) -> tuple[tuple[int, int, int], ...]:
    """The ``(group, start, stop)`` segments of a reservoir matrix on arrays of ``rows`` word lines
    (see :class:`DriveAdc`): each array's input rows, then each array's recurrent rows."""
    segments = []
    for lo in range(0, n_inputs + n_neurons, rows):
        hi = min(lo + rows, n_inputs + n_neurons)
        if lo < n_inputs:
            segments.append((0, lo, min(hi, n_inputs)))
        if hi > n_inputs:
            segments.append((1, max(lo, n_inputs) - n_inputs, hi - n_inputs))
    return tuple(segments)


def buffer_accesses(values_written: int, pulses: int, outputs_written: int) -> int:
    """Event-buffer (SRAM) accesses, the one rule of both counting paths (network and macro).

    Every nonzero input value is written once into the buffer when it arrives, read once
    per driver pulse that applies it, and every output value is written once. On the
    network path a reservoir spike is the output of one step and an input of the next, so
    it is counted once as written: an event costs 2 accesses (written, read).
    """
    return int(values_written) + int(pulses) + int(outputs_written)


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
