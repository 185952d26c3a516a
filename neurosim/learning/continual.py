"""Continual learning on fixed reservoir features: HLOP and the baselines it is measured against,
with the accuracy-matrix metrics.

A *stream* is a list of :class:`TaskData` (features per task; a task's ``classes`` is its head
for multi-head streams, None for a shared head). :func:`train_stream` trains one fresh
:class:`~neurosim.learning.mlp.MLP` through the stream with one method:

* ``finetune``: plain SGD on each task in turn (no protection; the lower bound);
* ``hlop``: gradients of each trained layer projected orthogonally to the lateral subspace of
  the earlier tasks' activity, the subspace learnt by Oja's rule
  (:class:`~neurosim.learning.hlop.LateralSubspace`) after each task;
* ``exact``: the same projection with exact subspaces (top singular vectors of the residual
  activity, :func:`~neurosim.learning.hlop.principal_rows`): what Oja's rule converges to;
* ``replay``: fine-tuning plus a memory of ``replay_per_class`` training samples per class of
  every earlier task, one memory batch mixed into every batch;
* ``multitask``: cumulative joint training: at task ``j`` the same network goes on training (from
  its weights after task ``j − 1``) on the union of tasks ``0…j``; the usual reference for what
  a learner that stores every sample reaches, not a proven upper bound.

Metrics (Lopez-Paz & Ranzato 2017): ``R[j, i]`` test accuracy on task ``i`` after training task
``j``; ``ACC = mean_i R[T−1, i]``; ``BWT = mean_{i<T−1} (R[T−1, i] − R[i, i])``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from neurosim.errors import ConfigError
from neurosim.learning.hlop import LateralSubspace, choose_k, principal_rows, project_rows
from neurosim.learning.mlp import MLP
from neurosim.learning.optim import SGD

__all__ = ["METHODS", "MethodResult", "TaskData", "TrainSettings", "acc_bwt", "train_stream"]

METHODS = ("finetune", "hlop", "exact", "replay", "multitask")


@dataclass(frozen=True)
class TaskData:
    """One task: features ``x_*`` (float64 ``samples × n``), labels ``y_*`` (int64), and its head
    ``classes`` (multi-head streams) or None (shared head)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TrainSettings:
    """How the network is trained (see :class:`neurosim.tasks.continual.ContinualSettings` for the
    meaning of each field)."""

    hidden: int = 256
    epochs: int = 10
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.0
    lateral_neurons: int = 0          # per task and layer; 0: by variance_threshold
    variance_threshold: float = 0.95
    hebbian_rate: float = 0.5
    hebbian_iterations: int = 5
    hebbian_epochs: int = 10
    hebbian_adaptive: float = 0.0
    replay_per_class: int = 10
    bias: str = "subspace"            # "subspace" | "frozen"


@dataclass
class MethodResult:
    """What one method did on one stream: the accuracy matrix ``R`` (tasks × tasks, NaN above the
    diagonal), lateral neurons added per task and layer (``lateral[t] = (k1, k2)``), the final
    subspaces, and counts of weight updates (SGD steps × entries) and Oja steps."""

    method: str
    R: np.ndarray
    lateral: list = field(default_factory=list)
    subspaces: list = field(default_factory=list)
    sgd_steps: int = 0
    hebbian_steps: int = 0
    chip: dict = field(default_factory=dict)   # on-chip counts (program pulses, energy), if any

    @property
    def acc(self) -> float:
        return acc_bwt(self.R)[0]

    @property
    def bwt(self) -> float:
        return acc_bwt(self.R)[1]


def acc_bwt(R: np.ndarray) -> tuple[float, float]:
    """``(ACC, BWT)`` of an accuracy matrix ``R[j, i]`` (fractions; BWT 0 for one task)."""
    T = R.shape[0]
    acc = float(np.mean(R[T - 1]))
    bwt = float(np.mean([R[T - 1, i] - R[i, i] for i in range(T - 1)])) if T > 1 else 0.0
    return acc, bwt


def _head_mask(classes: tuple[int, ...] | None, n_classes: int) -> np.ndarray:
    m = np.zeros(n_classes, bool)
    m[list(classes) if classes is not None else slice(None)] = True
    return m


def _rate_projection(rows, a):
    """How a layer's presynaptic activity is projected for its gradient: the rate form
    ``a − a H_oldᵀ H_old`` (``rows`` = the frozen rows ``H_old``)."""
    return project_rows(a, rows)


