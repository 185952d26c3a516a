"""Operation counting and the per-operation energy/latency model."""

from neurosim.energy.counters import OperationCounts, count_operations
from neurosim.energy.model import EnergyEstimate, estimate_energy, latency_per_inference

__all__ = ["EnergyEstimate", "OperationCounts", "count_operations", "estimate_energy",
           "latency_per_inference"]
