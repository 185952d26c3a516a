"""Spiking networks (reservoirs) whose weights come from a programmed chip.

:func:`build_lsm` turns the ``[network]`` section into an :class:`LSM` spec: a
registered neuron model (:mod:`neurosim.networks.models`; built in: discrete-time
LIF (Lin et al. 2025), continuous LIF, Izhikevich (2003)), random or distance-based
connectivity, optional Dale's law and per-transmission read noise. Importing this
package registers the models and their ``[network.<model>]`` config sections.
"""

from neurosim.networks.lsm import LSM, SynapseParams, build_lsm
from neurosim.networks.models import NeuronModel, discover, get_model, model_names, register_model

__all__ = ["LSM", "SynapseParams", "build_lsm", "NeuronModel", "get_model", "model_names", "register_model"]

discover()   # import the built-in models: they register themselves and their config sections
