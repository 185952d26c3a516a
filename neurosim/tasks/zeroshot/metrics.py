"""Retrieval metrics of a pair of projections: the two directions, the pools they search, the
optional centring of the embeddings, top-1 cross-modal retrieval in both directions, and what is
measured on the selected checkpoints: hubness and a bootstrap over seeds, queries and candidates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.backend import to_numpy
from neurosim.learning.contrastive import Projection
from neurosim.learning.retrieval import Retrieval, retrieval_chance, similarity, top1_retrieval
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.settings import ZeroshotSettings

__all__ = ["DIRECTIONS", "FEW_HUBS", "Scores", "bootstrap_vs_chance", "hubness"]

#: Retrieval directions: name → (query modality, pool modality); "a" = vision, "b" = audio.
DIRECTIONS = {"audio_to_image": ("b", "a"), "image_to_audio": ("a", "b")}


def _pools(a: ModalityData, b: ModalityData, which: str) -> dict:
    """Features and labels of both modalities for pool ``which`` (``val``, ``seen``, ``unseen``)."""
    attr = {"val": "val", "seen": "test", "unseen": "unseen", "train": "train"}[which]
    ia, ib = getattr(a.split, attr), getattr(b.split, attr)
    return {"a": (a.x(ia), a.labels[ia]), "b": (b.x(ib), b.labels[ib])}


def _retrieve(pa: Projection, pb: Projection, pools: dict, settings: ZeroshotSettings,
              centres: dict | None, pre1: dict | None = None) -> dict[str, Retrieval]:
    """Both directions of top-1 retrieval on ``pools`` with projections ``pa``/``pb``."""
    emb = {"a": pa.forward(pools["a"][0], None if pre1 is None else pre1["a"])[0],
           "b": pb.forward(pools["b"][0], None if pre1 is None else pre1["b"])[0]}
    return {name: top1_retrieval(emb[q], pools[q][1], emb[p], pools[p][1], settings.normalize,
                                 _centre(settings, centres, emb, q, p))
            for name, (q, p) in DIRECTIONS.items()}


def _centre(settings: ZeroshotSettings, centres: dict | None, emb: dict, q: str, p: str):
    """The mean embeddings subtracted before retrieval (``[zeroshot] centre``), or None."""
    if settings.centre == "train" and centres is not None:
        return centres[q], centres[p]
    if settings.centre == "pool":
        return emb[q].mean(axis=0), emb[p].mean(axis=0)
    return None


def _train_centres(pa, pb, train_pools) -> dict:
    return {"a": pa(train_pools["a"][0]).mean(axis=0), "b": pb(train_pools["b"][0]).mean(axis=0)}


@dataclass(frozen=True)
class Scores:
    """One direction of retrieval kept for resampling: ``sims`` float ``(queries, candidates)``
    similarities (as :func:`~neurosim.learning.retrieval.top1_retrieval` ranks them) with the
    queries' and candidates' class labels (int ``(queries,)``, ``(candidates,)``)."""

    sims: np.ndarray
    query_labels: np.ndarray
    pool_labels: np.ndarray


def _scores(pa: Projection, pb: Projection, pools: dict, settings: ZeroshotSettings,
            centres: dict | None) -> dict[str, Scores]:
    """Both directions' similarity matrices on ``pools`` (the same ranking as :func:`_retrieve`)."""
    emb = {"a": pa.forward(pools["a"][0], None)[0], "b": pb.forward(pools["b"][0], None)[0]}
    return {name: Scores(np.asarray(to_numpy(similarity(emb[q], emb[p], settings.normalize,
                                                       _centre(settings, centres, emb, q, p))), dtype=np.float64),
                         np.asarray(pools[q][1]), np.asarray(pools[p][1]))
            for name, (q, p) in DIRECTIONS.items()}


#: A result "rests on a few hubs" when this many most-retrieved candidates win at least half the queries.
FEW_HUBS = 5


def hubness(scores: Scores) -> dict:
    """How concentrated top-1 retrieval is on a few candidates: ``top1_share``, the fraction of queries
    won by the single most-retrieved candidate; ``top5_share``, by the :data:`FEW_HUBS` most-retrieved;
    ``distinct``, how many candidates win any query; ``candidates`` and ``queries``, the pool sizes."""
    won = np.bincount(scores.sims.argmax(axis=1), minlength=scores.sims.shape[1])
    ranked = np.sort(won)[::-1]
    n = scores.sims.shape[0]
    return {"top1_share": float(ranked[0] / n), "top5_share": float(ranked[:FEW_HUBS].sum() / n),
            "distinct": int(np.count_nonzero(won)), "candidates": int(scores.sims.shape[1]), "queries": int(n)}


def _resampled_margin(s: Scores, rng: np.random.Generator) -> tuple[float, float]:
    """Top-1 accuracy and its chance level on one resample (with replacement) of queries and candidates."""
    qi = rng.integers(0, s.sims.shape[0], s.sims.shape[0])
    ci = rng.integers(0, s.sims.shape[1], s.sims.shape[1])
    ql, pl = s.query_labels[qi], s.pool_labels[ci]
    got = pl[s.sims[np.ix_(qi, ci)].argmax(axis=1)]
    return float(np.mean(got == ql)), retrieval_chance(ql, pl)


def bootstrap_vs_chance(per_seed: list[Scores], replicates: int, rng: np.random.Generator) -> dict:
    """Hierarchical bootstrap of top-1 retrieval against chance over training seeds, queries and candidates.

    Each replicate draws the seeds with replacement and, for each drawn seed, its queries and its pool's
    candidates with replacement, and takes the mean over the drawn seeds of accuracy and of chance (the
    resampled pools' class shares, :func:`~neurosim.learning.retrieval.retrieval_chance`). Returns the
    mean accuracy's percentile ``ci95`` and the one-sided ``p_vs_chance`` = (1 + replicates whose mean
    accuracy is not above their chance) / (1 + replicates).
    """
    acc = np.empty(replicates)
    margin = np.empty(replicates)
    for r in range(replicates):
        drawn = [_resampled_margin(per_seed[k], rng) for k in rng.integers(0, len(per_seed), len(per_seed))]
        acc[r] = np.mean([a for a, _ in drawn])
        margin[r] = acc[r] - np.mean([c for _, c in drawn])
    return {"replicates": replicates, "ci95": [float(np.percentile(acc, 2.5)), float(np.percentile(acc, 97.5))],
            "p_vs_chance": float((1 + np.count_nonzero(margin <= 0)) / (1 + replicates))}
