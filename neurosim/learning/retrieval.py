"""Top-1 cross-modal retrieval: a query of one modality finds its nearest item of the other.

A query counts as correct when the most similar pool item (cosine similarity by default)
has the query's class. With pools that hold several items per class, a random ranking
is correct with probability ``Σ_c q_c p_c`` (``q_c``, ``p_c`` the class fractions of
queries and pool): :func:`retrieval_chance`, 1/K for balanced pools of K classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.backend import get_namespace, to_numpy
from neurosim.learning.contrastive import l2_normalize

__all__ = ["Retrieval", "retrieval_chance", "similarity", "top1_retrieval"]


def similarity(queries, pool, normalize: bool = True, centre=None):
    """Similarity matrix ``(n_queries, n_pool)``: cosine (``normalize``) or dot products.

    ``centre``: a pair ``(mean_queries, mean_pool)`` of vectors subtracted from each side
    first (a remedy for hubness), or None.
    """
    if centre is not None:
        queries, pool = queries - centre[0], pool - centre[1]
    if normalize:
        queries, pool = l2_normalize(queries)[0], l2_normalize(pool)[0]
    return queries @ pool.T


def retrieval_chance(query_labels: np.ndarray, pool_labels: np.ndarray) -> float:
    """Top-1 accuracy of a random ranking: ``Σ_c q_c p_c``."""
    q = np.asarray(query_labels)
    p = np.asarray(pool_labels)
    classes = np.union1d(q, p)
    return float(sum(np.mean(q == c) * np.mean(p == c) for c in classes))


@dataclass(frozen=True)
class Retrieval:
    """Outcome of one direction of retrieval: ``correct`` of ``total`` queries, the chance
    level, and the confusion ``(classes, classes)`` of query class (rows) vs retrieved class."""

    correct: int
    total: int
    chance: float
    classes: tuple[int, ...]
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def top1_retrieval(queries, query_labels, pool, pool_labels, normalize: bool = True,
                   centre=None) -> Retrieval:
    """Top-1 retrieval of ``queries`` ``(n_q, d)`` in ``pool`` ``(n_p, d)`` (see module docstring)."""
    xp = get_namespace(queries, pool)
    sims = similarity(queries, pool, normalize, centre)
    best = to_numpy(xp.argmax(sims, axis=1))
    ql, pl = np.asarray(query_labels), np.asarray(pool_labels)
    got = pl[best]
    classes = tuple(int(c) for c in np.union1d(ql, pl))
    index = {c: i for i, c in enumerate(classes)}
    confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(confusion, ([index[int(c)] for c in ql], [index[int(c)] for c in got]), 1)
    return Retrieval(int(np.sum(got == ql)), len(ql), retrieval_chance(ql, pl), classes, confusion)
