"""The prediction task: its learning rules on hand-computed cases, RLS against least squares, the
attention gate, the paradigm, on-chip readout weights, background noise, and exactness across
engines and seeds (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import TINY_PREDICTION

from neurosim.config import load_config
from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.errors import ConfigError
from neurosim.learning.onchip import OnChipMemory
from neurosim.learning.rls import RLS, ridge_solution
from neurosim.learning.three_factor import (attention_gate, delta_rule_update, eligibility_step,
                                            three_factor_update)
from neurosim.learning.what_when import ReadoutParams, ReadoutWeights, WhatWhenHook
from neurosim.networks import build_lsm
from neurosim.networks.background import BackgroundNoise, background_std, with_background
from neurosim.tasks.prediction import (Prediction, block_amplitudes, prediction_figures, prediction_report,
                                      relative_amplitude)
from neurosim.tasks.prediction.paradigm import (Block, Trial, event_kernel, schedule_trials, sweep_blocks,
                                                switch_blocks, trial_raster)
from neurosim.tasks.registry import RunContext

# ---------------------------------------------------------------- rules on hand-computed cases


def test_three_factor_update_on_a_hand_computed_case():
    w = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
    x = np.array([1.0, 2.0, 0.0])                  # eligibility traces
    dw = three_factor_update(w, x, error=np.array([0.5, -1.0]), gate=np.array([1.0, 0.0]), lr=0.1)
    # Δw[0] = 0.1 · 0.5 · 1 · [1, 2, 0]; channel 1's gate is closed: no change
    np.testing.assert_allclose(dw, [[0.05, 0.1, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(w, [[0.05, 1.1, 0.0], [2.0, 0.0, 0.0]])


def test_delta_rule_and_trace_on_hand_computed_cases():
    w = np.zeros((1, 2))
    dw = delta_rule_update(w, np.array([1.0, 1.0]), np.array([1.0]), lr=0.5, eps=0.0)
    np.testing.assert_allclose(dw, [[0.25, 0.25]])       # 0.5 · (1 − 0) · [1, 1] / 2
    dw = delta_rule_update(w, np.array([2.0, 0.0]), np.array([0.0]), lr=0.1, normalise=False)
    np.testing.assert_allclose(dw, [[-0.1, 0.0]])       # 0.1 · (0 − 0.5) · [2, 0]
    trace = np.array([1.0, 0.0])
    eligibility_step(trace, np.array([0.0, 1.0]), np.array([0.5, 0.9]))
    np.testing.assert_allclose(trace, [0.5, 1.0])


def test_rls_equals_the_direct_least_squares_solution_and_reset_restores_p():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((60, 5)), rng.standard_normal((60, 2))
    rls = RLS(5, 2, alpha=0.5)
    for x, y in zip(X, Y):
        rls.update(x, y)
    np.testing.assert_allclose(rls.w_, ridge_solution(X, Y, 0.5), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(rls.P_, np.linalg.inv(X.T @ X + 0.5 * np.eye(5)), rtol=1e-9, atol=1e-12)
    rls.reset()
    np.testing.assert_array_equal(rls.P_, np.eye(5) / 0.5)
    with pytest.raises(ValueError):
        RLS(3, 1, alpha=0.0)


def test_attention_gate_opens_only_on_the_channel_that_occurred_near_its_latency():
    lat = np.array([0.3, 0.7])
    np.testing.assert_array_equal(attention_gate(0.33, 0, lat, 0.05), [1, 0])
    np.testing.assert_array_equal(attention_gate(0.36, 0, lat, 0.05), [0, 0])
    np.testing.assert_array_equal(attention_gate(0.7, 0, lat, 0.05), [0, 0])    # B's time, A occurred
    np.testing.assert_array_equal(attention_gate(0.7, 1, lat, 0.05), [0, 1])
    np.testing.assert_array_equal(attention_gate(0.3, -1, lat, 0.05), [0, 0])   # test trial


def _hook(method, trials, bins=120, n=8, noise=None, store_levels=0, seed=0, output_weights="trial-start",
          rls_window="trial"):
    params = ReadoutParams(dt=1e-3, sigma=0.005, gate_half_width=0.01, what_window=0.02, rls_interval=1,
                           output_weights=output_weights, rls_window=rls_window)
    memory = (OnChipMemory(load_config("rram-40nm-256kb", overrides=[f"device.levels={store_levels}"]),
                           np.random.default_rng(seed)) if store_levels else None)
    rng = np.random.default_rng(seed)
    return WhatWhenHook(method, trials, bins, params, np.full(n, 0.9), rng.normal(0, 1, (n, 2)), noise, memory)


@pytest.mark.parametrize("output_weights", ["live", "trial-start"])
def test_the_gate_closes_plasticity_outside_its_window(output_weights):
    block = Block(0.5, 0.05, 0.09, 1)
    hook = _hook("three-factor", [Trial(0, block, 0, False, 0)], output_weights=output_weights)
    rng = np.random.default_rng(1)
    hook.trial_start(0)
    learning = (lambda: hook.w_when.w) if output_weights == "live" else (lambda: hook._learn)
    changed = []
    for b in range(120):
        before = learning().copy()
        hook.step(0, b, rng.random(8) < 0.3, np.zeros(8))
        changed.append(not np.array_equal(before, learning()))
    changed = np.array(changed)
    t = np.arange(120) * 1e-3
    inside = np.abs(t - 0.05) <= 0.01 + 1e-12
    assert changed[inside].any() and not changed[~inside].any()
    assert not learning()[1].any(), "channel B did not occur: its weights never change"
    if output_weights == "trial-start":
        assert not hook.w_when.w.any(), "the store is written at the trial's end, not during it"
    hook.trial_end(0)
    assert hook.w_when.w[0].any() and not hook.w_when.w[1].any()
    assert hook.w_what.w.any(), "the what readout learns at the trial's end"


def test_rls_window_gate_updates_only_near_the_latencies_trial_everywhere():
    block = Block(1.0, 0.05, 0.09, 1)
    spikes = np.random.default_rng(2).random((120, 8)) < 0.3
    t = np.arange(120) * 1e-3
    near = (np.abs(t - 0.05) <= 0.01) | (np.abs(t - 0.09) <= 0.01)        # the gate windows, as the hook has them
    for window, expected in (("trial", 120), ("gate", int(near.sum()))):
        hook = _hook("force", [Trial(0, block, 0, False, 0)], rls_window=window)
        hook.trial_start(0)
        changed = []
        for b in range(120):
            before = hook.rls.w_.copy()
            hook.step(0, b, spikes[b], np.zeros(8))
            changed.append(not np.array_equal(before, hook.rls.w_))
        assert hook.rls_updates_ == expected
        if window == "gate":
            assert not np.array(changed)[~near].any()
    with pytest.raises(ValueError, match="rls_window"):
        _hook("force", [Trial(0, block, 0, False, 0)], rls_window="everywhere")


@pytest.mark.parametrize("method", ["three-factor", "merged", "force"])
def test_trial_start_weights_keep_a_trials_output_free_of_its_own_teacher(method):
    """With output_weights = 'trial-start' a training trial's output equals what its starting weights
    give on the same spikes (learning acts from the next trial); with 'live' it does not, and the
    learned weights after the trial are the same sequential rule in both."""
    block = Block(1.0, 0.05, 0.09, 2)
    trials = [Trial(0, block, 0, False, 0), Trial(0, block, 0, False, 1)]
    spikes = np.random.default_rng(3).random((2, 120, 8)) < 0.3
    for mode in ("trial-start", "live"):
        hook = _hook(method, trials, output_weights=mode)
        for j in range(2):
            if j == 1:
                start = {k: w.copy() for k, w in hook.weights().items()}
                base = hook.baseline.copy()
            hook.trial_start(j)
            for b in range(120):
                hook.step(j, b, spikes[j, b], np.zeros(8))
            hook.trial_end(j)
        w = start["when"]
        f = _features(hook.decay, base, spikes[1])
        pred = f @ w.T
        if method == "three-factor":
            pred = pred * hook.what_[1]
            pred[:hook.what_bins - 1] = 0.0              # 'what' is known from the end of its window on
        same = np.allclose(hook.outputs_[1], pred, atol=1e-6)
        assert same == (mode == "trial-start"), (method, mode)


def _features(decay, base, spikes):
    """Features ``(bins, F)`` for a trial's ``spikes`` (traces minus the baseline ``base`` the trial saw,
    plus the bias), recomputed independently of the hook's step."""
    x = np.zeros(spikes.shape[1])
    rows = []
    for s in spikes:
        x = decay * x + s
        rows.append(np.concatenate([x - base, [1.0]]))
    return np.array(rows)


