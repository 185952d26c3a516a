"""Configuration: a tree of frozen dataclasses loaded from TOML.

A run is described by one :class:`Config` with one section per concern. A chip
preset (``hardware_models/*.toml``) fills the chip sections (``chip``, ``device``,
``crossbar``, ``energy``, ``baseline``); the settings the run's dataset recommends, an
optional experiment file and ``--set section.key=value`` overrides fill the rest. Units are SI throughout
(S, V, s, J, W); every field documents its unit and its allowed range in its
metadata, which :func:`validate` enforces and the README's config reference lists.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from neurosim.errors import ConfigError

CHIP_SECTIONS = ("chip", "device", "crossbar", "energy", "baseline")


def param(default: Any, doc: str, unit: str = "", lo: float | None = None,
          hi: float | None = None, choices: tuple | Callable[[], tuple] | None = None) -> Any:
    """A config field with its documentation, unit and allowed range (inclusive).

    ``choices``: the allowed values, or a function returning them (for a registry, e.g. the
    neuron models, read when the config is validated or documented).
    """
    return field(default=default,
                 metadata={"doc": doc, "unit": unit, "lo": lo, "hi": hi, "choices": choices})


def field_choices(f: dataclasses.Field) -> tuple | None:
    """The allowed values of config field ``f`` (calling its ``choices`` function if it has one)."""
    choices = f.metadata.get("choices")
    return choices() if callable(choices) else choices


@dataclass(frozen=True)
class ChipInfo:
    """[chip]: what the chip is, for reports and for people."""

    name: str = param("custom", "Short name used in reports and in the default output folder: letters, "
                      "digits and - _ . + (no path separators), 1 to 64 characters")
    description: str = param("", "One line describing the chip")
    technology_nm: int = param(40, "CMOS technology node", "nm", 1, 1000)
    cell: str = param("1T1R", "Memory cell type", choices=("1T1R", "2T2R", "8T4R", "ideal", "SRAM"))
    source: str = param("", "Where the chip's numbers come from (paper, datasheet)")


RESISTIVE_KINDS = ("rram", "pcm")


@dataclass(frozen=True)
class DeviceConfig:
    """[device]: the memory device that stores one weight polarity.

    ``kind = "rram"`` or ``"pcm"``: a resistive device built from named components
    (``neurosim.devices``), each off unless its keys say otherwise: forming
    (Normal(forming_mean, forming_std) clipped to [g_min, g_max], or a measured
    distribution from ``conductance_file``), write-verify programming onto
    ``levels``, read noise, power-law drift, stuck-at faults and temperature.
    Variability follows aihwkit's naming: ``x`` a mean, ``x_dtod`` its
    device-to-device spread, ``x_std`` its cycle-to-cycle (per read) spread.
    ``kind = "ideal"``: weights are exact float Gaussians, no device at all.
    """

    kind: str = param("rram", "Device model", choices=("rram", "pcm", "ideal"))
    g_min: float = param(1e-6, "Lowest conductance the device can hold", "S", 0.0, 1e-2)
    g_max: float = param(100e-6, "Highest conductance the device can hold", "S", 0.0, 1e-2)
    weight_source: str = param("forming", "Where the random reservoir weights come from: 'forming' = the "
                               "formed conductances themselves (Lin et al. 2025); 'program' = Gaussian "
                               "target weights written by write-verify", choices=("forming", "program"))
    forming_mean: float = param(40e-6, "Mean conductance after electroforming", "S", 0.0, 1e-2)
    forming_std: float = param(15e-6, "Device-to-device spread after electroforming", "S", 0.0, 1e-2)
    conductance_file: str = param("", "Measured formed conductances (S: finite, >= 0) as .csv (one "
                                  "column, or the first column) or .npy (real numbers, 1-D, or 2-D: the "
                                  "first column); replaces Normal(forming_mean, forming_std). A relative "
                                  "path is read from the current folder; hashes cover its contents")
    conductance_sampling: str = param("inverse_cdf", "How conductance_file is sampled: 'inverse_cdf' "
                                      "(interpolated empirical quantiles) or 'bootstrap' (resampling)",
                                      choices=("inverse_cdf", "bootstrap"))
    levels: int = param(0, "Programmable conductance levels in [g_min, g_max]; 0 = continuous (analog)",
                        "", 0, 65536)
    program_std: float = param(0.0, "Conductance error of one programming pulse around its target",
                               "S", 0.0, 1e-2)
    verify_tolerance: float = param(0.0, "Write-verify accepts |G - target| <= this; 0 = one pulse, "
                                    "no verify", "S", 0.0, 1e-2)
    max_program_pulses: int = param(20, "Write-verify gives up after this many pulses", "", 1, 10000)
    read_noise_std: float = param(0.0, "Relative conductance noise drawn on every read (cycle-to-cycle)",
                                  "", 0.0, 1.0)
    drift_nu: float = param(0.0, "Mean drift exponent: G(t) = G0 (t/t0)^-nu", "", 0.0, 1.0)
    drift_nu_dtod: float = param(0.0, "Device-to-device spread of the drift exponent", "", 0.0, 1.0)
    drift_t0: float = param(1.0, "Drift reference time t0 (first read after programming)", "s",
                            1e-9, 1e9)
    drift_time: float = param(0.0, "Time since programming at which the chip is read; 0 = at drift_t0 "
                              "(no drift yet)", "s", 0.0, 1e10)
    drift_t_max: float = param(1e9, "Longest time the drift law was fitted on; later reads are refused",
                               "s", 1e-9, 1e10)
    stuck_at_gmin: float = param(0.0, "Fraction of devices stuck at g_min", "", 0.0, 1.0)
    stuck_at_gmax: float = param(0.0, "Fraction of devices stuck at g_max", "", 0.0, 1.0)
    temperature: float = param(300.0, "Operating temperature", "K", 1.0, 1000.0)
    temperature_ref: float = param(300.0, "Temperature at which the conductances above were measured",
                                   "K", 1.0, 1000.0)
    temperature_min: float = param(273.0, "Lowest temperature the temperature model was fitted on",
                                   "K", 1.0, 1000.0)
    temperature_max: float = param(358.0, "Highest temperature the temperature model was fitted on",
                                   "K", 1.0, 1000.0)
    temp_coeff_g: float = param(0.0, "Relative conductance change per kelvin: "
                                "G(T) = G (1 + temp_coeff_g (T - temperature_ref))", "1/K", -0.1, 0.1)
    temp_coeff_read_noise: float = param(0.0, "Relative read-noise change per kelvin: "
                                         "std(T) = read_noise_std (1 + c (T - temperature_ref))",
                                         "1/K", -0.1, 0.1)
    source: str = param("", "Where these numbers come from")


@dataclass(frozen=True)
class CrossbarConfig:
    """[crossbar]: one in-memory-computing macro (array plus periphery) and its layout.

    A weight matrix larger than one array is tiled over several arrays whose
    column partial sums are added digitally. ``differential`` stores
    ``w ∝ G+ − G−`` on a column pair; ``offset`` stores ``w ∝ G − g_ref`` on one
    column, the periphery subtracting ``g_ref · Σx`` digitally.
    """

    rows: int = param(512, "Word lines per array (inputs)", "", 1, 65536)
    cols: int = param(512, "Bit lines per array (outputs; a differential weight uses two)", "", 2, 65536)
    mapping: str = param("differential", "Weight mapping: 'differential' (w ∝ G+ − G− on a column pair) "
                         "or 'offset' (w ∝ G − g_ref on one column)", choices=("differential", "offset"))
    weight_clip: float = param(3.0, "weight_source = 'program': random weights are clipped to ± this many "
                               "standard deviations; the largest |w| maps onto the conductance window",
                               "", 0.1, 100.0)
    read_voltage: float = param(0.2, "Read pulse amplitude on an active word line", "V", 0.0, 5.0)
    read_pulse: float = param(10e-9, "Read pulse width", "s", 0.0, 1e-3)
    input_bits: int = param(1, "Input code width: 1 = binary spikes (one pulse per active row); n > 1 = "
                            "unsigned n-bit inputs applied bit-serially (one read per bit plane); 0 = ideal "
                            "analog driver (exact values, pulse width ∝ |x|)", "bit", 0, 16)
    adc_bits: int = param(8, "Column ADC resolution (1 bit = a sense amplifier)", "bit", 1, 16)
    adc_mode: str = param("quantize", "'quantize' rounds each column output to adc_bits over its range; "
                          "'ideal' passes the analog value (conversions are still counted)",
                          choices=("quantize", "ideal"))
    adc_range: float = param(1.0, "ADC full scale as a fraction of the largest possible column output "
                             "of one array (all rows on at g_max − g_min)", "", 1e-6, 1.0)
    offset_reference: str = param("column", "mapping = 'offset': 'column' subtracts a reference column's "
                                  "current (g_ref per active row) before the ADC, which converts a signed "
                                  "value (sign-magnitude, range as differential); 'digital' converts the raw "
                                  "column current unsigned on [0, adc_range · rows · g_max] and subtracts "
                                  "g_ref · Σx digitally", choices=("column", "digital"))
    max_active_rows: int = param(0, "Most word lines the macro is specified to drive at once (its published "
                                 "operating envelope); a run that drives more is reported outside the envelope. "
                                 "0 = not specified", "", 0, 65536)
    columns_per_adc: int = param(8, "Bit lines multiplexed onto one ADC", "", 1, 65536)
    wire_resistance: float = param(0.0, "Word/bit-line resistance per cell segment for the first-order "
                                   "IR-drop model; 0 = no IR drop", "Ω", 0.0, 1e4)
    cell_area: float = param(0.0, "Area of one memory cell", "m²", 0.0, 1e-8)
    adc_area: float = param(0.0, "Area of one ADC (or sense amplifier)", "m²", 0.0, 1e-6)
    row_driver_area: float = param(0.0, "Area of one word-line driver", "m²", 0.0, 1e-6)
    array_periphery_area: float = param(0.0, "Fixed area per array (control, bias, timing)", "m²",
                                        0.0, 1e-3)
    neuron_area: float = param(0.0, "Area of one digital output neuron (LIF update + accumulator)", "m²",
                               0.0, 1e-6)
    source: str = param("", "Where these numbers come from")


@dataclass(frozen=True)
class EnergyConfig:
    """[energy]: per-operation energies and times of the chip's periphery."""

    row_driver: float = param(50e-15, "Word-line driver energy per row activation", "J", 0.0, 1e-6)
    dac_pulse: float = param(0.0, "Input driver energy per input pulse (one active input, one bit plane)",
                             "J", 0.0, 1e-6)
    adc_conversion: float = param(1e-12, "Energy per ADC conversion at adc_ref_bits; at crossbar.adc_bits it "
                                  "scales as 2^(adc_bits − adc_ref_bits) (Walden figure of merit held constant)",
                                  "J", 0.0, 1e-6)
    adc_ref_bits: int = param(8, "Resolution at which adc_conversion and adc_time are quoted", "bit", 1, 16)
    adc_time: float = param(10e-9, "Time per ADC conversion at adc_ref_bits; scales as adc_bits / adc_ref_bits "
                            "(successive approximation: one cycle per bit)", "s", 0.0, 1e-3)
    tia: float = param(0.0, "TIA/integrator energy per conversion for a full scale of the whole array "
                       "(crossbar.adc_range = 1); charged × adc_range (its bias scales with the full-scale "
                       "current)", "J", 0.0, 1e-6)
    sample_hold: float = param(0.0, "Sample-and-hold energy per conversion", "J", 0.0, 1e-6)
    column_mux: float = param(0.0, "Column multiplexer switching energy per conversion", "J", 0.0, 1e-6)
    bitline: float = param(0.0, "Bit-line charging C·V² per bit line per array read", "J", 0.0, 1e-6)
    control: float = param(0.0, "Control, timing and clock-tree energy per array read", "J", 0.0, 1e-6)
    neuron_state: float = param(0.0, "Reading and writing one neuron's state (membrane word) per update",
                                "J", 0.0, 1e-6)
    synapse_op: float = param(0.0, "One digital synaptic operation (weight fetch + add); used when "
                              "device.kind = 'ideal', where no conductance is read", "J", 0.0, 1e-6)
    partial_sum_add: float = param(30e-15, "Digital add merging partial sums (across arrays, bit planes, "
                                   "offset correction)", "J", 0.0, 1e-6)
    buffer_access: float = param(0.0, "One event-buffer (SRAM) access; every spike event is written and "
                                 "read once", "J", 0.0, 1e-6)
    neuron_update: float = param(1.5e-12, "Digital LIF update of one neuron for one time step", "J",
                                 0.0, 1e-6)
    readout_mac: float = param(1.5e-12, "One multiply-accumulate of the digital readout", "J", 0.0, 1e-6)
    clock_hz: float = param(100e6, "Digital clock (neuron updates, one cycle each per step)", "Hz",
                            1.0, 1e11)
    static_power: float = param(0.0, "Leakage, bias and reference power while the chip is on", "W", 0.0, 100.0)
    power_gating: bool = param(False, "true: the chip is on only while it computes a step and in standby "
                               "(standby_power) for the rest of the sample; false: on for the whole sample")
    standby_power: float = param(0.0, "Power while power-gated between steps (state retention)", "W",
                                 0.0, 100.0)
    weight_leakage: float = param(0.0, "Retention leakage per stored weight of a volatile (SRAM) weight "
                                  "memory, charged over the whole sample (it cannot be power-gated); 0 for "
                                  "non-volatile weights", "W", 0.0, 1e-6)
    forming_pulse: float = param(0.0, "Electroforming energy per device (once, when the chip is "
                                 "programmed)", "J", 0.0, 1e-3)
    program_pulse: float = param(0.0, "Energy of one write-verify pulse including its verify read", "J",
                                 0.0, 1e-3)
    source: str = param("", "Where these numbers come from")


