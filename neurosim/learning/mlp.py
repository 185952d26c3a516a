"""A trainable readout network on reservoir features: one hidden layer and a classifier,
with written-out gradients (checked against finite differences in the tests).

``x`` (``B × n`` features) → ``h = relu(W1 [x, 1])`` (``B × hidden``) →
``z = W2 [h, 1]`` (``B × classes`` logits) → softmax cross-entropy. The biases are weights on
a constant input 1 appended to each layer's input, so a lateral subspace that sees the layer
input ``[x, 1]`` protects them like any other weight (``bias = "subspace"``), or they are
trained on the first task only (``bias = "frozen"``, the reference HLOP-SNN code trains no
biases after the first task). ``allowed`` restricts the softmax to some classes (multi-head
class-incremental tasks: each task's head is its own classes), the same for every row or
per row (a ``B × classes`` bool mask).

The array namespace follows the weights (numpy, or CuPy on a GPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.backend import get_namespace

__all__ = ["MLP", "Forward", "with_bias"]


def with_bias(x):
    """``[x, 1]``: ``x`` (``B × n``) with a constant column appended (``B × (n+1)``)."""
    xp = get_namespace(x)
    return xp.concatenate([x, xp.ones((x.shape[0], 1), dtype=x.dtype)], axis=1)


@dataclass(frozen=True)
class Forward:
    """Intermediate values of one forward pass (kept for the backward pass and the lateral
    circuits): ``a1 = [x, 1]``, ``u1 = a1 W1ᵀ``, ``a2 = [relu(u1), 1]``, logits ``z``."""

    a1: object
    u1: object
    a2: object
    z: object


class MLP:
    """``n → hidden → classes`` with ReLU; parameters ``{"W1": hidden × (n+1), "W2": classes × (hidden+1)}``
    initialised He-normal (biases 0) from ``rng``."""

    def __init__(self, n_inputs: int, hidden: int, classes: int, rng: np.random.Generator, xp=np):
        w1 = rng.standard_normal((hidden, n_inputs + 1)) * np.sqrt(2.0 / n_inputs)
        w2 = rng.standard_normal((classes, hidden + 1)) * np.sqrt(1.0 / hidden)
        w1[:, -1] = 0.0
        w2[:, -1] = 0.0
        self.params = {"W1": xp.asarray(w1), "W2": xp.asarray(w2)}
        #: ``matmul(name, x, transposed=False) -> x @ Wᵀ`` (``x @ W`` transposed): how the passes
        #: read weight matrix ``name`` (None: exactly, digital; an on-chip memory reads it through
        #: the chip's macro, :meth:`neurosim.learning.onchip.OnChipMemory.matmul`)
        self.matmul = None

    def _forward_read(self, name: str, x):
        """``x @ Wᵀ`` as this network reads ``W = params[name]``."""
        return x @ self.params[name].T if self.matmul is None else self.matmul(name, x)

    @property
    def widths(self) -> tuple[int, int]:
        """Presynaptic widths of the two layers, constant input included: ``(n+1, hidden+1)``."""
        return self.params["W1"].shape[1], self.params["W2"].shape[1]

    def forward(self, x) -> Forward:
        xp = get_namespace(x)
        a1 = with_bias(x)
        u1 = self._forward_read("W1", a1)
        a2 = with_bias(xp.maximum(u1, 0.0))
        return Forward(a1, u1, a2, self._forward_read("W2", a2))

    def logits(self, x, allowed=None):
        z = self.forward(x).z
        return _mask(z, allowed)

    def predict(self, x, allowed=None):
        """Predicted class per row of ``x`` (among ``allowed`` classes if given)."""
        xp = get_namespace(x)
        return xp.argmax(self.logits(x, allowed), axis=1)

    def loss(self, x, y, allowed=None) -> float:
        """Mean cross-entropy of labels ``y`` (int, ``B``)."""
        return float(_cross_entropy(_mask(self.forward(x).z, allowed), y)[0])

    def loss_and_grads(self, x, y, allowed=None):
        """Mean cross-entropy and its gradients ``{"W1", "W2"}``; also the forward pass and the
        output error ``δ2`` (``B × classes``) and hidden error ``δ1`` (``B × hidden``), so a
        caller can build projected gradients ``δᵀ P(a)`` itself."""
        f = self.forward(x)
        loss, dz = _cross_entropy(_mask(f.z, allowed), y)
        back = (dz @ self.params["W2"][:, :-1] if self.matmul is None
                else self.matmul("W2", dz, transposed=True)[:, :-1])   # the error through W2
        d1 = back * (f.u1 > 0)
        grads = {"W1": d1.T @ f.a1, "W2": dz.T @ f.a2}
        return float(loss), grads, f, dz, d1


def _mask(z, allowed):
    """Logits outside ``allowed`` set to −inf: ``allowed`` is None (all classes), class indices
    (the same for every row) or a bool mask ``B × classes`` (one head per row)."""
    if allowed is None:
        return z
    xp = get_namespace(z)
    allowed = xp.asarray(allowed)
    if allowed.ndim == 2:
        return xp.where(allowed, z, -xp.inf)
    keep = xp.zeros(z.shape[1], dtype=bool)
    keep[allowed] = True
    return xp.where(keep[None, :], z, -xp.inf)


def _cross_entropy(z, y):
    """Mean softmax cross-entropy and its gradient w.r.t. the logits (masked logits −inf get 0)."""
    xp = get_namespace(z)
    zmax = xp.max(z, axis=1, keepdims=True)
    e = xp.exp(z - zmax)
    s = xp.sum(e, axis=1, keepdims=True)
    p = e / s
    b = z.shape[0]
    rows = xp.arange(b)
    loss = float(xp.mean(xp.log(s[:, 0]) + zmax[:, 0] - z[rows, y]))
    dz = p.copy()
    dz[rows, y] -= 1.0
    return loss, dz / b
