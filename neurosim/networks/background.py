"""Background noise currents: a fresh Gaussian current per neuron and step, delivered through a step hook.

A model whose parameters carry ``noise_std`` (float64 ``(neurons,)``, membrane units per
step; the Izhikevich network's thalamic input, :mod:`neurosim.networks.models.izhikevich`)
receives ``noise_std · z`` with ``z ~ N(0, 1)`` at every step. The numbers are drawn here,
in Python, from stream ``("background", instance, sample)`` of the run seed — one generator
per sample, drawn bin by bin — and enter the reservoir as the feedback input of
:mod:`neurosim.engines.online` (added after the synaptic inputs, seen from the next step
on). So every engine that steps a hook (``brian2``, ``cpu``) receives the same currents
and stays bit-identical to the others, and a sample's noise does not depend on the batch
it runs in. Engines that do not step a hook (``gpu``, ``brian2-standalone``) cannot run a
noisy network (:func:`check_engine`).
"""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.errors import EngineError

__all__ = ["BackgroundNoise", "background_std", "with_background"]


def background_std(lsm) -> np.ndarray | None:
    """The background current's std per neuron and step (``(neurons,)``), None when the network has none."""
    std = getattr(lsm.params, "noise_std", None)
    if std is None or not np.any(np.asarray(std) > 0):
        return None
    return np.asarray(std, dtype=np.float64)


class BackgroundNoise:
    """A step hook that returns the background current of the next step, ``std · N(0, 1)`` (mV).

    ``std``: ``(neurons,)``; ``seed``, ``instance``: the run seed and chip instance;
    ``first_sample``: global index of the run's sample 0 (a chunked run draws the same
    numbers as one long run). :meth:`current` gives the current for (sample, bin) to a hook
    that adds its own feedback (:func:`with_background`).
    """

    def __init__(self, std: np.ndarray, seed: int, instance: int = 0, first_sample: int = 0):
        self.std = np.asarray(std, dtype=np.float64)
        self.seed, self.instance, self.first_sample = int(seed), int(instance), int(first_sample)
        self._rng: np.random.Generator | None = None
        self._sample = -1

    def trial_start(self, sample: int) -> None:
        """Start sample ``sample``'s generator (stream ``("background", instance, first_sample + sample)``)."""
        self._sample = sample
        self._rng = seeds.rng(self.seed, "background", self.instance, self.first_sample + sample)

    def current(self) -> np.ndarray:
        """The next step's current, float64 ``(neurons,)`` (mV per step)."""
        if self._rng is None:
            raise RuntimeError("BackgroundNoise.current() before trial_start()")
        return self.std * self._rng.standard_normal(self.std.shape[0])

    def step(self, sample: int, b: int, spikes: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.current()


def with_background(lsm, seed: int, instance: int = 0, first_sample: int = 0) -> BackgroundNoise | None:
    """The hook that drives ``lsm``'s background noise, or None when it has none."""
    std = background_std(lsm)
    return None if std is None else BackgroundNoise(std, seed, instance, first_sample)


def check_engine(engine_name: str, stepping: tuple[str, ...]) -> None:
    """:class:`EngineError` if ``engine_name`` cannot deliver background noise (it steps no hook)."""
    if engine_name != "auto" and engine_name not in stepping:
        raise EngineError(f"engine {engine_name!r} cannot deliver the network's background noise (it runs no "
                          f"step hook); use --engine {' or '.join(stepping)}, or switch the noise off "
                          "(e.g. --set network.izhikevich.noise_exc=0 --set network.izhikevich.noise_inh=0)")