@dataclass(frozen=True)
class BaselineConfig:
    """[baseline]: the naive digital baseline of a chip preset (listed as ``naive-dense-fp32``).

    It runs the same network densely: every weight is fetched from memory and
    multiplied on every time step. It is not fair to an event-driven chip; the
    headline compares with the strongest fair baseline of ``hardware_models/baselines/``
    (:mod:`neurosim.energy.baselines`).
    """

    name: str = param("digital fp32 (45 nm)", "Name shown in reports")
    mac: float = param(4.6e-12, "One multiply-accumulate", "J", 0.0, 1e-6)
    weight_fetch: float = param(10e-12, "Fetching one weight from on-chip memory", "J", 0.0, 1e-6)
    neuron_update: float = param(4.6e-12, "Updating one neuron for one time step", "J", 0.0, 1e-6)
    source: str = param("", "Where these numbers come from")


def network_models() -> tuple[str, ...]:
    """``network.model``'s choices: the registered neuron models, i.e. the ``[network.<name>]``
    sections (a neuron model of :mod:`neurosim.networks.models` registers its section there)."""
    return tuple(p.partition(".")[2] for p in all_section_paths() if p.startswith("network."))


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
    model: str = param("discrete-lif", "Neuron model (a registered one; its own keys are in "
                       "[network.<model>])", choices=network_models)
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


