"""Retrieval metrics of a pair of projections: the two directions, the pools they search, the
optional centring of the embeddings, and top-1 cross-modal retrieval in both directions."""

from __future__ import annotations

from neurosim.learning.contrastive import Projection
from neurosim.learning.retrieval import Retrieval, top1_retrieval
from neurosim.tasks.zeroshot.data import ModalityData
from neurosim.tasks.zeroshot.settings import ZeroshotSettings

__all__ = ["DIRECTIONS"]

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
    out = {}
    for name, (q, p) in DIRECTIONS.items():
        if settings.centre == "train" and centres is not None:
            centre = (centres[q], centres[p])
        elif settings.centre == "pool":
            centre = (emb[q].mean(axis=0), emb[p].mean(axis=0))
        else:
            centre = None
        out[name] = top1_retrieval(emb[q], pools[q][1], emb[p], pools[p][1], settings.normalize, centre)
    return out


def _train_centres(pa, pb, train_pools) -> dict:
    return {"a": pa(train_pools["a"][0]).mean(axis=0), "b": pb(train_pools["b"][0]).mean(axis=0)}
