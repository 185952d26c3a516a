"""Recursive least squares for FORCE learning (Sussillo & Abbott, Neuron 63, 2009; Nicola & Clopath,
Nat. Commun. 8, 2208, 2017), array namespace (numpy or CuPy, from the arrays).

A readout ``y = w x`` (``w`` ``(outputs, features)``) is fitted online to targets. With
``P₀ = I / α`` each update

    k = P x / (1 + xᵀ P x),   P ← P − k (P x)ᵀ,   w ← w − e kᵀ,   e = w x − target

keeps ``w`` equal to the ridge (Tikhonov) solution over **all** samples seen so far,
``w = Y Xᵀ (X Xᵀ + α I)⁻¹`` (:func:`ridge_solution`; exact in exact arithmetic). ``P``
is the inverse of the regularised feature correlation: it shrinks as data accumulates, so
the effective learning rate falls as ``1/n`` and a readout that has seen many trials of
one statistic adapts slowly to a new one unless ``P`` is reset (:meth:`RLS.reset`).
"""

from __future__ import annotations

from typing import Any

from neurosim.backend import get_namespace

__all__ = ["RLS", "ridge_solution"]


class RLS:
    """Online least squares for ``outputs`` readouts of ``features`` features (see the module docstring).

    ``alpha``: the ridge penalty (``P₀ = I/α``); ``xp``: the array namespace (numpy by default).
    ``w_`` ``(outputs, features)`` and ``P_`` ``(features, features)`` are the learned state;
    ``updates_`` counts the updates.
    """

    def __init__(self, features: int, outputs: int, alpha: float = 1.0, xp: Any = None):
        if alpha <= 0:
            raise ValueError(f"RLS alpha must be > 0, got {alpha}")
        self.xp = get_namespace(xp=xp)
        self.alpha = float(alpha)
        self.w_ = self.xp.zeros((outputs, features))
        self.P_ = self.xp.eye(features) / self.alpha
        self.updates_ = 0

    def predict(self, x: Any) -> Any:
        """``w x`` ``(outputs,)``."""
        return self.w_ @ x

    def update(self, x: Any, target: Any) -> Any:
        """One RLS step towards ``target`` ``(outputs,)`` for features ``x`` ``(features,)``; returns
        the a-priori error ``e = w x − target`` (before the update)."""
        xp = self.xp
        px = self.P_ @ x
        k = px / (1.0 + float(x @ px))
        self.P_ -= xp.multiply.outer(k, px)
        err = self.w_ @ x - target
        self.w_ -= xp.multiply.outer(err, k)
        self.updates_ += 1
        return err

    def reset(self) -> None:
        """``P ← I/α`` (the weights are kept): the readout adapts as fast as at the start."""
        xp = self.xp
        self.P_ = xp.eye(self.P_.shape[0]) / self.alpha


def ridge_solution(X: Any, Y: Any, alpha: float) -> Any:
    """``w = Yᵀ X (Xᵀ X + α I)⁻¹`` for samples ``X`` ``(n, features)``, targets ``Y`` ``(n, outputs)``:
    the ``(outputs, features)`` weights RLS reaches after seeing the rows of ``X`` in order."""
    xp = get_namespace(X, Y)
    g = X.T @ X + alpha * xp.eye(X.shape[1])
    return xp.linalg.solve(g, X.T @ Y).T
