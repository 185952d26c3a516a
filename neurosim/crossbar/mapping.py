"""Mapping a weight matrix onto crossbar arrays.

A logical weight matrix ``W`` has shape ``(inputs, outputs)``: inputs drive word
lines (rows), outputs are read on bit lines (columns). Two mappings:

* ``differential``: ``w = gain · (G+ − G−)`` on two neighbouring bit lines; the
  periphery subtracts the two column currents;
* ``offset``: ``w = gain · (G − g_ref)`` on one bit line; the periphery
  subtracts ``g_ref · Σ x`` digitally.

A matrix larger than one array is split into tiles of ``rows × cols`` cells
whose column partial sums are added digitally.

Weights come either from forming (the LSM's random weights, Lin et al. 2025:
``w = (G+ − G−) / (√2 · forming_std)``, a gain fixed by the periphery, so
clipping at the conductance window shrinks the spread as it would on silicon)
or from write-verify programming of given targets (``program_matrix``), where
the largest ``|w|`` maps onto the full conductance window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.config import Config, CrossbarConfig
from neurosim.devices import DeviceModel, DeviceState, build_device


@dataclass(frozen=True)
class Tiling:
    """How a logical ``in_rows x out_cols`` weight matrix occupies arrays.

    ``row_tiles`` arrays are stacked along the inputs and ``col_tiles`` along the
    outputs; each output uses ``cells_per_weight`` bit lines (2 for differential).
    """

    in_rows: int
    out_cols: int
    rows_per_array: int
    cols_per_array: int
    cells_per_weight: int

    @property
    def outputs_per_array(self) -> int:
        """Logical outputs one array holds."""
        return max(self.cols_per_array // self.cells_per_weight, 1)

    @property
    def row_tiles(self) -> int:
        return math.ceil(self.in_rows / self.rows_per_array)

    @property
    def col_tiles(self) -> int:
        return math.ceil(self.out_cols / self.outputs_per_array)

    @property
    def arrays(self) -> int:
        return self.row_tiles * self.col_tiles


def tiling_for(shape: tuple[int, int], crossbar: CrossbarConfig, ideal: bool) -> Tiling:
    """The tiling of an ``(inputs, outputs)`` matrix on the configured arrays."""
    cells = 1 if ideal or crossbar.mapping == "offset" else 2
    return Tiling(in_rows=shape[0], out_cols=shape[1], rows_per_array=crossbar.rows,
                  cols_per_array=crossbar.cols, cells_per_weight=cells)


@dataclass(frozen=True)
class ProgrammedMatrix:
    """A weight matrix as programmed into a chip.

    ``weights`` (float64, ``(inputs, outputs)``) are the weights the chip
    computes with when read without noise: ``gain · (G+ − G−)`` (differential)
    or ``gain · (G − g_ref)`` (offset), from the conductances at the configured
    read time and temperature (drift, temperature and stuck-at faults
    included). ``g_pos``/``g_neg`` are those conductances (S; ``g_neg`` is None
    for offset mapping); both are None on an ideal chip, whose weights are
    exact floats. ``state_pos``/``state_neg`` keep the programmed devices so the
    conductances can be recomputed at another time or temperature.
    ``forming_pulses`` and ``program_pulses`` count what programming the chip
    cost (one forming pulse per formed device, every write-verify pulse).
    """

    weights: np.ndarray
    g_pos: np.ndarray | None
    g_neg: np.ndarray | None
    tiling: Tiling
    gain: float = 1.0
    g_ref: float = 0.0
    forming_pulses: int = 0
    program_pulses: int = 0
    state_pos: DeviceState | None = None
    state_neg: DeviceState | None = None

    @property
    def row_conductance(self) -> np.ndarray | None:
        """Sum of all conductances on each input row (S, shape ``(inputs,)``)."""
        if self.g_pos is None:
            return None
        total = self.g_pos.sum(axis=1)
        return total if self.g_neg is None else total + self.g_neg.sum(axis=1)


def program_random_matrix(config: Config, shape: tuple[int, int],
                          rng: np.random.Generator) -> ProgrammedMatrix:
    """Program a random ``(inputs, outputs)`` matrix of unit-variance weights into the chip.

    Ideal chip: exact float Gaussians. Resistive chip, ``weight_source =
    'forming'``: the formed conductances themselves; ``'program'``: Normal(0, 1)
    weights clipped to ``± crossbar.weight_clip``, written by write-verify.
    """
    if config.device.kind == "ideal":
        tiling = tiling_for(shape, config.crossbar, ideal=True)
        return ProgrammedMatrix(rng.standard_normal(shape), None, None, tiling)
    if config.device.weight_source == "program":
        clip = config.crossbar.weight_clip
        return program_matrix(config, np.clip(rng.standard_normal(shape), -clip, clip), rng)
    device = build_device(config.device)
    tiling = tiling_for(shape, config.crossbar, ideal=False)
    g_pos, pulses = device.form(shape, rng)
    if tiling.cells_per_weight == 2:
        g_neg, more = device.form(shape, rng)
        gain = 1.0 / (math.sqrt(2.0) * device.forming.std)
        return _finish(device, tiling, gain, 0.0, g_pos, g_neg, rng, forming_pulses=pulses + more)
    return _finish(device, tiling, 1.0 / device.forming.std, device.forming.mean, g_pos, None, rng,
                   forming_pulses=pulses)


def program_matrix(config: Config, weights: np.ndarray, rng: np.random.Generator) -> ProgrammedMatrix:
    """Write a given ``(inputs, outputs)`` weight matrix into the chip by write-verify.

    The largest ``|w|`` maps onto the whole window: differential pairs use
    ``G± = g_min + max(±w, 0) / gain``; offset mapping uses
    ``G = g_ref + w / gain`` around the window's centre ``g_ref``. On an ideal
    chip the weights are stored exactly.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"a weight matrix must be 2-D (inputs, outputs), got shape {weights.shape}")
    if config.device.kind == "ideal":
        return ProgrammedMatrix(weights.copy(), None, None,
                                tiling_for(weights.shape, config.crossbar, ideal=True))
    device = build_device(config.device)
    tiling = tiling_for(weights.shape, config.crossbar, ideal=False)
    w_max = float(np.abs(weights).max()) or 1.0
    span = device.g_max - device.g_min
    if tiling.cells_per_weight == 2:
        gain = w_max / span
        g_pos, p1 = device.program(device.g_min + np.maximum(weights, 0.0) / gain, rng)
        g_neg, p2 = device.program(device.g_min + np.maximum(-weights, 0.0) / gain, rng)
        return _finish(device, tiling, gain, 0.0, g_pos, g_neg, rng, program_pulses=p1 + p2)
    g_ref = 0.5 * (device.g_min + device.g_max)
    gain = w_max / (0.5 * span)
    g, pulses = device.program(g_ref + weights / gain, rng)
    return _finish(device, tiling, gain, g_ref, g, None, rng, program_pulses=pulses)


