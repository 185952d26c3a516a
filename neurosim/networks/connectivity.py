"""Who connects to whom: random and distance-based (3-D grid) masks, neuron types, Dale's law.

All functions are pure: randomness comes from the generator passed in.
Masks are bool ``(pre, post)``; ``None`` means all-to-all.
"""

from __future__ import annotations

import numpy as np


def neuron_types(neurons: int, excitatory_fraction: float) -> np.ndarray:
    """Bool ``(neurons,)``: True for excitatory. The first ``round(fraction·neurons)`` are excitatory."""
    n_exc = int(round(excitatory_fraction * neurons))
    return np.arange(neurons) < n_exc


def random_mask(shape: tuple[int, int], p: float, rng: np.random.Generator) -> np.ndarray | None:
    """Each synapse exists independently with probability ``p``; ``p = 1`` → ``None`` (all-to-all, no draw)."""
    if p >= 1.0:
        return None
    return rng.random(shape) < p


def grid_positions(neurons: int, grid_x: int, grid_y: int, rng: np.random.Generator) -> np.ndarray:
    """Float ``(neurons, 3)`` positions on a ``grid_x × grid_y × layers`` grid of unit spacing.

    ``layers = ceil(neurons / (grid_x·grid_y))``; neurons take a random permutation
    of the first ``neurons`` grid points (so both types spread over the column).
    """
    layers = -(-neurons // (grid_x * grid_y))
    points = np.stack(np.meshgrid(np.arange(grid_x), np.arange(grid_y), np.arange(layers),
                                  indexing="ij"), axis=-1).reshape(-1, 3)[:neurons].astype(np.float64)
    return points[rng.permutation(neurons)]


def distance_mask(positions: np.ndarray, excitatory: np.ndarray, lam: float,
                  c: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """Maass et al. (2002): synapse i → j with probability ``C·exp(−(D(i,j)/λ)²)``, no self-connections.

    ``positions`` (``(neurons, 3)``, grid units), ``excitatory`` bool ``(neurons,)``,
    ``c`` maps ``"ee", "ei", "ie", "ii"`` (pre type, post type) to C.
    """
    d2 = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(axis=-1)
    pre_e, post_e = excitatory[:, None], excitatory[None, :]
    cmat = np.where(pre_e, np.where(post_e, c["ee"], c["ei"]), np.where(post_e, c["ie"], c["ii"]))
    p = cmat * np.exp(-d2 / lam ** 2)
    np.fill_diagonal(p, 0.0)
    return rng.random(p.shape) < p


def apply_dale(w_rec: np.ndarray, excitatory: np.ndarray, inhibitory_gain: float) -> np.ndarray:
    """Row ``i`` (presynaptic neuron ``i``) becomes ``|w|`` if excitatory, ``−gain·|w|`` if inhibitory."""
    sign = np.where(excitatory, 1.0, -inhibitory_gain)
    return np.abs(w_rec) * sign[:, None]
