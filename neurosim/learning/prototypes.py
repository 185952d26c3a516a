"""Prototypical-network loss (Snell et al., NeurIPS 2017) for two modalities sharing prototypes.

In an episode, the prototype of class ``k`` is the mean embedding of its support samples
(of both modalities), ``c_k = mean(z_s : y_s = k)``; a query ``z_q`` gets logits
``−‖z_q − c_k‖²`` and the loss is the mean cross-entropy of the queries' classes. Because
one prototype gathers both modalities, training pulls each class's images and sounds
together, the same goal as the contrastive loss, by another route: the baseline the
zero-shot task compares with. The gradient is written out (array namespace) and checked
against finite differences in the tests.
"""

from __future__ import annotations

from neurosim.backend import get_namespace

__all__ = ["proto_loss"]


def proto_loss(zs, ys, zq, yq, classes):
    """Prototypical loss of queries ``zq`` ``(n_q, d)`` (classes ``yq``) against the prototypes of
    supports ``zs`` ``(n_s, d)`` (classes ``ys``); ``classes`` the episode's classes (each with
    at least one support). Returns ``(loss, dzs, dzq)``."""
    xp = get_namespace(zs, zq)
    classes = xp.asarray(classes)
    member = (ys[None, :] == classes[:, None]).astype(zs.dtype)          # (k, n_s)
    counts = member.sum(axis=1, keepdims=True)
    protos = (member @ zs) / counts                                        # (k, d)
    diff2 = ((zq[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)      # (n_q, k)
    logits = -diff2
    m = logits.max(axis=1, keepdims=True)
    logp = logits - m - xp.log(xp.exp(logits - m).sum(axis=1, keepdims=True))
    onehot = (yq[:, None] == classes[None, :]).astype(zs.dtype)
    n_q = zq.shape[0]
    loss = -float((onehot * logp).sum()) / n_q
    g = (xp.exp(logp) - onehot) / n_q                                      # dL/dlogits
    # logits_qk = −‖z_q − c_k‖²: d/dz_q = Σ_k g_qk (−2)(z_q − c_k) = 2 (g c)_q   (Σ_k g_qk = 0)
    dzq = 2.0 * (g @ protos) - 2.0 * zq * g.sum(axis=1, keepdims=True)
    # d/dc_k = Σ_q g_qk · 2 (z_q − c_k)
    dprotos = 2.0 * (g.T @ zq) - 2.0 * protos * g.sum(axis=0)[:, None]
    dzs = member.T @ (dprotos / counts)
    return loss, dzs, dzq
