"""Heterogeneous Izhikevich (2003) neuron parameters.

Izhikevich, "Simple model of spiking neurons", IEEE TNN 14 (2003): excitatory
neurons regular-spiking with ``a = 0.02, b = 0.2, c = −65 + 15 r², d = 8 − 6 r²``;
inhibitory fast-spiking with ``a = 0.02 + 0.08 r, b = 0.25 − 0.05 r, c = −65, d = 2``;
``r ~ U(0, 1)`` per neuron. v, c in mV; a in 1/ms; d in mV/ms (as in the paper's code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

V_PEAK = 30.0      # mV: spike cut-off (v >= 30 → spike)
V_INIT = -65.0     # mV: initial (and between-sample) membrane potential; u starts at b·V_INIT


@dataclass(frozen=True)
class IzhikevichParams:
    """Per-neuron parameters, float64 ``(neurons,)`` each."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray


def izhikevich_params(excitatory: np.ndarray, r: np.ndarray) -> IzhikevichParams:
    """The 2003 recipe for neuron types ``excitatory`` (bool) and heterogeneity ``r`` in [0, 1)."""
    r = np.asarray(r, dtype=np.float64)
    e = np.asarray(excitatory, dtype=bool)
    return IzhikevichParams(
        a=np.where(e, 0.02, 0.02 + 0.08 * r),
        b=np.where(e, 0.2, 0.25 - 0.05 * r),
        c=np.where(e, -65.0 + 15.0 * r ** 2, -65.0),
        d=np.where(e, 8.0 - 6.0 * r ** 2, 2.0),
    )
