"""Trained weights and lateral matrices on the chip's RRAM: programmed by write-verify pulses with
the device's programming error, read with its read noise.

Each matrix (``W1``, ``W2``, the lateral ``H`` of each layer) is a differential pair of devices per
entry, ``w = gain · (G⁺ − G⁻)``, ``gain = w_range / (g_max − g_min)``, the unused device of a pair
at ``g_min``; ``w_range`` is fixed when the matrix is first written (4 × its largest initial
entry, for weights and for a layer's first lateral rows). Updates follow the mixed-
precision scheme of on-chip training (Nandakumar et al., Front. Neurosci. 2020): each update is
added to a digital accumulator ``χ``; an entry is re-programmed (both devices of its pair, by
:meth:`neurosim.devices.DeviceModel.program`: quantised to ``device.levels``, programming error
``device.program_std``, verify to ``device.verify_tolerance``) once ``|χ|`` reaches the device's
granularity, ``gain · max(level step, program_std)``, and ``χ`` is cleared. Pulses and
programmed entries are counted in the memory's :class:`~neurosim.crossbar.tally.Tally`
(``program_pulses``, ``weight_writes``; priced at ``energy.program_pulse`` per pulse).

**Reads go through the chip's macro** (:class:`~neurosim.crossbar.CrossbarMacro` on the stored
conductances, :meth:`OnChipMemory.matmul`): the forward passes of training and of every test,
the backward pass through ``W2`` (a transposed read of the same arrays) and the HLOP projection
``a − H_oldᵀ(H_old a)`` (two reads of the lateral array). Each input vector is coded by the DAC
at ``input_bits`` (scaled to its own largest magnitude, applied bit-serially), every cell adds
its read noise, IR drop follows ``crossbar.wire_resistance``, and the chip's column ADC
(``crossbar.adc_bits``, ``adc_mode``) converts each column, its range calibrated on the first
read of each matrix and direction in a task, with :data:`ADC_HEADROOM` (:meth:`OnChipMemory.recalibrate`
at every task's start, as macros set a per-layer range). The reads count into the same ``tally`` as the writes.
Oja's rule computes its own ``y = H a`` from the stored conductances, without read noise or
ADC (the lateral circuit's learning reads are not modelled). :meth:`read` (a whole matrix with
per-device read noise) serves the spiking lateral circuit, which needs the matrix itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurosim.config import Config, apply_mapping
from neurosim.crossbar import CrossbarMacro, Tally
from neurosim.crossbar.mapping import ProgrammedMatrix, tiling_for
from neurosim.devices import build_device

__all__ = ["ADC_HEADROOM", "OnChipMemory"]

#: The calibrated ADC range is this many times the largest column output of the batch that calibrates
#: it: the weights and activity grow during a task, and an output beyond the range clips (a clipped
#: projection or logit is a systematic error that training amplifies); 2 costs one bit of resolution.
ADC_HEADROOM = 2.0


@dataclass
class _Stored:
    gain: float
    g_pos: np.ndarray
    g_neg: np.ndarray
    pending: np.ndarray


@dataclass
class OnChipMemory:
    """Where the trained weights and lateral rows live when ``continual.on_chip`` is on.

    ``tally``: every read (through the macro) and write (programming pulses) so far, priced by
    :func:`neurosim.energy.tally_energy_breakdown`; ``read_vectors``: vectors the learning asked
    to read (the macro's ``tally.vectors`` also counts ADC calibration reads).
    """

    config: Config
    rng: np.random.Generator
    input_bits: int = 8
    read_vectors: int = 0
    tally: Tally = field(default_factory=Tally)
    _stored: dict = field(default_factory=dict)
    _names: dict = field(default_factory=dict)
    _adc_range: dict = field(default_factory=dict)

    def __post_init__(self):
        self.device = build_device(self.config.device, with_forming=False)
        d = self.config.device
        self.window = d.g_max - d.g_min
        self.step = self.window / (d.levels - 1) if d.levels >= 2 else 0.0
        self._read_config = apply_mapping(self.config, {"crossbar": {"input_bits": self.input_bits}},
                                          "continual.on_chip_input_bits")

    # ---------------------------------------------------------------- storage
    def _program(self, name: str, w: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Program entries ``mask`` (all if None) of matrix ``name`` to ``w``; the stored values."""
        s = self._stored[name]
        d = self.config.device
        target = np.clip(w / s.gain, -self.window, self.window)
        pos = d.g_min + np.maximum(target, 0.0)
        neg = d.g_min + np.maximum(-target, 0.0)
        idx = np.ones(w.shape, bool) if mask is None else mask
        n = int(idx.sum())
        if n:
            gp, p1 = self.device.program(pos[idx], self.rng)
            gn, p2 = self.device.program(neg[idx], self.rng)
            s.g_pos[idx], s.g_neg[idx] = gp, gn
            self.tally.program_pulses += p1 + p2
            self.tally.weight_writes += n
        return s.gain * (s.g_pos - s.g_neg)

    def store(self, name: str, w: np.ndarray, w_range: float) -> np.ndarray:
        """First write of matrix ``name`` (all entries); returns the stored values."""
        d = self.config.device
        gain = w_range / self.window
        self._stored[name] = _Stored(gain, np.full(w.shape, d.g_min), np.full(w.shape, d.g_min),
                                     np.zeros(w.shape))
        return self._program(name, w)

    def stored(self, name: str) -> np.ndarray:
        s = self._stored[name]
        return s.gain * (s.g_pos - s.g_neg)

    def update(self, name: str, delta: np.ndarray) -> np.ndarray:
        """Add ``delta`` to matrix ``name`` (mixed precision, see the module docstring); the new
        stored values."""
        s = self._stored[name]
        s.pending += delta
        grain = s.gain * max(self.step, self.config.device.program_std)
        due = np.abs(s.pending) >= grain if grain > 0 else s.pending != 0
        target = self.stored(name) + np.where(due, s.pending, 0.0)
        s.pending[due] = 0.0
        return self._program(name, target, due)

    def read(self, name: str, vectors: int) -> np.ndarray:
        """Matrix ``name`` as ``vectors`` input vectors read it: every device with read noise."""
        s = self._stored[name]
        self.read_vectors += vectors
        std = self.device.read_noise_std()
        if std == 0.0:
            return s.gain * (s.g_pos - s.g_neg)
        gp = s.g_pos * (1.0 + std * self.rng.standard_normal(s.g_pos.shape))
        gn = s.g_neg * (1.0 + std * self.rng.standard_normal(s.g_neg.shape))
        return s.gain * (gp - gn)

    def count_read(self, name: str, vectors: int = 1) -> None:
        """Count ``vectors`` one-shot reads of the whole matrix ``name`` (``W``: ``out × in``) in the
        tally, for callers that read it with :meth:`read` one vector at a time (a closed loop: the
        macro's bit-serial read costs milliseconds a call): every input row driven by one pulse (one
        line per column tile), every array of its tiling read once, every output converted once per
        row tile and the row tiles' partial sums added, every weight read, the cells dissipating
        ``V² G t`` at the full read voltage. No event-buffer accesses: the inputs are dense registers
        (e.g. eligibility traces) that drive the DACs in place, as a digital readout's MACs read them
        without a buffer charge."""
        s = self._stored[name]
        n_out, n_in = s.g_pos.shape
        x = self.config.crossbar
        tiling = tiling_for((n_in, n_out), x, False)
        t = self.tally
        t.vectors += vectors
        t.macs += vectors * n_in * n_out
        t.serial_reads += vectors                 # its arrays are read in parallel
        t.row_activations += vectors * n_in
        t.line_drives += vectors * n_in * tiling.col_tiles
        t.input_pulses += vectors * n_in
        t.array_reads += vectors * tiling.arrays
        t.adc_conversions += vectors * n_out * tiling.row_tiles
        t.digital_adds += vectors * n_out * (tiling.row_tiles - 1)
        t.synapse_ops += vectors * n_in * n_out
        t.cell_read_J += vectors * x.read_voltage ** 2 * x.read_pulse * float(s.g_pos.sum() + s.g_neg.sum())

    def matmul(self, name: str, x: np.ndarray, transposed: bool = False, rows: int | None = None) -> np.ndarray:
        """``x @ Wᵀ`` (``transposed``: ``x @ W``) for stored matrix ``name`` (``W``: ``out × in``, or its
        first ``rows`` rows), read through the chip's macro (see the module docstring); ``x`` float
        ``[batch, in]`` (``[batch, out]`` transposed)."""
        s = self._stored[name]
        gp, gn = (s.g_pos, s.g_neg) if rows is None else (s.g_pos[:rows], s.g_neg[:rows])
        shape = (gp.shape[1], gp.shape[0])      # the macro maps inputs (columns of W) to outputs
        # the arrays laid out as the read direction walks them (a contiguous copy per forward read)
        layout = (lambda a: a.T) if transposed else (lambda a: np.ascontiguousarray(a.T))
        programmed = ProgrammedMatrix(weights=s.gain * layout(gp - gn), g_pos=layout(gp), g_neg=layout(gn),
                                      tiling=tiling_for(shape, self.config.crossbar, False), gain=s.gain)
        key = (name, transposed, rows)
        config = self._read_config
        if key in self._adc_range:
            config = apply_mapping(config, {"crossbar": {"adc_range": self._adc_range[key]}}, "ADC calibration")
        macro = CrossbarMacro(config, programmed, self.rng, tally=self.tally, device=self.device)
        macro = macro.T if transposed else macro
        x = np.asarray(x, dtype=np.float64)
        scale = np.ones((len(x), 1))
        if self.input_bits:              # each vector coded to the DAC's range, scaled back after
            peak = np.abs(x).max(axis=1, keepdims=True)
            scale = np.where(peak > 0, peak / (2 ** self.input_bits - 1), 1.0)
        codes = x / scale
        if key not in self._adc_range:
            probe = macro.calibrated(codes, tally=self.tally)
            self._adc_range[key] = min(1.0, ADC_HEADROOM * probe.config.crossbar.adc_range)
            config = apply_mapping(config, {"crossbar": {"adc_range": self._adc_range[key]}}, "ADC calibration")
            macro = CrossbarMacro(config, programmed, self.rng, tally=self.tally, device=self.device)
            macro = macro.T if transposed else macro
        self.read_vectors += len(x)
        return (macro @ codes) * scale

    def recalibrate(self) -> None:
        """Forget the ADC ranges: the next read of each matrix and direction calibrates again."""
        self._adc_range.clear()

    # ---------------------------------------------------------------- hooks of train_stream
    def attach(self, net) -> None:
        """Program the network's initial weights; its forward and backward passes read them through
        the macro from now on."""
        for name, w in net.params.items():
            net.params[name][...] = self.store(name, w, 4.0 * float(np.abs(w).max() or 1.0))
        net.matmul = self.matmul

    def write_params(self, net, before: dict) -> None:
        """After an optimiser step: program the change of every weight matrix."""
        for name, w in net.params.items():
            net.params[name][...] = self.update(name, w - before[name])

    def write_lateral(self, sub, before: np.ndarray, layer: int) -> None:
        """After Oja steps on lateral subspace ``sub`` of ``layer``: program the change of its
        learning rows; rows new since the last call are first written whole (frozen rows keep
        their devices, untouched)."""
        name = f"H{layer + 1}"
        old = self._stored.get(name)
        if old is None or old.g_pos.shape != sub.h.shape:
            d = self.config.device
            gain = old.gain if old is not None else 4.0 * float(np.abs(before).max() or 1.0) / self.window
            s = _Stored(gain, np.full(sub.h.shape, d.g_min), np.full(sub.h.shape, d.g_min),
                        np.zeros(sub.h.shape))
            f0 = 0 if old is None else old.g_pos.shape[0]
            if old is not None:
                s.g_pos[:f0], s.g_neg[:f0] = old.g_pos, old.g_neg
            self._stored[name] = s
            mask = np.zeros(sub.h.shape, bool)
            mask[f0:] = True
            stored = self._program(name, before, mask)
            self._names[id(sub)] = name
            before = before.copy()
            before[f0:] = stored[f0:]
        f = sub.frozen
        delta = np.zeros_like(sub.h)
        delta[f:] = sub.h[f:] - before[f:]
        sub.h[f:] = self.update(name, delta)[f:]

    def project_off(self, sub, a: np.ndarray) -> np.ndarray:
        """Activity ``a`` with its part in the frozen rows of lateral subspace ``sub`` removed,
        ``a − (a H_oldᵀ) H_old``, both products read through the lateral array's macro."""
        name = self._names.get(id(sub))
        if name is None or sub.frozen == 0:
            return a - (a @ sub.old.T) @ sub.old
        y = self.matmul(name, a, rows=sub.frozen)
        return a - self.matmul(name, y, transposed=True, rows=sub.frozen)

    def frozen_rows(self, sub, vectors: int) -> np.ndarray:
        """The frozen rows of lateral subspace ``sub`` as a projection of ``vectors`` inputs reads them."""
        name = self._names.get(id(sub))
        return sub.old if name is None else self.read(name, vectors)[:sub.frozen]
