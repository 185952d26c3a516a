"""The Brian2 engine's stepping path: a network operation that calls a hook after every bin.

Used by :meth:`neurosim.engines.brian2_engine.Brian2Engine.run` when it is given a hook
(:mod:`neurosim.engines.online`); runtime device only (a ``cpp_standalone`` program cannot
call back into Python). The network is built with ``feedback=True``
(:func:`neurosim.engines.brian2_models.build_network`): every neuron has a variable ``fb``
that a ``run_regularly`` adds to the synaptic target in the synapses slot, after the
synaptic pathways. The engine runs a whole chunk of samples per ``net.run``, as without a
hook (a ``net.run`` per sample generates the network's code again for every sample: 0.89
against 0.24 CPU-s for 20 samples of a 40-neuron Izhikevich network, ``bench/hot_paths.py``);
at the ``end`` slot of every step that holds a bin
(after the thresholds, resets, separator clamp and membrane trace), :class:`HookOperation`
reads the spikes of that step (``NeuronGroup.spikes``), ``v`` and ``I_syn`` (exponential
synapses), hands them to the :class:`~neurosim.engines.online.HookDriver` and writes the
feedback it returns into ``fb`` for the next step.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from neurosim.engines.brian2_models import Built
from neurosim.engines.online import HookDriver


class HookOperation:
    """A ``brian2.NetworkOperation`` (``lsm_hook``, slot ``end``, order 1) added to ``built.net``.

    Before each ``net.run`` of a chunk, :meth:`begin_chunk` says which sample comes first and at
    which absolute step its slot begins. The hook's ``trial_start(sample)`` is called at the
    sample's first bin, before that bin's ``step``, and ``trial_end(sample)`` after its last bin:
    the hook sees the calls in the same order as on the cpu engine, one sample after another.
    ``progress(done, samples)``, if given, is called after each sample's last bin, as the cpu
    engine's stepping path calls it.
    """

    def __init__(self, brian2, built: Built, driver: HookDriver, samples: int,
                 progress: Callable[[int, int], None] | None = None):
        self.built = built
        self.driver = driver
        self.samples = samples
        self.progress = progress
        self.first_sample = 0
        self.base = 0
        self.dt = float(built.source.clock.dt)
        built.net.add(brian2.NetworkOperation(self._after_step, dt=built.source.clock.dt, when="end",
                                              order=1, name="lsm_hook"))

    def begin_chunk(self, first_sample: int, base: int) -> None:
        """The next ``net.run`` runs samples ``first_sample, first_sample + 1, …``, the first one's
        slot starting at absolute time step ``base``."""
        self.first_sample, self.base = first_sample, base

    def _after_step(self, t) -> None:
        """At the end of a step: if it holds a bin, call the hook and store its feedback in ``fb``."""
        slot, position = divmod(int(round(float(t[:]) / self.dt)) - self.base, self.built.period)
        b = position - self.built.first_bin
        if not 0 <= b < self.driver.bins:
            return                                  # a separator step: no bin, feedback stays 0
        sample = self.first_sample + slot
        if b == 0:
            self.driver.trial_start(sample)
        neurons = self.built.neurons
        spikes = np.zeros(len(neurons), dtype=bool)
        spikes[neurons.spikes] = True
        variables = neurons.variables
        i_syn = variables["I_syn"].get_value() if "I_syn" in variables else None
        fb = self.driver.step(sample, b, spikes, variables["v"].get_value(), i_syn)
        neurons.variables["fb"].get_value()[:] = fb
        if b == self.driver.bins - 1:
            self.driver.trial_end(sample)
            if self.progress is not None:
                self.progress(sample + 1, self.samples)
