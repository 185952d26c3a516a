"""HLOP: the lateral subspace (Oja's rule), the projection, the trained network's gradients and the
continual-learning metrics (issue 12, "Done when" unit tests)."""

import numpy as np
import pytest

from neurosim.errors import ConfigError
from neurosim.learning.continual import TaskData, TrainSettings, acc_bwt, train_stream
from neurosim.learning.gradcheck import gradient_error
from neurosim.learning.hlop import LateralSubspace, choose_k, principal_rows
from neurosim.learning.mlp import MLP


def _data(rng, n=40, b=2000, spectrum=(10.0, 8.0, 6.0, 5.0, 4.0), floor=0.3):
    """``b`` samples in ``n`` dims with a known spectrum: std ``spectrum`` along a random
    orthonormal basis' first directions, ``floor`` on the rest. Returns (data, basis)."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    stds = np.full(n, floor)
    stds[:len(spectrum)] = spectrum
    return (rng.standard_normal((b, n)) * stds) @ q.T, q.T


def _max_sine(h, basis_rows):
    """Largest principal-angle sine between the row spaces of ``h`` and ``basis_rows`` (both orthonormal)."""
    s = np.linalg.svd(h @ basis_rows.T, compute_uv=False)
    return float(np.sqrt(max(0.0, 1.0 - s.min() ** 2)))


def _learn(sub, a, rng, epochs=20, batch=64):
    for e in range(epochs):
        order = rng.permutation(len(a))
        for b0 in range(0, len(a), batch):
            sub.hebbian_update(a[order[b0:b0 + batch]], scale=1.0 / (1 + e))


def test_oja_rows_orthonormal_and_span_top_k():
    rng = np.random.default_rng(0)
    a, basis = _data(rng)
    sub = LateralSubspace(a.shape[1])
    sub.add_subspace(3, rng)
    _learn(sub, a, rng)
    assert np.linalg.norm(sub.h @ sub.h.T - np.eye(3)) < 1e-2
    assert _max_sine(sub.h, basis[:3]) < 0.1
    # a wrong target fails: the rows are not in the span of the next directions
    assert _max_sine(sub.h, basis[3:6]) > 0.9


def test_new_rows_orthogonal_to_frozen_rows_which_stay_bit_identical():
    rng = np.random.default_rng(1)
    a, basis = _data(rng)
    sub = LateralSubspace(a.shape[1])
    sub.add_subspace(2, rng)
    _learn(sub, a, rng)
    sub.merge()
    frozen = sub.h.copy()
    b, _ = _data(np.random.default_rng(2))           # another task, another subspace
    sub.add_subspace(3, rng)
    _learn(sub, b, rng)
    assert np.array_equal(sub.h[:2], frozen)
    assert np.linalg.norm(sub.h[:2] @ sub.h[2:].T) < 1e-2
    assert np.linalg.norm(sub.h @ sub.h.T - np.eye(5)) < 1e-2
    # the new rows span the top of the residual: the exact reference
    exact = principal_rows(b, 3, frozen)
    assert _max_sine(sub.h[2:], exact) < 0.1


def test_projected_gradient_leaves_old_outputs_unchanged_to_first_order():
    rng = np.random.default_rng(3)
    old, _ = _data(rng, spectrum=(5.0, 4.0, 3.0), floor=0.0)   # old task: a 3-dim subspace exactly
    sub = LateralSubspace(old.shape[1])
    sub.add_subspace(3, rng)
    sub.set_rows(principal_rows(old, 3))
    sub.merge()
    w = rng.standard_normal((7, old.shape[1]))
    new = rng.standard_normal((50, old.shape[1]))
    delta = rng.standard_normal((50, 7))
    g = delta.T @ new                                 # an unprojected gradient moves old outputs
    gp = delta.T @ sub.project(new)
    assert np.allclose(gp, sub.project_gradient(g))
    assert np.abs(old @ g.T).max() > 1.0
    assert np.abs(old @ gp.T).max() < 1e-9
    assert np.allclose(old @ (w - 0.1 * gp).T, old @ w.T)


def test_adaptive_rates_find_weak_directions_faster():
    rng = np.random.default_rng(7)
    a, basis = _data(rng, n=60, spectrum=(8.0, 2.0, 1.5, 1.2), floor=0.3)   # one strong direction
    sines = []
    for adaptive in (0.0, 10.0):
        sub = LateralSubspace(a.shape[1], adaptive=adaptive)
        sub.add_subspace(4, np.random.default_rng(0))
        _learn(sub, a, np.random.default_rng(1), epochs=3)
        sines.append(_max_sine(sub.h, basis[:4]))
    assert sines[1] < 0.3 * sines[0]          # measured 0.038 against 0.276


def test_choose_k_by_explained_variance():
    rng = np.random.default_rng(4)
    a, _ = _data(rng, spectrum=(10.0, 10.0, 10.0), floor=0.01)
    assert choose_k(a, 0.95) == 3
    assert choose_k(a, 0.5) == 2
    assert choose_k(a, 0.95, limit=1) == 1
    assert choose_k(a, 0.95, principal_rows(a, 3)) == 0    # already held by the frozen rows


def test_exact_rows_stop_at_the_residual_rank():
    rng = np.random.default_rng(8)
    a, _ = _data(rng, spectrum=(5.0, 4.0, 3.0), floor=0.0)      # rank 3
    first = principal_rows(a, 2)
    more = principal_rows(a, 10, first)
    assert more.shape[0] == 1                                    # one direction left, not 10
    assert np.abs(first @ more.T).max() < 1e-9


def test_too_many_lateral_neurons_is_a_config_error():
    sub = LateralSubspace(5)
    with pytest.raises(ConfigError, match="layer width"):
        sub.add_subspace(6, np.random.default_rng(0))


def test_mlp_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    net = MLP(6, 5, 4, rng)
    x = rng.standard_normal((9, 6))
    y = rng.integers(0, 4, 9)
    for allowed in (None, [1, 3]):
        yy = y if allowed is None else np.where(y % 2 == 1, y, 1)
        _, grads, *_ = net.loss_and_grads(x, yy, allowed)
        err = gradient_error(lambda: net.loss(x, yy, allowed), net.params, grads, max_entries=None)
        assert err < 1e-6
    # a wrong gradient fails the same check
    _, grads, *_ = net.loss_and_grads(x, y)
    grads["W1"] = grads["W1"] * 1.1
    assert gradient_error(lambda: net.loss(x, y), net.params, grads, max_entries=None) > 1e-3


def test_acc_bwt():
    R = np.array([[0.9, np.nan, np.nan], [0.7, 0.8, np.nan], [0.6, 0.7, 0.9]])
    acc, bwt = acc_bwt(R)
    assert acc == pytest.approx((0.6 + 0.7 + 0.9) / 3)
    assert bwt == pytest.approx(((0.6 - 0.9) + (0.7 - 0.8)) / 2)


def _subspace_stream(rng, tasks=3, n=40, shared=4, own=2, per_class=60, classes=4):
    """Task inputs in a subspace shared by all tasks plus one of their own, class means drawn
    anew per task in both (the shared part conflicts between tasks), a little isotropic noise; one
    shared head. Unprotected updates for a new task overwrite what the shared part meant for
    the old ones; updates kept out of the old subspaces use the task's own part only."""
    y = np.repeat(np.arange(classes), per_class)
    common = np.linalg.qr(rng.standard_normal((n, shared)))[0]
    out = []
    for _ in range(tasks):
        basis = np.concatenate([common, np.linalg.qr(rng.standard_normal((n, own)))[0]], axis=1)
        means = rng.standard_normal((classes, shared + own)) * 2.0

        def draw():
            return (means[y] + 0.3 * rng.standard_normal((len(y), shared + own))) @ basis.T \
                + 0.02 * rng.standard_normal((len(y), n))
        out.append(TaskData(draw(), y, draw(), y))
    return out


