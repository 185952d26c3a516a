"""Silicon area of the arrays and periphery a weight matrix occupies.

Every array in use counts whole (``rows × cols`` cells, one driver per word
line, one ADC per ``columns_per_adc`` bit lines, a fixed periphery), plus one
digital neuron per output. Areas in m²; the breakdown sums to the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurosim.config import Config
from neurosim.crossbar.mapping import Tiling


@dataclass(frozen=True)
class AreaEstimate:
    """Chip area (m²) and its breakdown by component."""

    total_m2: float
    breakdown_m2: dict[str, float]


def estimate_area(config: Config, tiling: Tiling) -> AreaEstimate:
    """Area of the arrays holding ``tiling``'s matrix and of its output neurons."""
    x = config.crossbar
    arrays = tiling.arrays
    breakdown = {
        "cells": arrays * x.rows * x.cols * x.cell_area,
        "row_drivers": arrays * x.rows * x.row_driver_area,
        "adcs": arrays * math.ceil(x.cols / x.columns_per_adc) * x.adc_area,
        "array_periphery": arrays * x.array_periphery_area,
        "neurons": tiling.out_cols * x.neuron_area,
    }
    return AreaEstimate(total_m2=float(sum(breakdown.values())), breakdown_m2=breakdown)
