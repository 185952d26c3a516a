"""Operation counting (one :class:`Tally` for every array read and write) and the per-operation
energy, latency and area model (one pricing function, :func:`price`)."""

from neurosim.crossbar.tally import Tally
from neurosim.energy.area import AreaEstimate, estimate_area
from neurosim.energy.baselines import DigitalBaseline, load_baselines
from neurosim.energy.counters import count_operations
from neurosim.energy.macro_cost import (macro_energy_breakdown, macro_energy_J, macro_latency_s,
                                        macro_tops_per_watt, tally_energy_breakdown)
from neurosim.energy.model import (EnergyEstimate, cell_read_energy, compute_latency, decision_timing,
                                   estimate_energy, full_scale_current, price, programming_energy, static_energy,
                                   static_power)

__all__ = ["AreaEstimate", "DigitalBaseline", "EnergyEstimate", "Tally", "cell_read_energy", "compute_latency",
           "count_operations", "decision_timing", "estimate_area", "estimate_energy", "full_scale_current",
           "load_baselines", "macro_energy_J", "macro_energy_breakdown", "macro_latency_s", "macro_tops_per_watt",
           "price", "programming_energy", "static_energy", "static_power", "tally_energy_breakdown"]
