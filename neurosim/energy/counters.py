"""Operation counters filled from a simulation's real spike activity.

The chip computes event-driven: a word line is driven only when its input
(an event or a reservoir spike) is active in that time step, so silent rows and
silent arrays cost nothing. Neurons are updated only in steps in which the
array was read (the decay over silent steps, ``decay^Δt``, is applied in the
next update; a neuron cannot start to fire while it only decays), and the
readout accumulates only the neurons that spiked. Hence no spikes, no dynamic
energy.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from neurosim.crossbar.mapping import Tiling


@dataclass(frozen=True)
class OperationCounts:
    """Totals over a batch of ``samples`` inferences (plain ints).

    ``row_activations_per_row`` (int64, ``(inputs,)``) says how often each logical
    input row of the weight matrix was driven; the RRAM read energy depends on the
    conductances on that row.
    """

    samples: int
    time_steps: int
    row_activations: int
    row_drives: int
    array_reads: int
    adc_conversions: int
    partial_sum_adds: int
    synapse_ops: int
    neuron_updates: int
    readout_macs: int
    row_activations_per_row: np.ndarray
    input_pulses: int = 0
    buffer_accesses: int = 0
    active_steps: int = 0

    def __add__(self, other: "OperationCounts") -> "OperationCounts":
        """The counts of two batches together (every counter is a sum over samples)."""
        return OperationCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                                  for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        """The scalar counters (not the per-row array), for reports."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "row_activations_per_row"}


def count_operations(input_raster: np.ndarray, spike_raster: np.ndarray, tiling: Tiling,
                     n_classes: int) -> OperationCounts:
    """Count the chip's operations for a batch.

    ``input_raster`` (bool, ``[samples, steps, inputs]``) and ``spike_raster``
    (bool, ``[samples, steps, neurons]``) are the rows driven in each step: the
    logical weight matrix has the inputs first, then the neurons (recurrent rows).

    Per active row and step: one driver pulse, one word-line drive per column
    tile, and one event-buffer write and read (2 accesses). Per step and row
    tile with any active row: one read of each of its column-tile arrays and
    one conversion per output. Partial sums of several row tiles are added
    digitally. Neurons are updated in steps with any activity; the readout
    does ``n_classes`` MACs per neuron that spiked at least once.
    """
    samples, steps, n_in = input_raster.shape
    n_neurons = spike_raster.shape[2]
    if tiling.in_rows != n_in + n_neurons or tiling.out_cols != n_neurons:
        raise ValueError(f"tiling {tiling.in_rows}x{tiling.out_cols} does not match "
                         f"{n_in} inputs + {n_neurons} neurons")
    per_row = np.concatenate([input_raster.sum(axis=(0, 1), dtype=np.int64),
                              spike_raster.sum(axis=(0, 1), dtype=np.int64)])
    activations = int(per_row.sum())
    active_tiles = np.zeros((samples, steps), dtype=np.int64)
    for tile in range(tiling.row_tiles):
        lo, hi = tile * tiling.rows_per_array, (tile + 1) * tiling.rows_per_array
        active = np.zeros((samples, steps), dtype=bool)
        if lo < n_in:
            active |= input_raster[:, :, lo:min(hi, n_in)].any(axis=2)
        if hi > n_in:
            active |= spike_raster[:, :, max(lo - n_in, 0):hi - n_in].any(axis=2)
        active_tiles += active
    row_tile_reads = int(active_tiles.sum())
    active_steps = int(np.count_nonzero(active_tiles))
    spiking = int(np.count_nonzero(spike_raster.any(axis=1)))
    return OperationCounts(
        samples=samples,
        time_steps=samples * steps,
        row_activations=activations,
        row_drives=activations * tiling.col_tiles,
        array_reads=row_tile_reads * tiling.col_tiles,
        adc_conversions=row_tile_reads * n_neurons,
        partial_sum_adds=int(np.maximum(active_tiles - 1, 0).sum()) * n_neurons,
        synapse_ops=activations * n_neurons,
        neuron_updates=active_steps * n_neurons,
        readout_macs=spiking * n_classes,
        row_activations_per_row=per_row,
        input_pulses=activations,
        buffer_accesses=2 * activations,
        active_steps=active_steps,
    )