def test_test_trials_do_not_learn():
    block = Block(0.5, 0.05, 0.09, 1)
    for method in ("three-factor", "merged", "force"):
        hook = _hook(method, [Trial(0, block, -1, True, 0)])
        hook.trial_start(0)
        for b in range(120):
            hook.step(0, b, np.ones(8, dtype=bool), np.zeros(8))
        hook.trial_end(0)
        assert not any(np.any(w) for w in hook.weights().values()), method
        assert not hook.baseline.any(), "a test trial leaves the features' baseline alone"


# ---------------------------------------------------------------- paradigm


def test_paradigm_schedules_blocks_tests_and_input_spikes():
    rng = np.random.default_rng(0)
    blocks = sweep_blocks(11, 4, 0.3, 0.7, rng)
    assert sorted(b.p_a for b in blocks) == pytest.approx(np.linspace(0, 1, 11))
    trials = schedule_trials([Block(1.0, 0.3, 0.7, 10), Block(0.0, 0.3, 0.7, 10)], 5, 2, rng)
    train = [t for t in trials if not t.test]
    assert len(trials) == 10 * 2 + 2 + 2 * 2 and len(train) == 20
    assert all(t.occurred == 0 for t in train[:10]) and all(t.occurred == 1 for t in train[10:])
    sw = switch_blocks(0.8, 0.2, 0.3, 0.7, "latency", 0.5, 0.9, 2, 1, 10)
    assert [(b.p_a, b.t_a, b.t_b) for b in sw] == [(0.8, 0.3, 0.7)] * 2 + [(0.8, 0.5, 0.9)]
    raster = trial_raster(Trial(0, Block(1.0, 0.3, 0.7, 1), 0, False, 0), 1000, 1e-3, 0.05, 0.05, 3, 1.0, rng)
    assert raster.shape == (1000, 9)
    assert raster[:50, :3].all() and not raster[50:, :3].any()
    assert raster[300:350, 3:6].all() and not raster[:300, 3:6].any() and not raster[:, 6:].any()
    test = trial_raster(Trial(0, Block(1.0, 0.3, 0.7, 1), -1, True, 0), 1000, 1e-3, 0.05, 0.05, 3, 1.0, rng)
    assert not test[:, 3:].any(), "a test trial shows only the cue"
    assert event_kernel(0.3, 0.3, 0.03) == 1.0
    out = np.zeros((1000, 2))
    out[:, 0] = 0.4 * event_kernel(np.arange(1000) * 1e-3, 0.3, 0.03)
    np.testing.assert_allclose(relative_amplitude(out, np.array([0.3, 0.7]), 0.03, 1e-3)[0], 0.4)


