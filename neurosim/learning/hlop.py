"""HLOP: lateral Hebbian orthogonal projection (Xiao et al., ICLR 2024, arXiv 2402.11984).

One :class:`LateralSubspace` sits beside each trained layer. Its ``k`` lateral neurons see the
layer's presynaptic activity ``a`` (``n`` inputs) through the lateral matrix ``H`` (``k × n``):
``y = H a``; the feedback ``a − Hᵀ y`` is the part of ``a`` outside the learnt subspace. The
rows learn the principal subspace of the activity by Oja's subspace rule,

    ΔH = η · Yᵀ (A − Y H) / B          (A: a batch ``B × n`` of activity, Y = A Hᵀ)

and the weight updates of a later task are projected orthogonally to the frozen rows,
``ΔW ← ΔW (I − H_oldᵀ H_old)`` (for ``ΔW = δᵀ A``: the same as feeding the projected activity
``A − A H_oldᵀ H_old`` to the gradient), while the forward pass is unchanged.

Constants and their source (pkuxmq/HLOP-SNN, ``modules/hlop_module.py`` and
``models/spiking_mlp_hlop.py``, commit 530b89a):

* ``MOMENTUM = 0.9``: the Oja step is smoothed as ``v ← 0.9 v + 0.1 ΔH``; ``H ← H + η v``
  (``HLOP.m``, damped momentum as in the reference);
* ``CLAMP = 10``: each entry of ``ΔH`` is clipped to ``[−10, 10]`` before the momentum
  (``torch.clamp(delta_weight, -10, 10)``);
* ``ITERATIONS = 5``: Oja iterations per batch (``forward_with_update(x, iteration=5)``);
* η: the reference uses 0.001 on 784 input pixels and 0.01 on hidden spike rates. Our layer
  inputs are standardised reservoir features whose energy ``‖a‖²`` grows with the reservoir,
  so the rate here is *normalised*: the step is ``η / mean‖a‖²`` of the batch (stable for
  η ≲ 1 whatever the input scale; documented deviation);
* new rows start as random orthonormal rows (``torch.nn.init.orthogonal_``); here they are
  also orthogonalised against the frozen rows (speeds convergence, same fixed point);
* ``adaptive`` (not in the reference; off = 0): the step of lateral neuron ``j`` is scaled by
  ``min(⟨‖a‖²⟩ / ⟨y_j²⟩, adaptive)``, its own output power setting its rate (a local,
  homeostatic quantity). Oja's rule needs ~``λ₁/λ_k`` steps to find the ``k``-th direction;
  reservoir activity has a long spectral tail, so with one rate the weak directions of a large
  subspace lag (measured: residual energy 0.20 vs 0.095 for the exact subspace, k = 100, real
  N-MNIST features, 10 epochs); a cap of 10 brings it to 0.11. The fixed points are unchanged;
* all rows (frozen and new) take part in ``y`` and the feedback, only the new rows learn
  (``fix_subspace_id_list``), so new rows learn the residual of the frozen subspace and
  end orthogonal to it; at the end of a task the subspaces merge (``merge_subspace``).

The array namespace follows ``H`` (numpy, or CuPy on a GPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurosim.backend import get_namespace
from neurosim.errors import ConfigError

__all__ = ["CLAMP", "ITERATIONS", "MOMENTUM", "LateralSubspace", "choose_k", "principal_rows",
           "project_rows"]

MOMENTUM = 0.9
CLAMP = 10.0
ITERATIONS = 5


def project_rows(x, h):
    """``x − (x hᵀ) h``: the rows of ``x`` (``… × n``) with their part in the span of the
    orthonormal rows of ``h`` (``m × n``) removed (``x`` unchanged for ``m = 0``)."""
    if h.shape[0] == 0:
        return x
    return x - (x @ h.T) @ h


def principal_rows(a, k: int, frozen=None):
    """The exact reference to the Hebbian rule: the top-``k`` right singular vectors (``k × n``,
    orthonormal) of the residual ``a − a H_oldᵀ H_old`` of activity ``a`` (``B × n``); fewer when the
    residual has rank below ``k``."""
    xp = get_namespace(a)
    res = a if frozen is None else project_rows(a, frozen)
    if k == 0:
        return xp.zeros((0, a.shape[1]), dtype=a.dtype)
    _, s, vt = xp.linalg.svd(res, full_matrices=False)
    # only directions the residual holds: singular vectors of (numerically) zero singular values
    # are arbitrary and may overlap the frozen rows, which would break the projection
    rank = int(xp.sum(s > s[0] * 1e-10)) if s.size and s[0] > 0 else 0
    return vt[:min(k, rank)].copy()


def choose_k(a, threshold: float, frozen=None, limit: int | None = None) -> int:
    """Lateral neurons a task needs: the smallest ``k`` such that the frozen subspace plus the top
    ``k`` residual directions hold ``threshold`` of the activity's energy ``‖a‖_F²`` (the
    criterion of Gradient Projection Memory, Saha et al. 2021); at most ``limit`` (default: the
    free dimensions ``n − frozen rows``)."""
    xp = get_namespace(a)
    n = a.shape[1]
    m = 0 if frozen is None else frozen.shape[0]
    free = n - m if limit is None else min(limit, n - m)
    total = float(xp.sum(a * a))
    if total == 0.0 or free <= 0:
        return 0
    res = a if frozen is None else project_rows(a, frozen)
    held = total - float(xp.sum(res * res))
    s2 = xp.linalg.svd(res, compute_uv=False) ** 2
    cum = held + np.cumsum(np.asarray(s2.get() if hasattr(s2, "get") else s2))
    if held / total >= threshold:
        return 0
    k = int(np.searchsorted(cum / total, threshold) + 1)
    return min(k, free)


@dataclass
class LateralSubspace:
    """The lateral neurons of one layer: ``H`` (``k × n``), the first ``frozen`` rows protected.

    ``n``: presynaptic width; ``rate``: normalised Oja rate η (see the module docstring).
    """

    n: int
    rate: float = 0.5
    momentum: float = MOMENTUM
    clamp: float = CLAMP
    adaptive: float = 0.0
    h: np.ndarray = None
    frozen: int = 0
    updates: int = 0                 # Oja steps applied (for the on-chip pulse count)
    _velocity: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        if self.h is None:
            self.h = np.zeros((0, self.n))
        self._velocity = np.zeros_like(self.h)

    @property
    def k(self) -> int:
        """Lateral neurons in all (frozen + learning)."""
        return int(self.h.shape[0])

    @property
    def old(self):
        """The frozen rows ``H_old`` (``frozen × n``)."""
        return self.h[:self.frozen]

    def add_subspace(self, k: int, rng: np.random.Generator) -> None:
        """Add ``k`` learning rows: random orthonormal, orthogonal to the frozen rows."""
        if k < 0 or self.frozen + k > self.n:
            raise ConfigError(f"lateral neurons: {self.frozen} frozen + {k} new exceed the layer width "
                              f"{self.n}; lower continual.lateral_neurons or continual.variance_threshold")
        if self.k > self.frozen:
            raise ValueError("merge the learning rows before adding new ones")
        xp = get_namespace(self.h)
        g = xp.asarray(rng.standard_normal((self.n, k)))
        g = g - self.old.T @ (self.old @ g)
        q, _ = xp.linalg.qr(g)
        new = q.T[:k]
        self.h = xp.concatenate([self.h, new], axis=0)
        self._velocity = xp.concatenate([self._velocity, xp.zeros_like(new)], axis=0)

    def set_rows(self, rows) -> None:
        """Replace the learning rows by ``rows`` (e.g. :func:`principal_rows`, the exact reference)."""
        xp = get_namespace(self.h)
        self.h = xp.concatenate([self.old, xp.asarray(rows)], axis=0)
        self._velocity = xp.zeros_like(self.h)

    def hebbian_update(self, a, iterations: int = ITERATIONS, scale: float = 1.0) -> None:
        """``iterations`` Oja subspace steps on a batch of activity ``a`` (``B × n``) at rate
        ``scale · rate``; only the learning rows change (the frozen rows stay bit-identical)."""
        xp = get_namespace(self.h)
        if self.k == self.frozen or a.shape[0] == 0:
            return
        energy = float(xp.mean(xp.sum(a * a, axis=1)))
        if energy == 0.0:
            return
        eta = scale * self.rate / energy
        f = self.frozen
        velocity, learning = self._velocity[f:], self.h[f:]     # views: updated in place
        # the frozen rows' share of the feedback, a − H_oldᵀ H_old a, is the same in every iteration
        outside_old = project_rows(a, self.old)
        for _ in range(iterations):
            y = a @ learning.T                      # learning lateral neurons (B × (k − frozen))
            residual = outside_old - y @ learning   # feedback a − Hᵀy
            # ΔH in place, op by op as v ← m v + (1 − m) clip(Δ) · rate_j; H ← H + η v: the same roundings
            # as the expression form, without its (k − frozen) × n temporaries (half the update's time)
            delta = y.T @ residual
            delta /= a.shape[0]
            xp.clip(delta, -self.clamp, self.clamp, out=delta)
            if self.adaptive:                       # each lateral neuron's own rate: η / ⟨y_j²⟩
                power = xp.mean(y ** 2, axis=0)
                delta *= xp.minimum(energy / xp.maximum(power, 1e-300), self.adaptive)[:, None]
            velocity *= self.momentum
            delta *= 1.0 - self.momentum
            velocity += delta
            xp.multiply(velocity, eta, out=delta)
            learning += delta
            self.updates += 1

    def merge(self) -> None:
        """End of a task: every row becomes frozen (protected from now on)."""
        self.frozen = self.k
        self._velocity[:] = 0.0

    def project(self, x):
        """Activity ``x`` (``… × n``) with its part in the frozen subspace removed."""
        return project_rows(x, self.old)

    def project_gradient(self, grad):
        """A weight gradient ``grad`` (``out × n``) projected as ``grad (I − H_oldᵀ H_old)``."""
        return project_rows(grad, self.old)