@dataclass(frozen=True)
class InputConfig:
    """[input]: how events become the reservoir's input spikes."""

    polarity: int = param(0, "Polarity kept (0 or 1); -1 keeps both as separate channels", "", -1, 1)
    crop: int = param(16, "Centre crop size in pixels; 0 keeps the whole sensor", "px", 0, 4096)
    n_bins: int = param(50, "Time steps per sample (each sample's span is split evenly)", "", 1, 100000)


@dataclass(frozen=True)
class ReadoutConfig:
    """[readout]: the features the readout sees, the trained linear readout, and how it is evaluated."""

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
    folds: int = param(5, "Stratified k-fold cross-validation over all samples for the reported accuracy "
                       "and its interval (besides the single train/test split); 0 = off", "", 0, 100)
    baselines: bool = param(True, "Also classify without the reservoir, with the same folds and readout: "
                            "per-pixel event counts, the flattened input raster and input spikes in the "
                            "same time windows")
    learning_curve: bool = param(True, "Accuracy against training-set size (1/8, 1/4, 1/2, all of each "
                                 "training fold), for the reservoir and the strongest baseline")


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
                               "decreasing timestamps, empty, all events at one timestamp) and count them in the report, "
                               "instead of stopping at the first", choices=(False, True))


@dataclass(frozen=True)
class Config:
    """The whole run: chip sections, experiment sections, and the registered sections.

    The core sections are attributes (``config.network``); a section that a task
    or a neuron model registers (:func:`register_section`, e.g. ``[reservoir]``
    or ``[network.lif]``) is read with :meth:`section` and holds its defaults
    until a TOML file or ``--set`` changes it.
    """

    chip: ChipInfo = field(default_factory=ChipInfo)
    device: DeviceConfig = field(default_factory=DeviceConfig)
    crossbar: CrossbarConfig = field(default_factory=CrossbarConfig)
    energy: EnergyConfig = field(default_factory=EnergyConfig)
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    input: InputConfig = field(default_factory=InputConfig)
    readout: ReadoutConfig = field(default_factory=ReadoutConfig)
    run: RunConfig = field(default_factory=RunConfig)
    registered: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    def set(self, values: dict[str, Any] | None = None, /, **keys: Any) -> "Config":
        """A copy with dotted keys changed, validated like a TOML file or ``--set``.

        ``config.set({"network.neurons": 500, "network.lif.tau_m": 0.02})`` or, for keys that are
        Python names within one level, ``config.set(**{"run.seed": 3})``. Unknown keys and
        out-of-range values raise :class:`ConfigError` naming the key; ``self`` is unchanged.
        """
        merged = {**(values or {}), **keys}
        nested: dict[str, Any] = {}
        for key, value in merged.items():
            *path, name = key.split(".")
            if not path:
                raise ConfigError(f"Config.set: {key!r} is not section.key (e.g. 'network.neurons')")
            node = nested
            for part in path:
                node = node.setdefault(part, {})
            node[name] = value
        return validate(apply_mapping(self, nested, "Config.set"))

    def section(self, path: str) -> Any:
        """The values of section ``path`` (``"network"``, ``"reservoir"``, ``"network.lif"``)."""
        if path in SECTIONS:
            return getattr(self, path)
        for name, values in self.registered:
            if name == path:
                return values
        return registered_section_type(path)()


