"""Reservoir quality metrics (neurosim.networks.metrics) and the reservoir task."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tiny import TINY_RESERVOIR

from neurosim.networks.metrics import (exponential_filter, firing_stats, generalization_rank,
                                       kernel_rank, memory_capacity, numerical_rank,
                                       per_neuron_rates, separation, state_vectors)
from neurosim.networks.stimuli import jitter_raster, rate_coded_stream


# --------------------------------------------------------------------------- firing statistics

def test_firing_stats_known_counts():
    counts = np.array([[0, 2, 4], [0, 4, 0]])
    stats = firing_stats(counts, 0.5)
    assert stats.rates_hz.tolist() == [0.0, 6.0, 4.0]
    assert stats.mean_rate_hz == pytest.approx(10 / 3)
    assert stats.silent_fraction == pytest.approx(1 / 3)
    assert stats.spikes_per_sample == 5.0
    assert stats.rate_quantiles_hz["min"] == 0.0 and stats.rate_quantiles_hz["max"] == 6.0
    assert stats.rate_quantiles_hz["median"] == 4.0


def test_rates_use_per_sample_durations_and_skip_empty_samples():
    counts = np.array([[2], [2], [7]])
    assert per_neuron_rates(counts, np.array([1.0, 0.5, 0.0])).tolist() == [3.0]
    with pytest.raises(ValueError, match="positive duration"):
        per_neuron_rates(counts, 0.0)


def test_silent_reservoir_statistics():
    stats = firing_stats(np.zeros((4, 10), dtype=int), 0.3)
    assert stats.silent_fraction == 1.0 and stats.mean_rate_hz == 0.0
    assert stats.spikes_per_sample == 0.0


def test_state_vectors_count_spikes_per_window():
    raster = np.zeros((1, 4, 2), dtype=bool)
    raster[0, [0, 1, 3], 0] = True
    raster[0, 2, 1] = True
    assert state_vectors(raster).tolist() == [[3.0, 1.0]]
    # windows: bins [0, 1] and [2, 3], window-major
    assert state_vectors(raster, windows=2).tolist() == [[2.0, 0.0, 1.0, 1.0]]
    with pytest.raises(ValueError):
        state_vectors(raster, windows=5)


def test_exponential_filter():
    s = np.array([[1], [0], [0], [1]], dtype=bool)
    assert exponential_filter(s, 0.5)[:, 0].tolist() == [1.0, 0.5, 0.25, 1.125]
    assert exponential_filter(s, 0.0)[:, 0].tolist() == [1.0, 0.0, 0.0, 1.0]


# --------------------------------------------------------------------------- separation

def test_identical_states_have_zero_separation():
    states = np.ones((6, 5))
    sep = separation(states, np.array([0, 0, 1, 1, 2, 2]))
    assert sep.between == 0.0 and sep.within == 0.0 and sep.ratio is None
    assert sep.n_between_pairs == 12 and sep.n_within_pairs == 3


def test_separation_known_distances():
    states = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 4.0], [3.0, 4.0]])
    sep = separation(states, np.array([0, 0, 1, 1]))
    assert sep.within == 0.0
    assert sep.between == pytest.approx(5 / np.sqrt(2))   # ||(3, 4)|| / sqrt(2 components)
    states[1] = [0.0, 2.0]                                 # within pairs: 2/√2 and 0
    sep = separation(states, np.array([0, 0, 1, 1]))
    assert sep.within == pytest.approx(np.sqrt(2) / 2)
    assert sep.ratio == pytest.approx(sep.between / sep.within)


def test_separation_subsamples_only_with_a_generator():
    states = np.arange(40.0).reshape(20, 2)
    labels = np.arange(20) % 2
    with pytest.raises(ValueError, match="rng"):
        separation(states, labels, max_samples=10)
    a = separation(states, labels, 10, np.random.default_rng(3))
    b = separation(states, labels, 10, np.random.default_rng(3))
    assert a == b and a.samples == 10 and a.n_between_pairs + a.n_within_pairs == 45


# --------------------------------------------------------------------------- ranks

def test_numerical_rank_of_known_matrices():
    assert numerical_rank(np.diag([1.0, 0.5, 1e-3]), rtol=1e-2) == 2
    assert numerical_rank(np.diag([1.0, 0.5, 1e-3]), rtol=1e-4) == 3
    assert numerical_rank(np.zeros((3, 4))) == 0
    rng = np.random.default_rng(0)
    low = rng.normal(size=(20, 3)) @ rng.normal(size=(3, 30))   # rank 3
    assert numerical_rank(low) == 3
    s_max = np.linalg.svd(low, compute_uv=False)[0]
    assert numerical_rank(low, 1e-2) == np.linalg.matrix_rank(low, tol=1e-2 * s_max)


def test_kernel_and_generalization_rank():
    distinct = np.eye(5, 8) * np.arange(1, 6)[:, None]
    assert kernel_rank(distinct) == 5
    same = np.tile(np.arange(8.0), (5, 1))
    assert generalization_rank(same) == 1


def test_jitter_raster():
    rng = np.random.default_rng(0)
    raster = rng.random((20, 10)) < 0.3
    same = jitter_raster(raster, 3, np.random.default_rng(1), drop=0.0, shift=0.0)
    assert same.shape == (3, 20, 10) and (same == raster).all()
    assert not jitter_raster(raster, 2, np.random.default_rng(1), drop=1.0).any()
    a = jitter_raster(raster, 4, np.random.default_rng(5), drop=0.2, shift=0.3, max_shift=2)
    b = jitter_raster(raster, 4, np.random.default_rng(5), drop=0.2, shift=0.3, max_shift=2)
    assert (a == b).all() and not (a[0] == a[1]).all()
    assert (a.sum(axis=(1, 2)) <= raster.sum()).all()
    # shift only: every spike stays on its channel within max_shift bins
    moved = jitter_raster(raster, 1, np.random.default_rng(2), drop=0.0, shift=1.0, max_shift=1)[0]
    near = np.zeros_like(raster)
    for d in (-1, 0, 1):
        near |= np.roll(raster, d, axis=0)
    assert not (moved & ~near).any()


# --------------------------------------------------------------------------- memory capacity

def test_rate_coded_stream():
    rng = np.random.default_rng(0)
    u = np.array([0.0, 1.0, 0.0, 1.0])
    raster = rate_coded_stream(u, 6, np.array([1, 4]), rng)
    assert raster.shape == (1, 4, 6)
    assert raster[0, :, [1, 4]].T.tolist() == [[False, False], [True, True]] * 2
    assert not raster[0][:, [0, 2, 3, 5]].any()


def delay_line(u: np.ndarray, depth: int) -> np.ndarray:
    """A linear 'reservoir' whose state at t is u(t), u(t−1), …, u(t−depth) (zeros before 0)."""
    x = np.zeros((u.size, depth + 1))
    for j in range(depth + 1):
        x[j:, j] = u[:u.size - j]
    return x


def test_delay_line_has_memory_capacity_k():
    u = np.random.default_rng(0).random(2000)
    k = 8
    mc = memory_capacity(delay_line(u, k), u, max_delay=k, washout=10, ridge_alpha=1e-6)
    assert mc.total == pytest.approx(k, abs=1e-3)
    assert mc.per_delay == pytest.approx(np.ones(k), abs=1e-3)
    # a line of depth 4 recalls delays 1..4 and nothing beyond (chance ≈ K / n_test)
    short = memory_capacity(delay_line(u, 4), u, max_delay=k, washout=10, ridge_alpha=1e-6)
    assert short.per_delay[:4] == pytest.approx(np.ones(4), abs=1e-3)
    assert short.per_delay[4:].sum() < 0.05
    assert short.n_test + short.n_train == 2000 - max(10, k)


def test_memory_capacity_needs_more_training_steps_than_state_components():
    """Why reservoir.mc_bins is 20,000: a noisy reservoir (a weak delay line hidden among many noise
    components) is recalled when the readouts train on more steps than they have weights, and scores
    near chance when they train on fewer (ridge then fits the noise)."""
    rng = np.random.default_rng(2)
    u = rng.random(6000)
    n_noise, depth = 400, 3
    x = np.hstack([delay_line(u, depth) + rng.normal(0, 0.3, (6000, depth + 1)),
                   rng.random((6000, n_noise)) < 0.05])
    short = memory_capacity(x[:700], u[:700], max_delay=5, washout=10)     # 345 training steps < 404
    long = memory_capacity(x, u, max_delay=5, washout=10)                  # 2,995 training steps
    assert short.n_train < x.shape[1] < long.n_train
    assert long.total > 1.0 and long.total > 3 * short.total


def test_silent_reservoir_has_no_memory():
    u = np.random.default_rng(1).random(500)
    mc = memory_capacity(np.zeros((500, 7)), u, max_delay=5)
    assert mc.total == 0.0 and not mc.per_delay.any()


def test_memory_capacity_rejects_too_short_streams():
    with pytest.raises(ValueError, match="too few"):
        memory_capacity(np.zeros((12, 2)), np.zeros(12), max_delay=10)


# --------------------------------------------------------------------------- the task, end to end


def test_run_reservoir_end_to_end_on_dvs_digits_is_deterministic():
    from neurosim.config import load_config
    from neurosim.report.json_report import REQUIRED_KEYS, _get, dumps_report, to_jsonable
    from neurosim.tasks import RunContext, run_task

    ideal_adc = ["crossbar.adc_mode=ideal"]  # brian2 is the reference of the ideal-ADC case
    config = load_config(overrides=TINY_RESERVOIR + ideal_adc)
    output = run_task("reservoir", config, RunContext(engine="brian2"))
    result = output.result
    assert result.engine == "brian2" and result.n_samples == 24
    assert result.neurons == 30 and result.inputs == 256
    assert 0.0 <= result.firing.silent_fraction <= 1.0 and result.firing.mean_rate_hz >= 0
    assert result.firing.spikes_per_sample > 0          # the reservoir is driven
    assert result.rank_m == 10
    assert 1 <= result.kernel_rank <= 10 and 1 <= result.generalization_rank <= 10
    assert result.separation.between > 0
    assert result.memory.per_delay.shape == (5,) and 0.0 <= result.memory.total <= 5.0

    report = output.report
    assert report["task"] == "reservoir" and "accuracy" not in report
    missing = [k for k in REQUIRED_KEYS if not _has(report, k, _get)]
    assert missing == []
    json.loads(dumps_report(report))                    # strict JSON: no NaN, numpy converted

    def metrics(r):
        return to_jsonable({k: r[k] for k in ("reservoir", "activity", "energy")})

    again = run_task("reservoir", config, RunContext(engine="brian2")).report
    assert metrics(again) == metrics(report)
    cpu = run_task("reservoir", config, RunContext(engine="cpu")).report
    assert metrics(cpu)["reservoir"] == metrics(report)["reservoir"]   # engines agree exactly
    other = run_task("reservoir", load_config(overrides=TINY_RESERVOIR + ideal_adc + ["run.seed=1"]),
                     RunContext(engine="brian2")).report
    assert metrics(other)["reservoir"] != metrics(report)["reservoir"]


def test_reservoir_settings_are_a_config_section():
    from neurosim.config import load_config
    from neurosim.errors import ConfigError

    config = load_config(overrides=["reservoir.rank_samples=7"])
    assert config.section("reservoir").rank_samples == 7
    with pytest.raises(ConfigError, match="reservoir.mc_bins"):
        load_config(overrides=["reservoir.mc_bins=60"])   # must outlast washout + delay
    with pytest.raises(ConfigError, match="reservoir.jitter_drop = 2"):
        load_config(overrides=["reservoir.jitter_drop=2"])


def _has(report, key, get):
    try:
        get(report, key)
    except KeyError:
        return False
    return True
