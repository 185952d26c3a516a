"""What "at chance" and "above chance" mean in the science and mutation tests: binomial bounds at the
number of samples actually scored.

A readout that learns nothing gets each of ``n`` scored samples right with probability at most
``chance`` (the largest class's share of the labels: a constant guess of that class), so its accuracy
is Binomial(n, chance) / n. :func:`chance_band` gives that distribution's 0.1 % and 99.9 % quantiles:
a real result must lie above the band (:func:`above_chance`), a broken pipeline inside it
(:func:`at_chance`). With pooled out-of-fold CV accuracy ``n`` is every sample of the run, so the band
is narrow (≈ 5–16 % for ten balanced classes and 300 samples) against results near 90 %.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

#: Two-sided tail of the band: 0.1 % below, 0.1 % above.
TAIL = 1e-3


def chance_rate(labels: np.ndarray) -> float:
    """Accuracy of the best constant guess: the largest class's share of ``labels`` (int ``(n,)``)."""
    return float(np.unique(labels, return_counts=True)[1].max() / len(labels))


def chance_band(n: int, chance: float) -> tuple[float, float]:
    """Accuracy quantiles ``(TAIL, 1 − TAIL)`` of Binomial(``n``, ``chance``) / ``n``: where a readout that
    learnt nothing lands with probability ≥ 99.8 %."""
    low, high = sps.binom.ppf([TAIL, 1 - TAIL], n, chance)
    return float(low / n), float(high / n)


def above_chance(accuracy: float, n: int, chance: float) -> bool:
    """``accuracy`` over ``n`` scored samples exceeds the 99.9 % quantile of chance."""
    return accuracy > chance_band(n, chance)[1]


def at_chance(accuracy: float, n: int, chance: float) -> bool:
    """``accuracy`` over ``n`` scored samples lies inside :func:`chance_band`."""
    low, high = chance_band(n, chance)
    return low <= accuracy <= high
