"""The reservoir as one explicit ``brian2.Network``, laid out for one long run with separators.

Every sample occupies a slot of ``period`` time steps: one step per input bin plus
the model's separator steps, in which no neuron can fire. The neuron group, its
schedule and where bins sit in a slot come from the network's registered neuron
model (:meth:`neurosim.networks.models.NeuronModel.brian2_neurons`; e.g. the discrete
LIF in :mod:`neurosim.networks.models.discrete_lif`, the continuous models in
:mod:`neurosim.networks.models.continuous`), so any registered model runs here.
:func:`build_network` adds the input source, the synapses and the monitors.

Read noise (``lsm.w_*_std``): each transmission adds ``w_std · randn()`` to ``w``
(Brian2's generator, seeded by the engine).

A chip whose ADC quantizes (``lsm.drive_adc``): the synapses feed per-segment column partial
sums that the ADC reads every step before they reach the neurons (:mod:`neurosim.engines.brian2_adc`).

Feedback (``build_network(..., feedback=True)``, a run with a step hook): a per-neuron
``fb`` added to the synaptic target in the synapses slot after both pathways (and after the
ADC's drives; see :mod:`neurosim.engines.online`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.engines.brian2_adc import ADC_NEURON_MODEL, add_drive_adc
from neurosim.networks import LSM
from neurosim.networks.models import get_model

#: the per-neuron feedback input of a run with a hook (:mod:`neurosim.engines.online`)
FEEDBACK_MODEL = "fb : 1\n"


@dataclass
class Built:
    """A built network: ``source`` feeds input spikes, ``monitor`` records reservoir spikes.

    ``first_bin``: slot step of bin 0 (a spike at slot step ``s`` belongs to bin
    ``s − first_bin``); ``input_lead``: input bin ``b`` is emitted at slot step
    ``first_bin + b − input_lead``.
    """

    net: object
    source: object
    neurons: object
    monitor: object
    period: int
    first_bin: int
    input_lead: int
    trace: object | None = None


def separator_steps(lsm: LSM) -> int:
    """Separator steps per slot for ``lsm`` (its model's; e.g. discrete LIF: 1, or 2 with read noise)."""
    return get_model(lsm.model).separator_steps(lsm)


def build_network(brian2, lsm: LSM, bins: int, trace_neurons: int = 0, feedback: bool = False) -> Built:
    """The explicit network for ``lsm`` with slots of ``separator_steps + bins`` steps.

    ``feedback``: give the neurons a variable ``fb`` (one per neuron, membrane units, 0
    until set) added to the synaptic target (``v``, or ``I_syn`` with an exponential
    synapse) at every step in the synapses slot after the synaptic pathways and the ADC (order 5);
    Brian2 skips the write for refractory neurons when the target is ``v (unless
    refractory)``. See :mod:`neurosim.engines.online`.
    """
    period = separator_steps(lsm) + bins
    quantizing = lsm.drive_adc is not None
    extra = (FEEDBACK_MODEL if feedback else "") + (ADC_NEURON_MODEL if quantizing else "")
    spec = get_model(lsm.model).brian2_neurons(brian2, lsm, period, bins, extra)
    neurons, dt = spec.group, spec.dt
    if feedback:
        neurons.run_regularly(f"{spec.target} += fb", when="synapses", order=5, name="lsm_feedback")
    source = brian2.SpikeGeneratorGroup(lsm.inputs, [], [] * brian2.second, dt=dt, name="lsm_input")
    if quantizing:
        pathways = add_drive_adc(brian2, lsm, neurons, source, spec.target, spec.delay_steps, dt)
    else:
        pathways = [_synapses(brian2, source, neurons, lsm.w_in, lsm.in_mask, lsm.w_in_std, spec.target,
                              spec.delay_steps, "lsm_w_in", dt),
                    _synapses(brian2, neurons, neurons, lsm.w_rec, lsm.rec_mask, lsm.w_rec_std, spec.target,
                              spec.delay_steps, "lsm_w_rec", dt)]
    monitor = brian2.SpikeMonitor(neurons, name="lsm_spikes")
    objects = [neurons, source, *pathways, monitor]
    trace = None
    if trace_neurons:
        trace = brian2.StateMonitor(neurons, "v", record=np.arange(trace_neurons), when="end",
                                    dt=dt, name="lsm_trace")
        objects.append(trace)
    net = brian2.Network(*objects)
    net.schedule = spec.schedule
    return Built(net, source, neurons, monitor, period, spec.first_bin, spec.input_lead, trace)


def _synapses(brian2, source, target, weights: np.ndarray, mask: np.ndarray | None,
              std: np.ndarray | None, var: str, delay_steps: int, name: str, dt):
    """Synapses ``var_post += w`` (all-to-all when ``mask`` is None), with optional read noise."""
    n_pre, n_post = weights.shape
    if mask is None:
        pre = np.repeat(np.arange(n_pre), n_post)
        post = np.tile(np.arange(n_post), n_pre)
    else:
        pre, post = np.nonzero(mask)
    if std is None:
        model, on_pre = "w : 1", f"{var}_post += w"
    else:
        model, on_pre = "w : 1\nw_std : 1", f"{var}_post += w + w_std * randn()"
    kwargs = {"delay": delay_steps * dt} if delay_steps else {}
    syn = brian2.Synapses(source, target, model, on_pre=on_pre, dt=dt, name=name, **kwargs)
    if len(pre):
        syn.connect(i=pre, j=post)
        syn.w[:] = weights[pre, post]
        if std is not None:
            syn.w_std[:] = std[pre, post]
    return syn
