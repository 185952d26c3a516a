"""Zero-shot additions for real pairs: validation on held-out groups (speakers), hubness of the retrieved
candidates, and the bootstrap over training seeds, queries and candidates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tiny import TINY_ZEROSHOT

from neurosim.config import load_config
from neurosim.errors import DataError
from neurosim.tasks.registry import RunContext
from neurosim.tasks.runner import run_task
from neurosim.tasks.zeroshot import DIRECTIONS, ZeroshotSettings, split_modality
from neurosim.tasks.zeroshot.metrics import Scores, bootstrap_vs_chance, hubness

SEEN, UNSEEN = (0, 1, 2, 3), (4, 5)


def _labelled(n_groups: int = 5, per: int = 6):
    """Labels 0..5 spoken ``per`` times by each of ``n_groups`` speakers; every 6th sample is official test."""
    labels = np.tile(np.repeat(np.arange(6), per), n_groups)
    groups = np.repeat(np.arange(n_groups), 6 * per)
    is_test = np.arange(len(labels)) % 6 == 0
    return labels, groups, is_test


def test_group_validation_holds_out_whole_speakers_never_trained_on():
    labels, groups, is_test = _labelled()
    settings = ZeroshotSettings(val_split="groups", val_fraction=0.2)
    s = split_modality(labels, is_test, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(0), "fsdd", groups)
    assert len(s.val_groups) == 1 and set(groups[s.val].tolist()) == set(s.val_groups)
    assert not set(groups[s.train].tolist()) & set(s.val_groups)
    # every training sample of the seen classes of that speaker is validation, none of them test
    expected = np.flatnonzero(np.isin(groups, s.val_groups) & np.isin(labels, SEEN) & ~is_test)
    assert s.val.tolist() == expected.tolist()
    # the key changes what it claims: by samples, validation mixes every speaker
    by_samples = split_modality(labels, is_test, SEEN, UNSEEN, replace(settings, val_split="samples"), 0.25,
                                np.random.default_rng(0), "fsdd", groups)
    assert len(set(groups[by_samples.val].tolist())) > 1 and by_samples.val_groups == ()
    # a dataset without groups falls back to samples
    assert split_modality(labels, is_test, SEEN, UNSEEN, settings, 0.25, np.random.default_rng(0),
                          "nmnist").val_groups == ()
    # more speakers held out as the fraction grows, never all of them
    half = split_modality(labels, is_test, SEEN, UNSEEN, replace(settings, val_fraction=0.5), 0.25,
                          np.random.default_rng(0), "fsdd", groups)
    assert len(half.val_groups) == 2
    one_speaker = np.zeros_like(groups)
    with pytest.raises(DataError, match="val_split"):
        # one speaker cannot be both trained on and held out: refused with the key to change
        split_modality(labels, is_test, SEEN, UNSEEN, replace(settings, val_fraction=0.9), 0.25,
                       np.random.default_rng(0), "fsdd", np.where(labels == 0, 1, one_speaker))


def _scores(best: np.ndarray, pool_labels: np.ndarray, query_labels: np.ndarray) -> Scores:
    """Similarities whose top-1 candidate of query i is ``best[i]``."""
    sims = np.random.default_rng(0).uniform(0, 0.5, (len(query_labels), len(pool_labels)))
    sims[np.arange(len(best)), best] = 1.0
    return Scores(sims, query_labels, pool_labels)


def test_hubness_counts_how_few_candidates_win_the_queries():
    pool = np.repeat([0, 1], 10)
    queries = np.repeat([0, 1], 20)
    spread = hubness(_scores(np.arange(40) % 20, pool, queries))
    assert spread == {"top1_share": 2 / 40, "top5_share": 10 / 40, "distinct": 20, "candidates": 20, "queries": 40}
    hub = hubness(_scores(np.where(np.arange(40) < 30, 3, np.arange(40) % 20), pool, queries))
    assert hub["top1_share"] == 30 / 40 and hub["distinct"] == 11   # candidate 3, then 10..19 once each


def test_bootstrap_separates_retrieval_above_chance_from_chance_and_is_seeded():
    rng = np.random.default_rng(1)
    pool, queries = np.repeat([0, 1], 15), np.repeat([0, 1], 20)
    right = [_scores(np.array([rng.choice(np.flatnonzero(pool == q)) for q in queries]), pool, queries)
             for _ in range(4)]
    random = [Scores(rng.normal(size=(40, 30)), queries, pool) for _ in range(4)]
    good = bootstrap_vs_chance(right, 200, np.random.default_rng(0))
    # a resample may miss a query's best candidate (then a random one wins): high, not perfect
    assert good["p_vs_chance"] == pytest.approx(1 / 201) and 0.6 < good["ci95"][0] < good["ci95"][1] <= 1
    chance = bootstrap_vs_chance(random, 200, np.random.default_rng(0))
    assert chance["p_vs_chance"] > 0.05 and chance["ci95"][0] < 0.5 < chance["ci95"][1]
    assert bootstrap_vs_chance(random, 50, np.random.default_rng(3)) == bootstrap_vs_chance(
        random, 50, np.random.default_rng(3))
    # seeds are resampled too: one seed far above chance among chance ones does not make it significant
    mixed = bootstrap_vs_chance([right[0], *random[:3]], 200, np.random.default_rng(0))
    assert mixed["p_vs_chance"] > 0.05


def test_task_reports_hubness_and_bootstrap_for_every_honest_cell():
    config = load_config("ideal", overrides=[*TINY_ZEROSHOT, "zeroshot.bootstrap=30", "zeroshot.proto_baseline=false"])
    z = run_task("zeroshot", config, RunContext("cpu")).report["zeroshot"]
    for split in ("seen", "unseen"):
        for d in DIRECTIONS:
            cell = z["results"]["clip"]["honest"][split][d]
            assert 1 / 31 <= cell["bootstrap"]["p_vs_chance"] <= 1 and cell["bootstrap"]["replicates"] == 30
            h = cell["hubness"]
            assert len(h["per_seed"]) == 2 and 1 <= h["distinct"] <= h["candidates"]
            assert 0 < h["top1_share"] <= h["top5_share"] <= 1
            assert z[f"{split}_{d}"]["honest_rests_on_few_hubs"] == h["rests_on_few_hubs"]
    assert "bootstrap" not in z["results"]["clip"]["paper_rule"]["unseen"]["audio_to_image"]