def test_block_amplitude_averages_the_test_points_of_the_blocks_later_part_each_point_equally():
    t = np.arange(1000) * 1e-3

    def out(a, b):          # a trial whose relative amplitudes are (a, b)
        return np.stack([a * event_kernel(t, 0.3, 0.03), b * event_kernel(t, 0.7, 0.03)], axis=1)
    first, second = Block(0.2, 0.3, 0.7, 10), Block(0.9, 0.3, 0.7, 10)
    trials, outs = [], []
    for blk, k, points in ((first, 0, {2: [(0.5, 0.5)], 6: [(0.1, 0.7)], 10: [(0.2, 0.8), (0.4, 1.0)]}),
                           (second, 1, {4: [(0.0, 0.0)], 8: [(0.8, 0.2)], 10: [(1.0, 0.0)]})):
        for pos, amps in points.items():
            trials.append(Trial(k, blk, 0, False, pos - 1))        # a training trial: never counted
            outs.append(out(9.0, 9.0))
            for a, b in amps:
                trials.append(Trial(k, blk, -1, True, pos))
                outs.append(out(a, b))
    p, amp = block_amplitudes(trials, np.array(outs), 0.03, 1e-3, 0.5)
    np.testing.assert_allclose(p, [0.2, 0.9])
    # block 0: points 6 and 10 (≥ 5), the end point is the mean of its two trials: (0.1 + 0.3) / 2
    np.testing.assert_allclose(amp, [[0.2, 0.8], [0.9, 0.1]], atol=1e-12)
    _, end = block_amplitudes(trials, np.array(outs), 0.03, 1e-3, 1.0)
    np.testing.assert_allclose(end, [[0.3, 0.9], [1.0, 0.0]], atol=1e-12)
    _, every = block_amplitudes(trials, np.array(outs), 0.03, 1e-3, 0.0)
    np.testing.assert_allclose(every[0], [(0.5 + 0.1 + 0.3) / 3, (0.5 + 0.7 + 0.9) / 3], atol=1e-12)


