"""Zero-shot cross-modal learning: gradients, retrieval, honest protocol, the task end to end."""

import json
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from tiny import TINY_ZEROSHOT

from neurosim.cli import main
from neurosim.config import load_config
from neurosim.data.memo import clear_memo, memoized_loading
from neurosim.errors import ConfigError, DataError
from neurosim.learning.contrastive import KINDS, clip_loss, gelu, gelu_grad, init_projection
from neurosim.learning.crossmodal import TrainSpec, train_pair, training_macs
from neurosim.learning.gradcheck import gradient_error
from neurosim.learning.prototypes import proto_loss
from neurosim.learning.retrieval import retrieval_chance, top1_retrieval
from neurosim.stats import t_test_vs_chance
from neurosim.tasks.runner import run_task
from neurosim.tasks.registry import RunContext
from neurosim.tasks.zeroshot import (DIRECTIONS, ModalityData, ZeroshotSettings, parse_classes,
                                     split_modality, train_and_select)

# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("positives", ["pair", "class"])
@pytest.mark.parametrize("normalize", [True, False])
def test_clip_loss_gradients_match_finite_differences(kind, positives, normalize):
    rng = np.random.default_rng(1)
    pa = init_projection(kind, 12, 5, rng, hidden=7)
    pb = init_projection(kind, 9, 5, rng, hidden=6)
    xa, xb = rng.normal(size=(8, 12)), rng.normal(size=(8, 9))
    labels = rng.integers(0, 3, 8) if positives == "class" else None
    za, ca = pa.forward(xa)
    zb, cb = pb.forward(xb)
    _, dza, dzb = clip_loss(za, zb, 0.5, labels, normalize)
    grads = {**{"a" + k: v for k, v in pa.backward(ca, dza).items()},
             **{"b" + k: v for k, v in pb.backward(cb, dzb).items()}}
    params = {**{"a" + k: v for k, v in pa.params.items()}, **{"b" + k: v for k, v in pb.params.items()}}
    loss = lambda: clip_loss(pa(xa), pb(xb), 0.5, labels, normalize)[0]     # noqa: E731
    assert gradient_error(loss, params, grads) < 1e-5
    wrong = dict(grads, aw1=grads["aw1"] * 1.05)
    assert gradient_error(loss, params, wrong) > 1e-3


def test_prototypical_loss_and_gelu_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    zs, zq = rng.normal(size=(10, 4)), rng.normal(size=(6, 4))
    ys, yq = np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 2]), np.array([0, 1, 2, 0, 1, 2])
    _, dzs, dzq = proto_loss(zs, ys, zq, yq, [0, 1, 2])
    loss = lambda: proto_loss(zs, ys, zq, yq, [0, 1, 2])[0]                  # noqa: E731
    assert gradient_error(loss, {"s": zs, "q": zq}, {"s": dzs, "q": dzq}) < 1e-5
    u = np.linspace(-4, 4, 41)
    numeric = (gelu(u + 1e-6) - gelu(u - 1e-6)) / 2e-6
    np.testing.assert_allclose(gelu_grad(u), numeric, atol=1e-7)
    assert gelu(np.array([0.0]))[0] == 0.0 and gelu(np.array([10.0]))[0] == pytest.approx(10.0)


def test_clip_loss_is_low_for_aligned_pairs_and_log_n_for_identical_embeddings():
    z = np.eye(6) * 5
    low, _, _ = clip_loss(z, z, temperature=0.1)
    flat, _, _ = clip_loss(np.ones((6, 3)), np.ones((6, 3)), temperature=1.0)
    assert low == pytest.approx(np.log1p(5 * np.exp(-10))) and flat == pytest.approx(np.log(6))


# --------------------------------------------------------------------------- retrieval and statistics


def test_retrieval_counts_correct_queries_and_its_chance_level():
    pool = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1]])
    r = top1_retrieval(np.array([[2.0, 0.1], [0.1, 3.0]]), np.array([7, 8]), pool, np.array([7, 8, 7]))
    assert (r.correct, r.total) == (2, 2) and r.classes == (7, 8)
    np.testing.assert_array_equal(r.confusion, [[1, 0], [0, 1]])
    assert retrieval_chance(np.array([7, 8]), np.array([7, 8, 7])) == pytest.approx(0.5 * 2 / 3 + 0.5 / 3)
    assert retrieval_chance(np.arange(7).repeat(3), np.arange(7)) == pytest.approx(1 / 7)
    swapped = top1_retrieval(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([7, 8]), pool[:2], np.array([7, 8]))
    assert swapped.correct == 0