def _finish(device: DeviceModel, tiling: Tiling, gain: float, g_ref: float, g_pos: np.ndarray,
            g_neg: np.ndarray | None, rng: np.random.Generator, forming_pulses: int = 0,
            program_pulses: int = 0) -> ProgrammedMatrix:
    """Draw the per-device states and compute the conductances and weights at read time."""
    state_pos = device.sample_state(g_pos, rng)
    state_neg = device.sample_state(g_neg, rng) if g_neg is not None else None
    return at_read_time(device, tiling, gain, g_ref, state_pos, state_neg,
                        forming_pulses=forming_pulses, program_pulses=program_pulses)


def at_read_time(device: DeviceModel, tiling: Tiling, gain: float, g_ref: float, state_pos: DeviceState,
                 state_neg: DeviceState | None, time: float | None = None,
                 temperature: float | None = None, forming_pulses: int = 0,
                 program_pulses: int = 0) -> ProgrammedMatrix:
    """The programmed matrix as read ``time`` s after programming at ``temperature`` K."""
    g_pos = device.conductance(state_pos, time, temperature)
    if state_neg is not None:
        g_neg = device.conductance(state_neg, time, temperature)
        weights = gain * (g_pos - g_neg)
    else:
        g_neg = None
        weights = gain * (g_pos - g_ref)
    return ProgrammedMatrix(weights, g_pos, g_neg, tiling, gain, g_ref, forming_pulses, program_pulses,
                            state_pos, state_neg)
