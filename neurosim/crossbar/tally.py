"""The one tally of what a chip did: every array read and write, and the digital work around them.

A network's steps (:func:`neurosim.energy.count_operations`), a macro's matrix reads
(:class:`~neurosim.crossbar.CrossbarMacro`), on-chip learning's programming pulses
(:class:`~neurosim.learning.onchip.OnChipMemory`) and digital readout or learning arithmetic all
count into a :class:`Tally` with the same names, and one function prices it
(:func:`neurosim.energy.price`). The tally lives here, below the energy package, because the
crossbar counts and never prices.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["Tally"]

#: Fields merged by taking the larger value (peaks), not the sum.
_PEAKS = ("adc_peak", "max_active_rows")


@dataclass
class Tally:
    """Operations counted so far (cumulative plain numbers; ``cell_read_J`` in J).

    What was computed: ``samples``: inferences the tally covers (the per-inference divisor of
    :func:`~neurosim.energy.estimate_energy`); ``vectors``: input vectors a macro applied;
    ``macs``: logical multiply-accumulates of those reads; ``time_steps``: network steps;
    ``active_steps``: steps with any array read; ``spikes``: reservoir spikes.

    Array reads: ``row_activations``: logical input rows driven (events); ``line_drives``:
    word (or bit) lines driven, once per column tile; ``input_pulses``: driver (DAC) pulses;
    ``array_reads``: array tiles read; ``serial_reads``: array reads that follow one another in
    time (arrays work in parallel), which set the compute latency and the macro's on-time;
    ``adc_conversions``; ``digital_adds``: partial-sum, shift-and-add and offset-correction adds;
    ``buffer_accesses`` (:func:`~neurosim.crossbar.periphery.buffer_accesses`); ``synapse_ops``:
    weights read (priced at ``energy.synapse_op`` on an ideal, digital-weight chip);
    ``cell_read_J``: read energy dissipated in the cells, Σ V² G t, where the reads measured it;
    ``row_activations_per_row`` (int64 ``(rows,)`` or None): how often each logical row of one
    programmed matrix was driven, for reads whose cell energy is priced from that matrix's
    conductances (the network path). ``line_current_ideal`` and ``line_current_drawn`` (S × input,
    summed over the reads checked): the summing lines' current without and with IR drop
    (``crossbar.wire_resistance``), measured on the network path's sampled reads; their ratio scales
    the cell energy priced from ``row_activations_per_row`` (both 0 without IR drop).

    Digital work: ``neuron_updates``; ``readout_macs``: MACs of digital readouts, projections and
    learning arithmetic (priced at ``energy.readout_mac``).

    Array writes: ``program_pulses`` (priced at ``energy.program_pulse``) and ``weight_writes``:
    entries (re)programmed.

    Operating envelope: ``adc_clipped`` conversions beyond the ADC range of ``adc_checked``
    conversions checked; ``adc_peak``: the largest conversion input as a fraction of the ADC's
    full scale; ``max_active_rows``: the most rows driven in one array read.
    """

    samples: int = 0
    vectors: int = 0
    macs: int = 0
    time_steps: int = 0
    active_steps: int = 0
    spikes: int = 0
    row_activations: int = 0
    line_drives: int = 0
    input_pulses: int = 0
    array_reads: int = 0
    serial_reads: int = 0
    adc_conversions: int = 0
    digital_adds: int = 0
    buffer_accesses: int = 0
    synapse_ops: int = 0
    cell_read_J: float = 0.0
    neuron_updates: int = 0
    readout_macs: int = 0
    program_pulses: int = 0
    weight_writes: int = 0
    adc_clipped: int = 0
    adc_checked: int = 0
    adc_peak: float = 0.0
    max_active_rows: int = 0
    line_current_ideal: float = 0.0
    line_current_drawn: float = 0.0
    row_activations_per_row: np.ndarray | None = None

    def add(self, other: Tally) -> None:
        """Count ``other``'s operations here too (counts added, peaks maximised, per-row counts added)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name in _PEAKS:
                merged = max(mine, theirs)
            elif f.name == "row_activations_per_row":
                merged = theirs if mine is None else mine if theirs is None else mine + theirs
            else:
                merged = mine + theirs
            setattr(self, f.name, merged)

    def __add__(self, other: Tally) -> Tally:
        """A new tally of both (see :meth:`add`)."""
        both = Tally(**{f.name: getattr(self, f.name) for f in fields(self)})
        both.add(other)
        return both

    def as_dict(self) -> dict[str, float]:
        """The scalar counters (not the per-row array), for reports."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "row_activations_per_row"}
