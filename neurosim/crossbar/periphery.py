"""The macro's periphery: input drivers (DAC), column ADCs, and the first-order IR-drop model of a
summing line (:func:`line_sums`, the one model of the macro's reads and of every engine's loop).

Written against an array namespace ``xp`` (numpy today; the same code runs on
CuPy arrays when a GPU path passes ``xp=cupy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    IR drop (``wire_resistance`` > 0, Ω per cell segment of a bit line): each segment's
    partial sums are then computed from the cells' conductances (``cells``, the programmed
    matrix's) by :func:`line_sums`, the model of :class:`~neurosim.crossbar.CrossbarMacro`'s
    reads, with the rows' positions in their array (``rows`` word lines; logical row ``i`` of
    group ``g`` is matrix row ``offset[g] + i``): the drop grows with the step's active rows and
    with their distance from the sense end. ``w`` is then not read: the network's weights must
    be the cells' (:func:`ir_drop_refusal`).
    """

    adc: Adc
    segments: tuple[tuple[int, int, int], ...]
    unit: tuple[float, float]
    ref: tuple[float, float] = (0.0, 0.0)
    wire_resistance: float = 0.0
    cells: "LineCells | None" = field(default=None, compare=False, repr=False)

    def drive(self, x, w, group: int, xp=np, noise=None):
        """Summed quantized drive ``[B, N]`` of 0/1 presynaptic ``x`` ``[B, P]`` through ``w`` ``[P, N]``.

        ``noise(x_seg, start, stop)``, if given, returns the read noise of a segment's
        partial sum (added before the ADC, as on the chip).
        """
        total = None
        for g, start, stop in self.segments:
            if g != group:
                continue
            if self.cells is not None and self.wire_resistance > 0.0:
                value = self.cells.partial_sums(x[:, start:stop], group, start, stop, self.unit[group],
                                                self.wire_resistance, xp)
            else:
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
    Binary spikes drive the rows (full input 1). A non-zero ``crossbar.wire_resistance`` gives a
    DriveAdc that applies IR drop (:func:`line_sums`) even with an ideal ADC (then one that does not
    quantize); on a chip with no analog array it is refused (:class:`~neurosim.errors.ConfigError`).
    """
    x = config.crossbar
    if programmed.g_pos is None and x.wire_resistance:
        from neurosim.errors import ConfigError

        raise ConfigError(f"crossbar.wire_resistance = {x.wire_resistance} Ω needs a resistive chip: "
                          f"device.kind = {config.device.kind!r} has no analog array; set crossbar.wire_resistance=0")
    if programmed.g_pos is None or (x.adc_mode != "quantize" and not x.wire_resistance):
        return None
    from neurosim.devices import build_device

    device = build_device(config.device, with_forming=False)
    n_neurons = programmed.weights.shape[1]
    signed = programmed.g_neg is not None or x.offset_reference == "column"
    adc = column_adc(x, device.g_max, device.g_min, programmed.tiling.rows_per_array, 1.0, signed)
    unit = (programmed.gain * input_scale, programmed.gain * recurrent_scale)
    ref = (0.0, 0.0) if signed else (unit[0] * programmed.g_ref, unit[1] * programmed.g_ref)
    cells = None
    if x.wire_resistance:
        cells = LineCells(programmed.g_pos, programmed.g_neg, programmed.g_ref, x.offset_reference,
                          programmed.tiling.rows_per_array, (0, n_inputs))
    return DriveAdc(adc, drive_segments(n_inputs, n_neurons, programmed.tiling.rows_per_array), unit, ref,
                    float(x.wire_resistance), cells)


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


def ir_drop(current, g_active, resistance):
    """First-order IR drop of a summing line through a lumped series resistance.

    A resistance ``R`` (Ω) in series with the active cells, whose parallel conductance is
    ``g_active``, lowers the line current from ``I`` to ``I / (1 + R · g_active)``; exact for
    cells that share one node. ``resistance`` is a float or an array broadcast with ``current``
    (``[batch, outputs]``): :func:`line_sums` passes the effective resistance of each line,
    which accounts for where its active cells sit.
    """
    if isinstance(resistance, float) and resistance == 0.0:
        return current
    return current / (1.0 + resistance * g_active)


#: Most (vector × active row × column) products :func:`line_sums` holds at once (bounds memory).
LINE_BLOCK = 1 << 22


def line_sums(x, g, distance, r_segment: float, xp: Any = np):
    """Column sums ``Σ_r x_r g_rj`` of one array's rows after the first-order IR drop of the summing lines.

    ``x`` ``[B, R]``: the rows' inputs (0 = row not driven); ``g`` ``[R, C]``: the cells'
    conductances (S; one column per summing line); ``distance`` int ``[R]``: wire segments from
    each row's cell to the line's sense end (≥ 1); ``r_segment``: wire resistance per cell segment
    (Ω). Returns ``[B, C]`` in conductance × input units (S × input; × read voltage = current).

    The model: line segment ``k`` carries the current of every active cell beyond it,
    ``S_k = Σ_{d_r ≥ k} x_r g_r``; to first order in ``r_segment`` the line loses
    ``r_segment · Σ_k S_k² / V`` (each cell loses the drop ``r Σ_{k ≤ d_r} S_k`` of the segments
    between it and the sense end), i.e. the active cells see an effective series resistance
    ``R = r_segment · Σ_k S_k² / S²`` (``S = S_1``, the ideal column sum), applied as
    :func:`ir_drop` (``S / (1 + R S)``, which stays positive for any resistance). So the drop grows
    with the line current (more active rows, larger conductances) and with the active cells'
    distance from the sense end: one cell at distance ``d`` sees ``R = r · d``; ``N`` cells spread
    evenly along a line of ``N`` cells see ``≈ r · N / 3``. It ignores the word-line drop (on a
    1T1R array the word line drives transistor gates and carries no read current) and the
    second-order change of the currents along the line. Written for numpy or CuPy (``xp``).
    """
    total = xp.matmul(x, g)
    if r_segment == 0.0 or x.shape[0] == 0:
        return total
    active = x != 0
    k = int(active.sum(axis=1).max())
    if k == 0:
        return total
    distance = xp.asarray(distance)
    # active rows first, farthest from the sense end first (a stable sort keeps that order among them)
    order = xp.argsort(xp.where(active, -distance[None, :], 1), axis=1, kind="stable")[:, :k]
    xa = xp.take_along_axis(x, order, axis=1)                              # [B, K], 0 past the last active row
    d = xp.where(xp.take_along_axis(active, order, axis=1), distance[order], 0).astype(total.dtype)
    gaps = d - xp.concatenate([d[:, 1:], xp.zeros_like(d[:, :1])], axis=1)  # segments each running sum flows through
    q = xp.zeros_like(total)
    block = max(1, LINE_BLOCK // max(1, k * g.shape[1]))
    for b0 in range(0, x.shape[0], block):
        bs = slice(b0, b0 + block)
        running = xp.cumsum(xa[bs, :, None] * g[order[bs]], axis=1)     # [b, K, C] current beyond each gap
        q[bs] = xp.einsum("bk,bkc->bc", gaps[bs], running * running)
    positive = total > 0
    r_eff = xp.where(positive, r_segment * q / xp.where(positive, total * total, 1.0), 0.0)
    return ir_drop(total, total, r_eff)


def array_distance(rows_in_matrix, rows_per_array: int):
    """Wire segments from each logical matrix row to its array's sense end: the sense amplifiers sit
    past the array's last word line, so local row ``i`` of an array of ``rows_per_array`` word lines is
    ``rows_per_array − i`` segments away. ``rows_in_matrix``: int array of matrix row indices."""
    return rows_per_array - (np.asarray(rows_in_matrix) % rows_per_array)


@dataclass(frozen=True)
class LineCells:
    """The conductances a reservoir's drive is read from, for IR drop in the loop (:class:`DriveAdc`).

    ``g_pos``/``g_neg`` (S, ``(inputs + neurons, neurons)``, the programmed matrix's; ``g_neg`` None for
    offset mapping, whose negative line is the reference column of ``g_ref`` per row
    (``offset_reference = 'column'``) or the digital ``g_ref · Σx`` (``'digital'``, no wire));
    ``rows``: word lines per array; ``offset``: matrix row of group 0's and group 1's first row.
    """

    g_pos: Any
    g_neg: Any
    g_ref: float
    offset_reference: str
    rows: int
    offset: tuple[int, int]
    _on: dict = field(default_factory=dict, compare=False, repr=False)

    def _arrays(self, group: int, start: int, stop: int, dtype, xp):
        """(g_pos, g_neg or None, distance) of matrix rows ``offset[group] + start … stop`` on ``xp``."""
        key = (id(xp), np.dtype(dtype).str, group, start, stop)
        if key not in self._on:
            lo, hi = self.offset[group] + start, self.offset[group] + stop
            def put(a):
                return None if a is None else xp.asarray(np.ascontiguousarray(a[lo:hi], dtype=dtype))
            ref = None
            if self.g_neg is None and self.offset_reference == "column":
                ref = xp.asarray(np.full((hi - lo, 1), self.g_ref, dtype=dtype))
            self._on[key] = (put(self.g_pos), put(self.g_neg), ref,
                             xp.asarray(array_distance(np.arange(lo, hi), self.rows)))
        return self._on[key]

    def partial_sums(self, x, group: int, start: int, stop: int, unit: float, r_segment: float, xp=np):
        """A segment's signed column partial sums ``[B, N]`` (membrane units, ``unit`` per S × input) with
        IR drop: positive line minus negative line, each through :func:`line_sums`."""
        gp, gn, ref, distance = self._arrays(group, start, stop, x.dtype, xp)
        pos = line_sums(x, gp, distance, r_segment, xp)
        if gn is not None:
            neg = line_sums(x, gn, distance, r_segment, xp)
        elif ref is not None:
            neg = line_sums(x, ref, distance, r_segment, xp)
        else:
            neg = self.g_ref * x.sum(axis=1, keepdims=True)
        return unit * (pos - neg)

    def line_currents(self, x, group: int, start: int, stop: int, r_segment: float) -> tuple[float, float]:
        """The current a segment's reads draw on its cells' lines, summed over the vectors ``x`` ``[B, R]``
        and over the positive and negative lines (the cells :attr:`ProgrammedMatrix.row_conductance`
        sums), without and with IR drop: ``(ideal, drawn)`` in S × input (× read voltage = A)."""
        gp, gn, _, distance = self._arrays(group, start, stop, np.float64, np)
        ideal = drawn = 0.0
        for g in (gp, gn):
            if g is not None:
                ideal += float((x @ g).sum())
                drawn += float(line_sums(x, g, distance, r_segment, np).sum())
        return ideal, drawn


def ir_drop_refusal(network, engine: str) -> str | None:
    """Why ``engine`` cannot apply IR drop (``crossbar.wire_resistance`` > 0) to ``network`` (one
    line), or None (no IR drop, or one the loop applies). IR drop is computed from the cells'
    conductances, so the network's weights must be the cells' differences: no synapse mask
    (``network.input_p``/``recurrent_p`` < 1, distance connectivity) and no Dale's law."""
    adc = getattr(network, "drive_adc", None)
    if adc is None or not adc.wire_resistance:
        return None
    if network.in_mask is not None or network.rec_mask is not None or network.excitatory is not None:
        return (f"crossbar.wire_resistance = {adc.wire_resistance} Ω: the {engine} engine applies IR drop to "
                "the cells' conductances, which a synapse mask or Dale's law does not change; use all-to-all "
                "connectivity without network.dale, or set crossbar.wire_resistance=0")
    return None
