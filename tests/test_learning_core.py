"""The shared learning layer: optimisers, finite-difference gradient checks, intervals."""

import numpy as np
import pytest

from neurosim.errors import ConfigError
from neurosim.learning.gradcheck import gradient_error, numerical_gradient
from neurosim.learning.optim import SGD, Adam, make_optimizer
from neurosim.stats import binomial_test_vs_chance, mcnemar_p, mean_interval, wilson_interval


def test_sgd_momentum_matches_hand_computation():
    p = {"w": np.array([1.0, -2.0])}
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(p, {"w": np.array([1.0, 1.0])})       # v = g = 1 → p -= 0.1
    opt.step(p, {"w": np.array([1.0, 1.0])})       # v = 0.9 + 1 = 1.9 → p -= 0.19
    np.testing.assert_allclose(p["w"], [1.0 - 0.29, -2.0 - 0.29])


def test_adam_first_step_moves_by_lr_and_minimises_a_quadratic():
    p = {"w": np.array([3.0, -1.0])}
    opt = Adam(lr=0.5)
    opt.step(p, {"w": 2 * p["w"]})
    np.testing.assert_allclose(p["w"], [2.5, -0.5], rtol=1e-6)   # bias-corrected: step = lr·sign(g)
    for _ in range(300):
        opt.step(p, {"w": 2 * p["w"]})
    assert np.abs(p["w"]).max() < 1e-2


def test_optimiser_refuses_mismatched_gradients_and_unknown_names():
    with pytest.raises(ValueError, match="do not match"):
        SGD().step({"w": np.zeros(2)}, {"v": np.zeros(2)})
    with pytest.raises(ConfigError, match="unknown optimiser"):
        make_optimizer("rmsprop", 0.1)
    assert isinstance(make_optimizer("adam", 1e-3), Adam)


def test_gradient_check_accepts_right_and_rejects_wrong_gradients():
    rng = np.random.default_rng(0)
    a, w = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    before = w.copy()
    loss = lambda: float(np.sum(np.tanh(a @ w) ** 2))               # noqa: E731
    right = a.T @ (2 * np.tanh(a @ w) * (1 - np.tanh(a @ w) ** 2))
    assert gradient_error(loss, {"w": w}, {"w": right}) < 1e-6
    assert gradient_error(loss, {"w": w}, {"w": right * 1.01}) > 1e-3
    np.testing.assert_array_equal(w, before)                        # restored bit-exactly
    idx, g = numerical_gradient(loss, w, max_entries=3, seed=1)
    assert len(idx) == 3 and np.allclose(g, right.reshape(-1)[idx], atol=1e-6)


def test_wilson_interval_matches_reference_values():
    iv = wilson_interval(8, 10)                     # Wilson (1927); statsmodels proportion_confint
    assert iv.value == 0.8
    assert iv.low == pytest.approx(0.4902, abs=1e-4) and iv.high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(10, 10).high == 1.0
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_mean_interval_and_binomial_test():
    iv = mean_interval([0.8, 0.9, 1.0])
    assert iv.value == pytest.approx(0.9)
    assert iv.high - iv.value == pytest.approx(4.302653 * 0.1 / np.sqrt(3), rel=1e-5)
    assert mean_interval([0.5]).low == 0.5
    assert binomial_test_vs_chance(60, 100, 0.5) == pytest.approx(0.028444, abs=1e-5)
    assert binomial_test_vs_chance(50, 100, 0.5) > 0.4


def test_mcnemar_counts_only_the_disagreements():
    a = np.array([True] * 10 + [False] * 2 + [True] * 50 + [False] * 5)
    b = np.array([False] * 10 + [True] * 2 + [True] * 50 + [False] * 5)
    assert mcnemar_p(a, b) == pytest.approx(0.03857, abs=1e-4)      # binomtest(10, 12, 0.5), two-sided
    assert mcnemar_p(a, a) == 1.0 and mcnemar_p(b, a) == pytest.approx(mcnemar_p(a, b))
