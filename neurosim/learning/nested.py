"""Nested cross-validation: settings chosen by inner folds, accuracy reported by outer folds.

When a network setting (reservoir size, time windows …) is chosen by comparing accuracies on the
very samples the accuracy is then reported on, that accuracy is optimistic. Nested CV removes the
choice from the reported figure: for each outer fold, every candidate setting is scored by k-fold CV
*inside the outer training samples* (the inner folds), the best is fitted on the whole outer training
fold and scored on the outer test fold, which no inner fold ever saw. The reported figure is the
accuracy of that whole procedure (choose, then fit), not of any one setting.

The candidates are feature sets of the same samples (one per setting, e.g. the reservoir's features
at N = 500 and at N = 2000); a reservoir is a fixed random network, not fitted to labels, so its
features of every sample can be computed once; only the readout and the choice see labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim import seeds
from neurosim.config import ReadoutConfig
from neurosim.learning.evaluate import cross_validate, fold_count, stratified_folds
from neurosim.learning.readout import linear_readout
from neurosim.stats import Interval, wilson_interval

__all__ = ["INNER_FOLDS", "NestedCV", "inner_folds", "nested_cv"]

#: Inner folds that choose the setting within each outer training fold (fewer when a class has fewer
#: training samples).
INNER_FOLDS = 3

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class NestedCV:
    """Outcome of :func:`nested_cv` over ``outer`` folds and ``candidates`` settings.

    ``settings``: the candidates' names, in the declared (grid) order; ``inner_accuracy`` float
    ``(outer, candidates)``: each candidate's pooled inner-CV accuracy within each outer training fold;
    ``chosen``: the setting chosen per outer fold (highest inner accuracy; a tie goes to the first
    declared); ``fold_accuracy`` ``(outer,)``: the chosen setting's accuracy on each outer test fold;
    ``correct`` bool ``(samples,)``: each sample right when its outer test fold predicted it;
    ``accuracy``: pooled outer out-of-fold accuracy with its Wilson interval (test-sample noise given
    the trained readouts); ``inner``: the inner folds used, per outer fold (global sample indices).
    """

    settings: tuple[str, ...]
    inner_accuracy: np.ndarray
    chosen: tuple[str, ...]
    fold_accuracy: np.ndarray
    correct: np.ndarray
    accuracy: Interval
    inner: tuple[Folds, ...]

    def as_dict(self) -> dict:
        """JSON-ready: pooled accuracy and interval, per outer fold its accuracy, chosen setting and every
        candidate's inner accuracy."""
        return {**self.accuracy.as_dict(), "interval": "Wilson (pooled outer out-of-fold)",
                "outer_folds": len(self.chosen), "inner_folds": len(self.inner[0]) if self.inner else 0,
                "settings": list(self.settings),
                "per_outer_fold": [{"accuracy": float(a), "chosen": c,
                                    "inner_accuracy": dict(zip(self.settings, map(float, inner)))}
                                   for a, c, inner in zip(self.fold_accuracy, self.chosen, self.inner_accuracy)]}


def inner_folds(labels: np.ndarray, train: np.ndarray, k: int, seed: int) -> Folds:
    """Stratified ``k``-fold split of the outer training samples ``train`` (global indices), returned as
    global ``(inner_train, inner_test)`` index arrays: both always subsets of ``train``."""
    k = fold_count(labels[train], k)
    if k < 2:
        raise ValueError(f"nested CV: an outer training fold has a class with fewer than 2 samples ({k})")
    return [(train[a], train[b]) for a, b in stratified_folds(labels[train], k, seed)]


def nested_cv(candidates: dict[str, np.ndarray], labels: np.ndarray, readout: ReadoutConfig, outer: Folds,
              seed: int, k_inner: int = INNER_FOLDS) -> NestedCV:
    """Nested CV of the readout over the feature sets ``candidates`` (name → float ``(samples, features)``,
    same samples in the same order, one per setting) on the ``outer`` folds.

    For outer fold ``i`` the inner folds are stream ``("split", "nested", i)`` of ``seed``; each
    candidate is scored by :func:`~neurosim.learning.evaluate.cross_validate` on them, the best is fitted
    on the whole outer training fold (readout seed ``seed``) and scored on the outer test fold.
    """
    if not candidates:
        raise ValueError("nested_cv needs at least one candidate setting")
    names = tuple(candidates)
    correct = np.zeros(len(labels), bool)
    scores, chosen, fold_accuracy, used = [], [], [], []
    for i, (train, test) in enumerate(outer):
        folds = inner_folds(labels, train, k_inner, seeds.int_seed(seed, "split", "nested", i))
        inner = [_inner_accuracy(candidates[n], labels, readout, folds, seed) for n in names]
        best = names[int(np.argmax(inner))]   # argmax: the first of equal maxima, the declared order
        model = linear_readout(readout, seed, labels[train])
        model.fit(candidates[best][train], labels[train])
        right = model.predict(candidates[best][test]) == labels[test]
        correct[test] = right
        scores.append(inner)
        chosen.append(best)
        fold_accuracy.append(float(np.mean(right)))
        used.append(folds)
    tested = np.concatenate([test for _, test in outer])
    return NestedCV(settings=names, inner_accuracy=np.array(scores), chosen=tuple(chosen),
                    fold_accuracy=np.array(fold_accuracy), correct=correct,
                    accuracy=wilson_interval(int(correct[tested].sum()), len(tested)), inner=tuple(used))


def _inner_accuracy(features: np.ndarray, labels: np.ndarray, readout: ReadoutConfig, folds: Folds,
                    seed: int) -> float:
    result = cross_validate(features, labels, readout, folds, seed)
    assert result is not None  # fraction 1.0: every inner training fold is used whole
    return result.accuracy.value
