"""Operation counting and the per-operation energy, latency and area model."""

from neurosim.energy.area import AreaEstimate, estimate_area
from neurosim.energy.counters import OperationCounts, count_operations
from neurosim.energy.baselines import DigitalBaseline, load_baselines
from neurosim.energy.macro_cost import (macro_energy_breakdown, macro_energy_J, macro_latency_s,
                                        macro_tops_per_watt)
from neurosim.energy.model import (ArrayOps, EnergyEstimate, compute_latency, estimate_energy,
                                   price_array_ops, programming_energy,
                                   static_energy)

__all__ = ["AreaEstimate", "ArrayOps", "DigitalBaseline", "EnergyEstimate", "OperationCounts",
           "compute_latency", "count_operations", "load_baselines", "static_energy",
           "estimate_area", "estimate_energy", "macro_energy_J",
           "macro_energy_breakdown", "macro_latency_s", "macro_tops_per_watt", "price_array_ops",
           "programming_energy"]
