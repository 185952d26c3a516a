"""The one seed scheme: every random stream is a named child of the run seed.

A stream is addressed by a *path* below the run seed ``seed``::

    stream(seed, "chip", k)               # chip instance k (its devices, masks, Izhikevich r …)
    stream(seed, "data", "subset")        # which samples a run takes from a dataset
    stream(seed, "dvs-digits", i)         # sample i of a generated dataset
    stream(seed, "readout")               # the readout's random_state
    stream(seed, "reservoir", "jitter")   # a task's own streams, named by the task
    stream(seed, "repeat", k)             # the run seed of repeat k of a multi-seed task
    stream(seed, "controls", "random features", b)  # block b of the random-feature control's projection

and is ``numpy.random.SeedSequence(seed, spawn_key=key(path))``, where a name
becomes ``zlib.crc32(name)`` (a fixed 32-bit number) and an integer stays
itself. So a stream never depends on which other streams exist, how many
numbers they draw, or in which order, process or worker they are used: chip
instance ``k`` of a config is the same chip in ``neurosim run --set
run.instance=k``, in :func:`neurosim.crossbar.program_instances` and in a
sweep. A new consumer (a task, a dataset) picks a name of its own and touches
nothing here. No global random generator is used anywhere.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["spawn_key", "stream", "rng", "int_seed", "chip_rng", "repeat_seed"]


def spawn_key(*path: str | int) -> tuple[int, ...]:
    """``path`` as a SeedSequence spawn key: names → ``zlib.crc32(name)``, integers ≥ 0 unchanged."""
    key = []
    for part in path:
        if isinstance(part, str):
            key.append(zlib.crc32(part.encode("utf-8")))
        elif isinstance(part, (int, np.integer)) and not isinstance(part, bool) and part >= 0:
            key.append(int(part))
        else:
            raise ValueError(f"a seed stream path holds names and integers >= 0, got {part!r}")
    if not key:
        raise ValueError("a seed stream needs a name")
    return tuple(key)


def stream(seed: int, *path: str | int) -> np.random.SeedSequence:
    """The seed sequence of stream ``path`` below run seed ``seed``."""
    return np.random.SeedSequence(int(seed), spawn_key=spawn_key(*path))


def rng(seed: int, *path: str | int) -> np.random.Generator:
    """A generator for stream ``path``."""
    return np.random.default_rng(stream(seed, *path))


def int_seed(seed: int, *path: str | int) -> int:
    """A 32-bit integer seed of stream ``path``, for APIs that take one (scikit-learn's ``random_state``)."""
    return int(stream(seed, *path).generate_state(1)[0])


def chip_rng(seed: int, instance: int = 0) -> np.random.Generator:
    """The generator that manufactures chip instance ``instance``: stream ``("chip", instance)``."""
    if isinstance(instance, bool) or not isinstance(instance, (int, np.integer)) or instance < 0:
        raise ValueError(f"chip instance index must be an integer >= 0, got {instance!r}")
    return rng(seed, "chip", int(instance))


def repeat_seed(seed: int, repeat: int) -> int:
    """The run seed of repeat ``repeat`` of a task that repeats itself over several seeds
    (``prediction.seeds``, ``continual.repeats``).

    Repeat 0 is run seed ``seed`` itself (a one-repeat run is the run of ``seed``: its chip,
    samples and streams). Repeat ``k`` ≥ 1 is the 32-bit integer of stream ``("repeat", k)``
    (:func:`int_seed`), so repeats do not overlap across runs: with ``seed + k``, repeat 1 of
    seed 0 was the run of seed 1, and two sweep units of neighbouring seeds shared all but one.
    """
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or repeat < 0:
        raise ValueError(f"a repeat index must be an integer >= 0, got {repeat!r}")
    return int(seed) if repeat == 0 else int_seed(seed, "repeat", int(repeat))