def test_hlop_forgets_less_than_finetuning_on_a_synthetic_stream():
    tasks = _subspace_stream(np.random.default_rng(6))
    s = TrainSettings(hidden=32, epochs=15, batch_size=16, lr=0.05, variance_threshold=0.9,
                      hebbian_epochs=10)
    assert train_stream("hlop", tasks, 4, s, np.random.default_rng(0)).R[0, 0] == \
        train_stream("finetune", tasks, 4, s, np.random.default_rng(0)).R[0, 0]   # same start
    ft = train_stream("finetune", tasks, 4, s, np.random.default_rng(0))
    hl = train_stream("hlop", tasks, 4, s, np.random.default_rng(0))
    ex = train_stream("exact", tasks, 4, s, np.random.default_rng(0))
    assert ft.bwt < -0.2                      # measured −36 points
    assert hl.bwt > -0.1 and ex.bwt > -0.1    # measured −0.2 and −7 points
    assert hl.acc > ft.acc + 0.1
    assert all(k1 > 0 and k2 > 0 for k1, k2 in hl.lateral)


def _small():
    return (_subspace_stream(np.random.default_rng(6)),
            TrainSettings(hidden=32, epochs=15, batch_size=16, lr=0.05, variance_threshold=0.9,
                          hebbian_epochs=10))


def test_spiking_lateral_circuit_protects_like_the_rate_form():
    from neurosim.learning.hlop_spiking import SpikingProjector
    tasks, s = _small()
    rate = train_stream("hlop", tasks, 4, s, np.random.default_rng(0))
    coarse = train_stream("hlop", tasks, 4, s, np.random.default_rng(0), projector=SpikingProjector(2))
    spiking = train_stream("hlop", tasks, 4, s, np.random.default_rng(0), projector=SpikingProjector(40))
    assert not np.array_equal(spiking.R, rate.R) or not np.array_equal(coarse.R, rate.R)
    assert spiking.bwt > -0.1 and abs(spiking.bwt - rate.bwt) <= abs(coarse.bwt - rate.bwt) + 0.02


def test_frozen_biases_stay_after_the_first_task_and_replay_keeps_a_memory():
    from dataclasses import replace
    tasks, s = _small()
    seen = []

    class Spy:   # an on-chip memory stand-in that records the biases after every step
        def attach(self, net): self.net = net
        def write_params(self, net, before): seen.append(net.params["W1"][:, -1].copy())
        def write_lateral(self, sub, before, layer): pass
        def frozen_rows(self, sub, vectors): return sub.old
        def recalibrate(self): pass

    train_stream("finetune", tasks, 4, replace(s, bias="frozen"), np.random.default_rng(0), memory=Spy())
    per_task = len(seen) // len(tasks)
    assert np.array_equal(seen[per_task - 1], seen[-1])                  # unchanged after task 1
    assert not np.array_equal(seen[0], seen[per_task - 1])               # trained on task 1
    ft = train_stream("finetune", tasks, 4, s, np.random.default_rng(0))
    rp = train_stream("replay", tasks, 4, replace(s, replay_per_class=20), np.random.default_rng(0))
    assert rp.bwt > ft.bwt + 0.1
