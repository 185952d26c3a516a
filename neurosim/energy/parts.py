"""An :class:`~neurosim.energy.EnergyEstimate` for array reads a task makes besides its reservoir's steps
(a projection or a trained network read on the crossbar), priced on the one accounting path.

The reads are counted in a :class:`~neurosim.crossbar.tally.Tally` (by a
:class:`~neurosim.crossbar.CrossbarMacro` or :class:`~neurosim.learning.onchip.OnChipMemory`) and
priced by :func:`~neurosim.energy.price` (through
:func:`~neurosim.energy.macro_cost.tally_energy_breakdown`), so each ADC conversion pays at its
resolution with TIA, sample-and-hold and bit lines, and each driven row its cells' ``V² G t``. The part
carries its latency and operating envelope; :meth:`EnergyEstimate.combine` adds it to the reservoir's
estimate, whose digital baselines it keeps.
"""

from __future__ import annotations

from neurosim.config import Config
from neurosim.crossbar.tally import Tally
from neurosim.energy.macro_cost import tally_energy_breakdown
from neurosim.energy.model import EnergyEstimate, array_read_time, operating_envelope

__all__ = ["array_estimate"]


def array_estimate(config: Config, tally: Tally, inferences: int, ideal: bool = False,
                   cells_per_weight: int = 2) -> EnergyEstimate:
    """Per-inference estimate of what ``tally`` counted over ``inferences`` inferences on chip ``config``.

    Energy by component (J): :func:`~neurosim.energy.macro_cost.tally_energy_breakdown` (the one
    price list; ``static``: static power over the time the arrays were read) divided by
    ``inferences``. Latency (s): the serial array reads (:func:`~neurosim.energy.model.array_read_time`
    each) plus one clock cycle per input vector for the shift-and-add, per inference; the part's
    sensor-to-decision time is its latency (it starts when its input is ready). Envelope: the reads'
    :func:`~neurosim.energy.model.operating_envelope`. No baselines: in
    :meth:`EnergyEstimate.combine` a part without them adds to the chip's side only. ``ideal`` and
    ``cells_per_weight`` as in :func:`~neurosim.energy.price`.
    """
    if inferences < 1:
        raise ValueError(f"array_estimate: inferences must be ≥ 1, got {inferences}")
    parts = tally_energy_breakdown(config, tally, ideal=ideal, cells_per_weight=cells_per_weight)
    breakdown = {k: float(v) / inferences for k, v in parts.items()}
    latency = (tally.serial_reads * array_read_time(config) + tally.vectors / config.energy.clock_hz) / inferences
    return EnergyEstimate(per_inference_J=float(sum(breakdown.values())), breakdown_J=breakdown, latency_s=latency,
                          baseline_name="", baseline_per_inference_J=0.0, sensor_to_decision_s=latency,
                          envelope=operating_envelope(config, tally))