SECTIONS: tuple[str, ...] = tuple(f.name for f in fields(Config) if f.name != "registered")

#: Sections added by tasks and neuron models: dotted path → frozen dataclass of :func:`param` fields.
_REGISTERED: dict[str, type] = {}


def register_section(path: str, values_type: type) -> None:
    r"""Add a config section that a task (``"reservoir"`` → ``[reservoir]``) or a neuron model
    (``"network.lif"`` → ``[network.lif]``) owns.

    ``values_type`` is a frozen dataclass whose fields are :func:`param`\ s (documented,
    unit, range); it may define ``check(self, config)`` for cross-key rules, called by
    :func:`validate`. Its keys are then loaded from TOML and ``--set``, validated,
    hashed, exported and listed in the config reference like the core sections.
    Registering the same path again with the same type is a no-op.
    """
    if not dataclasses.is_dataclass(values_type) or not values_type.__dataclass_params__.frozen:
        raise TypeError(f"section {path!r}: {values_type!r} must be a frozen dataclass")
    parent, _, name = path.rpartition(".")
    if not name or path in SECTIONS or (parent and parent not in SECTIONS):
        raise ValueError(f"section path {path!r}: a new top-level name, or '<core section>.<name>' "
                         f"(core sections: {', '.join(SECTIONS)})")
    if parent and name in {f.name for f in fields(getattr(Config(), parent))}:
        raise ValueError(f"section path {path!r} clashes with the key {path}")
    for f in fields(values_type):
        if "doc" not in f.metadata:
            raise TypeError(f"section {path!r}: field {f.name} needs param(...) documentation")
    known = _REGISTERED.get(path)
    if known is not None and known is not values_type:
        raise ValueError(f"config section {path!r} is already registered by {known.__qualname__}")
    _REGISTERED[path] = values_type