def test_t_test_against_chance():
    assert t_test_vs_chance([0.9, 0.8, 0.85, 0.95], 0.5) < 0.01
    assert t_test_vs_chance([0.4, 0.6, 0.5, 0.45], 0.5) > 0.3
    assert t_test_vs_chance([0.9], 0.5) == 1.0 and t_test_vs_chance([0.7, 0.7], 0.5) == 0.0


def test_training_macs_formula():
    assert training_macs([(200, 64)], samples=10, epochs=2) == 10 * 2 * 2 * 200 * 64
    assert training_macs([(200, 128), (128, 64)], 1, 1) == 3 * 128 * 64 + 2 * 200 * 128


# --------------------------------------------------------------------------- synthetic two-modality data


def _synthetic(rng, n_per_class=30, classes=tuple(range(1, 10)), noise=0.6):
    """Two modalities seeing the same class latent through different random maps."""
    latent = {c: rng.normal(size=6) for c in classes}
    map_a, map_b = rng.normal(size=(6, 20)), rng.normal(size=(6, 15))
    labels = np.repeat(np.array(classes), n_per_class)
    za = np.stack([latent[c] for c in labels]) + noise * rng.normal(size=(len(labels), 6))
    zb = np.stack([latent[c] for c in labels]) + noise * rng.normal(size=(len(labels), 6))
    return labels, za @ map_a, zb @ map_b


def _modality(counts, labels, split):
    train = counts[split.train]
    return ModalityData(SimpleNamespace(counts=counts, labels=labels), None, split, train.mean(axis=0),
                        train.std(axis=0) + 1e-12)


SEEN, UNSEEN = parse_classes("1-7", "seen_classes"), parse_classes("8,9", "unseen_classes")


def _data(seed=0, **kw):
    rng = np.random.default_rng(seed)
    labels, fa, fb = _synthetic(rng, **kw)
    settings = ZeroshotSettings()
    sa = split_modality(labels, None, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(1), "a")
    sb = split_modality(labels, None, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(2), "b")
    return labels, fa, fb, sa, sb, settings


def test_split_keeps_unseen_classes_out_of_training_and_validation():
    labels, _, _, sa, _, settings = _data()
    for part in (sa.train, sa.val, sa.test):
        assert set(labels[part].tolist()) == set(SEEN)
    assert set(labels[sa.unseen].tolist()) == set(UNSEEN)
    assert not set(sa.train) & set(sa.val) and not set(sa.train) & set(sa.test)
    official = np.zeros(len(labels), bool)
    official[::4] = True
    s = split_modality(labels, official, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(0), "a")
    assert official[s.test].all() and not official[s.train].any() and official[s.unseen].all()
    everything = split_modality(labels, official, SEEN, UNSEEN, replace(settings, unseen_pool="all"), 0.25,
                                np.random.default_rng(0), "a")
    assert len(everything.unseen) == np.isin(labels, UNSEEN).sum() > len(s.unseen)
    with pytest.raises(DataError, match="unseen class"):
        split_modality(labels[labels < 9], None, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(0), "a")


SPEC = TrainSpec(epochs=15, batch=16, lr=5e-3, dim=8)


def test_unseen_classes_never_enter_training_or_honest_selection():
    labels, fa, fb, sa, sb, settings = _data()
    a, b = _modality(fa, labels, sa), _modality(fb, labels, sb)
    one = train_and_select(a, b, settings, SPEC, np.random.default_rng(5), SEEN)
    scrambled_a, scrambled_b = fa.copy(), fb.copy()
    noise = np.random.default_rng(9)
    scrambled_a[np.isin(labels, UNSEEN)] = noise.normal(size=(np.isin(labels, UNSEEN).sum(), fa.shape[1]))
    scrambled_b[np.isin(labels, UNSEEN)] = noise.normal(size=(np.isin(labels, UNSEEN).sum(), fb.shape[1]))
    two = train_and_select(_modality(scrambled_a, labels, sa), _modality(scrambled_b, labels, sb), settings,
                           SPEC, np.random.default_rng(5), SEEN)
    assert one.selected["honest"] == two.selected["honest"]
    epoch = one.selected["honest"]["audio_to_image"]
    for x, y in zip(one.snapshots[epoch], two.snapshots[epoch]):
        for k in x.params:
            np.testing.assert_array_equal(x.params[k], y.params[k])
    for d in DIRECTIONS:
        assert one.results["honest"]["seen"][d].correct == two.results["honest"]["seen"][d].correct
    assert [h["val"] for h in one.history] == [h["val"] for h in two.history]
    # ... while the unseen figures do see the change (the test above could fail)
    assert [h["unseen"] for h in one.history] != [h["unseen"] for h in two.history]