def test_learning_curve_starts_from_the_previous_blocks_end_scored_against_the_new_statistics():
    from neurosim.tasks.prediction import _learning_curve
    config = load_config("ideal", overrides=["prediction.gate_half_width=0.06", "prediction.sigma=0.03"])
    s = Prediction().settings(config)
    t = np.arange(1000) * 1e-3
    perfect_a = np.stack([event_kernel(t, 0.3, 0.03), np.zeros_like(t)], axis=1)   # right for p(A) = 1
    only_a, only_b = Block(1.0, 0.3, 0.7, 4), Block(0.0, 0.3, 0.7, 4)
    trials = [Trial(0, only_a, 0, False, 0), Trial(0, only_a, -1, True, 4),
              Trial(1, only_b, 1, False, 0), Trial(1, only_b, -1, True, 2), Trial(1, only_b, -1, True, 4)]
    outputs = np.stack([perfect_a] * 5)
    curve = _learning_curve(trials, outputs, 1, s, 1e-3)
    assert sorted(curve) == [0, 2, 4]
    in_a, in_b = np.abs(t - 0.3) <= 0.06, np.abs(t - 0.7) <= 0.06       # where each channel is scored
    want = ((event_kernel(t, 0.3, 0.03) ** 2)[in_a].sum() + (event_kernel(t, 0.7, 0.03) ** 2)[in_b].sum()) / (
        in_a.sum() + in_b.sum())
    np.testing.assert_allclose(curve[0], [want])     # block 0's end, scored against p(A) = 0
    assert _learning_curve(trials, outputs, 0, s, 1e-3)[4][0] == 0.0, "block 0's own end scores 0 against p(A) = 1"


def test_settings_refuse_events_outside_the_trial_and_unknown_methods():
    with pytest.raises(ConfigError, match="prediction.t_b"):
        load_config("ideal", overrides=["prediction.t_b=0.99"])
    with pytest.raises(ConfigError, match="what_window"):
        load_config("ideal", overrides=["prediction.t_a=0.1"])
    with pytest.raises(ConfigError, match="unknown method"):
        load_config("ideal", overrides=["prediction.switch_methods='three-factor,sgd'"])


# ---------------------------------------------------------------- on-chip weights


def test_readout_weights_digital_and_in_the_chip_memory():
    digital = ReadoutWeights("w", (1, 2))
    digital.update(np.array([[0.123, 0.0]]))
    assert digital.w[0, 0] == 0.123 and digital.updates_ == 1 and digital.read() is digital.w
    # on the chip: 5 levels per device, so weights step by w_max / 4 = 0.25; writes and reads counted
    memory = OnChipMemory(load_config("rram-40nm-256kb", overrides=["device.levels=5"]), np.random.default_rng(0))
    w = ReadoutWeights("w", (1, 3), memory, w_max=1.0)
    first = memory.tally.program_pulses
    w.update(np.array([[0.5, -1.0, 0.0]]))
    np.testing.assert_allclose(w.w, [[0.5, -1.0, 0.0]])
    assert w.updates_ == 2 and memory.tally.program_pulses == first + 2 * 2   # both devices of 2 entries
    w.update(np.array([[5.0, 0.0, 0.0]]))
    assert w.w[0, 0] == 1.0, "saturates at w_max"
    w.read()
    assert memory.tally.vectors == 1 and memory.tally.line_drives == 3 and memory.tally.cell_read_J > 0
    noisy = OnChipMemory(load_config("rram-40nm-256kb", overrides=["device.levels=5", "device.read_noise_std=0.1"]),
                         np.random.default_rng(0))
    w = ReadoutWeights("w", (1, 2), noisy, w_max=1.0)
    w.update(np.array([[1.0, 1.0]]))
    assert not np.array_equal(w.read(), w.w)


