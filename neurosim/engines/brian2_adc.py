"""The chip's column ADC in a Brian2 network, written as Brian2 code (no Python callback per step).

A chip whose ADC quantizes (``lsm.drive_adc``, :class:`~neurosim.crossbar.periphery.DriveAdc`)
reads, every step, each array segment's column partial sum (the rows of one array that belong to
one pathway, input or recurrent) through the converter, and the neurons receive the sum of the
read-back values. :func:`add_drive_adc` builds that out of ordinary Brian2 objects, compiled by
its code generation like the rest of the network:

- ``lsm_adc`` (a ``NeuronGroup`` of ``S·N`` elements, one per segment ``q`` and column ``j``,
  element ``q·N + j``): ``acc`` the column partial sum, ``rows`` the segment's active rows this step;
- ``lsm_adc_in`` / ``lsm_adc_rec`` (``Synapses``, input source / reservoir → ``lsm_adc``): row ``r``
  of segment ``q`` reaches every column of ``q`` (``w = 0`` where no synapse exists, so the row
  count is the segment's), ``acc_post += w`` (``+ w_std·randn()`` with read noise) and
  ``rows_post += 1``, with the model's synaptic delay;
- ``lsm_adc_read`` (``run_regularly`` of ``lsm_adc``, slot ``synapses``, order 1): ``q`` = the ADC's
  reading of ``acc`` (:func:`adc_function`), then ``acc = rows = 0``;
- ``lsm_adc_sum_in`` / ``lsm_adc_sum_rec`` (``Synapses`` ``lsm_adc`` → neurons, summed variables
  moved to slot ``synapses``, order 2): ``adc_in`` / ``adc_rec`` of neuron ``j`` = the sum over the
  pathway's segments of ``q``, in segment order from 0;
- ``lsm_adc_add_in`` / ``lsm_adc_add_rec`` (``run_regularly`` of the neurons, orders 3 and 4):
  ``target += adc_in``, then ``target += adc_rec`` (``target`` is the model's synaptic target,
  ``v`` or ``I_syn``; Brian2 skips a refractory neuron when it is ``v (unless refractory)``).

This is the cpu engine's arithmetic (:mod:`neurosim.engines.cpu_adc_kernel`, the continuous
kernels' ADC synapse phase): each partial sum is added row by row in ascending row order from 0,
read by the same quantizer (:func:`~neurosim.crossbar.periphery.adc_read`, here in C compiled
without ``-ffast-math`` and FMA contraction, so that it rounds as numpy does), and the drives
reach the target as ``(target + inp) + rec``, each addition its own compiled statement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.crossbar.periphery import DriveAdc, adc_read

#: Equation lines the neuron group needs for the ADC's drives (added through ``extra``).
ADC_NEURON_MODEL = "adc_in : 1\nadc_rec : 1\n"

#: Name of the quantizer in the Brian2 namespace.
FUNCTION = "neurosim_adc_q"

# The C body of the quantizer: numpy's rounding (no reciprocal division, no reassociation, no FMA).
_C_CODE = r"""
#include <math.h>
#pragma GCC push_options
#pragma GCC optimize ("no-fast-math", "fp-contract=off")
static double neurosim_adc_read(double v, double lsb, double max_code, double sgn)
{
    if (sgn != 0.0) {
        double s = v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
        if (max_code == 0.0)
            return s * lsb;
        return s * (fmin(rint(fabs(v) / lsb), max_code) * lsb);
    }
    return fmin(fmax(rint(v / lsb), 0.0), max_code) * lsb;
}
static double neurosim_adc_q(double acc, double rows, double unit, double ref, double lsb,
                             double max_code, double sgn)
{
    if (ref == 0.0)
        return neurosim_adc_read(acc / unit, lsb, max_code, sgn) * unit;
    double off = ref * rows;
    return neurosim_adc_read((acc + off) / unit, lsb, max_code, sgn) * unit - off;
}
#pragma GCC pop_options
"""

_CYTHON_CODE = ('cdef extern from *:\n    """' + _C_CODE.replace("\\", "\\\\") + '"""\n'
                "    double neurosim_adc_q(double, double, double, double, double, double, double)\n")


def adc_q(acc, rows, unit, ref, lsb, max_code, sgn):
    """The numpy quantizer: one segment's partial sums ``acc`` (membrane units) as the ADC reads them
    back (:meth:`DriveAdc.convert` with ``rows`` active rows; ``sgn`` 1.0 signed, 0.0 unsigned)."""
    acc, rows, unit, ref = (np.asarray(a, dtype=np.float64) for a in (acc, rows, unit, ref))
    lsb, max_code, signed = float(np.ravel(lsb)[0]), float(np.ravel(max_code)[0]), bool(np.ravel(sgn)[0])
    off = ref * rows
    plain = adc_read(acc / unit, lsb, max_code, signed) * unit
    shifted = adc_read((acc + off) / unit, lsb, max_code, signed) * unit - off
    return np.where(ref == 0.0, plain, shifted)


def adc_function(brian2):
    """The Brian2 ``Function`` ``neurosim_adc_q(acc, rows, unit, ref, lsb, max_code, sgn)`` with
    numpy, Cython and C++ implementations that round alike."""
    function = brian2.Function(adc_q, arg_units=[1] * 7, return_unit=1, arg_types=["float"] * 7,
                               return_type="float", stateless=True)
    function.implementations.add_implementation("cython", _CYTHON_CODE, name=FUNCTION)
    function.implementations.add_implementation("cpp", _C_CODE, name=FUNCTION)
    return function


@dataclass(frozen=True)
class AdcLayout:
    """Where each ``lsm_adc`` element sits: ``S`` segments × ``N`` columns, element ``q·N + j``.

    ``group``, ``start``, ``stop``: int64 ``(S,)`` of :attr:`DriveAdc.segments`.
    """

    group: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    neurons: int

    @classmethod
    def of(cls, adc: DriveAdc, neurons: int) -> "AdcLayout":
        seg = np.asarray(adc.segments, dtype=np.int64).reshape(-1, 3)
        return cls(seg[:, 0], seg[:, 1], seg[:, 2], neurons)

    def elements(self, group: int) -> np.ndarray:
        """The ``lsm_adc`` elements of pathway ``group``'s segments, in segment then column order."""
        n = self.neurons
        return np.concatenate([q * n + np.arange(n) for q in np.flatnonzero(self.group == group)]
                              or [np.zeros(0, dtype=np.int64)])

    def synapses(self, group: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(pre row, element, column)`` of every row → column link of pathway ``group``, grouped by
        row in ascending order (each row reaches every column of its segment)."""
        n = self.neurons
        pre, post, col = [], [], []
        for q in np.flatnonzero(self.group == group):
            rows = np.arange(self.start[q], self.stop[q])
            pre.append(np.repeat(rows, n))
            post.append(np.tile(q * n + np.arange(n), len(rows)))
            col.append(np.tile(np.arange(n), len(rows)))
        if not pre:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        pre_a, post_a, col_a = np.concatenate(pre), np.concatenate(post), np.concatenate(col)
        order = np.argsort(pre_a, kind="stable")
        return pre_a[order], post_a[order], col_a[order]


def add_drive_adc(brian2, lsm, neurons, source, target: str, delay_steps: int, dt) -> list:
    """The Brian2 objects of ``lsm.drive_adc`` between ``source`` (input spikes), the reservoir
    ``neurons`` (a group with :data:`ADC_NEURON_MODEL`) and their synaptic ``target`` variable
    (see the module docstring); returns them, to be added to the network."""
    adc = lsm.drive_adc
    layout = AdcLayout.of(adc, lsm.neurons)
    n_seg = len(layout.group)
    columns = brian2.NeuronGroup(
        n_seg * lsm.neurons,
        "acc : 1\nrows : 1\nq : 1\nunit : 1 (constant)\nref : 1 (constant)\n"
        "lsb : 1 (shared, constant)\nmax_code : 1 (shared, constant)\nsgn : 1 (shared, constant)\n",
        dt=dt, name="lsm_adc", namespace={FUNCTION: adc_function(brian2)})
    element_group = np.repeat(layout.group, lsm.neurons)
    columns.unit = np.asarray(adc.unit, dtype=np.float64)[element_group]
    columns.ref = np.asarray(adc.ref, dtype=np.float64)[element_group]
    columns.lsb = float(adc.adc.lsb)
    columns.max_code = float(adc.adc.max_code)
    columns.sgn = 1.0 if adc.adc.signed else 0.0
    columns.run_regularly(f"q = {FUNCTION}(acc, rows, unit, ref, lsb, max_code, sgn)\nacc = 0\nrows = 0",
                          when="synapses", order=1, name="lsm_adc_read")
    objects = [columns]
    pathways = ((0, source, lsm.w_in, lsm.w_in_std, "in"), (1, neurons, lsm.w_rec, lsm.w_rec_std, "rec"))
    for group, pre_group, weights, std, tag in pathways:
        pre, post, col = layout.synapses(group)
        elements = layout.elements(group)
        if len(elements) == 0:
            continue
        noisy = std is not None
        syn = brian2.Synapses(pre_group, columns, "w : 1\nw_std : 1" if noisy else "w : 1",
                              on_pre=("acc_post += w + w_std * randn()" if noisy else "acc_post += w")
                              + "\nrows_post += 1",
                              dt=dt, name=f"lsm_adc_{tag}",
                              **({"delay": delay_steps * dt} if delay_steps else {}))
        syn.connect(i=pre, j=post)
        syn.w[:] = weights[pre, col]
        if noisy:
            syn.w_std[:] = std[pre, col]
        total = brian2.Synapses(columns, neurons, f"adc_{tag}_post = q_pre : 1 (summed)", dt=dt,
                                name=f"lsm_adc_sum_{tag}")
        total.connect(i=elements, j=elements % lsm.neurons)
        for updater in total.summed_updaters.values():
            updater.when, updater.order = "synapses", 2
        neurons.run_regularly(f"{target} += adc_{tag}", when="synapses", order=3 + group,
                              name=f"lsm_adc_add_{tag}")
        objects += [syn, total]
    return objects
