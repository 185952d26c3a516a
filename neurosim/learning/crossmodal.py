"""Training two projections that align two modalities (the zero-shot task's trainer).

:func:`train_pair` fits one projection per modality on paired features of the seen
classes, by the contrastive loss (:func:`~neurosim.learning.contrastive.clip_loss`,
``method='clip'``) or the prototypical loss (:func:`~neurosim.learning.prototypes.proto_loss`,
``method='proto'``), with one optimiser (:mod:`neurosim.learning.optim`) over both
projections. After every epoch it calls ``on_epoch(epoch, proj_a, proj_b, loss)``, where the
caller evaluates and keeps the checkpoints it may select (epoch 0 is the untrained,
random projection). All randomness (initialisation, pairing, batches) comes from ``rng``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from neurosim.learning.contrastive import Projection, clip_loss, init_projection
from neurosim.learning.optim import make_optimizer
from neurosim.learning.prototypes import proto_loss

__all__ = ["TrainSpec", "copy_projection", "train_pair", "training_macs"]


@dataclass(frozen=True)
class TrainSpec:
    """How the projections are trained (units: none; ``lr`` per step)."""

    method: str = "clip"            # "clip" | "proto"
    kind: str = "linear"            # projection kind (see contrastive.KINDS)
    dim: int = 64                   # embedding size
    hidden: int = 128               # hidden width of "twofc"
    temperature: float = 1.0
    batch: int = 8                  # pairs per step (clip)
    epochs: int = 100
    lr: float = 1e-3
    optimizer: str = "adam"
    weight_decay: float = 0.0
    positives: str = "pair"         # "pair" | "class" (clip targets)
    normalize: bool = True          # cosine similarities (clip)
    shots: int = 5                  # support pairs per class per episode (proto)
    queries: int = 5                # query pairs per class per episode (proto)


def copy_projection(p: Projection) -> Projection:
    """A snapshot of ``p`` (its parameters copied)."""
    return Projection(p.kind, {k: v.copy() for k, v in p.params.items()})


def train_pair(xa: np.ndarray, xb: np.ndarray, labels: np.ndarray, spec: TrainSpec,
               rng: np.random.Generator,
               on_epoch: Callable[[int, Projection, Projection, float], None] | None = None
               ) -> tuple[Projection, Projection]:
    """Train projections of modality A (features ``xa`` ``(n, n_a)``) and B (``xb`` ``(n, n_b)``)
    on the ``n`` pairs ``(xa[i], xb[i])`` of class ``labels[i]``; returns the final pair."""
    pa = init_projection(spec.kind, xa.shape[1], spec.dim, rng, spec.hidden)
    pb = init_projection(spec.kind, xb.shape[1], spec.dim, rng, spec.hidden)
    params = {**{f"a.{k}": v for k, v in pa.params.items()}, **{f"b.{k}": v for k, v in pb.params.items()}}
    opt = make_optimizer(spec.optimizer, spec.lr, weight_decay=spec.weight_decay)
    if on_epoch is not None:
        on_epoch(0, pa, pb, float("nan"))
    step = _clip_epoch if spec.method == "clip" else _proto_epoch
    for epoch in range(1, spec.epochs + 1):
        losses = []
        for grads_a, grads_b, loss in step(xa, xb, labels, spec, rng, pa, pb):
            opt.step(params, {**{f"a.{k}": v for k, v in grads_a.items()},
                              **{f"b.{k}": v for k, v in grads_b.items()}})
            losses.append(loss)
        if on_epoch is not None:
            on_epoch(epoch, pa, pb, float(np.mean(losses)) if losses else float("nan"))
    return pa, pb


def _clip_epoch(xa, xb, labels, spec, rng, pa, pb):
    order = rng.permutation(len(labels))
    for start in range(0, len(order), spec.batch):
        idx = order[start:start + spec.batch]
        if len(idx) < 2:
            continue
        za, ca = pa.forward(xa[idx])
        zb, cb = pb.forward(xb[idx])
        loss, dza, dzb = clip_loss(za, zb, spec.temperature,
                                   labels[idx] if spec.positives == "class" else None, spec.normalize)
        yield pa.backward(ca, dza), pb.backward(cb, dzb), loss


def _proto_epoch(xa, xb, labels, spec, rng, pa, pb):
    classes = np.unique(labels)
    by_class = {c: np.flatnonzero(labels == c) for c in classes.tolist()}
    per_episode = len(classes) * (spec.shots + spec.queries)
    for _ in range(max(1, len(labels) // per_episode)):
        sup, que = [], []
        for c in classes.tolist():
            pick = rng.choice(by_class[c], spec.shots + spec.queries,
                              replace=len(by_class[c]) < spec.shots + spec.queries)
            sup.append(pick[:spec.shots])
            que.append(pick[spec.shots:])
        sup, que = np.concatenate(sup), np.concatenate(que)
        za_s, ca_s = pa.forward(xa[sup])
        zb_s, cb_s = pb.forward(xb[sup])
        za_q, ca_q = pa.forward(xa[que])
        zb_q, cb_q = pb.forward(xb[que])
        zs = np.concatenate([za_s, zb_s])
        zq = np.concatenate([za_q, zb_q])
        ys = np.concatenate([labels[sup], labels[sup]])
        yq = np.concatenate([labels[que], labels[que]])
        loss, dzs, dzq = proto_loss(zs, ys, zq, yq, classes)
        ns, nq = len(sup), len(que)
        ga_s, gb_s = pa.backward(ca_s, dzs[:ns]), pb.backward(cb_s, dzs[ns:])
        ga_q, gb_q = pa.backward(ca_q, dzq[:nq]), pb.backward(cb_q, dzq[nq:])
        yield ({k: ga_s[k] + ga_q[k] for k in ga_s}, {k: gb_s[k] + gb_q[k] for k in gb_s}, loss)


def training_macs(layers: list[tuple[int, int]], samples: int, epochs: int) -> int:
    """Multiply-accumulates of training a feed-forward stack of ``layers`` (``(in, out)`` each)
    for ``epochs`` passes over ``samples``: forward ``Σ in·out``, backward the weight gradients
    ``Σ in·out`` plus the input gradients of every layer but the first ``Σ_{l>1} in·out``."""
    forward = sum(i * o for i, o in layers)
    backward = forward + sum(i * o for i, o in layers[1:])
    return int(samples) * int(epochs) * (forward + backward)