# ---------------------------------------------------------------- background noise, Izhikevich defaults


def izh(n=30, extra=()):
    return load_config("ideal", overrides=["network.model=izhikevich", f"network.neurons={n}", *extra])


def test_izhikevich_defaults_are_the_2003_network_with_balanced_inhibition_and_each_knob_changes_what_it_claims():
    config = izh(1000)
    lsm = build_lsm(config, 4, np.random.default_rng(0))
    exc = lsm.excitatory
    assert abs(lsm.w_rec[exc].mean() - 0.25) < 0.01            # 0.5·U(0, 1) has mean 0.25
    assert abs(lsm.w_rec[~exc].mean() + 1.0) < 0.04            # inhibitory_gain 4: mean −1 mV
    summed = lsm.w_rec.sum(axis=0)                              # each neuron's summed input weight
    assert abs(summed.mean()) < 0.02 * lsm.w_rec[exc].sum(axis=0).mean()   # E and I balance (Brunel's g = 4)
    paper = build_lsm(izh(1000, ["network.izhikevich.inhibitory_gain=2"]), 4, np.random.default_rng(0))
    assert abs(paper.w_rec[~exc].mean() + 0.5) < 0.02          # Izhikevich 2003's −U(0, 1) has mean −0.5
    np.testing.assert_array_equal(background_std(lsm), np.where(exc, 5.0, 2.0))
    off = build_lsm(izh(1000, ["network.izhikevich.noise_exc=0", "network.izhikevich.noise_inh=0"]), 4,
                    np.random.default_rng(0))
    assert background_std(off) is None and with_background(off, 0) is None
    shared = build_lsm(izh(1000, ["network.izhikevich.recurrent_scale=0", "network.izhikevich.inhibitory_gain=0",
                                  "network.recurrent_scale=1", "network.recurrent_norm=none"]), 4,
                     np.random.default_rng(0))
    assert abs(shared.w_rec[exc].mean() - np.sqrt(2 / np.pi)) < 0.02
    half = build_lsm(izh(1000, ["network.izhikevich.dt=5e-4"]), 4, np.random.default_rng(0))
    np.testing.assert_allclose(background_std(half), np.where(exc, 2.5, 1.0))
    with pytest.raises(ConfigError, match="network.izhikevich.recurrent_scale instead"):
        izh(30, ["network.recurrent_scale=3"])


def test_background_noise_is_seeded_per_sample_and_identical_on_brian2_and_cpu():
    lsm = build_lsm(izh(30), 6, np.random.default_rng(3))
    raster = np.zeros((2, 80, 6), dtype=bool)
    a = BackgroundNoise(background_std(lsm), seed=4)
    a.trial_start(1)
    b = BackgroundNoise(background_std(lsm), seed=4, first_sample=1)
    b.trial_start(0)
    np.testing.assert_array_equal(a.current(), b.current())
    ref = Brian2Engine().run(lsm, raster, hook=with_background(lsm, 4))
    got = CpuEngine().run(lsm, raster, hook=with_background(lsm, 4))
    assert ref.spike_raster.sum() > 0, "the noise alone makes the network fire"
    np.testing.assert_array_equal(got.spike_raster, ref.spike_raster)


# ---------------------------------------------------------------- closed loop across engines, seeds


def _closed_loop(engine, method):
    config = izh(30, ["network.input_scale=3"])
    lsm = build_lsm(config, 9, np.random.default_rng(5))
    block = Block(0.5, 0.04, 0.07, 3)
    trials = schedule_trials([block], 0, 1, np.random.default_rng(2))
    raster = np.stack([trial_raster(t, 100, 1e-3, 0.01, 0.01, 3, 1.0, np.random.default_rng(g))
                       for g, t in enumerate(trials)])
    params = ReadoutParams(dt=1e-3, sigma=0.005, gate_half_width=0.01, what_window=0.02, rls_interval=3,
                           lr_when=0.5, lr_what=0.5)
    hook = WhatWhenHook(method, trials, 100, params, np.full(30, 0.95),
                        np.random.default_rng(8).normal(0, 20.0, (30, 2)),
                        BackgroundNoise(background_std(lsm), seed=1))
    act = engine.run(lsm, raster, hook=hook)
    return act.spike_raster, hook


