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

With a forgetting factor ``λ < 1`` (exponentially weighted RLS; Haykin, *Adaptive Filter
Theory*, ch. 10) the update is

    k = P x / (λ + xᵀ P x),   P ← (P − k (P x)ᵀ) / λ,   w ← w − e kᵀ

and ``w`` minimises ``Σᵢ λⁿ⁻ⁱ eᵢ² + λⁿ α |w|²`` after ``n`` samples (:func:`ridge_solution` with
``forgetting``): a sample ``m`` updates old weighs ``λᵐ``, a memory of about ``1/(1 − λ)``
updates, so the readout keeps adapting without a reset. ``λ = 1`` is classic RLS/FORCE.
"""

from __future__ import annotations

from typing import Any

from neurosim.backend import get_namespace

__all__ = ["RLS", "ridge_solution"]


class RLS:
    """Online least squares for ``outputs`` readouts of ``features`` features (see the module docstring).

    ``alpha``: the ridge penalty (``P₀ = I/α``); ``forgetting``: ``λ`` in (0, 1], the weight of a
    sample one update older (1: classic RLS, every sample weighs equally); ``xp``: the array
    namespace (numpy by default). ``w_`` ``(outputs, features)`` and ``P_`` ``(features, features)``
    are the learned state; ``updates_`` counts the updates.
    """

    def __init__(self, features: int, outputs: int, alpha: float = 1.0, xp: Any = None,
                 forgetting: float = 1.0):
        if alpha <= 0:
            raise ValueError(f"RLS alpha must be > 0, got {alpha}")
        if not 0.0 < forgetting <= 1.0:
            raise ValueError(f"RLS forgetting factor must be in (0, 1], got {forgetting}")
        self.xp = get_namespace(xp=xp)
        self.alpha = float(alpha)
        self.forgetting = float(forgetting)
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
        lam = self.forgetting
        px = self.P_ @ x
        k = px / (lam + float(x @ px))
        self.P_ -= xp.multiply.outer(k, px)
        if lam != 1.0:
            self.P_ /= lam
        err = self.w_ @ x - target
        self.w_ -= xp.multiply.outer(err, k)
        self.updates_ += 1
        return err

    def reset(self) -> None:
        """``P ← I/α`` (the weights are kept): the readout adapts as fast as at the start."""
        xp = self.xp
        self.P_ = xp.eye(self.P_.shape[0]) / self.alpha


def ridge_solution(X: Any, Y: Any, alpha: float, forgetting: float = 1.0) -> Any:
    """``w = Yᵀ Λ X (Xᵀ Λ X + λⁿ α I)⁻¹`` for samples ``X`` ``(n, features)``, targets ``Y`` ``(n, outputs)``,
    ``Λ = diag(λⁿ⁻¹, …, λ, 1)`` (``λ = forgetting``; 1: plain ridge): the ``(outputs, features)`` weights
    RLS with that forgetting factor reaches after seeing the rows of ``X`` in order."""
    xp = get_namespace(X, Y)
    n = X.shape[0]
    lam = float(forgetting) ** xp.arange(n - 1, -1, -1, dtype=X.dtype)
    g = X.T @ (lam[:, None] * X) + float(forgetting) ** n * alpha * xp.eye(X.shape[1])
    return xp.linalg.solve(g, X.T @ (lam[:, None] * Y)).T
