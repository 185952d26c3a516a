"""The cpu engine's compiled kernel for a chip whose ADC quantizes the drive (the ADC in the loop).

The discrete LIF (:mod:`neurosim.kernels.discrete_lif`) with :class:`~neurosim.crossbar.periphery.DriveAdc`,
event-driven and parallel over samples: per step, each array segment's column partial sums
are accumulated from its active rows only (input rows in ascending order, then the recurrent
rows of the neurons that spiked in the previous step), read through the shared quantizer
:func:`~neurosim.crossbar.periphery.adc_read` (compiled here from the same Python function),
added segment by segment, and the neurons update as
``((decay · v) · (1 − s) + inp) + rec``, ``s = v > threshold``: the evaluation order of
:func:`~neurosim.kernels.discrete_lif.gpu_update`.

Exactness against the numpy step (and so against the numpy ``CrossbarMacro`` reference): the
same codes and the same arithmetic after the ADC; a partial sum is added row by row here and
by BLAS there, so it may differ in the last bits, and a partial sum within that rounding of a
code boundary could read one code apart (``tests/test_adc_loop.py`` checks spike equality).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from neurosim.crossbar.periphery import adc_read

_read = njit(cache=True, inline="always")(adc_read)


@njit(cache=True, parallel=True)
def discrete_lif_adc_chunk(raster, decay, vth, w_in, w_rec, seg_group, seg_start, seg_stop, unit, ref,
                           lsb, max_code, signed, spikes, traces):
    """Simulate a chunk of samples in float64 with the ADC in the loop.

    ``raster`` bool ``[samples, bins, inputs]``; ``w_in`` ``(inputs, N)``, ``w_rec`` ``(N, N)``
    dense (membrane units, 0 where no synapse); segments as int64 arrays ``(S,)`` (group 0 =
    rows of ``w_in``, 1 = rows of ``w_rec``); ``unit``, ``ref`` float64 ``(2,)`` per group
    (:class:`~neurosim.crossbar.periphery.DriveAdc`); ``lsb``, ``max_code`` float, ``signed``
    bool. Writes ``spikes`` bool ``[samples, bins, N]`` and ``traces`` ``[samples, bins, k]``.
    """
    samples, bins, _ = raster.shape
    n = w_in.shape[1]
    k = traces.shape[2]
    n_seg = seg_group.shape[0]
    for smp in prange(samples):
        v = np.zeros(n)
        s = np.zeros(n)
        inp = np.empty(n)
        rec = np.empty(n)
        acc = np.empty(n)
        for b in range(bins):
            inp[:] = 0.0
            rec[:] = 0.0
            for q in range(n_seg):
                g = seg_group[q]
                acc[:] = 0.0
                count = 0
                for r in range(seg_start[q], seg_stop[q]):
                    if g == 0:
                        if not raster[smp, b, r]:
                            continue
                        row = w_in[r]
                    else:
                        if s[r] == 0.0:
                            continue
                        row = w_rec[r]
                    count += 1
                    for j in range(n):
                        acc[j] += row[j]
                if count == 0:
                    continue  # a segment with no active row is not read (it would read 0)
                u = unit[g]
                off = ref[g] * count
                target = inp if g == 0 else rec
                for j in range(n):
                    if ref[g] == 0.0:
                        target[j] += _read(acc[j] / u, lsb, max_code, signed) * u
                    else:
                        target[j] += _read((acc[j] + off) / u, lsb, max_code, signed) * u - off
            for j in range(n):
                v[j] = ((decay * v[j]) * (1.0 - s[j]) + inp[j]) + rec[j]
                fired = v[j] > vth
                s[j] = 1.0 if fired else 0.0
                spikes[smp, b, j] = fired
            for j in range(k):
                traces[smp, b, j] = v[j]