@pytest.mark.x86_fma
@pytest.mark.parametrize("method", ["three-factor", "force"])
def test_closed_loop_prediction_is_identical_on_brian2_and_cpu(method):
    ref_spikes, ref = _closed_loop(Brian2Engine(), method)
    spikes, got = _closed_loop(CpuEngine(), method)
    assert ref.outputs_.any(), "the readout learned and fed back"
    np.testing.assert_array_equal(spikes, ref_spikes)
    np.testing.assert_array_equal(got.outputs_, ref.outputs_)
    for k, w in ref.weights().items():
        np.testing.assert_array_equal(got.weights()[k], w)


def test_same_seed_same_result_and_the_report_holds_every_figure():
    config = load_config("ideal", overrides=TINY_PREDICTION)
    result = Prediction().run(config, RunContext("cpu"))
    a = prediction_report(result)
    b = prediction_report(Prediction().run(config, RunContext("cpu")))
    assert a == b
    panels = prediction_figures(result)["panels"]                      # drawn by the HTML report
    assert panels and all(p["kind"] == "curves" for p in panels)
    from neurosim.report.html_report import _panels_html
    html = "".join(_panels_html(panels))
    assert html.count("data:image/png") == len(panels)
    p = a["prediction"]
    assert len(p["sweep"]["p_a"]) == 3 and set(p["switch"]) >= {"three-factor", "force-reset"}
    assert p["sweep"]["cos_what_when"]["random_level"] == pytest.approx(1 / np.sqrt(40))
    other = load_config("ideal", overrides=TINY_PREDICTION + ["run.seed=1"])
    c = prediction_report(Prediction().run(other, RunContext("cpu")))
    assert c["prediction"]["sweep"]["amp_a_mean"] != p["sweep"]["amp_a_mean"]
    live = load_config("ideal", overrides=TINY_PREDICTION + ["prediction.output_weights=live"])
    d = prediction_report(Prediction().run(live, RunContext("cpu")))["prediction"]
    assert d["sweep"]["amp_a_mean"] != p["sweep"]["amp_a_mean"], "prediction.output_weights reaches the readouts"
    end = load_config("ideal", overrides=TINY_PREDICTION + ["prediction.amplitude_from=1"])
    e = prediction_report(Prediction().run(end, RunContext("cpu")))["prediction"]["sweep"]
    assert p["sweep"]["amp_a_mean"] != p["sweep"]["block_end"]["amp_a_mean"]
    for channel, key in enumerate(("r_a", "r_b")):       # the block-end r, recomputed from the readout's outputs
        assert p["sweep"][f"{key}_block_end_mean_over_seeds"] == pytest.approx(_block_end_r(result, channel),
                                                                              rel=1e-12, abs=1e-12)
    assert e["amp_a_mean"] == e["block_end"]["amp_a_mean"] == p["sweep"]["block_end"]["amp_a_mean"], \
        "prediction.amplitude_from = 1 measures the block's end only, on the same run"
    copy = p["learning_energy"]["per_method"]["sweep three-factor"]
    assert copy["learning_copy_macs"] > 0 and d["learning_energy"]["per_method"]["sweep three-factor"][
        "learning_copy_macs"] == 0
    assert copy["weight_updates"] < d["learning_energy"]["per_method"]["sweep three-factor"]["weight_updates"], \
        "trial-start writes the store once per trial, live at every learning step"


def _block_end_r(result, channel: int) -> float:
    """Pearson r between p(A) and the relative amplitude of output ``channel`` (0 = A, 1 = B) on each sweep
    block's end-of-block test trials (after all its training trials; the warm-up block left out), mean over
    seeds: computed here from the hook's outputs, apart from the report's aggregation."""
    from neurosim.networks.models import time_step

    s, dt = result.settings, time_step(result.config)
    per_seed = []
    for run in result.runs:
        trials, hook = run.sweep
        ends: dict[int, tuple[float, list]] = {}
        for g, tr in enumerate(trials):
            if tr.test and tr.block >= (1 if s.sweep_warmup_trials else 0) and tr.position == tr.stats.trials:
                amp = relative_amplitude(hook.outputs_[g], tr.stats.latencies, s.sigma, dt)[channel]
                ends.setdefault(tr.block, (tr.stats.p_a, []))[1].append(amp)
        p_a = [p for p, _ in ends.values()]
        per_seed.append(np.corrcoef(p_a, [np.mean(a) for _, a in ends.values()])[0, 1])
    return float(np.mean(per_seed))


