"""How a readout is evaluated: stratified k-fold cross-validation with an interval, and learning curves.

Every feature set of a run (the reservoir's and each baseline's) is evaluated on the
same folds (stream ``("split", "folds")`` of the run seed) with the same readout, so
their accuracies differ only by the features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import ReadoutConfig
from neurosim.learning.readout import chosen_regularisation, linear_readout
from neurosim.stats import Interval, corrected_resampled_interval, wilson_interval

__all__ = ["CVResult", "LEARNING_CURVE_FRACTIONS", "RepeatedCV", "cross_validate", "fold_count", "held_out_correct",
           "learning_curve", "repeated_cv", "stratified_folds"]

#: Fractions of each training fold a learning curve trains on.
LEARNING_CURVE_FRACTIONS = (0.125, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class CVResult:
    """Out-of-fold predictions of a k-fold cross-validation.

    ``predicted`` int64 ``(samples,)``: each sample's class predicted by the readout trained
    on the other folds; ``correct`` bool ``(samples,)`` whether it is right (False for a sample in no
    test fold); ``fold_accuracy`` ``(folds,)``; ``accuracy``: pooled out-of-fold
    accuracy with its Wilson 95 % interval; ``confusion`` ``(classes, classes)``, rows = true
    class; ``regularisation``: the penalty chosen inside each training fold.
    """

    predicted: np.ndarray
    correct: np.ndarray
    fold_accuracy: np.ndarray
    accuracy: Interval
    confusion: np.ndarray
    regularisation: tuple[dict, ...]
    n_train_mean: float

    def as_dict(self) -> dict:
        """JSON-ready: the pooled accuracy and interval, per-fold and per-class accuracies (recall of each
        class, in class order), the training-set size and the chosen regularisation."""
        per_class = np.diag(self.confusion) / np.maximum(self.confusion.sum(axis=1), 1)
        return {**self.accuracy.as_dict(), "folds": len(self.fold_accuracy),
                "per_fold": [float(a) for a in self.fold_accuracy],
                "per_class": [float(a) for a in per_class],
                "n_train_mean": self.n_train_mean, "regularisation": list(self.regularisation)}


def fold_count(labels: np.ndarray, folds: int) -> int:
    """The folds a stratified split of ``labels`` can have: ``folds``, fewer when a class has fewer
    samples than that (each test fold needs one sample of every class); < 2 means no CV."""
    return int(min(folds, np.unique(labels, return_counts=True)[1].min()))


def stratified_folds(labels: np.ndarray, folds: int, seed: int,
                     groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index arrays of a shuffled stratified k-fold split (``seed`` fixes the shuffle).

    ``groups`` (int ``(samples,)``, e.g. speakers): every group lies within one test fold
    (scikit-learn's ``StratifiedGroupKFold``), at most one fold per group.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold  # where used: see readout.py

    if groups is not None:
        k = min(folds, len(np.unique(groups)))
        splitter = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
        return [(train, test) for train, test in splitter.split(np.zeros(len(labels)), labels, groups)]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(labels)), labels)]


def _subset(train: np.ndarray, labels: np.ndarray, fraction: float, seed: int) -> np.ndarray | None:
    """A stratified ``fraction`` of the training indices, or None when it would miss a class or leave a
    class a single sample."""
    if fraction >= 1.0:
        return train
    classes = np.unique(labels[train])
    size = int(round(fraction * len(train)))
    if size < 2 * len(classes):
        return None
    from sklearn.model_selection import train_test_split

    part, _ = train_test_split(train, train_size=size, stratify=labels[train], random_state=seed)
    return np.sort(part)


def cross_validate(features: np.ndarray, labels: np.ndarray, readout: ReadoutConfig,
                   folds: list[tuple[np.ndarray, np.ndarray]], seed: int,
                   fraction: float = 1.0) -> CVResult | None:
    """Train on each training fold (or a stratified ``fraction`` of it), predict its test fold.

    ``features`` ``(samples, features)``; ``labels`` int ``(samples,)``. None when ``fraction``
    leaves too few training samples (fewer than 2 per class).
    """
    from sklearn.metrics import confusion_matrix

    predicted = np.empty(len(labels), dtype=np.int64)
    fold_accuracy, chosen, n_train = [], [], []
    for k, (train, test) in enumerate(folds):
        part = _subset(train, labels, fraction, seed + k)
        if part is None:
            return None
        model = linear_readout(readout, seed, labels[part])
        model.fit(features[part], labels[part])
        predicted[test] = model.predict(features[test])
        fold_accuracy.append(float(np.mean(predicted[test] == labels[test])))
        chosen.append(chosen_regularisation(model))
        n_train.append(len(part))
    tested = np.concatenate([test for _, test in folds])
    correct = int(np.sum(predicted[tested] == labels[tested]))
    classes = np.unique(labels)
    correct_all = np.zeros(len(labels), bool)
    correct_all[tested] = predicted[tested] == labels[tested]
    return CVResult(predicted=predicted, correct=correct_all, fold_accuracy=np.array(fold_accuracy),
                    accuracy=wilson_interval(correct, len(tested)),
                    confusion=confusion_matrix(labels[tested], predicted[tested], labels=classes),
                    regularisation=tuple(chosen), n_train_mean=float(np.mean(n_train)))


def learning_curve(features: np.ndarray, labels: np.ndarray, readout: ReadoutConfig,
                   folds: list[tuple[np.ndarray, np.ndarray]], seed: int,
                   fractions: tuple[float, ...] = LEARNING_CURVE_FRACTIONS) -> list[dict]:
    """Cross-validated accuracy when training on growing fractions of each training fold (the test
    folds stay whole): one ``{"fraction", "n_train", "value", "low", "high", "level"}`` per fraction
    that leaves ≥ 2 training samples per class."""
    points = []
    for fraction in fractions:
        result = cross_validate(features, labels, readout, folds, seed, fraction)
        if result is not None:
            points.append({"fraction": fraction, "n_train": result.n_train_mean, **result.accuracy.as_dict()})
    return points


@dataclass(frozen=True)
class RepeatedCV:
    """k-fold CV repeated over ``repeats`` fold partitions: ``split_accuracy`` ``(repeats·folds,)`` the
    accuracy of each train/test split (partition-major), ``n_train``/``n_test`` the mean samples per
    training and test fold, ``interval`` the mean with its corrected resampled t interval
    (:func:`neurosim.stats.corrected_resampled_interval`)."""

    split_accuracy: np.ndarray
    n_train: float
    n_test: float
    repeats: int
    interval: Interval

    def as_dict(self) -> dict:
        return {**self.interval.as_dict(), "repeats": self.repeats, "splits": len(self.split_accuracy),
                "n_train_mean": self.n_train, "n_test_mean": self.n_test,
                "interval": "corrected resampled t (Nadeau & Bengio 2003)"}


def repeated_cv(features: np.ndarray, labels: np.ndarray, readout: ReadoutConfig,
                partitions: list[list[tuple[np.ndarray, np.ndarray]]], seed: int,
                first: CVResult | None = None) -> RepeatedCV:
    """:func:`cross_validate` on each fold partition of ``partitions`` (≥ 2 of them), pooled into one
    :class:`RepeatedCV`. ``first``: the result of ``partitions[0]`` where it was computed already."""
    fold_accuracy, n_train, n_test = [], [], []
    for r, folds in enumerate(partitions):
        result = first if r == 0 and first is not None else cross_validate(features, labels, readout, folds, seed)
        fold_accuracy.append(result.fold_accuracy)
        n_train += [len(train) for train, _ in folds]
        n_test += [len(test) for _, test in folds]
    accuracy = np.concatenate(fold_accuracy)
    tr, te = float(np.mean(n_train)), float(np.mean(n_test))
    return RepeatedCV(accuracy, tr, te, len(partitions), corrected_resampled_interval(accuracy, tr, te))


def held_out_correct(features: np.ndarray, labels: np.ndarray, readout: ReadoutConfig,
                     train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    """Whether each ``test`` sample is classified right (bool ``(len(test),)``) by the readout trained on
    the ``train`` samples alone (e.g. the official split: test samples never seen in training)."""
    model = linear_readout(readout, seed, labels[train])
    model.fit(features[train], labels[train])
    return model.predict(features[test]) == labels[test]
