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

import numpy as np

from neurosim.crossbar.mapping import Tiling
from neurosim.crossbar.periphery import buffer_accesses, drive_segments
from neurosim.crossbar.tally import Tally


def count_operations(input_raster: np.ndarray, spike_raster: np.ndarray, tiling: Tiling,
                     n_classes: int, network=None, first_sample: int = 0) -> Tally:
    """Count the chip's operations for a batch of ``samples`` inferences (a :class:`Tally`).

    ``input_raster`` (bool, ``[samples, steps, inputs]``) and ``spike_raster``
    (bool, ``[samples, steps, neurons]``) are the rows driven in each step: the
    logical weight matrix has the inputs first, then the neurons (recurrent rows).

    The rows of one array that belong to one group (input or recurrent rows) form a
    segment (:func:`~neurosim.crossbar.periphery.drive_segments`): its column partial sum
    is read and converted on its own, since the two groups carry different scales. Per
    active row and step: one driver pulse, one word-line drive per column tile, and the
    event-buffer accesses of :func:`buffer_accesses`. Per step and segment with any
    active row: one read of each of its column-tile arrays and one conversion per
    output. Partial sums of several segments are added digitally. Neurons are updated in
    steps with any activity; the readout does ``n_classes`` MACs per neuron that spiked
    at least once. Each step is one input vector of the logical matrix (``vectors``; ``macs``: its
    dense multiply-accumulates, as a macro counts them). ``network`` (an :class:`~neurosim.networks.LSM` with a
    ``drive_adc``), if given, adds how many conversions clip in the ADC, measured on the
    samples whose position in the stream (``first_sample`` + index) is a multiple of
    :data:`CLIP_STRIDE`, so the measurement does not depend on how the stream is chunked.
    """
    samples, steps, n_in = input_raster.shape
    n_neurons = spike_raster.shape[2]
    if tiling.in_rows != n_in + n_neurons or tiling.out_cols != n_neurons:
        raise ValueError(f"tiling {tiling.in_rows}x{tiling.out_cols} does not match "
                         f"{n_in} inputs + {n_neurons} neurons")
    per_row = np.concatenate([input_raster.sum(axis=(0, 1), dtype=np.int64),
                              spike_raster.sum(axis=(0, 1), dtype=np.int64)])
    activations = int(per_row.sum())
    rasters = (input_raster, spike_raster)
    reads = np.zeros((samples, steps), dtype=np.int64)
    per_tile = np.zeros((tiling.row_tiles, samples, steps), dtype=np.int64)
    max_rows = 0
    for group, start, stop in drive_segments(n_in, n_neurons, tiling.rows_per_array):
        rows = rasters[group][:, :, start:stop].sum(axis=2, dtype=np.int64)
        active = rows > 0
        reads += active
        tile = ((start if group == 0 else n_in + start)) // tiling.rows_per_array
        per_tile[tile] += active
        max_rows = max(max_rows, int(rows.max(initial=0)))
    segment_reads = int(reads.sum())
    active_steps = int(np.count_nonzero(reads))
    spiking = int(np.count_nonzero(spike_raster.any(axis=1)))
    spikes = int(per_row[n_in:].sum())
    picked = (first_sample + np.arange(samples)) % CLIP_STRIDE == 0
    clipped, checked = _clipped(input_raster[picked], spike_raster[picked], network)
    ideal, drawn = _line_currents(input_raster[picked], spike_raster[picked], network)
    return Tally(
        samples=samples,
        vectors=samples * steps,
        macs=samples * steps * tiling.in_rows * n_neurons,
        time_steps=samples * steps,
        row_activations=activations,
        line_drives=activations * tiling.col_tiles,
        array_reads=segment_reads * tiling.col_tiles,
        adc_conversions=segment_reads * n_neurons,
        digital_adds=int(np.maximum(reads - 1, 0).sum()) * n_neurons,
        synapse_ops=activations * n_neurons,
        neuron_updates=active_steps * n_neurons,
        readout_macs=spiking * n_classes,
        row_activations_per_row=per_row,
        input_pulses=activations,
        buffer_accesses=buffer_accesses(int(per_row[:n_in].sum()) + spikes, activations, 0),
        active_steps=active_steps,
        spikes=spikes,
        serial_reads=int(per_tile.max(axis=0).sum()) if tiling.row_tiles else 0,
        adc_clipped=clipped,
        adc_checked=checked,
        max_active_rows=max_rows,
        line_current_ideal=ideal,
        line_current_drawn=drawn,
    )


#: One sample in this many (by position in the stream) has its partial sums recomputed to
#: measure ADC clipping: recomputing every partial sum would cost as much as the simulation.
CLIP_STRIDE = 8


def _segment_reads(input_raster: np.ndarray, spike_raster: np.ndarray, adc):
    """``(group, start, stop, x)`` of each of ``adc``'s segments: ``x`` float64 ``[reads, rows]`` the
    segment's inputs in every step where it has an active row (a read). The recurrent rows of step
    ``b`` carry the spikes of step ``b − 1``, as the engines compute them."""
    samples, steps, n_in = input_raster.shape
    previous = np.zeros_like(spike_raster)
    previous[:, 1:] = spike_raster[:, :-1]
    xs = (input_raster.reshape(-1, n_in).astype(np.float64),
          previous.reshape(samples * steps, -1).astype(np.float64))
    for group, start, stop in adc.segments:
        x = xs[group][:, start:stop]
        active = x.any(axis=1)
        if active.any():
            yield group, start, stop, x[active]


def _clipped(input_raster: np.ndarray, spike_raster: np.ndarray, network) -> tuple[int, int]:
    """Conversions of the network's drive that clip in its ADC, and conversions checked
    (both 0 without ``network.drive_adc``), over the given samples; only segment reads with an
    active row are conversions. Under IR drop the partial sums are the cells' through the wires, as
    the loop computes them."""
    adc = getattr(network, "drive_adc", None)
    if adc is None or input_raster.shape[0] == 0:
        return 0, 0
    ws = (network.w_in, network.w_rec)
    total = checked = 0
    n_out = ws[0].shape[1]
    ir_drop = adc.cells is not None and adc.wire_resistance > 0.0
    for group, start, stop, x in _segment_reads(input_raster, spike_raster, adc):
        checked += x.shape[0] * n_out
        if ir_drop:  # the partial sums the loop converts: read from the cells through the wires
            value = adc.cells.partial_sums(x, group, start, stop, adc.unit[group], adc.wire_resistance)
        else:
            value = x @ ws[group][start:stop]
        total += int(np.count_nonzero(adc.clipped(value, x, group)))
    return total, checked


def _line_currents(input_raster: np.ndarray, spike_raster: np.ndarray, network) -> tuple[float, float]:
    """The summing lines' current over the given samples' reads without and with IR drop
    (:meth:`~neurosim.crossbar.periphery.LineCells.line_currents`); ``(0, 0)`` without IR drop."""
    adc = getattr(network, "drive_adc", None)
    if adc is None or adc.cells is None or not adc.wire_resistance or input_raster.shape[0] == 0:
        return 0.0, 0.0
    ideal = drawn = 0.0
    for group, start, stop, x in _segment_reads(input_raster, spike_raster, adc):
        i, d = adc.cells.line_currents(x, group, start, stop, adc.wire_resistance)
        ideal, drawn = ideal + i, drawn + d
    return ideal, drawn
