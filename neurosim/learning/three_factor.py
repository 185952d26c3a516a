"""Local learning rules of the prediction readouts: eligibility traces, the gated three-factor rule
and the two-factor delta rule (array namespace: numpy or CuPy, from the arrays).

Conventions (shapes and units): ``w`` is ``(channels, features)``; a feature vector ``x`` is
``(features,)`` — a presynaptic eligibility trace (spikes low-pass filtered, dimensionless:
each spike adds 1); errors, targets and gates are ``(channels,)``. Every update happens
**in place** on ``w`` (a readout holding ``w`` sees it) and returns the applied change.

Three-factor rule (Frémaux & Gerstner, Front. Neural Circuits 9:85, 2016; as in Yamada &
Chao 2025): ``Δw[c, i] = η · e_c(t) · g_c(t) · x_i(t)``: Hebbian eligibility ``x_i``
(presynaptic), times a third factor, the error ``e_c = target_c − y_c`` of readout ``c``,
gated by an attention signal ``g_c ∈ {0, 1}`` open only near the expected time of the
event that occurred (:func:`attention_gate`). Outside its window the gate is 0 and the
weights do not change.

Two-factor delta rule (Widrow–Hoff, normalised as NLMS):
``Δw = η · (target − w x) xᵀ / (xᵀx + ε)``, applied once per trial.
"""

from __future__ import annotations

from typing import Any

from neurosim.backend import get_namespace

__all__ = ["attention_gate", "delta_rule_update", "eligibility_step", "three_factor_update"]


def eligibility_step(trace: Any, spikes: Any, decay: Any) -> Any:
    """``trace ← decay · trace + spikes`` in place (``decay`` scalar or per feature ``exp(−dt/τ)``)."""
    trace *= decay
    trace += spikes
    return trace


def three_factor_update(w: Any, x: Any, error: Any, gate: Any, lr: float) -> Any:
    """``w += lr · (error · gate) ⊗ x`` in place; returns the change ``Δw`` ``(channels, features)``.

    ``x``: eligibility ``(features,)``; ``error``, ``gate``: ``(channels,)``; ``lr``: η.
    """
    xp = get_namespace(w, x)
    dw = lr * xp.multiply.outer(error * gate, x)
    w += dw
    return dw


def delta_rule_update(w: Any, x: Any, target: Any, lr: float, normalise: bool = True,
                      eps: float = 1e-9) -> Any:
    """Two-factor (NLMS) update ``w += lr · (target − w x) ⊗ x / (xᵀx + eps)`` in place; returns ``Δw``.

    Without ``normalise`` the plain LMS ``w += lr · (target − w x) ⊗ x``.
    """
    xp = get_namespace(w, x)
    err = target - w @ x
    scale = lr / (float(x @ x) + eps) if normalise else lr
    dw = scale * xp.multiply.outer(err, x)
    w += dw
    return dw


def attention_gate(t: float, occurred: int, latencies: Any, half_width: float, xp: Any = None) -> Any:
    """The attention gate ``(channels,)``: 1 on channel ``occurred`` while ``|t − latencies[occurred]|
    ≤ half_width`` (s), 0 elsewhere and at other times; all 0 when ``occurred < 0`` (no event)."""
    xp = get_namespace(latencies, xp=xp)
    gate = xp.zeros(len(latencies))
    if occurred >= 0 and abs(t - float(latencies[occurred])) <= half_width:
        gate[occurred] = 1.0
    return gate
