"""Controls of the reservoir's features: what the readout would score without the reservoir's recurrence.

Two controls, each classified by the same readout on the same folds as the reservoir:

- **random features** (:func:`random_features`): the windowed input counts (the same time windows the
  reservoir's readout uses, ``windows × inputs`` per sample) projected by a seeded Gaussian matrix to
  as many features as the reservoir gives (``neurons × windows``), then rectified (``max(0, ·)``, no
  bias). The rectifier is positively homogeneous, so the input's scale needs no estimate from data (the
  readout standardises its features). A control of equal width: what width and a random non-linearity
  of the windowed input give without spiking dynamics.
- **feed-forward spiking** (:func:`feedforward_network`): the same programmed network (input weights,
  neurons, chip, ADC) with its recurrent weights zeroed, run on the same engine.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from neurosim import seeds

if TYPE_CHECKING:  # importing the network at run time would close a cycle (networks → plugins → tasks)
    from neurosim.networks.lsm import LSM

__all__ = ["BLOCK", "FEEDFORWARD", "RANDOM_FEATURES", "feedforward_network", "random_features"]

#: Names of the two controls in a report's feature sets.
RANDOM_FEATURES = "random features"
FEEDFORWARD = "feed-forward spiking"

#: Output features drawn per block of the projection matrix: the matrix is never held whole
#: (``inputs × width`` float32 could be hundreds of MB), only one ``inputs × BLOCK`` slice at a time.
BLOCK = 1024


def random_features(windowed: np.ndarray, width: int, seed: int) -> np.ndarray:
    """Rectified random projection of ``windowed`` (float ``[samples, windows·inputs]``, the windowed
    input counts) to float32 ``[samples, width]``: ``max(0, x W)`` with ``W`` ``[windows·inputs, width]``
    standard normal / √(windows·inputs).

    Block ``b`` of ``W`` (columns ``b·BLOCK …``) comes from stream ``("controls", "random features", b)``
    of ``seed``, so the features do not depend on how many samples are projected at once.
    """
    x = np.asarray(windowed, dtype=np.float32)
    d = x.shape[1]
    if d == 0 or width <= 0:
        raise ValueError(f"random_features needs input features and width > 0, got {d} and {width}")
    out = np.empty((len(x), width), dtype=np.float32)
    for b, start in enumerate(range(0, width, BLOCK)):
        cols = min(BLOCK, width - start)
        w = seeds.rng(seed, "controls", "random features", b).standard_normal((d, cols), dtype=np.float32)
        np.maximum(x @ w / np.float32(np.sqrt(d)), 0.0, out=out[:, start:start + cols])
    return out


def feedforward_network(network: LSM) -> LSM:
    """``network`` with no recurrence: recurrent weights (and their read-noise std) zero; input weights,
    neuron parameters, chip matrix and ADC unchanged. The recurrent mask is kept: its synapses carry
    zero, which adds nothing to a neuron's drive, and every engine runs it (Brian2 refuses a synapse
    group with no synapse at all)."""
    return replace(network, w_rec=np.zeros_like(network.w_rec),
                   w_rec_std=None if network.w_rec_std is None else np.zeros_like(network.w_rec_std))
