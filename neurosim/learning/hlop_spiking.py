"""The lateral circuit of HLOP as spiking neurons: rate-coded lateral neurons over ``T_lat`` steps.

For each presynaptic activity vector ``a`` (``n``) and each lateral row ``h_j`` of ``H`` (``k × n``),
a pair of integrate-and-fire neurons (ON and OFF) receives the constant currents ``±(h_j · a)``
(presynaptic activity → lateral neurons through ``H``): every step ``v += I``; at ``v ≥ θ`` the
neuron spikes and ``v −= θ`` (reset by subtraction). Over ``T_lat`` steps the rate code of
lateral neuron ``j`` is ``y_j = θ (c_j⁺ − c_j⁻) / T_lat`` (spike counts ``c``), which equals
``h_j · a`` to within ``θ / T_lat``; each spike feeds ``−θ/T_lat · h_j`` (ON) or ``+θ/T_lat · h_j``
(OFF) back onto the presynaptic units (feedback through ``−Hᵀ``), so after the window they hold
``a − Hᵀ y``: the projection of :class:`~neurosim.learning.hlop.LateralSubspace`, as ``T_lat``
grows. θ is a gain control: the largest ``|h_j · a|`` of the batch (no lateral neuron
saturates at one spike per step). The paper (Xiao et al. 2024, Appendix) finds ``T_lat ≈ 40``
close to the rate form; the reference code quantises ``y`` the same way
(``spiking_timesteps``) with a fixed clamp instead of the gain control.

:func:`spiking_projection_brian2` builds the circuit in Brian2 (the reference: an explicit
``brian2.Network``, numpy target); :func:`spiking_projection` is its numpy twin with the same
arithmetic, used in training runs (``continual.lateral = "spiking"``), and tested to give the
same spike counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SpikingProjector", "lateral_counts", "spiking_projection", "spiking_projection_brian2"]


def _currents(h: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, float]:
    y = a @ h.T                                   # B × k
    theta = float(np.max(np.abs(y))) if y.size else 0.0
    return y, theta


def lateral_counts(currents: np.ndarray, theta: float, steps: int) -> np.ndarray:
    """Spike counts of IF neurons (``v += I``; ``v ≥ θ`` → spike, ``v −= θ``) with constant
    ``currents`` over ``steps`` steps (numpy, float64, the Brian2 circuit's arithmetic)."""
    v = np.zeros_like(currents, dtype=np.float64)
    counts = np.zeros(currents.shape, dtype=np.int64)
    for _ in range(steps):
        v = v + currents
        spike = v >= theta
        counts += spike
        v = np.where(spike, v - theta, v)
    return counts


def spiking_projection(h: np.ndarray, a: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a − Hᵀ y, y)`` with ``y`` the lateral neurons' rate code over ``steps`` steps (numpy twin)."""
    if h.shape[0] == 0:
        return a, np.zeros((a.shape[0], 0))
    y_rate, theta = _currents(h, a)
    if theta == 0.0:
        return a.copy(), np.zeros_like(y_rate)
    on = lateral_counts(y_rate, theta, steps)
    off = lateral_counts(-y_rate, theta, steps)
    y = theta * (on - off) / steps
    return a - y @ h, y


def spiking_projection_brian2(h: np.ndarray, a: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The same circuit as an explicit ``brian2.Network`` (numpy code target): ON/OFF lateral
    neurons per row and sample, synapses onto per-sample presynaptic units carrying the feedback
    ``∓θ/T · h_j``. Returns ``(a − Hᵀ y, y)`` read from the presynaptic units and the counts."""
    import brian2 as b2

    from neurosim.engines.brian2_engine import RUN_LOCK, brian2_prefs

    B, n = a.shape
    k = h.shape[0]
    if k == 0:
        return a, np.zeros((B, 0))
    y_rate, gain = _currents(h, a)
    if gain == 0.0:
        return a.copy(), np.zeros_like(y_rate)
    with RUN_LOCK, brian2_prefs("numpy"):
        # lateral neuron index: (sample · k + row) · 2 + (0 ON, 1 OFF)
        lateral = b2.NeuronGroup(B * k * 2, "v : 1\nI : 1 (constant)\ntheta : 1 (shared, constant)",
                                 threshold="v >= theta", reset="v -= theta", method="exact",
                                 dt=1 * b2.ms, name="lateral")
        lateral.run_regularly("v += I", when="before_thresholds", name="integrate")
        lateral.theta = gain
        lateral.I = np.stack([y_rate, -y_rate], axis=-1).reshape(-1)
        pre = b2.NeuronGroup(B * n, "acc : 1", dt=1 * b2.ms, name="presynaptic")
        pre.acc = a.reshape(-1)
        feedback = b2.Synapses(lateral, pre, "w : 1 (constant)", on_pre="acc_post += w",
                               dt=1 * b2.ms, name="feedback")
        sample = np.repeat(np.arange(B), k * 2 * n)
        row = np.tile(np.repeat(np.arange(k), 2 * n), B)
        sign = np.tile(np.repeat(np.array([0, 1]), n), B * k)
        col = np.tile(np.arange(n), B * k * 2)
        feedback.connect(i=(sample * k + row) * 2 + sign, j=sample * n + col)
        feedback.w = np.where(sign == 0, -1.0, 1.0) * h[row, col] * gain / steps
        spikes = b2.SpikeMonitor(lateral, record=False, name="counts")
        net = b2.Network(lateral, pre, feedback, spikes)
        net.run(steps * b2.ms)
        counts = np.asarray(spikes.count).reshape(B, k, 2)
        projected = np.asarray(pre.acc).reshape(B, n).copy()
    y = gain * (counts[..., 0] - counts[..., 1]) / steps
    return projected, y


@dataclass(frozen=True)
class SpikingProjector:
    """A projector for :func:`neurosim.learning.continual.train_stream`: the frozen lateral rows
    ``rows`` of a layer as the spiking circuit over ``steps`` steps (numpy twin)."""

    steps: int = 40

    def __call__(self, rows, a):
        return spiking_projection(np.asarray(rows), a, self.steps)[0]
