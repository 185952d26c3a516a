"""Mapping a weight matrix onto crossbar arrays with differential column pairs.

A weight ``w[r, c]`` is stored as two conductances on neighbouring bit lines,
``w = gain * (G+ - G-)``; the periphery subtracts the two column currents. A
matrix larger than one array is split into tiles of ``rows x cols`` cells, whose
column partial sums are added digitally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.config import Config, CrossbarConfig
from neurosim.devices import form_conductances


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
    def row_tiles(self) -> int:
        return math.ceil(self.in_rows / self.rows_per_array)

    @property
    def col_tiles(self) -> int:
        return math.ceil(self.out_cols * self.cells_per_weight / self.cols_per_array)

    @property
    def arrays(self) -> int:
        return self.row_tiles * self.col_tiles

    @property
    def bit_lines(self) -> int:
        """Bit lines in use across all arrays of one row tile."""
        return self.out_cols * self.cells_per_weight

    def row_tile_of(self, rows: np.ndarray) -> np.ndarray:
        """Index of the row tile each logical input row lies in."""
        return np.asarray(rows) // self.rows_per_array


def tiling_for(shape: tuple[int, int], crossbar: CrossbarConfig, ideal: bool) -> Tiling:
    """The tiling of an ``(inputs, outputs)`` matrix on the configured arrays."""
    return Tiling(in_rows=shape[0], out_cols=shape[1], rows_per_array=crossbar.rows,
                  cols_per_array=crossbar.cols, cells_per_weight=1 if ideal else 2)


@dataclass(frozen=True)
class ProgrammedMatrix:
    """A random weight matrix as programmed into a chip.

    ``weights`` (float64, ``(inputs, outputs)``) has zero mean and unit standard
    deviation by design: ``gain * (G+ - G-)`` with ``gain = 1 / (sqrt(2) *
    forming_std)``, a gain fixed by the periphery, so clipping at the conductance
    window shrinks the spread as it would on silicon. ``g_pos``/``g_neg`` are
    the conductances (S); both are None on an ideal chip, whose weights are exact
    float Gaussians.
    """

    weights: np.ndarray
    g_pos: np.ndarray | None
    g_neg: np.ndarray | None
    tiling: Tiling

    @property
    def row_conductance(self) -> np.ndarray | None:
        """Sum of all conductances on each input row (S, shape ``(inputs,)``)."""
        if self.g_pos is None:
            return None
        return self.g_pos.sum(axis=1) + self.g_neg.sum(axis=1)


def program_random_matrix(config: Config, shape: tuple[int, int],
                          rng: np.random.Generator) -> ProgrammedMatrix:
    """Program a random ``(inputs, outputs)`` matrix into the configured chip."""
    ideal = config.device.kind == "ideal"
    tiling = tiling_for(shape, config.crossbar, ideal)
    if ideal:
        return ProgrammedMatrix(rng.standard_normal(shape), None, None, tiling)
    g_pos = form_conductances(config.device, shape, rng)
    g_neg = form_conductances(config.device, shape, rng)
    gain = 1.0 / (math.sqrt(2.0) * config.device.forming_std)
    return ProgrammedMatrix(gain * (g_pos - g_neg), g_pos, g_neg, tiling)
