"""What the continuous-time neuron models share: the Brian2 slot layout and synapse terms.

A continuous model is integrated by Brian2 with step ``dt`` (one input bin) of its section
(:class:`ContinuousConfig`: ``dt``, ``synapse``, ``tau_syn``, ``delay``, shared by every
continuous model's ``[network.<name>]``).
A sample's slot is ``bins`` steps plus ``n_sep = max(1, delay steps, refractory steps)``
trailing separators. Brian2's default schedule ``groups → thresholds → synapses → resets``:
input bin ``b`` is emitted at slot step ``b`` and added after that step's integration,
so it is seen from the next step on; spikes detected at step ``b`` belong to bin ``b``.
In separator steps the threshold is off and, at the end of each, the state is clamped
to rest (:meth:`ContinuousModel.rest`) and ``I_syn`` to 0: a spike emitted in the last
bin lands (after its delay) inside the separator, refractoriness ends before the next
sample, and nothing crosses samples.

A subclass gives its equations (:meth:`~ContinuousModel.differential`,
:meth:`~ContinuousModel.parameters`), threshold, reset, integration ``method``, rest
state and :meth:`~ContinuousModel.initialise`; the synaptic current (``delta``: the
weight is added to ``v``; ``exponential``: to ``I_syn``, decaying with ``tau_syn``) and
the separator clamp come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neurosim.config import param
from neurosim.networks.models import SLOT, Brian2Neurons, NeuronModel, steps

#: Brian2 schedule of the continuous models (Brian2's default order).
CONTINUOUS_SCHEDULE = ["start", "groups", "thresholds", "synapses", "resets", "end"]


@dataclass(frozen=True)
class ContinuousConfig:
    """The keys every continuous model's section starts with (subclass it for ``[network.<name>]``)."""

    dt: float = param(1e-3, "Time step, one input bin", "s", 1e-6, 1.0)
    synapse: str = param("delta", "'delta' (v += w) or 'exponential' (I_syn += w, decaying with tau_syn)",
                         choices=("delta", "exponential"))
    tau_syn: float = param(5e-3, "synapse = 'exponential': synaptic current time constant", "s", 1e-6, 10.0)
    delay: float = param(0.0, "Synaptic delay (rounded to whole steps of dt)", "s", 0.0, 1.0)


class ContinuousModel(NeuronModel):
    """Base of the continuous-time models; ``method`` is Brian2's integration method."""

    method: ClassVar[str] = "euler"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        section = cls.__dict__.get("section")
        if section is not None and not issubclass(section, ContinuousConfig):
            raise TypeError(f"{cls.__qualname__}.section = {section.__qualname__} must subclass "
                            "neurosim.networks.models.continuous.ContinuousConfig (its dt, synapse, tau_syn, "
                            "delay keys)")

    # ---- what a subclass defines (Brian2 strings; membrane variable ``v``)

    def differential(self, lsm, syn_term: str) -> str:
        """The model's differential equations, one per line; ``syn_term`` is the synaptic drive
        (``I_syn`` or ``0``) to add to the membrane equation."""
        raise NotImplementedError

    def parameters(self, lsm) -> str:
        """Declarations of the model's parameters (``name : unit (shared, constant)`` lines)."""
        raise NotImplementedError

    def threshold(self, lsm) -> str:
        """The spike condition (the engine adds "and inside the sample")."""
        raise NotImplementedError

    def reset(self, lsm) -> str:
        """Statements run on a spike."""
        raise NotImplementedError

    def rest(self, lsm) -> dict[str, str]:
        """State variable → expression it is clamped to in separator steps (and starts from)."""
        raise NotImplementedError

    def initialise(self, brian2, group, lsm) -> None:
        """Set the parameters and initial state of the Brian2 ``group`` from ``lsm.params``.

        ``brian2`` is the module (for units, e.g. ``brian2.second``)."""
        raise NotImplementedError

    def refractory(self, lsm) -> float:
        """Refractory period in s (0: none)."""
        return 0.0

    # ---- shared layout

    def timing(self, config) -> tuple[float, str, float, float]:
        """``(dt, synapse, tau_syn, delay)`` from the model's section (:class:`ContinuousConfig`)."""
        section = config.section(f"network.{self.name}")
        return section.dt, section.synapse, section.tau_syn, section.delay

    def separator_steps(self, lsm) -> int:
        """``max(1, delay steps, refractory steps)``: a separator covers every spike in flight."""
        return max(1, steps(lsm.synapse.delay, lsm.dt), steps(self.refractory(lsm), lsm.dt))

    def brian2_neurons(self, brian2, lsm, period: int, bins: int, extra: str = "") -> Brian2Neurons:
        """The group with step ``lsm.dt``, its separator clamp and synaptic current."""
        dt = lsm.dt * brian2.second
        exp_syn = lsm.synapse.kind == "exponential"
        syn_term = "I_syn" if exp_syn else "0"
        syn_eqs = "dI_syn/dt = -I_syn / tau_syn : 1\ntau_syn : second (shared, constant)\n" if exp_syn else ""
        equations = (self.differential(lsm, syn_term) + syn_eqs + self.parameters(lsm)
                     + "period : integer (shared, constant)\nbins : integer (shared, constant)\n" + extra)
        refractory = self.refractory(lsm)
        group = brian2.NeuronGroup(
            lsm.neurons, equations, dt=dt, name="lsm_neurons", method=self.method,
            threshold=f"{self.threshold(lsm)} and {SLOT} < bins", reset=self.reset(lsm),
            refractory=refractory * brian2.second if refractory > 0 else False)
        group.period = period
        group.bins = bins  # a variable, not a literal, so the code (compiled once) is the same for any n_bins
        self.initialise(brian2, group, lsm)
        keep = f"int({SLOT} < bins)"
        clamp = "".join(f"{var} = {var} * {keep} + {value} * (1 - {keep})\n"
                        for var, value in self.rest(lsm).items())
        if exp_syn:
            group.tau_syn = lsm.synapse.tau_syn * brian2.second
            clamp += f"I_syn = I_syn * {keep}\n"
        group.run_regularly(clamp, when="end", name="lsm_separator")
        return Brian2Neurons(group, dt, "I_syn" if exp_syn else "v", steps(lsm.synapse.delay, lsm.dt),
                             CONTINUOUS_SCHEDULE, first_bin=0, input_lead=0)

    def synapse_args(self, lsm) -> tuple[bool, float, int, int]:
        """``(exp_syn, tau_syn s, delay steps, separator steps)`` for :meth:`kernel_args`."""
        return (lsm.synapse.kind == "exponential", float(lsm.synapse.tau_syn),
                steps(lsm.synapse.delay, lsm.dt), self.separator_steps(lsm))