def test_training_aligns_seen_classes_and_zero_features_stay_at_chance():
    labels, fa, fb, sa, sb, settings = _data(noise=0.3)
    out = train_and_select(_modality(fa, labels, sa), _modality(fb, labels, sb), settings, SPEC,
                           np.random.default_rng(3), SEEN)
    for d in DIRECTIONS:
        assert out.results["honest"]["seen"][d].accuracy > 0.85
        assert out.results["untrained"]["seen"][d].accuracy < 0.3
    zeros = np.zeros_like(fa)
    flat = train_and_select(_modality(zeros, labels, sa), _modality(np.zeros_like(fb), labels, sb), settings,
                            SPEC, np.random.default_rng(3), SEEN)
    for d in DIRECTIONS:     # every embedding identical: the first pool item wins, its class's share
        r = flat.results["honest"]["seen"][d]
        assert r.accuracy == pytest.approx(r.chance, abs=0.05)


def test_paper_rule_selects_on_the_test_pools_and_never_below_honest_on_unseen_by_construction():
    labels, fa, fb, sa, sb, settings = _data(noise=1.5)
    settings = replace(settings, paper_a2i_min_seen=0.0, paper_a2i_min_unseen=0.0,
                       paper_i2a_min_seen=0.0, paper_i2a_min_unseen=0.0)
    out = train_and_select(_modality(fa, labels, sa), _modality(fb, labels, sb), settings, SPEC,
                           np.random.default_rng(4), SEEN)
    for d in DIRECTIONS:    # thresholds 0: the epoch of best seen *test* accuracy
        best = max(out.history[1:], key=lambda h: (h["seen"][d], -h["epoch"]))["epoch"]
        assert out.selected["paper_rule"][d] == best and out.paper_qualified[d]
    strict = replace(settings, paper_a2i_min_unseen=1.01 - 1e-9, paper_i2a_min_unseen=1.0)
    out = train_and_select(_modality(fa, labels, sa), _modality(fb, labels, sb), strict, SPEC,
                           np.random.default_rng(4), SEEN)
    d = "audio_to_image"     # nothing passes: fallback = best unseen test epoch
    assert not out.paper_qualified[d]
    assert out.results["paper_rule"]["unseen"][d].accuracy == max(h["unseen"][d] for h in out.history[1:])


def test_same_seed_same_training_and_other_seed_differs():
    labels, fa, fb, sa, sb, settings = _data()
    a, b = _modality(fa, labels, sa), _modality(fb, labels, sb)
    runs = [train_pair(a.x(sa.train), b.x(sb.train), labels[sa.train], SPEC, np.random.default_rng(s))
            for s in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0][0].params["w1"], runs[1][0].params["w1"])
    assert not np.array_equal(runs[0][0].params["w1"], runs[2][0].params["w1"])


# --------------------------------------------------------------------------- the task end to end


@pytest.mark.parametrize("knob", [dict(positives="class"), dict(kind="twofc", hidden=8), dict(temperature=0.1),
                                  dict(normalize=False), dict(method="proto", shots=2, queries=2)])
def test_training_knobs_change_what_they_claim(knob):
    labels, fa, fb, sa, sb, settings = _data()
    a, b = _modality(fa, labels, sa), _modality(fb, labels, sb)
    spec = replace(SPEC, epochs=2)
    base = train_and_select(a, b, settings, spec, np.random.default_rng(0), SEEN).history
    other = train_and_select(a, b, settings, replace(spec, **knob), np.random.default_rng(0), SEEN).history
    assert other != base


