"""A crossbar macro that computes like a matrix: ``y = macro @ x``.

Orientation: a macro holding the logical weight matrix ``W`` of shape
``(inputs, outputs)`` *is* the linear map ``x ↦ Wᵀ x``; its ``shape`` is
``(outputs, inputs)``, as for a matrix ``A`` in ``y = A x``. ``macro @ x``
takes a batch of input vectors with the vector axis last, ``x[..., inputs]``
(the layout of spike rasters ``[samples, steps, inputs]``), and returns
``y[..., outputs]``; a 1-D ``x`` gives a 1-D ``y``. ``macro.T`` reads the same
arrays the other way round (inputs on the bit lines, outputs on the word lines,
differential pairs driven with opposite polarity), i.e. ``x ↦ W x``.

Inside, each bit plane of the inputs (see
:func:`~neurosim.crossbar.periphery.input_planes`) is applied to every array
tile it touches; each tile's column sums pass through the first-order IR-drop model of
the summing lines (:func:`~neurosim.crossbar.periphery.line_sums`, the same function every
engine's loop calls), read noise and the ADC, and the partial sums of row tiles, bit
planes and signs are added digitally. With every non-ideality off
(``input_bits = 0`` or binary inputs, ``adc_mode = 'ideal'``, no read noise, no
wire resistance) ``macro @ x`` equals ``x @ W`` to float precision.

Every call adds the operations it performed to ``macro.tally``, a
:class:`~neurosim.crossbar.tally.Tally` (event-driven: a tile with no active input row is not
read and costs nothing; every (vector, bit plane) pair that drove the array is one
``serial_reads``). The macro only counts; :mod:`neurosim.energy.macro_cost` prices the tally
(energy, latency, TOPS/W) with the chip's one pricing function.
"""

from __future__ import annotations

import numpy as np

from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix, at_read_time
from neurosim.crossbar.periphery import array_distance, buffer_accesses, column_adc, input_planes, line_sums
from neurosim.crossbar.tally import Tally
from neurosim.devices import DeviceModel, build_device


