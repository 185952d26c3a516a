"""``lif``: continuous leaky integrate-and-fire in dimensionless membrane units.

``tau_m dv/dt = v_rest − v + bias + I_syn`` (Brian2 ``exact`` integration, step
``network.lif.dt``); spike when ``v > threshold``, then ``v = v_reset`` held for
``refractory``. Config: ``[network.lif]`` (:class:`LIFConfig`), which is also the
network's per-neuron parameters (``LSM.params``; uniform over neurons).

Fast engines: :mod:`neurosim.kernels.lif` (numba; CUDA ``lif.cu``); :meth:`LIF.kernel_args`
computes their constants exactly as Brian2's compiled code does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from neurosim.config import param
from neurosim.errors import ConfigError
from neurosim.networks.models import register_model
from neurosim.networks.models.continuous import ContinuousConfig, ContinuousModel


@dataclass(frozen=True)
class LIFConfig(ContinuousConfig):
    """[network.lif]: the continuous LIF (``network.model = "lif"``).

    ``dt``, ``synapse``, ``tau_syn``, ``delay``: :class:`ContinuousConfig`; ``tau_m``, ``refractory``
    in s; ``threshold``, ``v_rest``, ``v_reset``, ``bias`` in membrane units.
    """

    threshold: float = param(5.0, "Firing threshold (membrane units)", "", -1e9, 1e9)
    tau_m: float = param(20e-3, "Membrane time constant", "s", 1e-6, 10.0)
    v_rest: float = param(0.0, "Resting potential (membrane units)", "", -1e9, 1e9)
    v_reset: float = param(0.0, "Potential after a spike (membrane units)", "", -1e9, 1e9)
    refractory: float = param(0.0, "Refractory period after a spike (v held at v_reset)", "s", 0.0, 1.0)
    bias: float = param(0.0, "Constant drive R·I (membrane units)", "", -1e6, 1e6)

    def check(self, config) -> None:
        """Cross-key rules, when ``network.model = "lif"``."""
        net = config.network
        if net.model != "lif":
            return
        if not self.v_reset < self.threshold:
            raise ConfigError(f"network.lif.v_reset = {self.v_reset:g} must be below network.lif.threshold "
                              f"= {self.threshold:g}")
        if self.synapse == "exponential" and self.tau_syn == self.tau_m:
            raise ConfigError(f"network.lif.tau_syn must differ from network.lif.tau_m (both {self.tau_m:g} s) "
                              "with exponential synapses: the exact solution divides by tau_m − tau_syn")


def fma(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once (as an FMA instruction), exactly, in plain Python."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


class LIF(ContinuousModel):
    """The continuous LIF (see the module docstring)."""

    name = "lif"
    section = LIFConfig
    description = "continuous leaky integrate-and-fire (Brian2 exact integration)"
    method = "exact"
    kernel = "continuous"

    def differential(self, lsm, syn_term: str) -> str:
        flag = " (unless refractory)" if lsm.params.refractory > 0 else ""
        return f"dv/dt = (v_rest - v + bias + {syn_term}) / tau_m : 1{flag}\n"

    def parameters(self, lsm) -> str:
        return ("v_rest : 1 (shared, constant)\nv_reset : 1 (shared, constant)\n"
                "vth : 1 (shared, constant)\nbias : 1 (shared, constant)\n"
                "tau_m : second (shared, constant)\n")

    def threshold(self, lsm) -> str:
        return "v > vth"

    def reset(self, lsm) -> str:
        return "v = v_reset"

    def rest(self, lsm) -> dict[str, str]:
        return {"v": "v_rest"}

    def refractory(self, lsm) -> float:
        return lsm.params.refractory

    def initialise(self, brian2, group, lsm) -> None:
        p = lsm.params
        group.v_rest, group.v_reset, group.vth = p.v_rest, p.v_reset, p.threshold
        group.bias, group.tau_m = p.bias, p.tau_m * brian2.second
        group.v = p.v_rest

    def cpu_kernel(self):
        from neurosim.kernels.lif import CPU_KERNEL
        return CPU_KERNEL

    def gpu_kernel(self):
        from neurosim.kernels.lif import GPU_KERNEL
        return GPU_KERNEL

    def kernel_args(self, lsm) -> tuple:
        """Constants ``[v_rest, v_reset, c_i, c_v0, c_vi, e_m]`` and the rest of the kernel arguments.

        The coefficients are computed exactly as in Brian2's generated code (same
        expressions, same order, glibc ``exp``), e.g. with an exponential synapse
        ``v' = c_v0 + fma(c_vi, I, e_m * v)``.
        """
        exp_syn, tau_syn, delay, n_sep = self.synapse_args(lsm)
        p = lsm.params
        dt = float(lsm.dt)
        tau_m, bias, v_rest = float(p.tau_m), float(p.bias), float(p.v_rest)
        refr = int((p.refractory + 1e-3 * dt) / dt) if p.refractory > 0 else 0
        e_m = math.exp((-dt) / tau_m)
        l3 = bias + v_rest
        l9 = (-bias) - v_rest
        if exp_syn:
            # as GCC (-ffast-math) folds Brian2's ``_lio_11 = l3 + l9 * exp(-dt/tau_m)`` and
            # ``_lio_12 = l4 * (-exp(dt/tau_syn) + exp(dt/tau_m)) * e_m / (-tau_m + tau_syn)``
            # (read from the compiled state updater: (1 - e_m) * l3; sign-flipped difference and
            # denominator, products left to right)
            c_i = math.exp((-dt) / tau_syn)
            l4 = tau_syn * c_i
            c_vi = (((math.exp(dt / tau_syn) - math.exp(dt / tau_m)) * e_m) * l4) / (tau_m - tau_syn)
            c_v0 = (1.0 - e_m) * l3
        else:
            c_i = c_vi = 0.0
            c_v0 = fma(l9, e_m, l3)
        consts = np.array([v_rest, float(p.v_reset), c_i, c_v0, c_vi, e_m])
        empty = np.zeros(1)
        return (exp_syn, consts, empty, empty, empty, empty, float(p.threshold), delay, refr, n_sep)


register_model(LIF())