# ---------------------------------------------------------------- regime metrics of the reservoir task


def test_isi_cv_and_synchrony_tell_regular_from_poisson_and_locked_from_independent():
    from neurosim.networks.metrics import isi_cv, synchrony
    regular = np.zeros((1000, 1), dtype=bool)
    regular[::10, 0] = True
    assert isi_cv(regular)[0] == pytest.approx(0.0)
    poisson = np.random.default_rng(0).random((20000, 3)) < 0.05
    np.testing.assert_allclose(isi_cv(poisson), 1.0, atol=0.1)
    assert isi_cv(np.zeros((50, 2), dtype=bool)).size == 0
    locked = np.repeat(np.random.default_rng(1).random((4000, 1)) < 0.1, 20, axis=1)
    s = synchrony(locked, 5)
    assert s.pairwise_correlation == pytest.approx(1.0) and s.chi == pytest.approx(1.0)
    free = np.random.default_rng(2).random((4000, 400)) < 0.02
    s = synchrony(free, 5, max_neurons=50, rng=np.random.default_rng(3))
    assert abs(s.pairwise_correlation) < 0.02 and s.chi < 0.1 and s.neurons == 50


def test_cli_runs_prediction_names_no_dataset_and_reports_progress_per_block(tmp_path, capsys):
    from neurosim.cli import main
    out = tmp_path / "pred"
    assert main(["run", "--task", "prediction", "--chip", "ideal", "--engine", "cpu", "--out", str(out),
                 "--no-figures", *(f"--set={s}" for s in TINY_PREDICTION)]) == 0   # figures: ...holds_every_figure
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("neurosim prediction: chip ideal") and "dataset" not in first, first
    assert "sweep three-factor: block 1/4" in err and "switch force-reset: block 4/4" in err
    assert (out / "report.json").exists() and (out / "report.html").exists()


def test_on_chip_readouts_are_programmed_once_per_trial_and_priced_in_pulses():
    block = Block(1.0, 0.05, 0.09, 1)
    hook = _hook("three-factor", [Trial(0, block, 0, False, 0)], store_levels=256)
    spikes = np.random.default_rng(4).random((120, 8)) < 0.3
    stored = hook.memory.tally.program_pulses        # the first write of the zero weights
    hook.trial_start(0)
    for b in range(120):
        hook.step(0, b, spikes[b], np.zeros(8))
    assert hook.memory.tally.program_pulses == stored and hook.learn_macs_ > 0, \
        "during the trial only the learning copy changes"
    hook.trial_end(0)
    assert hook.memory.tally.program_pulses > stored, "the trial's net change is programmed at its end"
    levels = hook.w_when.w / (1.0 / 255)             # w_max / (levels − 1): one device's level step
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-9)   # moved in whole level steps (pulses)
    chip = TINY_PREDICTION + ["crossbar.adc_mode=ideal"]  # izhikevich does not model the chip's ADC
    on = prediction_report(Prediction().run(load_config("rram-40nm-256kb", overrides=chip),
                                            RunContext("cpu")))
    off = prediction_report(Prediction().run(load_config("rram-40nm-256kb", overrides=chip + [
        "prediction.readout_on_chip=false"]), RunContext("cpu")))
    e_on = on["prediction"]["learning_energy"]["per_method"]["sweep three-factor"]
    e_off = off["prediction"]["learning_energy"]["per_method"]["sweep three-factor"]
    assert e_on["on_chip"] and e_on["programming_pulses"] > 0
    assert not e_off["on_chip"] and e_off["programming_pulses"] == 0
    assert e_on["readout_inference_J_per_trial"] != e_off["readout_inference_J_per_trial"]
    energy = load_config("rram-40nm-256kb").energy
    assert e_on["learning_J_per_trial"] == pytest.approx(
        (e_on["programming_pulses"] * energy.program_pulse + e_on["learning_copy_macs"] * energy.readout_mac)
        / e_on["trials"]), "on chip, learning = the pulses + the learning copy's arithmetic"
    assert e_off["learning_J_per_trial"] == pytest.approx(
        (e_off["weight_updates"] + e_off["learning_copy_macs"]) * energy.readout_mac / e_off["trials"])