class CrossbarMacro:
    """A programmed matrix on crossbar arrays, used like a matrix (see the module docstring).

    Build one with :meth:`from_weights` (write-verify a given matrix) or from a
    :class:`ProgrammedMatrix` (e.g. the LSM's formed random weights). ``rng``
    draws the read noise (one stream per macro); it is required only when the
    device has read noise.
    """

    def __init__(self, config: Config, programmed: ProgrammedMatrix,
                 rng: np.random.Generator | None = None, transposed: bool = False,
                 tally: Tally | None = None, temperature: float | None = None,
                 device: DeviceModel | None = None, xp=np):
        self.config = config
        self.programmed = programmed
        self.rng = rng
        self.transposed = transposed
        self.tally = tally if tally is not None else Tally()
        self.temperature = temperature
        self.xp = xp
        if device is None and programmed.g_pos is not None:
            device = build_device(config.device, with_forming=False)
        self.device = device

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_weights(cls, config: Config, weights: np.ndarray, rng: np.random.Generator,
                     **kwargs) -> "CrossbarMacro":
        """Program ``weights`` (``(inputs, outputs)``) by write-verify; ``rng`` also draws read noise."""
        from neurosim.crossbar.mapping import program_matrix

        return cls(config, program_matrix(config, weights, rng), rng=rng, **kwargs)

    def at(self, time: float | None = None, temperature: float | None = None) -> "CrossbarMacro":
        """The same programmed chip read ``time`` s after programming, at ``temperature`` K.

        Outside the device model's fitted ranges this raises an error.
        """
        p = self.programmed
        if self.device is None or p.state_pos is None:
            return self
        again = at_read_time(self.device, p.tiling, p.gain, p.g_ref, p.state_pos, p.state_neg,
                             time, temperature, p.forming_pulses, p.program_pulses)
        return CrossbarMacro(self.config, again, self.rng, self.transposed, self.tally, temperature,
                             self.device, self.xp)

    def calibrated(self, x, tally: Tally | None = None) -> "CrossbarMacro":
        """The same programmed arrays (same noise stream and device) with the column ADC's range
        (``crossbar.adc_range``) set so that the largest column output of inputs ``x`` (``[batch,
        inputs]``, read once here, in this direction) maps to the ADC's full scale; ``tally``: the new
        macro's (default a fresh one). A calibration read, as macros set a per-layer ADC range: its
        cost stays in this macro's tally."""
        from neurosim.config import apply_mapping

        probe = CrossbarMacro(self.config, self.programmed, self.rng, self.transposed, Tally(),
                              self.temperature, self.device, self.xp)
        probe @ x   # its own tally: the peak of this read alone, whatever the macro read before
        self.tally.add(probe.tally)
        peak = probe.tally.adc_peak
        adc_range = min(1.0, max(1e-6, self.config.crossbar.adc_range * peak)) if peak > 0 else \
            self.config.crossbar.adc_range
        config = apply_mapping(self.config, {"crossbar": {"adc_range": adc_range}}, "ADC calibration")
        return CrossbarMacro(config, self.programmed, self.rng, self.transposed, tally, self.temperature,
                             self.device, self.xp)

    # ------------------------------------------------------------------ the matrix interface

    @property
    def shape(self) -> tuple[int, int]:
        """``(outputs, inputs)`` of the map ``macro @ x``."""
        n_in, n_out = self.programmed.weights.shape
        return (n_in, n_out) if self.transposed else (n_out, n_in)

    @property
    def T(self) -> "CrossbarMacro":
        """The transposed read of the same arrays (shares the tally and the noise stream)."""
        return CrossbarMacro(self.config, self.programmed, self.rng, not self.transposed, self.tally,
                             self.temperature, self.device, self.xp)

    def matrix(self) -> np.ndarray:
        """The matrix ``A`` (``shape``) this macro applies without noise or quantization."""
        w = self.programmed.weights
        return w if self.transposed else w.T

    def __matmul__(self, x):
        xp = self.xp
        x = xp.asarray(x, dtype=xp.float64)
        n_out, n_in = self.shape
        if x.ndim == 0 or x.shape[-1] != n_in:
            raise ValueError(f"macro @ x: the macro maps {n_in} inputs to {n_out} outputs; x has shape "
                             f"{tuple(x.shape)} (the vector axis must be last)")
        batch = x.reshape(-1, n_in)
        y = self._apply(batch)
        return y.reshape(x.shape[:-1] + (n_out,))

    # ------------------------------------------------------------------ internals

    def _oriented(self):
        """Weights and conductances laid out as (inputs, outputs) of this read direction."""
        p = self.programmed
        if not self.transposed:
            return p.weights, p.g_pos, p.g_neg
        def t(a):
            return None if a is None else a.T
        return p.weights.T, t(p.g_pos), t(p.g_neg)

    def _tile_sizes(self) -> tuple[int, int]:
        """(inputs, outputs) one array holds in this read direction."""
        tiling = self.programmed.tiling
        if self.transposed:
            return tiling.outputs_per_array, tiling.rows_per_array
        return tiling.rows_per_array, tiling.outputs_per_array

    def _apply(self, x):
        xp, cfg, tally = self.xp, self.config.crossbar, self.tally
        weights, g_pos, g_neg = self._oriented()
        n_in, n_out = weights.shape
        in_tile, out_tile = self._tile_sizes()
        row_tiles = range(0, n_in, in_tile)
        col_tiles = range(0, n_out, out_tile)
        ideal = g_pos is None
        y = xp.zeros((x.shape[0], n_out))
        results = xp.zeros((x.shape[0], len(col_tiles)), dtype=xp.int64)
        tally.vectors += x.shape[0]
        tally.macs += x.shape[0] * n_in * n_out
        # inputs written and outputs written; the reads are counted per pulse below
        tally.buffer_accesses += buffer_accesses(int(xp.count_nonzero(x)), 0,
                                                 int(xp.count_nonzero(xp.any(x != 0, axis=1))) * n_out)
        planes = input_planes(x, cfg.input_bits, xp)
        lines_per_input = (self.programmed.tiling.cells_per_weight if self.transposed else 1)
        if not ideal:
            v2t = cfg.read_voltage ** 2 * cfg.read_pulse
            line_g = g_pos.sum(axis=1) + (0.0 if g_neg is None else g_neg.sum(axis=1))
            std = self.device.read_noise_std(self.temperature)
            if std > 0 and self.rng is None:
                raise ValueError("this device has read noise: give the macro an rng "
                                 "(numpy.random.Generator) to draw it")
            r_seg = float(cfg.wire_resistance)
            # per-cell noise variance weights, once per call (not per plane and tile)
            g_sq = (g_pos * g_pos if g_neg is None else g_pos * g_pos + g_neg * g_neg) if std > 0 else None
        for scale, plane in planes:
            tally.serial_reads += int(xp.count_nonzero(xp.any(plane > 0, axis=1)))
            full = float(plane.max())
            for r0 in row_tiles:
                rs = slice(r0, r0 + in_tile)
                part = plane[:, rs]
                active = part > 0
                vec_active = xp.any(active, axis=1)
                n_vec = int(xp.count_nonzero(vec_active))
                if n_vec == 0:
                    continue
                n_pulses = int(xp.count_nonzero(active))
                tally.input_pulses += n_pulses
                tally.buffer_accesses += buffer_accesses(0, n_pulses, 0)
                tally.line_drives += n_pulses * len(col_tiles) * lines_per_input
                tally.array_reads += n_vec * len(col_tiles)
                tally.synapse_ops += n_pulses * n_out
                tally.max_active_rows = max(tally.max_active_rows, int(active.sum(axis=1).max()))
                if ideal:
                    y += scale * (part @ weights[rs])
                    continue
                if not r_seg:  # with IR drop the reads draw less: counted per tile below
                    tally.cell_read_J += v2t * float(part.sum(axis=0) @ line_g[rs])
                signed = g_neg is not None or cfg.offset_reference == "column"
                adc = column_adc(cfg, self.device.g_max, self.device.g_min, in_tile, full, signed)
                distance = array_distance(np.arange(part.shape[1]), in_tile)
                reference = self.programmed.g_ref * part.sum(axis=1, keepdims=True)
                if g_neg is None and signed:  # the reference column's cells are read too
                    if r_seg:
                        ref_g = xp.full((part.shape[1], 1), self.programmed.g_ref)
                        reference = line_sums(part, ref_g, distance, r_seg, xp)
                    tally.cell_read_J += v2t * float(reference.sum()) * len(col_tiles)
                for c, c0 in enumerate(col_tiles):
                    cs = slice(c0, c0 + out_tile)
                    value = self._tile_sum(part, g_pos[rs, cs], None if g_neg is None else g_neg[rs, cs],
                                           None if g_sq is None else g_sq[rs, cs], std, r_seg, distance,
                                           v2t)
                    if g_neg is None and signed:  # reference current subtracted before the ADC
                        value = value - reference
                    # vectors that did not drive this tile were not read: they add nothing
                    tally.adc_clipped += int(xp.count_nonzero(adc.clipped(value, xp) & vec_active[:, None]))
                    tally.adc_peak = max(tally.adc_peak, float(xp.max(xp.abs(value) * vec_active[:, None]))
                                         / adc.full_scale)
                    value = xp.where(vec_active[:, None], adc.convert(value, xp), 0.0)
                    if not signed:  # raw offset column: the reference is subtracted digitally
                        value = value - reference
                        tally.digital_adds += n_vec * value.shape[1]
                    y[:, cs] += scale * self.programmed.gain * value
                    tally.adc_conversions += n_vec * value.shape[1]
                    tally.adc_checked += n_vec * value.shape[1]
                    results[:, c] += vec_active
        per_tile = xp.asarray([min(out_tile, n_out - c0) for c0 in col_tiles])
        tally.digital_adds += int((xp.maximum(results - 1, 0) * per_tile).sum())
        return y

    def _tile_sum(self, part, gp, gn, g_sq, std: float, r_seg: float, distance, v2t: float):
        """Column sums of one tile in conductance units (S × input), with IR drop
        (:func:`~neurosim.crossbar.periphery.line_sums`, ``r_seg`` Ω per cell segment, rows
        ``distance`` segments from the sense end) and read noise; ``g_sq``: the tile's
        ``gp² (+ gn²)``, the weights of the cells' noise variances. With IR drop the read energy
        the lines drew, ``v2t · Σ`` line sums (``v2t = V² t``), is added to the tally here."""
        xp = self.xp
        pos = line_sums(part, gp, distance, r_seg, xp)
        if gn is None:
            total = pos
        else:
            neg = line_sums(part, gn, distance, r_seg, xp)
            total = pos - neg
        if r_seg:
            self.tally.cell_read_J += v2t * float(pos.sum() + (0.0 if gn is None else neg.sum()))
        if std > 0:
            noise = self.rng.standard_normal(total.shape)
            total = total + std * xp.sqrt((part * part) @ g_sq) * noise
        return total
