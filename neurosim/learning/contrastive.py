"""Contrastive (CLIP) projections of two modalities into one embedding space.

A :class:`Projection` maps features ``x`` (``(batch, n_in)``, e.g. a reservoir's spike
counts) to embeddings ``z`` (``(batch, n_out)``):

* ``"linear"`` (the paper's OneFC): ``z = GELU(x W1 + b1)``;
* ``"twofc"``: ``z = GELU(x W1 + b1) W2 + b2`` (hidden width ``hidden``).

GELU is the tanh approximation ``½ u (1 + tanh(√(2/π)(u + 0.044715 u³)))`` (PyTorch's
``approximate='tanh'``), so every operation stays in the array namespace (numpy or CuPy).

:func:`clip_loss` is the symmetric InfoNCE loss of Radford et al. (2021) on cosine
similarities over a temperature, with its gradient written out; targets are the matching
pair (``positives='pair'``) or every sample of the same class (``positives='class'``,
a supervised-contrastive variant). Every gradient is checked against finite differences
(:mod:`neurosim.learning.gradcheck`) in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backend import get_namespace

__all__ = ["KINDS", "Projection", "clip_loss", "gelu", "gelu_grad", "init_projection", "l2_normalize"]

KINDS = ("linear", "twofc")
_C = math.sqrt(2.0 / math.pi)


def _gelu_tanh(u):
    """The tanh of :func:`gelu`, ``tanh(√(2/π)(u + 0.044715 u³))``, shared with its gradient."""
    xp = get_namespace(u)
    # u·u·u, not u ** 3: numpy sends a cube to pow(), about 25 times slower on 64 × 256 values
    # (bench/hot_paths.py), and this runs twice per training step
    return xp.tanh(_C * (u + 0.044715 * (u * u * u)))


def gelu(u, t=None):
    """GELU, tanh approximation (elementwise, any array namespace); ``t``: :func:`_gelu_tanh` of ``u``
    if already computed."""
    return 0.5 * u * (1.0 + (_gelu_tanh(u) if t is None else t))


def gelu_grad(u, t=None):
    """d GELU(u) / du of :func:`gelu` (elementwise); ``t`` as for :func:`gelu`."""
    t = _gelu_tanh(u) if t is None else t
    return 0.5 * (1.0 + t) + 0.5 * u * (1.0 - t * t) * _C * (1.0 + 3 * 0.044715 * u * u)


@dataclass
class Projection:
    """A trainable projection (see the module docstring). ``params``: ``w1`` ``(n_in, h)``,
    ``b1`` ``(h,)`` and, for ``twofc``, ``w2`` ``(h, n_out)``, ``b2`` ``(n_out,)``; the
    optimisers update them in place."""

    kind: str
    params: dict

    @property
    def n_in(self) -> int:
        return int(self.params["w1"].shape[0])

    @property
    def n_out(self) -> int:
        return int((self.params["w2"] if self.kind == "twofc" else self.params["w1"]).shape[1])

    def forward(self, x, pre1=None):
        """Embeddings ``(batch, n_out)`` and the cache :meth:`backward` needs.

        ``pre1``: the first layer's pre-activation ``x W1 + b1`` if already computed
        elsewhere (e.g. on a crossbar macro); default computed here.
        """
        p = self.params
        u = x @ p["w1"] + p["b1"] if pre1 is None else pre1
        t = _gelu_tanh(u)        # kept for the backward pass (its GELU gradient)
        h = gelu(u, t)
        z = h @ p["w2"] + p["b2"] if self.kind == "twofc" else h
        return z, (x, u, h, t)

    def __call__(self, x):
        return self.forward(x)[0]

    def backward(self, cache, dz) -> dict:
        """Gradients of the loss w.r.t. every parameter, from ``dz`` = dL/dz ``(batch, n_out)``."""
        x, u, h, t = cache
        grads = {}
        if self.kind == "twofc":
            grads["w2"] = h.T @ dz
            grads["b2"] = dz.sum(axis=0)
            dh = dz @ self.params["w2"].T
        else:
            dh = dz
        du = dh * gelu_grad(u, t)
        grads["w1"] = x.T @ du
        grads["b1"] = du.sum(axis=0)
        return grads


def init_projection(kind: str, n_in: int, n_out: int, rng: np.random.Generator, hidden: int = 0,
                    xp=np) -> Projection:
    """A projection with PyTorch's default ``nn.Linear`` initialisation: weights and biases
    uniform in ``±1/√fan_in``, drawn from ``rng`` (float64, namespace ``xp``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown projection kind {kind!r}; choose from {', '.join(KINDS)}")
    width = (hidden or n_out) if kind == "twofc" else n_out

    def layer(fan_in, fan_out):
        bound = 1.0 / math.sqrt(fan_in)
        return (xp.asarray(rng.uniform(-bound, bound, (fan_in, fan_out))),
                xp.asarray(rng.uniform(-bound, bound, fan_out)))

    params = {}
    params["w1"], params["b1"] = layer(n_in, width)
    if kind == "twofc":
        params["w2"], params["b2"] = layer(width, n_out)
    return Projection(kind, params)


def l2_normalize(z, eps: float = 1e-12):
    """Rows of ``z`` scaled to unit length, and the norms ``(batch, 1)`` (for the backward pass)."""
    xp = get_namespace(z)
    r = xp.sqrt((z * z).sum(axis=1, keepdims=True)) + eps
    return z / r, r


def _normalize_backward(u, r, du):
    """dL/dz of ``u = z / ‖z‖`` from dL/du (rows)."""
    return (du - u * (u * du).sum(axis=1, keepdims=True)) / r


def _softmax(s, axis):
    xp = get_namespace(s)
    e = xp.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(s, axis):
    xp = get_namespace(s)
    m = s.max(axis=axis, keepdims=True)
    return s - m - xp.log(xp.exp(s - m).sum(axis=axis, keepdims=True))


def clip_loss(za, zb, temperature: float = 1.0, labels=None, normalize: bool = True):
    """Symmetric InfoNCE of paired embeddings ``za[i] ↔ zb[i]`` (``(batch, d)`` each).

    Logits ``S = ûa ûbᵀ / τ`` (``û`` the L2-normalised rows when ``normalize``, else the
    raw embeddings). Loss ``½ (mean_i CE(S[i, :], T_r[i]) + mean_j CE(S[:, j], T_c[:, j]))``
    with targets ``T`` the identity (``labels`` None: only the pair is positive) or, with
    ``labels`` (``(batch,)`` the class of pair ``i``), uniform over the same-class pairs
    (rows and columns normalised separately). Returns ``(loss, dza, dzb)``.
    """
    xp = get_namespace(za, zb)
    n = za.shape[0]
    if normalize:
        ua, ra = l2_normalize(za)
        ub, rb = l2_normalize(zb)
    else:
        ua, ub = za, zb
    s = (ua @ ub.T) / temperature
    if labels is None:
        target = xp.eye(n)
        t_row = t_col = target
    else:
        same = (labels[:, None] == labels[None, :]).astype(za.dtype)
        t_row = same / same.sum(axis=1, keepdims=True)
        t_col = same / same.sum(axis=0, keepdims=True)
    loss = -0.5 * (float((t_row * _log_softmax(s, 1)).sum()) + float((t_col * _log_softmax(s, 0)).sum())) / n
    ds = 0.5 * ((_softmax(s, 1) - t_row) + (_softmax(s, 0) - t_col)) / n
    dua = ds @ ub / temperature
    dub = ds.T @ ua / temperature
    if normalize:
        return loss, _normalize_backward(ua, ra, dua), _normalize_backward(ub, rb, dub)
    return loss, dua, dub
