"""``izhikevich``: the Izhikevich (2003) network, heterogeneous regular- and fast-spiking neurons.

Izhikevich, "Simple model of spiking neurons", IEEE TNN 14 (2003):
``dv/dt = (0.04 v² + 5 v + 140 − u + bias + I_syn)/ms``, ``du/dt = a (b v − u)/ms``
with v, u in mV (plain numbers); spike at ``v ≥ 30``, then ``v = c, u += d``.
Excitatory neurons regular-spiking with ``a = 0.02, b = 0.2, c = −65 + 15 r², d = 8 − 6 r²``;
inhibitory fast-spiking with ``a = 0.02 + 0.08 r, b = 0.25 − 0.05 r, c = −65, d = 2``;
``r ~ U(0, 1)`` per neuron from the chip's random stream. a in 1/ms, d in mV/ms (as in the
paper's code). Brian2 forward Euler with step ``network.izhikevich.dt`` (not the paper's two 0.5 ms
half-steps of v); Dale's law always applies; weights in mV. Config: ``[network.izhikevich]``.

Defaults (measured figures in docs/explanation/reservoir-metrics.md): the 2003 network's excitatory
weights, ``|w|`` of mean 0.25 mV (the paper's 0.5·U(0, 1)), i.e. ``recurrent_scale = 0.25·√(π/2)``
on the chip's Gaussian unit weights (|N(0, σ)| has mean σ·√(2/π)), whatever ``[network]`` says;
inhibitory ``|w|`` ``inhibitory_gain = 4`` times larger (mean 1 mV), so that with 80 % excitatory
neurons a neuron's summed inhibitory weight equals its summed excitatory weight (Brunel 2000's
balance point g = 4, from which the asynchronous irregular state is inhibition-dominated). The
paper's −U(0, 1) (gain 2) leaves the recurrent input excitation-dominated: it adds a mean drive
that makes the noise-driven neurons fire more regularly (median ISI CV over 20 s of the
memory-capacity stream 0.47, at gain 4 0.56; on the noise alone 0.39, at gain 4 0.44, the same
neurons uncoupled 0.50); stronger coupling (``recurrent_scale = 0.6``) runs away at gains 4 and 5
(every neuron at about 500 Hz). And the thalamic background
noise, a fresh current ``noise_exc·N(0, 1)`` (excitatory) or ``noise_inh·N(0, 1)`` (inhibitory)
mV/ms every step (the paper's 5 and 2), delivered by :mod:`neurosim.networks.background` as a
feedback input (seeded, identical on the engines that step a hook). Setting a key to 0 falls
back to ``[network]`` (weights) or switches the noise off. ``input_scale = 0`` (default) takes
``network.input_scale`` (1 mV std, the LSM's): at 1 mV the 32-channel memory-capacity stream
drives a neuron by about as much per step as the noise (2.3 mV mean, 2.7 mV std against 5 mV);
at 1.5–2 mV the neurons whose input weights sum positive fire at up to 450–500 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import param
from neurosim.networks.models import register_model
from neurosim.networks.models.continuous import ContinuousConfig, ContinuousModel
from neurosim.networks.scaling import recurrent_std

V_PEAK = 30.0      # mV: spike cut-off (v >= 30 → spike)
V_INIT = -65.0     # mV: initial (and between-sample) membrane potential; u starts at b·V_INIT


@dataclass(frozen=True)
class IzhikevichConfig(ContinuousConfig):
    """[network.izhikevich]: the Izhikevich (2003) network (``network.model = "izhikevich"``); ``dt``,
    ``synapse``, ``tau_syn``, ``delay``: :class:`~neurosim.networks.models.continuous.ContinuousConfig`."""

    bias: float = param(0.0, "Constant input current I", "mV/ms", -1e6, 1e6)
    recurrent_scale: float = param(0.3133285, "Std of the recurrent unit weights for this model (mean |w| "
                                   "of an excitatory synapse 0.25 mV, Izhikevich 2003); 0 = "
                                   "network.recurrent_scale", "mV", 0.0, 1e6)
    inhibitory_gain: float = param(4.0, "Factor on inhibitory neurons' |w| (4: mean 1 mV, summed inhibition = "
                                   "summed excitation with 80/20 neurons, Brunel 2000's balance; Izhikevich "
                                   "2003: 2); 0 = network.inhibitory_gain", "", 0.0, 1e6)
    input_scale: float = param(0.0, "Std of the input weights for this model; 0 = network.input_scale "
                               "(1 mV by default)", "mV", 0.0, 1e6)
    noise_exc: float = param(5.0, "Std of the thalamic background current of excitatory neurons, drawn "
                             "afresh every step (Izhikevich 2003: 5); 0 = none", "mV/ms", 0.0, 1e6)
    noise_inh: float = param(2.0, "Std of the thalamic background current of inhibitory neurons "
                             "(Izhikevich 2003: 2); 0 = none", "mV/ms", 0.0, 1e6)

    def check(self, config) -> None:
        """A ``[network]`` scale changed from its default would be ignored here: say which key to set."""
        from dataclasses import fields

        from neurosim.config import NetworkConfig
        from neurosim.errors import ConfigError
        if config.network.model != "izhikevich":
            return
        defaults = {f.name: f.default for f in fields(NetworkConfig)}
        for key in ("recurrent_scale", "inhibitory_gain"):
            mine, shared = getattr(self, key), getattr(config.network, key)
            if mine > 0 and shared != defaults[key]:
                raise ConfigError(f"network.{key} = {shared:g} has no effect on an izhikevich network while "
                                  f"network.izhikevich.{key} = {mine:g} (Izhikevich 2003); set "
                                  f"network.izhikevich.{key} instead, or set it to 0 to use network.{key}")


@dataclass(frozen=True)
class IzhikevichParams:
    """Per-neuron parameters, float64 ``(neurons,)`` each, and the constant current ``bias`` (mV/ms)."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    bias: float = 0.0
    noise_std: np.ndarray | None = None   # (neurons,) background current std, mV per step; None = none