@pytest.mark.parametrize("centre", ["train", "pool"])
def test_centring_changes_retrieval_not_training(centre):
    labels, fa, fb, sa, sb, settings = _data(noise=1.0)
    a, b = _modality(fa, labels, sa), _modality(fb, labels, sb)
    spec = replace(SPEC, epochs=2)
    base = train_and_select(a, b, settings, spec, np.random.default_rng(0), SEEN)
    other = train_and_select(a, b, replace(settings, centre=centre), spec, np.random.default_rng(0), SEEN)
    np.testing.assert_array_equal(base.snapshots[0][0].params["w1"], other.snapshots[0][0].params["w1"])
    assert [h["loss"] for h in other.history] == [h["loss"] for h in base.history]
    assert [h["seen"] for h in other.history] != [h["seen"] for h in base.history]


@pytest.fixture(scope="module")
def tiny_report():
    config = load_config("rram-40nm-256kb", overrides=TINY_ZEROSHOT)
    return run_task("zeroshot", config, RunContext("cpu")).report


def test_task_reports_both_protocols_both_directions_with_chance_and_intervals(tiny_report):
    z = tiny_report["zeroshot"]
    assert z["classes"] == {"seen": list(range(1, 8)), "unseen": [8, 9]}
    for method in ("clip", "proto"):
        for split, chance in (("seen", 1 / 7), ("unseen", 0.5)):
            for d in DIRECTIONS:
                s = z["results"][method]["honest"][split][d]
                assert len(s["per_seed"]) == 2 and 0 <= s["ci95"][0] <= s["mean"] <= s["ci95"][1] <= 1
                assert s["chance"] == pytest.approx(chance, abs=0.05)
                assert 0 <= s["p_vs_chance"] <= 1 and all(1 <= e <= 2 for e in s["epochs"])
    assert set(z["results"]["clip"]["paper_rule"]["seeds_passing_thresholds"]) == set(DIRECTIONS)
    assert z["training_cost"]["bptt_over_lsm"] > 1
    assert tiny_report["energy"]["per_inference_J"] > 0
    assert len(z["per_epoch"]["clip_seed0"]) == 3
    assert z["samples"]["vision"]["n_bins"] == 12 and z["samples"]["audio"]["n_bins"] == 16


def test_cli_same_seed_same_report_with_figures(tiny_report, tmp_path, capsys):
    out = tmp_path / "zs"
    assert main(["run", "--task", "zeroshot", "--chip", "rram-40nm-256kb", "--engine", "cpu", "--quiet",
                 "--out", str(out), *[a for kv in TINY_ZEROSHOT for a in ("--set", kv)]]) == 0
    text = capsys.readouterr().out
    assert "unseen audio→image" in text and "chance 50.0 %" in text and "paper's rule" in text
    again = json.loads((out / "report.json").read_text())
    assert again["zeroshot"]["results"] == json.loads(json.dumps(tiny_report["zeroshot"]["results"]))
    html = (out / "report.html").read_text()
    assert html.count("<img") >= 5 and "Top-1 retrieval vs chance" in html


def test_crossbar_projection_runs_on_the_chip_and_prices_its_energy(tiny_report):
    z = run_task("zeroshot", load_config("rram-40nm-256kb", overrides=TINY_ZEROSHOT + [
        "zeroshot.hardware=crossbar", "zeroshot.proto_baseline=false"]), RunContext("cpu")).report["zeroshot"]
    assert set(z["hardware"]["crossbar_seed0_honest"]) == {"seen", "unseen"}
    assert z["results"]["clip"]["honest"] == tiny_report["zeroshot"]["results"]["clip"]["honest"]
    digital = tiny_report["zeroshot"]["energy_per_query_J"]
    assert z["energy_per_query_J"]["projection_audio"] != digital["projection_audio"]


def test_bad_class_settings_and_missing_dataset_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="share"):
        load_config(overrides=["zeroshot.seen_classes=1-8"])
    with pytest.raises(ConfigError, match="expected class labels"):
        load_config(overrides=["zeroshot.unseen_classes=eight"])
    assert parse_classes("1-3,5", "x") == (1, 2, 3, 5)
    config = load_config(overrides=TINY_ZEROSHOT + ["zeroshot.audio_dataset=ntidigits"])
    with pytest.raises(DataError, match="zeroshot.audio_dataset = 'ntidigits' is not available"):
        run_task("zeroshot", config, RunContext("cpu", data_dir=tmp_path))