def unregister_section(path: str) -> None:
    """Remove a registered section (for tests and plugins that undo their registration)."""
    _REGISTERED.pop(path, None)


def registered_section_type(path: str) -> type:
    """The dataclass of registered section ``path``; :class:`ConfigError` naming the known ones if none."""
    _discover_sections()
    if path not in _REGISTERED:
        raise ConfigError(f"unknown config section [{path}]; known: {', '.join(all_section_paths())}")
    return _REGISTERED[path]


def all_section_paths() -> list[str]:
    """Every section path: the core ones in order, then the registered ones sorted."""
    _discover_sections()
    return [*SECTIONS, *sorted(_REGISTERED)]


_discovered = False


def _discover_sections() -> None:
    """Import the packages whose modules register sections (tasks, neuron models), once.

    Imported by name, as plugins: neither package is needed to define the config,
    but a config file may use their sections before anything else imported them.
    """
    global _discovered
    if not _discovered:
        _discovered = True
        import importlib
        for package in SECTION_PROVIDERS:
            importlib.import_module(package)


#: Packages imported on first use of the registry so that their sections exist.
SECTION_PROVIDERS = ("neurosim.tasks", "neurosim.networks")


# --------------------------------------------------------------------------- loading

def _coerce(section: str, key: str, value: Any, ftype: str, where: str) -> Any:
    """Check one TOML value against a field's type; ints are accepted for floats."""
    name = f"{section}.{key}"
    if ftype == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {name} must be a number, got {value!r}")
        return float(value)
    if ftype == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"{where}: {name} must be a whole number, got {value!r}")
        return value
    if ftype == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {name} must be true or false, got {value!r}")
        return value
    if ftype == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name} must be a string, got {value!r}")
        return value
    raise AssertionError(f"unsupported field type {ftype}")  # a bug in this module, not user input


def apply_mapping(config: Config, data: dict[str, Any], where: str) -> Config:
    """Return ``config`` with the values of a nested ``{section: {key: value}}`` mapping.

    A core section may hold registered subsections as nested tables
    (``{"network": {"lif": {"tau_m": 0.02}}}``, i.e. ``[network.lif]``); a registered
    top-level section (``[reservoir]``) sits beside the core ones. ``where`` names the
    origin (a file path, ``--set``) for error messages. Unknown sections and keys are
    errors that list what is allowed.
    """
    _discover_sections()
    updates: dict[str, Any] = {}
    registered = dict(config.registered)
    for section, values in data.items():
        if section in SECTIONS:
            sub = _subsection_tables(section, values, where)
            for name, table in sub.items():
                registered[f"{section}.{name}"] = _updated(config.section(f"{section}.{name}"), table,
                                                            f"{section}.{name}", where)
            updates[section] = _updated(getattr(config, section),
                                        {k: v for k, v in values.items() if k not in sub}, section, where)
        elif section in _REGISTERED:
            registered[section] = _updated(config.section(section), values, section, where)
        else:
            raise ConfigError(f"{where}: unknown section [{section}]; allowed: "
                              f"{', '.join(all_section_paths())}")
    # canonical form: a registered section at its defaults is not stored (so equal configs compare equal)
    explicit = {k: v for k, v in registered.items() if v != registered_section_type(k)()}
    return replace(config, **updates, registered=tuple(sorted(explicit.items())))


