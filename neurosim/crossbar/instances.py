"""Monte-Carlo chip instances: N programmed copies of one chip design from one seed.

Instance ``k`` is manufactured from the run seed's stream ``("chip", k)``
(:func:`neurosim.seeds.chip_rng`), the same stream ``neurosim run --set
run.instance=k`` builds its network from, so instance ``k`` is the same chip
whether 1 or 1,000 instances are made, in any order, on any worker.
"""

from __future__ import annotations

from neurosim import seeds
from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix, program_random_matrix


def program_instance(config: Config, shape: tuple[int, int], seed: int, k: int) -> ProgrammedMatrix:
    """Chip instance ``k``: the random ``(inputs, outputs)`` matrix programmed with its own stream."""
    return program_random_matrix(config, shape, seeds.chip_rng(seed, k))


def program_instances(config: Config, shape: tuple[int, int], seed: int, n: int) -> list[ProgrammedMatrix]:
    """Instances ``0 … n−1`` of the chip (each equal to :func:`program_instance` alone)."""
    return [program_instance(config, shape, seed, k) for k in range(n)]
