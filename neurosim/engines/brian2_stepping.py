"""The Brian2 engine's stepping path: a network operation that calls a hook after every bin.

Used by :meth:`neurosim.engines.brian2_engine.Brian2Engine.run` when it is given a hook
(:mod:`neurosim.engines.online`); runtime device only (a ``cpp_standalone`` program cannot
call back into Python). The network is built with ``feedback=True``
(:func:`neurosim.engines.brian2_models.build_network`): every neuron has a variable ``fb``
that a ``run_regularly`` adds to the synaptic target in the synapses slot, after the
synaptic pathways. The engine runs one sample per ``net.run``; at the ``end`` slot of
every step that holds a bin (after the thresholds, resets, separator clamp and membrane
trace), :class:`HookOperation` reads the spikes of that step (``NeuronGroup.spikes``),
``v`` and ``I_syn`` (exponential synapses), hands them to the
:class:`~neurosim.engines.online.HookDriver` and writes the feedback it returns into
``fb`` for the next step.
"""

from __future__ import annotations

import numpy as np

from neurosim.engines.brian2_models import Built
from neurosim.engines.online import HookDriver


class HookOperation:
    """A ``brian2.NetworkOperation`` (``lsm_hook``, slot ``end``, order 1) added to ``built.net``.

    Before each ``net.run`` of one sample, :meth:`trial_start` says which sample it is and
    at which absolute step its slot begins; :meth:`trial_end` after it.
    """

    def __init__(self, brian2, built: Built, driver: HookDriver):
        self.built = built
        self.driver = driver
        self.sample = 0
        self.base = 0
        self.dt = float(built.source.clock.dt)
        built.net.add(brian2.NetworkOperation(self._after_step, dt=built.source.clock.dt, when="end",
                                              order=1, name="lsm_hook"))

    def trial_start(self, sample: int, base: int) -> None:
        """Sample ``sample`` runs next, its slot starting at absolute time step ``base``."""
        self.sample, self.base = sample, base
        self.driver.trial_start(sample)

    def trial_end(self) -> None:
        """The current sample's ``net.run`` is over."""
        self.driver.trial_end(self.sample)

    def _after_step(self, t) -> None:
        """At the end of a step: if it holds a bin, call the hook and store its feedback in ``fb``."""
        b = int(round(float(t[:]) / self.dt)) - self.base - self.built.first_bin
        if not 0 <= b < self.driver.bins:
            return                                  # a separator step: no bin, feedback stays 0
        neurons = self.built.neurons
        spikes = np.zeros(len(neurons), dtype=bool)
        spikes[neurons.spikes] = True
        variables = neurons.variables
        i_syn = variables["I_syn"].get_value() if "I_syn" in variables else None
        fb = self.driver.step(self.sample, b, spikes, variables["v"].get_value(), i_syn)
        neurons.variables["fb"].get_value()[:] = fb