def _subsection_tables(section: str, values: Any, where: str) -> dict[str, dict]:
    """The tables inside core ``section`` that are registered subsections, by name."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: [{section}] must be a table of key = value pairs")
    return {k: v for k, v in values.items() if f"{section}.{k}" in _REGISTERED}


def _updated(current: Any, values: Any, path: str, where: str) -> Any:
    """``current`` (a section's dataclass) with ``values`` coerced onto its fields."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: [{path}] must be a table of key = value pairs")
    known = {f.name: f for f in fields(current)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            subs = [p.rpartition(".")[2] for p in _REGISTERED if p.startswith(path + ".")]
            allowed = [*known, *(f"[{path}.{s}]" for s in sorted(subs))]
            hint = _moved_key_hint(path, key)
            raise ConfigError(f"{where}: unknown key {path}.{key}{hint}; allowed: {', '.join(allowed)}")
        changes[key] = _coerce(path, key, value, known[key].type, where)
    return replace(current, **changes)


def _moved_key_hint(path: str, key: str) -> str:
    """`` (now network.lif.tau_m)``-style advice when ``key`` lives in a registered subsection."""
    homes = [p for p, t in _REGISTERED.items() if p.startswith(path + ".")
             and key in {f.name for f in fields(t)}]
    return f" (it is now {' or '.join(f'{h}.{key}' for h in sorted(homes))})" if homes else ""


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file into a dict, with errors that name the file."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; expected a TOML file (e.g. experiment.toml)")
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start}); TOML files must be UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def parse_override(text: str) -> dict[str, Any]:
    """Turn ``section.key=value`` into ``{section: {key: value}}``.

    The value is read as a TOML value (``1e-6``, ``true``, ``"x"``); anything that
    is not valid TOML is taken as a plain string, so ``chip.name=my-chip`` works.
    A registered subsection is one more level: ``network.lif.tau_m=0.02``.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or "." not in key:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. network.neurons=1000")
    if not raw.strip():
        raise ConfigError(f"--set {text!r}: no value after '='; an empty string is written {key}=\"\" "
                          f"(quoted for the shell: --set '{key}=\"\"')")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    *path, name = key.split(".")
    nested: dict[str, Any] = {name: value}
    for part in reversed(path):
        nested = {part: nested}
    return nested


def validate(config: Config) -> Config:
    """Check every value against its allowed range and the cross-field rules.

    Returns the config unchanged, or raises :class:`ConfigError` naming the key,
    the value and what is allowed.
    """
    for path in all_section_paths():
        values = config.section(path)
        for f in fields(values):
            value = getattr(values, f.name)
            meta = f.metadata
            name = f"{path}.{f.name}"
            unit = f" {meta['unit']}" if meta.get("unit") else ""
            choices = field_choices(f)
            if choices and value not in choices:
                raise ConfigError(f"{name} = {value!r} is not allowed; choose one of "
                                  f"{', '.join(map(repr, choices))}")
            lo, hi = meta.get("lo"), meta.get("hi")
            if lo is not None and not (lo <= value <= hi):
                raise ConfigError(f"{name} = {value!r}{unit} is out of range: "
                                  f"expected {lo:g} ≤ {f.name} ≤ {hi:g}{unit}")
    _validate_chip_name(config.chip.name)
    d = config.device
    if d.kind in RESISTIVE_KINDS:
        _validate_resistive_device(d)
    _validate_network(config.network)
    for path in sorted(_REGISTERED):
        check = getattr(config.section(path), "check", None)
        if check is not None:
            check(config)
    return config


def _validate_chip_name(name: str) -> None:
    """``chip.name`` names the default output folder, so it must be one plain path component."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+")
    if not 1 <= len(name) <= 64 or not set(name) <= allowed or set(name) == {"."}:
        raise ConfigError(f"chip.name = {name!r} is not allowed: it names the output folder, so use 1 to 64 "
                          "letters, digits or - _ . + (no '/', spaces or '..'), e.g. 'my-chip-v2'")


def _validate_network(n: NetworkConfig) -> None:
    """Cross-key rules of the ``[network]`` section (a model's own rules are its section's ``check``)."""
    if n.connectivity == "distance" and n.recurrent_p != 1.0:
        raise ConfigError("network.recurrent_p applies to connectivity = 'random'; with 'distance' the "
                          "probabilities are network.c_ee … c_ii and network.distance_lambda")


