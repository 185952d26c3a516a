"""Monte-Carlo chip instances: N programmed copies of one chip design from one seed.

Instance ``k`` draws from the ``k``-th child of the run's ``chip`` random
stream (``SeedSequence(seed, spawn_key=(chip, k))``, the same as
``seeds.stream(seed, "chip").spawn(n)[k]`` for any ``n > k``), so instance
``k`` is the same whether 1 or 1,000 instances are made, in any order, on any
worker.
"""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix, program_random_matrix


def instance_seed(seed: int, k: int) -> np.random.SeedSequence:
    """The seed sequence of chip instance ``k`` of run seed ``seed``."""
    if k < 0:
        raise ValueError(f"chip instance index must be >= 0, got {k}")
    parent = seeds.stream(seed, "chip")
    return np.random.SeedSequence(parent.entropy, spawn_key=tuple(parent.spawn_key) + (k,))


def instance_rng(seed: int, k: int) -> np.random.Generator:
    """A generator for chip instance ``k``."""
    return np.random.default_rng(instance_seed(seed, k))


def program_instance(config: Config, shape: tuple[int, int], seed: int, k: int) -> ProgrammedMatrix:
    """Chip instance ``k``: the random ``(inputs, outputs)`` matrix programmed with its own stream."""
    return program_random_matrix(config, shape, instance_rng(seed, k))


def program_instances(config: Config, shape: tuple[int, int], seed: int, n: int) -> list[ProgrammedMatrix]:
    """Instances ``0 … n−1`` of the chip (each equal to :func:`program_instance` alone)."""
    return [program_instance(config, shape, seed, k) for k in range(n)]
