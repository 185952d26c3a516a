"""Energy and latency of one inference from operation counts and the chip config.

energy = Σ (operation count × energy per operation) + static power × time.
RRAM cell reads are physical: a driven row dissipates V² · G · t_pulse in every
cell on it, so the read energy depends on the programmed conductances.
Programming the chip (forming pulses, write-verify pulses) is a one-time cost,
reported apart from the per-inference energy.
The digital baseline runs the same network densely (every weight fetched and
multiplied in every time step), as the papers' GPU/CPU comparisons do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix
from neurosim.energy.counters import OperationCounts


@dataclass(frozen=True)
class EnergyEstimate:
    """Per-inference figures: energies in J, latency in s.

    ``breakdown_J`` sums to ``per_inference_J``. ``programming_J`` is the one-time
    energy of programming the chip (not part of the per-inference total).
    """

    per_inference_J: float
    breakdown_J: dict[str, float]
    latency_s: float
    baseline_name: str
    baseline_per_inference_J: float
    programming_J: float = 0.0

    @property
    def improvement_vs_baseline(self) -> float:
        """How many times less energy than the digital baseline."""
        return self.baseline_per_inference_J / self.per_inference_J


@dataclass(frozen=True)
class ArrayOps:
    """Operations of the in-memory arrays and their periphery (counts; ``cell_read_J`` in J)."""

    line_drives: int = 0
    input_pulses: int = 0
    adc_conversions: int = 0
    digital_adds: int = 0
    buffer_accesses: int = 0
    synapse_ops: int = 0
    cell_read_J: float = 0.0


def price_array_ops(config: Config, ops: ArrayOps, ideal: bool) -> dict[str, float]:
    """Energy (J) of array operations by component.

    ``ops`` is an :class:`ArrayOps` or anything with the same fields, such as a
    :class:`~neurosim.crossbar.MacroTally`.

    On an ideal (digital) chip the weights are read digitally (``synapse_op``
    per synaptic operation); otherwise the cells dissipate ``cell_read_J``.
    """
    e = config.energy
    return {
        "synapse_reads": ops.synapse_ops * e.synapse_op if ideal else ops.cell_read_J,
        "row_drivers": ops.line_drives * e.row_driver,
        "dac": ops.input_pulses * e.dac_pulse,
        "adc": ops.adc_conversions * e.adc_conversion,
        "partial_sums": ops.digital_adds * e.partial_sum_add,
        "buffer": ops.buffer_accesses * e.buffer_access,
    }


def latency_per_inference(config: Config, steps: int, neurons: int) -> float:
    """Seconds for one inference (s).

    Each time step reads the arrays in parallel (one read pulse, then every ADC
    converts its ``columns_per_adc`` multiplexed columns in turn) and updates all
    neurons in one clock cycle; the readout has one MAC unit per class and takes
    one cycle per feature.
    """
    cycle = 1.0 / config.energy.clock_hz
    step = (config.crossbar.read_pulse + config.crossbar.columns_per_adc * config.energy.adc_time
            + cycle)
    return steps * step + neurons * cycle


def synapse_read_energy(config: Config, counts: OperationCounts,
                        programmed: ProgrammedMatrix) -> float:
    """Total energy (J) of the weight reads for the whole batch."""
    if programmed.g_pos is None:
        return counts.synapse_ops * config.energy.synapse_op
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    return float(v * v * t * np.dot(counts.row_activations_per_row, programmed.row_conductance))


def programming_energy(config: Config, programmed: ProgrammedMatrix) -> float:
    """One-time energy (J) of programming the chip: forming and write-verify pulses."""
    e = config.energy
    return programmed.forming_pulses * e.forming_pulse + programmed.program_pulses * e.program_pulse


def estimate_energy(config: Config, counts: OperationCounts, programmed: ProgrammedMatrix,
                    n_inputs: int, n_classes: int, steps: int) -> EnergyEstimate:
    """Per-inference energy breakdown, latency and the digital baseline."""
    e = config.energy
    n = programmed.tiling.out_cols
    latency = latency_per_inference(config, steps, n)
    ops = ArrayOps(line_drives=counts.row_drives, input_pulses=counts.input_pulses,
                   adc_conversions=counts.adc_conversions, digital_adds=counts.partial_sum_adds,
                   buffer_accesses=counts.buffer_accesses, synapse_ops=counts.synapse_ops,
                   cell_read_J=synapse_read_energy(config, counts, programmed))
    totals = price_array_ops(config, ops, ideal=programmed.g_pos is None)
    totals["neuron_updates"] = counts.neuron_updates * e.neuron_update
    totals["readout"] = counts.readout_macs * e.readout_mac
    breakdown = {k: float(v) / counts.samples for k, v in totals.items()}
    breakdown["static"] = e.static_power * latency
    b = config.baseline
    dense_macs = steps * (n_inputs + n) * n + n * n_classes
    baseline = dense_macs * (b.mac + b.weight_fetch) + steps * n * b.neuron_update
    return EnergyEstimate(per_inference_J=float(sum(breakdown.values())), breakdown_J=breakdown,
                          latency_s=latency, baseline_name=b.name,
                          baseline_per_inference_J=float(baseline),
                          programming_J=float(programming_energy(config, programmed)))
