"""Reservoir specs (liquid state machine, Izhikevich network) whose weights live on the chip.

``network.model`` names a registered neuron model (:mod:`neurosim.networks.models`:
the default discrete-time LIF of Lin et al., Nat. Comput. Sci. 2025, a continuous
LIF, the Izhikevich (2003) network, or a plugin); its ``[network.<model>]`` section
and :meth:`~neurosim.networks.models.NeuronModel.params` give the neurons' parameters.
The feature of a sample is each neuron's spike count.

Random draws, all from the chip stream passed to :func:`build_lsm`, in a fixed
order: the programmed chip first (so the default network is exactly the
chip's matrix), then only what the config asks for: input mask, recurrent mask
(or grid positions + distance mask), the model's draws (Izhikevich ``r``), the
read-noise seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.config import Config
from neurosim.crossbar import ProgrammedMatrix, program_random_matrix
from neurosim.crossbar.periphery import DriveAdc, network_drive_adc
from neurosim.devices import build_device
from neurosim.networks.connectivity import (apply_dale, distance_mask, grid_positions, neuron_types,
                                            random_mask)
from neurosim.networks.models import get_model
from neurosim.networks.models.discrete_lif import DiscreteLIF, DiscreteLIFConfig


@dataclass(frozen=True)
class SynapseParams:
    """``kind`` 'delta' (target ``v += w``) or 'exponential' (``I_syn += w``, decay ``tau_syn`` s);
    ``delay`` in s (rounded to whole steps)."""

    kind: str = "delta"
    tau_syn: float = 5e-3
    delay: float = 0.0


@dataclass(frozen=True)
class LSM:
    """A reservoir ready to simulate.

    ``w_in`` (float64, ``(inputs, neurons)``) and ``w_rec`` (``(neurons, neurons)``,
    row = presynaptic neuron) are in membrane units (mV for Izhikevich), zero
    where no synapse exists; ``programmed`` is the chip matrix they were read
    from (inputs stacked above the recurrent rows).

    ``in_mask``/``rec_mask``: bool, same shapes, which synapses exist (``None`` =
    all-to-all). ``excitatory``: bool ``(neurons,)`` neuron types (``None`` when
    no type is used). ``w_in_std``/``w_rec_std``: per-synapse std of the read
    noise drawn on every transmission (same units as the weights; ``None`` =
    noiseless), with ``noise_seed`` seeding Brian2's generator for it.
    ``drive_adc``: the chip's column ADC applied to each step's summed drive
    (:class:`~neurosim.crossbar.periphery.DriveAdc`; None = ideal ADC), whatever the model: what is
    quantized is the synaptic input of each step, per array segment (the discrete LIF's membrane
    increment; a continuous model's weight added to ``v``, or to ``I_syn`` with an exponential synapse).
    ``dt`` (s) is the step of the continuous models, one input bin.

    ``model`` names the registered neuron model (:func:`neurosim.networks.models.get_model`)
    and ``params`` holds its parameters, as its :meth:`~neurosim.networks.models.NeuronModel.params`
    built them (e.g. :class:`DiscreteLIFConfig` ``decay``/``threshold``, the Izhikevich
    per-neuron ``a, b, c, d``).
    """

    w_in: np.ndarray
    w_rec: np.ndarray
    programmed: ProgrammedMatrix
    model: str = DiscreteLIF.name
    params: Any = DiscreteLIFConfig()
    in_mask: np.ndarray | None = None
    rec_mask: np.ndarray | None = None
    excitatory: np.ndarray | None = None
    synapse: SynapseParams = SynapseParams()
    dt: float = 1e-3
    w_in_std: np.ndarray | None = None
    w_rec_std: np.ndarray | None = None
    noise_seed: int | None = None
    drive_adc: DriveAdc | None = None

    @property
    def inputs(self) -> int:
        return self.w_in.shape[0]

    @property
    def neurons(self) -> int:
        return self.w_in.shape[1]


def build_lsm(config: Config, n_inputs: int, rng: np.random.Generator) -> LSM:
    """Program the reservoir's input and recurrent weights into the configured chip and build its spec.

    On a chip whose ADC quantizes (``crossbar.adc_mode = 'quantize'``) ``drive_adc`` is the
    column ADC every engine applies to the synaptic drive of each step (an engine that cannot
    refuses the network with one line).
    """
    net = config.network
    n = net.neurons
    programmed = program_random_matrix(config, (n_inputs + n, n), rng)
    unit = programmed.weights
    model = get_model(net.model)
    input_scale, recurrent_scale, inhibitory_gain = model.weight_scales(config)
    w_in = input_scale * unit[:n_inputs]
    w_rec = recurrent_scale * unit[n_inputs:]
    in_scale = np.full((n_inputs, 1), input_scale)
    rec_scale = np.full((n, 1), recurrent_scale)
    dale = net.dale or model.dale
    uses_types = dale or net.connectivity == "distance"
    excitatory = neuron_types(n, net.excitatory_fraction) if uses_types else None
    if dale:
        w_rec = apply_dale(w_rec, excitatory, inhibitory_gain)
        rec_scale = rec_scale * np.where(excitatory, 1.0, inhibitory_gain)[:, None]
    in_mask = random_mask((n_inputs, n), net.input_p, rng)
    if net.connectivity == "random":
        rec_mask = random_mask((n, n), net.recurrent_p, rng)
    else:
        positions = grid_positions(n, net.grid_x, net.grid_y, rng)
        rec_mask = distance_mask(positions, excitatory, net.distance_lambda,
                                 {"ee": net.c_ee, "ei": net.c_ei, "ie": net.c_ie, "ii": net.c_ii}, rng)
    if in_mask is not None:
        w_in = np.where(in_mask, w_in, 0.0)
    if rec_mask is not None:
        w_rec = np.where(rec_mask, w_rec, 0.0)
    params = model.params(config, excitatory, rng)
    w_in_std = w_rec_std = None
    noise_seed = None
    if net.read_noise_per_step:
        std = _read_noise_std(config, programmed)
        w_in_std = in_scale * std[:n_inputs]
        w_rec_std = rec_scale * std[n_inputs:]
        if in_mask is not None:
            w_in_std = np.where(in_mask, w_in_std, 0.0)
        if rec_mask is not None:
            w_rec_std = np.where(rec_mask, w_rec_std, 0.0)
        noise_seed = int(rng.integers(2**32 - 1))
    dt, synapse, tau_syn, delay = model.timing(config)
    drive_adc = network_drive_adc(config, programmed, n_inputs, input_scale, recurrent_scale)
    return LSM(w_in=w_in, w_rec=w_rec, programmed=programmed, model=net.model, params=params,
               in_mask=in_mask, rec_mask=rec_mask, excitatory=excitatory,
               synapse=SynapseParams(synapse, tau_syn, delay), dt=dt,
               w_in_std=w_in_std, w_rec_std=w_rec_std, noise_seed=noise_seed, drive_adc=drive_adc)


def _read_noise_std(config: Config, programmed: ProgrammedMatrix) -> np.ndarray:
    """Std of one read of each unit weight (``(rows, cols)``), from the device's relative read noise.

    Every conductance read is ``G (1 + σ N(0, 1))``, so a differential weight
    ``gain (G+ − G−)`` reads with std ``σ gain √(G+² + G−²)`` and an offset one
    ``gain (G − g_ref)`` with ``σ gain G``. An ideal chip has no conductances:
    its weights read as ``w (1 + σ N(0, 1))`` with ``σ = device.read_noise_std``.
    """
    if programmed.g_pos is None:
        return config.device.read_noise_std * np.abs(programmed.weights)
    sigma = build_device(config.device, with_forming=False).read_noise_std()
    g2 = programmed.g_pos ** 2 if programmed.g_neg is None else programmed.g_pos ** 2 + programmed.g_neg ** 2
    return sigma * programmed.gain * np.sqrt(g2)