def train_stream(method: str, tasks: list[TaskData], n_classes: int, settings: TrainSettings,
                 rng: np.random.Generator, on_task: Callable[[str, int, np.ndarray], None] | None = None,
                 projector: Callable | None = None, memory=None,
                 lateral_neurons: int | None = None) -> MethodResult:
    """Train one fresh network through ``tasks`` with ``method`` (one of :data:`METHODS`).

    ``rng``: every draw (initial weights, batch order, replay memory, lateral initial rows).
    ``on_task(method, j, R[j])`` after each task (progress). ``projector(rows, a)``: the circuit
    that projects activity ``a`` off the frozen lateral rows (default the rate form; e.g.
    :class:`~neurosim.learning.hlop_spiking.SpikingProjector`). ``memory``: where the weights live (None:
    digital; an :class:`~neurosim.learning.onchip.OnChipMemory` programs every update and reads
    through the chip's macro: noise, DAC, ADC). ``lateral_neurons`` overrides ``settings.lateral_neurons`` (k sweeps).
    """
    if method not in METHODS:
        raise ConfigError(f"unknown continual method {method!r} (choose from {', '.join(METHODS)})")
    s = settings
    k_fixed = s.lateral_neurons if lateral_neurons is None else lateral_neurons
    projector = projector or _rate_projection
    T = len(tasks)
    n = tasks[0].x_train.shape[1]
    multi_head = tasks[0].classes is not None
    net = MLP(n, s.hidden, n_classes, rng)
    if memory is not None:
        memory.attach(net)
    widths = net.widths
    subs = [LateralSubspace(w, rate=s.hebbian_rate, adaptive=s.hebbian_adaptive) for w in widths]
    protected = (0,) if multi_head else (0, 1)   # separate heads need no protection (as the reference)
    R = np.full((T, T), np.nan)
    result = MethodResult(method, R)
    buffer_x: list[np.ndarray] = []
    buffer_y: list[np.ndarray] = []
    buffer_m: list[np.ndarray] = []
    for j, task in enumerate(tasks):
        if method == "multitask":
            x = np.concatenate([t.x_train for t in tasks[:j + 1]])
            y = np.concatenate([t.y_train for t in tasks[:j + 1]])
            m = np.concatenate([np.repeat(_head_mask(t.classes, n_classes)[None], len(t.y_train), 0)
                                for t in tasks[:j + 1]])
        else:
            x, y = task.x_train, task.y_train
            m = np.repeat(_head_mask(task.classes, n_classes)[None], len(y), 0)
        project = method in ("hlop", "exact") and j > 0
        if memory is not None:
            memory.recalibrate()   # the macros' ADC ranges, set again on this task's first reads
        freeze_bias = s.bias == "frozen" and j > 0
        opt = SGD(lr=s.lr, momentum=s.momentum)
        for _ in range(s.epochs):
            order = rng.permutation(len(y))
            for b0 in range(0, len(y), s.batch_size):
                idx = order[b0:b0 + s.batch_size]
                xb, yb, mb = x[idx], y[idx], m[idx]
                if method == "replay" and buffer_x:
                    bx, by, bm = np.concatenate(buffer_x), np.concatenate(buffer_y), np.concatenate(buffer_m)
                    r = rng.choice(len(by), size=min(len(idx), len(by)), replace=False)
                    xb, yb, mb = np.concatenate([xb, bx[r]]), np.concatenate([yb, by[r]]), np.concatenate([mb, bm[r]])
                _, grads, f, dz, d1 = net.loss_and_grads(xb, yb, mb)
                if project:
                    acts = (f.a1, f.a2)
                    deltas = (d1, dz)
                    for layer in protected:
                        name = ("W1", "W2")[layer]
                        if memory is not None and projector is _rate_projection:
                            projected = memory.project_off(subs[layer], acts[layer])
                        else:
                            rows = (subs[layer].old if memory is None
                                    else memory.frozen_rows(subs[layer], len(idx)))
                            projected = projector(rows, acts[layer])
                        grads[name] = deltas[layer].T @ projected
                if freeze_bias:
                    for name in grads:
                        grads[name][:, -1] = 0.0
                before = {k: v.copy() for k, v in net.params.items()} if memory is not None else None
                opt.step(net.params, grads)
                result.sgd_steps += 1
                if memory is not None:
                    memory.write_params(net, before)
        if method in ("hlop", "exact"):
            f = net.forward(task.x_train)
            ks = [0, 0]
            for layer in protected:
                a = (f.a1, f.a2)[layer]
                sub = subs[layer]
                k = (k_fixed if k_fixed else
                     choose_k(a, s.variance_threshold, sub.old))
                k = min(k, sub.n - sub.frozen)
                ks[layer] = k
                if k == 0:
                    continue
                if method == "exact":
                    rows = principal_rows(a, k, sub.old)
                    k = ks[layer] = rows.shape[0]
                    if k == 0:
                        continue
                sub.add_subspace(k, rng)
                if method == "exact":
                    sub.set_rows(rows)
                    if memory is not None:
                        memory.write_lateral(sub, sub.h.copy(), layer)
                else:
                    for e in range(s.hebbian_epochs):   # rate annealed as 1/(1+epoch)
                        order = rng.permutation(len(a))
                        for b0 in range(0, len(a), s.batch_size):
                            before = sub.h.copy() if memory is not None else None
                            sub.hebbian_update(a[order[b0:b0 + s.batch_size]], s.hebbian_iterations,
                                               1.0 / (1 + e))
                            result.hebbian_steps += s.hebbian_iterations
                            if memory is not None:
                                memory.write_lateral(sub, before, layer)
                sub.merge()
            result.lateral.append(tuple(ks))
        if method == "replay":
            keep = []
            for c in np.unique(task.y_train):
                where = np.flatnonzero(task.y_train == c)
                keep.append(rng.choice(where, size=min(s.replay_per_class, len(where)), replace=False))
            keep = np.sort(np.concatenate(keep))
            buffer_x.append(task.x_train[keep])
            buffer_y.append(task.y_train[keep])
            buffer_m.append(np.repeat(_head_mask(task.classes, n_classes)[None], len(keep), 0))
        for i in range(j + 1):
            t = tasks[i]
            allowed = list(t.classes) if t.classes is not None else None
            R[j, i] = float(np.mean(np.asarray(net.predict(t.x_test, allowed)) == t.y_test))
        if on_task is not None:
            on_task(method, j, R[j])
    result.subspaces = subs
    return result
