"""Trained readouts on reservoir features (scikit-learn estimators)."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from neurosim.config import ReadoutConfig


def linear_readout(config: ReadoutConfig, seed: int) -> Pipeline:
    """Standardised spike counts → multinomial logistic regression.

    The paper trains one linear layer (200 → 10) with cross-entropy; this is
    the same model fitted by L-BFGS, deterministic for a given ``seed``.
    """
    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=config.C, max_iter=config.max_iter, random_state=seed))