def _validate_resistive_device(d: DeviceConfig) -> None:
    """Cross-key rules of a resistive device (and its fitted ranges)."""
    if not d.g_min < d.g_max:
        raise ConfigError(f"device.g_min ({d.g_min:g} S) must be below device.g_max ({d.g_max:g} S)")
    if d.weight_source == "forming" and not d.conductance_file:
        if d.forming_std <= 0:
            raise ConfigError(f"device.forming_std = {d.forming_std:g} S must be above 0 when the "
                              "weights come from forming")
        if not d.g_min <= d.forming_mean <= d.g_max:
            raise ConfigError(f"device.forming_mean = {d.forming_mean:g} S must lie in "
                              f"[device.g_min, device.g_max] = [{d.g_min:g}, {d.g_max:g}] S")
    if d.levels == 1:
        raise ConfigError("device.levels = 1 cannot store a weight; use 0 (continuous) or at least 2")
    if d.stuck_at_gmin + d.stuck_at_gmax > 1.0:
        raise ConfigError(f"device.stuck_at_gmin + device.stuck_at_gmax = "
                          f"{d.stuck_at_gmin + d.stuck_at_gmax:g} exceeds 1 (all devices)")
    if not d.temperature_min <= d.temperature_ref <= d.temperature_max:
        raise ConfigError(f"device.temperature_ref = {d.temperature_ref:g} K must lie in the fitted range "
                          f"[device.temperature_min, device.temperature_max] = "
                          f"[{d.temperature_min:g}, {d.temperature_max:g}] K")
    if not d.temperature_min <= d.temperature <= d.temperature_max:
        raise ConfigError(f"device.temperature = {d.temperature:g} K is outside the range the temperature "
                          f"model was fitted on: [{d.temperature_min:g}, {d.temperature_max:g}] K "
                          "(device.temperature_min, device.temperature_max)")
    if not d.drift_t0 <= d.drift_t_max:
        raise ConfigError(f"device.drift_t0 = {d.drift_t0:g} s must not exceed device.drift_t_max = "
                          f"{d.drift_t_max:g} s")
    if d.drift_time and not d.drift_t0 <= d.drift_time <= d.drift_t_max:
        raise ConfigError(f"device.drift_time = {d.drift_time:g} s is outside the range the drift law was "
                          f"fitted on: [{d.drift_t0:g}, {d.drift_t_max:g}] s "
                          "(device.drift_t0, device.drift_t_max)")
    factor = 1.0 + d.temp_coeff_g * (d.temperature - d.temperature_ref)
    if factor <= 0:
        raise ConfigError(f"device.temp_coeff_g = {d.temp_coeff_g:g} /K gives a non-positive conductance at "
                          f"device.temperature = {d.temperature:g} K")


# --------------------------------------------------------------------------- presets

def presets_dir() -> Path:
    """Folder of the chip presets shipped with the package (``hardware_models/``).

    An installed package carries them as ``neurosim/hardware_models``; a source
    checkout has them at the top level, beside ``neurosim/``.
    """
    installed = Path(__file__).resolve().parent / "hardware_models"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "hardware_models"