@pytest.mark.slow
def test_seen_classes_retrieve_above_75_percent_over_three_seeds():
    """The seen-class target of docs/studies/zeroshot.md (≥ 75 % both directions, mean of 3 seeds, both chips)
    on the default protocol. The bootstrap against chance is off: it only adds p-values to the report, and the seed mean
    held to the target is computed before it, the same with it or without. Both chips run in one test so that the
    second reads the event samples the first generated (memoized loading: the same batches, not a copy)."""
    try:
        with memoized_loading():
            for chip in ("ideal", "rram-40nm-256kb"):
                report = run_task("zeroshot", load_config(chip, overrides=["run.samples=0", "zeroshot.seeds=3",
                                                                           "zeroshot.proto_baseline=false",
                                                                           "zeroshot.bootstrap=0"]),
                                  RunContext("cpu")).report
                for d in DIRECTIONS:
                    assert report["zeroshot"]["results"]["clip"]["honest"]["seen"][d]["mean"] >= 0.75, (chip, d)
    finally:
        clear_memo()    # the worker keeps no event data after the test


def test_projection_loss_and_retrieval_on_cupy_match_numpy(cupy):
    rng = np.random.default_rng(7)
    pa = init_projection("twofc", 10, 4, rng, hidden=6)
    xa, xb = rng.normal(size=(8, 10)), rng.normal(size=(8, 4))
    za, ca = pa.forward(xa)
    loss, dza, dzb = clip_loss(za, xb, 0.5, np.arange(8) % 3)
    grads = pa.backward(ca, dza)
    gpu = type(pa)(pa.kind, {k: cupy.asarray(v) for k, v in pa.params.items()})
    za_g, ca_g = gpu.forward(cupy.asarray(xa))
    loss_g, dza_g, dzb_g = clip_loss(za_g, cupy.asarray(xb), 0.5, cupy.asarray(np.arange(8) % 3))
    assert loss_g == pytest.approx(loss, rel=1e-10)
    for k, v in gpu.backward(ca_g, dza_g).items():
        np.testing.assert_allclose(cupy.asnumpy(v), grads[k], rtol=1e-9, atol=1e-12)
    r = top1_retrieval(za_g, np.arange(8) % 3, cupy.asarray(xb[:, :4]) @ cupy.ones((4, 4)), np.arange(8) % 3)
    assert r.total == 8


def test_crossbar_projection_calibrates_its_adc_on_training_samples_only():
    """The projection macro's ADC range, calibrated on the seen training samples, reproduces the
    digital pre-activations far better than the preset's whole-array range; a fixed
    ``crossbar_adc_range`` is used as given; held-out samples do not move the calibration."""
    from neurosim.tasks.zeroshot import _crossbar_pre1

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(1, 10), 30)
    counts = rng.poisson(rng.uniform(0.2, 6.0, size=40), size=(len(labels), 40)).astype(np.int64)
    settings = ZeroshotSettings()
    split = split_modality(labels, None, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(1), "a")
    data = _modality(counts, labels, split)
    proj = init_projection("linear", 40, 8, np.random.default_rng(2))
    config = load_config("rram-40nm-256kb")
    exact = data.x(split.test) @ proj.params["w1"] + proj.params["b1"]

    def error(**kw):
        y, macro = _crossbar_pre1(data, proj, split.test, config, replace(settings, **kw), 0, "a")
        assert macro.tally.vectors == len(split.test) and macro.tally.adc_conversions > 0
        return float(np.sqrt(np.mean((y - exact) ** 2)) / exact.std()), macro.config.crossbar.adc_range

    calibrated, auto_range = error()
    whole, whole_range = error(crossbar_adc_range=1.0)
    assert whole_range == 1.0 and 0 < auto_range < 0.2
    assert calibrated < 0.3 < whole and calibrated < whole / 5
    noisy = _modality(np.where(np.isin(np.arange(len(labels)), split.train)[:, None], counts, 1000), labels, split)
    again = _crossbar_pre1(noisy, proj, split.test, config, settings, 0, "a")[1].config.crossbar.adc_range
    assert again == auto_range  # only the seen training samples set the range


def test_std_floor_bounds_the_standardisation():
    from neurosim.tasks.zeroshot import _standardised

    counts = np.array([[0, 5], [0, 9], [1, 7], [0, 3]])
    split = SimpleNamespace(train=np.arange(4))
    run = SimpleNamespace(counts=counts)
    assert _standardised(run, None, split, 0.0).std[0] == pytest.approx(np.std([0, 0, 1, 0]))
    floored = _standardised(run, None, split, 1.0).std
    assert floored[0] == 1.0 and floored[1] == pytest.approx(np.std([5, 9, 7, 3]))
