"""Brian2 objects for each neuron flavour, laid out for one long run with separators.

Every sample occupies a slot of ``period`` time steps: one step per input bin
plus separator steps in which no neuron can fire. :func:`build_network`
returns the explicit ``brian2.Network`` and where things sit in a slot.

- ``discrete-lif``: slot = 1 leading separator + ``bins`` (+ 1 trailing separator
  with read noise). Schedule ``groups → resets → synapses → thresholds``; see
  :mod:`neurosim.engines.brian2_engine` for why this is exactly the paper's
  update. Input bin ``b`` is emitted at slot step ``b`` and arrives (with the
  reservoir spikes of the previous step) at step ``b + 1``, where the neuron's
  spikes of bin ``b`` are detected. The spikes of the last bin are delivered in
  the next step; with read noise a trailing separator takes them inside the same
  slot, so the random numbers drawn never depend on where a ``net.run`` ends.
- ``lif`` and ``izhikevich``: slot = ``bins`` + ``n_sep`` trailing separators,
  ``n_sep = max(1, delay steps, refractory steps)``. Brian2's default schedule
  ``groups → thresholds → synapses → resets``. Input bin ``b`` is emitted at slot
  step ``b`` and is added after that step's integration, so it is seen from the
  next step on; spikes detected at step ``b`` belong to bin ``b``. In separator
  steps the threshold is off and, at the end of each, ``v`` is clamped to rest
  (Izhikevich: ``v = −65, u = b·v``) and ``I_syn`` to 0: a spike emitted in the
  last bin lands (after its delay) inside the separator, refractoriness ends
  before the next sample, and nothing crosses samples.

Read noise (``lsm.w_*_std``): each transmission adds ``w_std · randn()`` to ``w``
(Brian2's generator, seeded by the engine).

Feedback (``build_network(..., feedback=True)``, a run with a step hook): a per-neuron
``fb`` added to the synaptic target in the synapses slot after both pathways (see
:mod:`neurosim.engines.online`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import EngineError
from neurosim.networks import LSM
from neurosim.networks.izhikevich import V_INIT, V_PEAK

DISCRETE_SCHEDULE = ["start", "groups", "resets", "synapses", "thresholds", "end"]
CONTINUOUS_SCHEDULE = ["start", "groups", "thresholds", "synapses", "resets", "end"]

DISCRETE_MODEL = """
v : 1
decay : 1 (shared, constant)
vth : 1 (shared, constant)
period : integer (shared, constant)
"""

#: the per-neuron feedback input of a run with a hook (:mod:`neurosim.engines.online`)
FEEDBACK_MODEL = "fb : 1\n"

SLOT = "timestep(t, dt) % period"


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


def steps(seconds: float, dt: float) -> int:
    """Whole time steps in ``seconds`` (rounded to the nearest step)."""
    return int(round(seconds / dt))


def separator_steps(lsm: LSM) -> int:
    """Separator steps per slot for ``lsm`` (discrete LIF: 1, or 2 with read noise)."""
    if lsm.model == "discrete-lif":
        return 1 if lsm.w_in_std is None and lsm.w_rec_std is None else 2
    refractory = steps(lsm.lif.refractory, lsm.dt) if lsm.model == "lif" else 0
    return max(1, steps(lsm.synapse.delay, lsm.dt), refractory)


def build_network(brian2, lsm: LSM, bins: int, trace_neurons: int = 0, feedback: bool = False) -> Built:
    """The explicit network for ``lsm`` with slots of ``separator_steps + bins`` steps.

    ``feedback``: give the neurons a variable ``fb`` (one per neuron, membrane units, 0
    until set) added to the synaptic target (``v``, or ``I_syn`` with an exponential
    synapse) at every step in the synapses slot after the synaptic pathways (order 1);
    Brian2 skips the write for refractory neurons when the target is ``v (unless
    refractory)``. See :mod:`neurosim.engines.online`.
    """
    period = separator_steps(lsm) + bins
    extra = FEEDBACK_MODEL if feedback else ""
    if lsm.model == "discrete-lif":
        dt = 1 * brian2.ms
        neurons = _discrete_lif(brian2, lsm, period, bins, dt, extra)
        target, schedule, first, lead = "v", DISCRETE_SCHEDULE, 1, 1
    elif lsm.model in ("lif", "izhikevich"):
        dt = lsm.dt * brian2.second
        make = _continuous_lif if lsm.model == "lif" else _izhikevich
        neurons = make(brian2, lsm, period, bins, dt, extra)
        target = "I_syn" if lsm.synapse.kind == "exponential" else "v"
        schedule, first, lead = CONTINUOUS_SCHEDULE, 0, 0
    else:
        raise EngineError(f"network model {lsm.model!r} is not supported by the brian2 engine")
    if feedback:
        neurons.run_regularly(f"{target} += fb", when="synapses", order=1, name="lsm_feedback")
    delay = steps(lsm.synapse.delay, lsm.dt) if lsm.model != "discrete-lif" else 0
    source = brian2.SpikeGeneratorGroup(lsm.inputs, [], [] * brian2.second, dt=dt, name="lsm_input")
    s_in = _synapses(brian2, source, neurons, lsm.w_in, lsm.in_mask, lsm.w_in_std, target, delay,
                     "lsm_w_in", dt)
    s_rec = _synapses(brian2, neurons, neurons, lsm.w_rec, lsm.rec_mask, lsm.w_rec_std, target, delay,
                      "lsm_w_rec", dt)
    monitor = brian2.SpikeMonitor(neurons, name="lsm_spikes")
    objects = [neurons, source, s_in, s_rec, monitor]
    trace = None
    if trace_neurons:
        trace = brian2.StateMonitor(neurons, "v", record=np.arange(trace_neurons), when="end",
                                    dt=dt, name="lsm_trace")
        objects.append(trace)
    net = brian2.Network(*objects)
    net.schedule = schedule
    return Built(net, source, neurons, monitor, period, first, lead, trace)


def _discrete_lif(brian2, lsm: LSM, period: int, bins: int, dt, extra: str = ""):
    active = f"{SLOT} != 0" if period == bins + 1 else f"{SLOT} != 0 and {SLOT} <= {bins}"
    neurons = brian2.NeuronGroup(
        lsm.neurons, DISCRETE_MODEL + extra, dt=dt, name="lsm_neurons",
        threshold=f"v > vth and {active}", reset="v = 0")
    neurons.decay = lsm.decay
    neurons.vth = lsm.threshold
    neurons.period = period
    neurons.run_regularly(f"v = decay * v * int({SLOT} != 1)", when="groups", name="lsm_decay")
    return neurons


def _synaptic_current(lsm: LSM) -> tuple[str, str]:
    """(term added to the drive, equation lines) for the synapse model."""
    if lsm.synapse.kind == "exponential":
        return "I_syn", "dI_syn/dt = -I_syn / tau_syn : 1\ntau_syn : second (shared, constant)\n"
    return "0", ""


def _in_sample(bins: int) -> str:
    return f"int({SLOT} < {bins})"


def _continuous_lif(brian2, lsm: LSM, period: int, bins: int, dt, extra: str = ""):
    p = lsm.lif
    syn_term, syn_eqs = _synaptic_current(lsm)
    flag = " (unless refractory)" if p.refractory > 0 else ""
    model = (f"dv/dt = (v_rest - v + bias + {syn_term}) / tau_m : 1{flag}\n" + syn_eqs +
             "v_rest : 1 (shared, constant)\nv_reset : 1 (shared, constant)\n"
             "vth : 1 (shared, constant)\nbias : 1 (shared, constant)\n"
             "tau_m : second (shared, constant)\nperiod : integer (shared, constant)\n" + extra)
    refractory = p.refractory * brian2.second if p.refractory > 0 else False
    neurons = brian2.NeuronGroup(
        lsm.neurons, model, dt=dt, name="lsm_neurons", method="exact",
        threshold=f"v > vth and {SLOT} < {bins}", reset="v = v_reset", refractory=refractory)
    neurons.v_rest, neurons.v_reset, neurons.vth = p.v_rest, p.v_reset, lsm.threshold
    neurons.bias, neurons.tau_m, neurons.period = p.bias, p.tau_m * brian2.second, period
    neurons.v = p.v_rest
    keep = _in_sample(bins)
    clamp = f"v = v * {keep} + v_rest * (1 - {keep})\n"
    if lsm.synapse.kind == "exponential":
        neurons.tau_syn = lsm.synapse.tau_syn * brian2.second
        clamp += f"I_syn = I_syn * {keep}\n"
    neurons.run_regularly(clamp, when="end", name="lsm_separator")
    return neurons


def _izhikevich(brian2, lsm: LSM, period: int, bins: int, dt, extra: str = ""):
    if lsm.izhikevich is None:
        raise EngineError("an izhikevich network needs its per-neuron parameters (build it with build_lsm)")
    syn_term, syn_eqs = _synaptic_current(lsm)
    model = (f"dv/dt = (0.04 * v**2 + 5 * v + 140 - u + bias + {syn_term}) / ms : 1\n"
             "du/dt = a * (b * v - u) / ms : 1\n" + syn_eqs +
             "a : 1 (constant)\nb : 1 (constant)\nc : 1 (constant)\nd : 1 (constant)\n"
             "bias : 1 (shared, constant)\nperiod : integer (shared, constant)\n" + extra)
    neurons = brian2.NeuronGroup(
        lsm.neurons, model, dt=dt, name="lsm_neurons", method="euler",
        threshold=f"v >= {V_PEAK!r} and {SLOT} < {bins}", reset="v = c\nu += d")
    prm = lsm.izhikevich
    neurons.a, neurons.b, neurons.c, neurons.d = prm.a, prm.b, prm.c, prm.d
    neurons.bias, neurons.period = lsm.lif.bias, period
    neurons.v = V_INIT
    neurons.u = prm.b * V_INIT
    keep = _in_sample(bins)
    clamp = (f"v = v * {keep} + {V_INIT!r} * (1 - {keep})\n"
             f"u = u * {keep} + b * {V_INIT!r} * (1 - {keep})\n")
    if lsm.synapse.kind == "exponential":
        neurons.tau_syn = lsm.synapse.tau_syn * brian2.second
        clamp += f"I_syn = I_syn * {keep}\n"
    neurons.run_regularly(clamp, when="end", name="lsm_separator")
    return neurons


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
