"""The experiment sections of a config: the network, its input, the readout and the run.

``[network]``, ``[input]``, ``[readout]`` and ``[run]``; each a frozen dataclass of
:func:`~neurosim.config.fields.param` fields in SI units, and, where keys constrain each
other, a ``check()`` that :func:`neurosim.config.validate` calls after the per-key ranges.
A neuron model's own keys are its registered subsection ``[network.<model>]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.config.fields import param
from neurosim.config.registry import registered_paths
from neurosim.errors import ConfigError

__all__ = ["InputConfig", "NetworkConfig", "ReadoutConfig", "RunConfig", "network_models"]


def network_models() -> tuple[str, ...]:
    """``network.model``'s choices: the registered neuron models, i.e. the ``[network.<name>]``
    sections (a neuron model of :mod:`neurosim.networks.models` registers its section there)."""
    return tuple(p.partition(".")[2] for p in registered_paths() if p.startswith("network."))


@dataclass(frozen=True)
class NetworkConfig:
    """[network]: the reservoir (liquid state machine or Izhikevich network) on the chip.

    ``model`` picks the neuron flavour, a registered neuron model whose own keys live in
    ``[network.<model>]`` (e.g. ``[network.lif]``; the equations are in each model's
    module under :mod:`neurosim.networks.models`); one input bin is one time step.

    W_in and W_rec are the chip's programmed random weights (unit variance) times the scales.
    With Dale's law a neuron's outgoing weights are ``|w|`` with the sign of its type
    (inhibitory ones times ``inhibitory_gain``); input weights keep their chip sign.
    ``read_noise_per_step`` reads the device again on every transmission (each
    conductance ``G (1 + σ N(0, 1))``, σ = ``device.read_noise_std`` at the operating
    temperature): reproducible for the same seed, independent of batch chunking, but not
    the same spikes as the noiseless run.
    Connectivity ``random``: each synapse exists with probability ``input_p`` / ``recurrent_p``
    (1 = all-to-all, the default); ``distance`` (Maass et al. 2002): neurons sit on a 3-D grid
    ``grid_x × grid_y × ⌈neurons/(grid_x·grid_y)⌉`` of unit spacing, and a recurrent synapse
    i → j (i ≠ j) exists with probability ``C·exp(−(D(i, j)/distance_lambda)²)``, C by the types
    of i and j (``c_ee`` … ``c_ii``, Maass' 0.3, 0.2, 0.4, 0.1); inputs stay random (``input_p``).
    """

    neurons: int = param(200, "Reservoir neurons", "", 1, 100000)
    model: str = param("discrete-lif",  # registry-name: the default model
                       "Neuron model (a registered one; its own keys are in [network.<model>])",
                       choices=network_models)
    input_scale: float = param(1.0, "Std of the input weights (membrane units; mV for izhikevich)",
                               "", 0.0, 1e6)
    recurrent_scale: float = param(0.5, "Std of the recurrent weights (membrane units; mV for izhikevich)",
                                   "", 0.0, 1e6)
    recurrent_norm: str = param("sqrt", "How the recurrent weights scale with network size, so that a "
                                "neuron's recurrent drive keeps its size as neurons change: 'sqrt' = std "
                                "recurrent_scale·√(200/neurons) (the paper's N = 200 unchanged); 'none' = std "
                                "recurrent_scale at any size", choices=("sqrt", "none"))
    excitatory_fraction: float = param(0.8, "Fraction of excitatory neurons (the first ones); the rest "
                                       "are inhibitory", "", 0.0, 1.0)
    dale: bool = param(False, "Dale's law: a neuron's outgoing weights are abs(w) signed by its type "
                       "(always on for izhikevich)", choices=(False, True))
    inhibitory_gain: float = param(1.0, "With Dale's law: factor on the abs(w) of inhibitory neurons' "
                                   "outgoing weights", "", 0.0, 1e6)
    connectivity: str = param("random", "Recurrent connectivity: 'random' (probability recurrent_p) or "
                              "'distance' (3-D grid, Maass et al. 2002)", choices=("random", "distance"))
    input_p: float = param(1.0, "Probability that an input–neuron synapse exists (1 = all-to-all)",
                           "", 0.0, 1.0)
    recurrent_p: float = param(1.0, "connectivity = 'random': probability that a neuron–neuron synapse "
                               "exists (1 = all-to-all, self-connections included)", "", 0.0, 1.0)
    grid_x: int = param(3, "connectivity = 'distance': grid width (neurons per row)", "", 1, 100000)
    grid_y: int = param(3, "connectivity = 'distance': grid depth; layers are added until all neurons "
                        "fit", "", 1, 100000)
    distance_lambda: float = param(2.0, "connectivity = 'distance': length constant λ of "
                                   "p = C·exp(−(D/λ)²)", "grid units", 1e-9, 1e6)
    c_ee: float = param(0.3, "connectivity = 'distance': C for excitatory → excitatory", "", 0.0, 1.0)
    c_ei: float = param(0.2, "connectivity = 'distance': C for excitatory → inhibitory", "", 0.0, 1.0)
    c_ie: float = param(0.4, "connectivity = 'distance': C for inhibitory → excitatory", "", 0.0, 1.0)
    c_ii: float = param(0.1, "connectivity = 'distance': C for inhibitory → inhibitory", "", 0.0, 1.0)
    read_noise_per_step: bool = param(False, "A fresh device read on every synaptic transmission: w + "
                                      "s·N(0, 1), s = device.read_noise_std · gain · √(G+² + G−²) "
                                      "(ideal chip: read_noise_std · abs(w)); Brian2's generator, "
                                      "seeded from run.seed", choices=(False, True))

    def check(self) -> None:
        """Cross-key rules of ``[network]`` (a model's own rules are its section's ``check``)."""
        if self.connectivity == "distance" and self.recurrent_p != 1.0:
            raise ConfigError("network.recurrent_p applies to connectivity = 'random'; with 'distance' the "
                              "probabilities are network.c_ee … c_ii and network.distance_lambda")


@dataclass(frozen=True)
class InputConfig:
    """[input]: how events become the reservoir's input spikes."""

    polarity: int = param(0, "Polarity kept (0 or 1); -1 keeps both as separate channels", "", -1, 1)
    crop: int = param(16, "Centre crop size in pixels; 0 keeps the whole sensor", "px", 0, 4096)
    n_bins: int = param(50, "Time steps per sample (each sample's span is split evenly)", "", 1, 100000)


@dataclass(frozen=True)
class ReadoutConfig:
    """[readout]: the features the readout sees and the trained linear readout (how a task evaluates it
    beyond its split, e.g. k-fold cross-validation, is that task's own section)."""

    feature: str = param("counts", "Reservoir feature per neuron and time window: 'counts' = spikes in the "
                         "window; 'trace' = a spike trace low-pass filtered with trace_decay per bin, read at "
                         "the end of each window", choices=("counts", "trace"))
    windows: int = param(5, "Time windows per sample (the bins split evenly); features = windows × neurons. "
                         "1 = spike counts over the whole sample (the paper's readout)", "", 1, 10000)
    trace_decay: float = param(0.9, "feature = 'trace': factor applied to the trace every bin "
                               "(time constant -1/ln(decay) bins)", "", 0.0, 1.0)
    model: str = param("ridge", "Readout: 'ridge' = ridge classifier (one-vs-all least squares; its penalty "
                       "chosen by efficient leave-one-out CV on the training samples); 'logistic' = "
                       "multinomial logistic regression (C chosen by 3-fold CV on the training samples; "
                       "minutes on thousands of features)", choices=("ridge", "logistic"))
    tune: bool = param(True, "Choose the regularisation by cross-validation inside the training samples "
                       "(ridge: alpha in 10^-1 … 10^5; logistic: C in 10^-4 … 10^1); false = the fixed "
                       "alpha / C below")
    alpha: float = param(100.0, "model = 'ridge', tune = false: L2 penalty (on standardised features)", "",
                         1e-9, 1e12)
    C: float = param(1.0, "model = 'logistic', tune = false: inverse L2 regularisation", "", 1e-9, 1e9)
    max_iter: int = param(2000, "model = 'logistic': solver iterations at most", "", 1, 1000000)


@dataclass(frozen=True)
class RunConfig:
    """[run]: the experiment itself."""

    dataset: str = param("dvs-digits", "Dataset name (see `neurosim datasets`). A dataset may recommend "
                         "settings (nmnist: network.neurons = 2000); they replace the defaults, and a "
                         "--config file or --set wins over them")
    samples: int = param(1000, "Samples used in all (train + test); 0 = the whole dataset", "", 0, 10**8)
    test_fraction: float = param(0.2, "Held-out fraction when the dataset has no official split",
                                 "", 0.01, 0.99)
    seed: int = param(0, "Seed of every random stream (chip, data, readout; see neurosim.seeds)", "",
                      0, 2**63 - 1)
    instance: int = param(0, "Which manufactured chip instance of the design to build (stream "
                          "('chip', instance) of the seed): the same chip as instance k of a sweep or "
                          "of program_instances", "", 0, 2**31 - 1)
    chunk_samples: int = param(256, "Samples streamed through the reservoir at a time: memory holds one "
                               "chunk's events and spikes (results do not depend on it, except the read-noise "
                               "draws of the brian2 engine)", "", 1, 10**6)
    skip_corrupt: bool = param(False, "Leave out corrupt samples (truncated, outside the sensor, "
                               "decreasing timestamps, empty, all events at one timestamp) and count them in the "
                               "report, instead of stopping at the first", choices=(False, True))