def list_chips() -> list[str]:
    """Names of the shipped chip presets, sorted."""
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def resolve_chip(name_or_path: str) -> Path:
    """A preset name (``rram-40nm-256kb``) or a path to a chip TOML file → its path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        if candidate.is_dir():
            raise ConfigError(f"--chip {name_or_path}: is a folder; expected a chip .toml file or a "
                              f"preset name ({', '.join(list_chips())})")
        if not candidate.is_file():
            raise ConfigError(f"--chip {name_or_path}: no such file")
        return candidate
    preset = presets_dir() / f"{name_or_path}.toml"
    if not preset.is_file():
        raise ConfigError(f"--chip {name_or_path}: unknown chip; presets are "
                          f"{', '.join(list_chips())}, or give a path to a .toml file")
    return preset


def load_config(chip: str = "rram-40nm-256kb", config_file: Path | None = None,
                overrides: list[str] = (), skip_tables: tuple[str, ...] = ()) -> Config:
    """Build and validate the run's config.

    Order: defaults ← chip file (chip sections only) ← the settings the dataset recommends
    (:attr:`neurosim.data.Dataset.recommended`, for the dataset the later layers name) ←
    experiment file ← ``--set``. ``skip_tables``: top-level tables of the experiment file that
    are not config sections (a sweep file's ``[sweep]``), left out.
    """
    chip_path = resolve_chip(chip)
    chip_data = load_toml(chip_path)
    stray = set(chip_data) - set(CHIP_SECTIONS)
    if stray:
        raise ConfigError(f"{chip_path}: a chip file holds only {', '.join(CHIP_SECTIONS)}; "
                          f"found [{', '.join(sorted(stray))}]")
    chip_config = apply_mapping(Config(), chip_data, str(chip_path))
    layers = []
    if config_file is not None:
        layers.append(({k: v for k, v in load_toml(config_file).items() if k not in skip_tables},
                       str(config_file)))
    layers += [(parse_override(text), f"--set {text}") for text in overrides]
    config = _applied(chip_config, layers)
    recommended = dataset_recommendations(config.run.dataset)
    if recommended:  # under the layers: a file or --set that names a key wins
        base = apply_mapping(chip_config, recommended, f"dataset {config.run.dataset!r}'s recommended settings")
        config = _applied(base, layers)
    return validate(config)


def _applied(config: Config, layers: list[tuple[dict, str]]) -> Config:
    for data, where in layers:
        config = apply_mapping(config, data, where)
    return config


def dataset_recommendations(name: str) -> dict[str, Any]:
    """The settings dataset ``name`` recommends as a nested ``{section: {key: value}}`` mapping
    ({} for none or an unknown dataset)."""
    from neurosim.data import recommended_settings  # the data layer imports this module

    nested: dict[str, Any] = {}
    for key, value in recommended_settings(name).items():
        *path, last = key.split(".")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return nested


# --------------------------------------------------------------------------- hashing, export

def to_dict(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Nested plain dict of the config (all sections, or the top-level ones named).

    Registered subsections nest inside their core section (``d["network"]["lif"]``);
    registered top-level sections sit beside the core ones (``d["reservoir"]``).
    """
    full = {name: dataclasses.asdict(getattr(config, name)) for name in SECTIONS}
    for path in all_section_paths()[len(SECTIONS):]:
        parent, _, name = path.rpartition(".")
        (full[parent] if parent else full)[name] = dataclasses.asdict(config.section(path))
    return {k: v for k, v in full.items() if sections is None or k in sections}


# Keys whose value names a file the run reads: hashes cover the file's bytes, not only its path.
FILE_KEYS = ("device.conductance_file",)


def file_digests(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, str]:
    """sha256 (hex) of the contents of each file named by a set :data:`FILE_KEYS` key.

    Only keys of ``sections`` (all when None) count. Paths resolve relative to the
    current folder, as the loaders read them; a missing file is a
    :class:`ConfigError` naming the key and the path.
    """
    digests = {}
    for key in FILE_KEYS:
        section, _, name = key.partition(".")
        path = getattr(getattr(config, section), name)
        if path and (sections is None or section in sections):
            digests[key] = _file_sha256(key, Path(path))
    return digests


def _file_sha256(key: str, path: Path) -> str:
    """sha256 (hex) of the bytes of ``path``, the file config key ``key`` names."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ConfigError(f"{key} {path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{key} {path}: cannot read it: {exc.strerror or exc}") from None


def hashed_dict(config: Config, sections: tuple[str, ...] | None = None) -> dict[str, Any]:
    """What a hash of the config covers: :func:`to_dict` plus ``"file_sha256"``
    (:func:`file_digests`) when a section names a file."""
    data: dict[str, Any] = to_dict(config, sections)
    digests = file_digests(config, sections)
    if digests:
        data["file_sha256"] = digests
    return data


def config_hash(config: Config, sections: tuple[str, ...] | None = None) -> str:
    """Stable 16-hex-digit hash of the config (or of some sections of it).

    Computed from canonical JSON (sorted keys, repr-exact floats) of
    :func:`hashed_dict`, so it changes exactly when a value changes, whatever the
    order of keys in the TOML file, and when a file a key names changes its bytes.
    """
    text = json.dumps(hashed_dict(config, sections), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chip_hash(config: Config) -> str:
    """Hash of the chip sections only: equal for the same chip whatever the experiment."""
    return config_hash(config, CHIP_SECTIONS)


def to_toml(config: Config, sections: tuple[str, ...] | None = None) -> str:
    """The config (or some sections) as TOML text that :func:`apply_mapping` loads back unchanged."""
    lines: list[str] = []

    def table(path: str, values: dict[str, Any]) -> None:
        lines.append(f"[{path}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items() if not isinstance(v, dict))
        lines.append("")
        for k, v in values.items():
            if isinstance(v, dict):
                table(f"{path}.{k}", v)

    for section, values in to_dict(config, sections).items():
        table(section, values)
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def reference_markdown() -> str:
    """The README's config reference table (Markdown), generated from the field metadata."""
    lines = ["| key | default | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for key, default, unit, allowed, doc in reference_rows():
        lines.append(f"| `{key}` | `{default}` | {unit} | {allowed} | {doc} |")
    return "\n".join(lines)


def reference_rows() -> list[tuple[str, str, str, str, str]]:
    """(key, default, unit, allowed, doc) for every config key: the README's reference table."""
    rows = []
    default = Config()
    for path in all_section_paths():
        values = default.section(path)
        for f in fields(values):
            meta = f.metadata
            choices = field_choices(f)
            if choices:
                allowed = " | ".join(_toml_value(c) if isinstance(c, bool) else str(c) for c in choices)
            elif meta.get("lo") is not None:
                allowed = f"{meta['lo']:g} … {meta['hi']:g}"
            else:
                allowed = "text"
            rows.append((f"{path}.{f.name}", repr(getattr(values, f.name)),
                         meta.get("unit", ""), allowed, meta["doc"]))
    return rows
