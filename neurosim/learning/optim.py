"""Optimisers for the trainable layers of every learning task (zero-shot projections, HLOP networks).

Parameters are a dict ``name → array`` (numpy or CuPy: the namespace comes from the
arrays); a step takes the matching dict of gradients and updates the arrays **in
place**, so a layer that holds references to them sees the new values. Both optimisers
are deterministic (no randomness) and keep their state per parameter name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from neurosim.backend import get_namespace
from neurosim.errors import ConfigError

__all__ = ["SGD", "Adam", "make_optimizer"]


def _check_keys(params: Mapping, grads: Mapping) -> None:
    if set(params) != set(grads):
        raise ValueError(f"gradients {sorted(grads)} do not match parameters {sorted(params)}")


@dataclass
class SGD:
    """Stochastic gradient descent with optional momentum (heavy ball) and L2 weight decay.

    ``v ← momentum·v + g + weight_decay·p``; ``p ← p − lr·v`` (PyTorch's convention,
    dampening 0), per parameter.
    """

    lr: float = 0.01
    momentum: float = 0.0
    weight_decay: float = 0.0
    _velocity: dict = field(default_factory=dict, repr=False)

    def step(self, params: Mapping, grads: Mapping) -> None:
        """Update ``params`` in place from ``grads`` (same names and shapes)."""
        _check_keys(params, grads)
        for name, p in params.items():
            g = grads[name] + self.weight_decay * p if self.weight_decay else grads[name]
            if self.momentum:
                v = self._velocity.get(name)
                v = g.copy() if v is None else self.momentum * v + g
                self._velocity[name] = v
                g = v
            p -= self.lr * g


@dataclass
class Adam:
    """Adam (Kingma & Ba, ICLR 2015) with bias correction; defaults are the paper's
    (β₁ 0.9, β₂ 0.999, ε 1e-8) and PyTorch's (lr 1e-3)."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    _m: dict = field(default_factory=dict, repr=False)
    _v: dict = field(default_factory=dict, repr=False)
    _t: int = 0

    def step(self, params: Mapping, grads: Mapping) -> None:
        """Update ``params`` in place from ``grads`` (same names and shapes)."""
        _check_keys(params, grads)
        self._t += 1
        c1 = 1.0 - self.beta1 ** self._t
        c2 = 1.0 - self.beta2 ** self._t
        for name, p in params.items():
            xp = get_namespace(p)
            g = grads[name] + self.weight_decay * p if self.weight_decay else grads[name]
            if name not in self._m:
                self._m[name], self._v[name] = xp.zeros_like(p), xp.zeros_like(p)
            m, v = self._m[name], self._v[name]
            # in place, op by op as m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g·g;
            # p ← p − lr (m/c1) / (√(v/c2) + ε): the same roundings, two temporaries instead of twelve
            t = (1.0 - self.beta1) * g
            m *= self.beta1
            m += t
            xp.multiply(1.0 - self.beta2, g, out=t)
            t *= g
            v *= self.beta2
            v += t
            xp.divide(m, c1, out=t)
            t *= self.lr
            d = v / c2
            xp.sqrt(d, out=d)
            d += self.eps
            t /= d
            p -= t


def make_optimizer(name: str, lr: float, **options) -> SGD | Adam:
    """An optimiser by name (``"sgd"`` or ``"adam"``) with learning rate ``lr``."""
    kinds = {"sgd": SGD, "adam": Adam}
    if name not in kinds:
        raise ConfigError(f"unknown optimiser {name!r} (choose from {', '.join(kinds)})")
    return kinds[name](lr=lr, **options)
