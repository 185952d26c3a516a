"""Trained linear readouts on reservoir features (scikit-learn estimators)."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING

import numpy as np

from neurosim.config import ReadoutConfig

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# scikit-learn (with SciPy) is imported where a readout is made, not with this module: every task module
# imports this one, and the commands that fit nothing (`neurosim --help`, `config`, `chips`) start ≈1 s sooner.

__all__ = ["RIDGE_ALPHAS", "LOGISTIC_CS", "chosen_regularisation", "linear_readout"]

#: Ridge penalties searched when ``readout.tune`` (on standardised features; 10^-1 … 10^5).
RIDGE_ALPHAS = np.logspace(-1, 5, 13)
#: Logistic-regression inverse penalties searched when ``readout.tune`` (10^-4 … 10^1).
LOGISTIC_CS = np.logspace(-4, 1, 6)
#: Inner folds of the logistic regression's search (inside the training samples).
INNER_FOLDS = 3


def linear_readout(config: ReadoutConfig, seed: int, labels: np.ndarray | None = None) -> Pipeline:
    """Standardised features → a linear classifier (one weight per feature and class).

    ``readout.model = "ridge"``: one-vs-all least squares (a ridge classifier); with
    ``readout.tune`` its penalty is chosen among :data:`RIDGE_ALPHAS` by efficient leave-one-out
    cross-validation on the samples it is fitted on
    (:class:`~neurosim.learning.ridge_loo.RidgeLOOClassifier`: scikit-learn's ``RidgeClassifierCV`` to
    the bit, its coefficients solved once). ``"logistic"``: multinomial logistic regression fitted
    by L-BFGS (the paper trains one linear layer with cross-entropy); with ``readout.tune`` its C is
    chosen among :data:`LOGISTIC_CS` by stratified 3-fold CV on the samples it is fitted on
    (``labels``, the training labels, size those folds: fewer when a class has fewer than 3 samples).
    Hyper-parameters therefore never see held-out samples.
    Deterministic for a given ``seed``.
    """
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, RidgeClassifier
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from neurosim.learning.ridge_loo import RidgeLOOClassifier

    if config.model == "ridge":
        model = RidgeLOOClassifier(alphas=RIDGE_ALPHAS) if config.tune else RidgeClassifier(alpha=config.alpha)
        return make_pipeline(StandardScaler(), model)
    inner = _inner_folds(labels)
    if config.tune and inner >= 2:
        model = LogisticRegressionCV(Cs=LOGISTIC_CS, cv=StratifiedKFold(inner, shuffle=True, random_state=seed),
                                     scoring="accuracy", max_iter=config.max_iter, random_state=seed,
                                     **_new_attributes(LogisticRegressionCV))
    else:
        model = LogisticRegression(C=config.C, max_iter=config.max_iter, random_state=seed)
    return make_pipeline(StandardScaler(), model)


@functools.cache
def _new_attributes(logistic_cv: type) -> dict:
    # scikit-learn ≥ 1.8 warns unless the new fitted attributes and the (pure L2) l1_ratios are explicit
    return ({"use_legacy_attributes": False, "l1_ratios": (0.0,)}
            if "use_legacy_attributes" in inspect.signature(logistic_cv).parameters else {})


def _inner_folds(labels: np.ndarray | None) -> int:
    if labels is None:
        return INNER_FOLDS
    return int(min(INNER_FOLDS, np.unique(labels, return_counts=True)[1].min()))


def chosen_regularisation(readout: Pipeline) -> dict[str, float]:
    """The fitted readout's regularisation: ``{"alpha": …}`` (ridge) or ``{"C": …}`` (logistic)."""
    model = readout[-1]
    if hasattr(model, "alpha_"):
        return {"alpha": float(model.alpha_)}
    if hasattr(model, "C_"):
        return {"C": float(np.ravel(model.C_)[0])}
    return {"alpha": float(model.alpha)} if hasattr(model, "alpha") else {"C": float(model.C)}
