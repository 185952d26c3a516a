"""Liquid state machine: a discrete-time LIF reservoir whose weights live on the chip.

The model of Lin et al. (Nat. Comput. Sci. 2025), per time step t:
``mem_t = decay * mem_{t-1} * (1 - s_{t-1}) + W_in x_t + W_rec s_{t-1}`` and
``s_t = mem_t > threshold``; the feature of a sample is each neuron's spike count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import Config
from neurosim.crossbar import ProgrammedMatrix, program_random_matrix


@dataclass(frozen=True)
class LSM:
    """A reservoir ready to simulate.

    ``w_in`` (float64, ``(inputs, neurons)``) and ``w_rec`` (``(neurons, neurons)``,
    row = presynaptic neuron) are in membrane units; ``programmed`` is the chip
    matrix they were read from (inputs stacked above the recurrent rows).
    """

    w_in: np.ndarray
    w_rec: np.ndarray
    decay: float
    threshold: float
    programmed: ProgrammedMatrix

    @property
    def inputs(self) -> int:
        return self.w_in.shape[0]

    @property
    def neurons(self) -> int:
        return self.w_in.shape[1]


def build_lsm(config: Config, n_inputs: int, rng: np.random.Generator) -> LSM:
    """Program the reservoir's input and recurrent weights into the configured chip."""
    net = config.network
    programmed = program_random_matrix(config, (n_inputs + net.neurons, net.neurons), rng)
    unit = programmed.weights
    return LSM(w_in=net.input_scale * unit[:n_inputs], w_rec=net.recurrent_scale * unit[n_inputs:],
               decay=net.decay, threshold=net.threshold, programmed=programmed)