def izhikevich_params(excitatory: np.ndarray, r: np.ndarray, bias: float = 0.0,
                      noise_std: np.ndarray | None = None) -> IzhikevichParams:
    """The 2003 recipe for neuron types ``excitatory`` (bool) and heterogeneity ``r`` in [0, 1);
    ``noise_std``: the background current's std per neuron and step (mV), None = none."""
    r = np.asarray(r, dtype=np.float64)
    e = np.asarray(excitatory, dtype=bool)
    return IzhikevichParams(
        a=np.where(e, 0.02, 0.02 + 0.08 * r),
        b=np.where(e, 0.2, 0.25 - 0.05 * r),
        c=np.where(e, -65.0 + 15.0 * r ** 2, -65.0),
        d=np.where(e, 8.0 - 6.0 * r ** 2, 2.0),
        bias=float(bias),
        noise_std=None if noise_std is None else np.asarray(noise_std, dtype=np.float64),
    )


class Izhikevich(ContinuousModel):
    """The Izhikevich (2003) network (see the module docstring)."""

    name = "izhikevich"
    section = IzhikevichConfig
    description = "Izhikevich (2003) regular/fast-spiking neurons (Brian2 forward Euler)"
    dale = True
    method = "euler"
    kernel = "continuous"

    def params(self, config, excitatory, rng) -> IzhikevichParams:
        """The 2003 recipe; draws ``r`` (one uniform per neuron) from ``rng``. The background
        noise std per step is ``noise_exc`` or ``noise_inh`` × ``dt / 1 ms`` (a current held for one step)."""
        section = config.section("network.izhikevich")
        noise = None
        if section.noise_exc > 0 or section.noise_inh > 0:
            noise = np.where(excitatory, section.noise_exc, section.noise_inh) * (section.dt / 1e-3)
        return izhikevich_params(excitatory, rng.random(config.network.neurons), section.bias, noise)

    def weight_scales(self, config) -> tuple[float, float, float]:
        """``(input_scale, recurrent_scale, inhibitory_gain)``: this model's keys where > 0 (absolute, as in
        Izhikevich 2003 at any size), else ``[network]``'s (recurrent std normalised by size)."""
        s, net = config.section("network.izhikevich"), config.network
        return (s.input_scale or net.input_scale, s.recurrent_scale or recurrent_std(net),
                s.inhibitory_gain or net.inhibitory_gain)

    def differential(self, lsm, syn_term: str) -> str:
        return (f"dv/dt = (0.04 * v**2 + 5 * v + 140 - u + bias + {syn_term}) / ms : 1\n"
                "du/dt = a * (b * v - u) / ms : 1\n")

    def parameters(self, lsm) -> str:
        return ("a : 1 (constant)\nb : 1 (constant)\nc : 1 (constant)\nd : 1 (constant)\n"
                "bias : 1 (shared, constant)\n")

    def threshold(self, lsm) -> str:
        return f"v >= {V_PEAK!r}"

    def reset(self, lsm) -> str:
        return "v = c\nu += d"

    def rest(self, lsm) -> dict[str, str]:
        return {"v": repr(V_INIT), "u": f"b * {V_INIT!r}"}

    def initialise(self, brian2, group, lsm) -> None:
        p = lsm.params
        group.a, group.b, group.c, group.d = p.a, p.b, p.c, p.d
        group.bias = p.bias
        group.v = V_INIT
        group.u = p.b * V_INIT

    def cpu_kernel(self):
        from neurosim.kernels.izhikevich import CPU_KERNEL
        return CPU_KERNEL

    def gpu_kernel(self):
        from neurosim.kernels.izhikevich import GPU_KERNEL
        return GPU_KERNEL

    def kernel_args(self, lsm) -> tuple:
        """Constants ``[1 − dt/τ_syn, dt/1 ms, 140 + bias, V_INIT]``, ``a, b, c, d`` and the rest
        (:mod:`neurosim.kernels.izhikevich`)."""
        exp_syn, tau_syn, delay, n_sep = self.synapse_args(lsm)
        p = lsm.params
        dt = float(lsm.dt)
        consts = np.array([1.0 - dt / tau_syn if exp_syn else 0.0, dt / 0.001, 140.0 + float(p.bias), V_INIT])
        f64 = [np.ascontiguousarray(x, dtype=np.float64) for x in (p.a, p.b, p.c, p.d)]
        return (exp_syn, consts, *f64, float(V_PEAK), delay, 0, n_sep)


register_model(Izhikevich())
