"""``discrete-lif`` (the default; Lin et al., Nat. Comput. Sci. 2025): one step per input bin.

Per step ``mem = decay·mem·(1 − s) + W_in x + W_rec s`` and ``s = mem > threshold``
(dimensionless membrane units; no time step, synapse kind or delay of its own: 1 ms per bin
for reports, delta synapses). Config: ``[network.discrete-lif]``
(:class:`DiscreteLIFConfig`), which is also the network's parameters (``LSM.params``).

Brian2 slot: 1 leading separator + ``bins`` (+ 1 trailing separator with read noise).
Schedule ``groups → resets → synapses → thresholds`` (:data:`DISCRETE_SCHEDULE`): in
step ``k`` the membrane decays, neurons that spiked in step ``k − 1`` are reset, the
input spikes of bin ``k − 1`` and the reservoir spikes of step ``k − 1`` arrive, and the
threshold is tested: exactly the update above for bin ``b = k − 1``. The leading separator's
threshold is off and the next step starts from ``mem = 0``. The spikes of the last bin are
delivered in the next step; with read noise a trailing separator takes them inside the same
slot, so the random numbers drawn never depend on where a ``net.run`` ends.

Fast engines: :mod:`neurosim.kernels.discrete_lif` (cpu: numba; gpu: ``discrete_lif.cu`` and its
numpy twin, driven by :func:`neurosim.engines.lsm_step.lsm_step`).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.config import param
from neurosim.errors import ConfigError
from neurosim.networks.models import SLOT, Brian2Neurons, NeuronModel, register_model

#: Brian2 schedule of the discrete LIF.
DISCRETE_SCHEDULE = ["start", "groups", "resets", "synapses", "thresholds", "end"]

_EQUATIONS = """
v : 1
decay : 1 (shared, constant)
vth : 1 (shared, constant)
period : integer (shared, constant)
bins : integer (shared, constant)
"""


@dataclass(frozen=True)
class DiscreteLIFConfig:
    """[network.discrete-lif]: the discrete-time LIF (``network.model = "discrete-lif"``)."""

    decay: float = param(0.9, "Membrane decay per time step", "", 0.0, 1.0)
    threshold: float = param(5.0, "Firing threshold (membrane units)", "", -1e9, 1e9)

    def check(self, config) -> None:
        """Cross-key rules, when ``network.model = "discrete-lif"``."""
        net = config.network
        if net.model != "discrete-lif":
            return
        if self.threshold <= 0:
            raise ConfigError(f"network.discrete-lif.threshold = {self.threshold:g} must be above 0 (the "
                              "discrete LIF's membrane starts at 0)")


class DiscreteLIF(NeuronModel):
    """The discrete-time LIF (see the module docstring)."""

    name = "discrete-lif"
    section = DiscreteLIFConfig
    description = "discrete-time LIF, one step per input bin (Lin et al. 2025)"
    kernel = "discrete"
    threshold_decay_keys = ("threshold", "decay")

    def separator_steps(self, lsm) -> int:
        """1 leading separator, plus a trailing one with read noise per step."""
        return 1 if lsm.w_in_std is None and lsm.w_rec_std is None else 2

    def brian2_neurons(self, brian2, lsm, period: int, bins: int, extra: str = "") -> Brian2Neurons:
        dt = 1 * brian2.ms
        # bins is a variable, not a literal, so the code (compiled once) is the same for any n_bins
        active = f"{SLOT} != 0" if period == bins + 1 else f"{SLOT} != 0 and {SLOT} <= bins"
        group = brian2.NeuronGroup(lsm.neurons, _EQUATIONS + extra, dt=dt, name="lsm_neurons",
                                   threshold=f"v > vth and {active}", reset="v = 0")
        group.decay = lsm.params.decay
        group.vth = lsm.params.threshold
        group.period = period
        group.bins = bins
        group.run_regularly(f"v = decay * v * int({SLOT} != 1)", when="groups", name="lsm_decay")
        return Brian2Neurons(group, dt, "v", 0, DISCRETE_SCHEDULE, first_bin=1, input_lead=1)

    def cpu_kernel(self):
        from neurosim.kernels.discrete_lif import KERNEL
        return KERNEL

    def gpu_kernel(self):
        from neurosim.kernels.discrete_lif import GPU_KERNEL
        return GPU_KERNEL

    def kernel_args(self, lsm) -> tuple:
        """``(decay, threshold)``."""
        return float(lsm.params.decay), float(lsm.params.threshold)


register_model(DiscreteLIF())
