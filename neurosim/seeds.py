"""Named random streams derived from one seed.

Each consumer gets its own ``numpy.random.SeedSequence`` child, addressed by a
fixed position, so adding a consumer or drawing more numbers in one stream
never changes another stream. No global RNG is used anywhere.
"""

from __future__ import annotations

import numpy as np

STREAMS = ("data", "chip", "split", "readout")


def stream(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of stream ``name`` (one of :data:`STREAMS`)."""
    return np.random.SeedSequence(seed, spawn_key=(STREAMS.index(name),))


def rng(seed: int, name: str) -> np.random.Generator:
    """A generator for stream ``name``."""
    return np.random.default_rng(stream(seed, name))


def int_seed(seed: int, name: str) -> int:
    """A 32-bit integer seed for APIs that take one (scikit-learn's ``random_state``)."""
    return int(stream(seed, name).generate_state(1)[0])
