"""The ridge readout's penalty chosen by efficient leave-one-out CV, its coefficients solved once.

:class:`RidgeLOOClassifier` is scikit-learn's ``RidgeClassifierCV(alphas)`` (generalised
cross-validation, no sample weights, no class weights) computed with the same operations in the
same order, so that its penalty, coefficients, intercepts and predictions are bit-identical
(tests/test_classify_evaluation.py compares them). With fewer samples than features (every
reservoir readout: ``windows × neurons`` features) scikit-learn decomposes the Gram matrix
``X Xᵀ`` once, then for each of the penalties solves the leave-one-out errors *and* the primal
coefficients ``Xᵀ c`` (a ``features × samples`` product per penalty) and validates and copies the
design matrix several times; here the coefficients are solved for the chosen penalty only and the
matrix is cast and centred once. With more samples than features it is ``RidgeClassifierCV``
itself.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import RidgeClassifierCV
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.validation import check_is_fitted

from neurosim.errors import ConfigError

__all__ = ["RidgeLOOClassifier"]


class RidgeLOOClassifier(ClassifierMixin, BaseEstimator):
    """One-vs-all least squares on targets ±1 with an intercept, its L2 penalty chosen among ``alphas``
    by the mean squared leave-one-out error over samples and classes (the first of equal ones).

    Fitted attributes (as ``RidgeClassifierCV``'s): ``classes_``, ``alpha_``, ``best_score_`` (minus
    that mean squared error), ``coef_`` ``(classes, features)`` (``(features,)`` for two classes) and
    ``intercept_``, in the input's float dtype.
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0)):
        self.alphas = alphas

    def fit(self, X: np.ndarray, y: np.ndarray) -> RidgeLOOClassifier:
        """``X`` float ``(samples, features)`` (finite: the pipeline's scaler has checked it), ``y``
        ``(samples,)`` class labels."""
        X = np.asarray(X)
        n, p = X.shape
        if n > p or X.dtype.kind != "f":
            return self._fit_sklearn(X, y)
        binarizer = LabelBinarizer(pos_label=1, neg_label=-1)
        Y = binarizer.fit_transform(y).astype(np.float64)
        self.classes_ = binarizer.classes_
        self.n_features_in_ = p
        Xc = X.astype(np.float64)                        # a copy, centred in place
        weights = np.ones(n)
        X_offset = np.average(Xc, axis=0, weights=weights)
        Xc -= X_offset
        y_offset = np.average(Y, axis=0, weights=weights)
        Y -= y_offset
        eigvals, Q = np.linalg.eigh(Xc @ Xc.T)
        QT_y, QT_sqrt_sw = Q.T @ Y, Q.T @ weights
        Q2 = Q**2
        best: tuple[float, float, np.ndarray] | None = None
        for alpha in map(float, np.asarray(self.alphas).ravel()):
            D = 1.0 / (eigvals + alpha)
            c = Q @ (D[:, None] * QT_y)
            d = np.sum(D * Q2, axis=1)
            d -= (Q @ (D * QT_sqrt_sw)) * weights / (weights @ weights)   # the intercept's share
            score = np.mean(-((c / d[:, None]) ** 2))
            if best is None or score > best[0]:
                best = (score, alpha, c)
        if best is None:
            raise ConfigError("RidgeLOOClassifier: alphas is empty; give at least one penalty > 0")
        self.best_score_, self.alpha_, c = best
        coef = (Xc.T @ c).T
        if coef.shape[0] == 1:
            coef = coef.ravel()
        intercept = y_offset - X_offset @ coef.T
        self.coef_ = coef.astype(X.dtype, copy=False)
        self.intercept_ = intercept.astype(X.dtype, copy=False)
        self._sklearn = None
        return self

    def _fit_sklearn(self, X: np.ndarray, y: np.ndarray) -> RidgeLOOClassifier:
        model = RidgeClassifierCV(alphas=self.alphas).fit(X, y)
        for name in ("classes_", "alpha_", "best_score_", "coef_", "intercept_", "n_features_in_"):
            setattr(self, name, getattr(model, name))
        self._sklearn = model
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Scores ``(samples, classes)`` (``(samples,)`` for two classes: > 0 means ``classes_[1]``)."""
        check_is_fitted(self)
        if self._sklearn is not None:
            return self._sklearn.decision_function(X)
        return np.asarray(X) @ self.coef_.T + self.intercept_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of highest score per sample (the first of equal ones)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]
