"""The chip sections of a config: what a chip preset (``hardware_models/*.toml``) fills.

``[chip]``, ``[device]``, ``[crossbar]``, ``[energy]`` and ``[baseline]``; each a frozen
dataclass of :func:`~neurosim.config.fields.param` fields in SI units, and, where keys
constrain each other, a ``check()`` that :func:`neurosim.config.validate` calls after the
per-key ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.config.fields import param
from neurosim.errors import ConfigError

__all__ = ["CHIP_SECTIONS", "RESISTIVE_KINDS", "BaselineConfig", "ChipInfo", "CrossbarConfig", "DeviceConfig",
           "EnergyConfig"]

CHIP_SECTIONS = ("chip", "device", "crossbar", "energy", "baseline")

#: Device kinds with a resistive device model (``neurosim.devices``); the others store exact weights.
RESISTIVE_KINDS = ("rram", "pcm")


@dataclass(frozen=True)
class ChipInfo:
    """[chip]: what the chip is, for reports and for people."""

    name: str = param("custom", "Short name used in reports and in the default output folder: letters, "
                      "digits and - _ . + (no path separators), 1 to 64 characters")
    description: str = param("", "One line describing the chip")
    technology_nm: int = param(40, "CMOS technology node", "nm", 1, 1000)
    cell: str = param("1T1R", "Memory cell type", choices=("1T1R", "2T2R", "8T4R", "ideal", "SRAM"))
    source: str = param("", "Where the chip's numbers come from (paper, datasheet)")

    def check(self) -> None:
        """``name`` names the default output folder, so it must be one plain path component."""
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+")
        name = self.name
        if not 1 <= len(name) <= 64 or not set(name) <= allowed or set(name) == {"."}:
            raise ConfigError(f"chip.name = {name!r} is not allowed: it names the output folder, so use 1 to 64 "
                              "letters, digits or - _ . + (no '/', spaces or '..'), e.g. 'my-chip-v2'")


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

    def check(self) -> None:
        """Cross-key rules of a resistive device (and its fitted ranges); none for ``kind = "ideal"``."""
        if self.kind not in RESISTIVE_KINDS:
            return
        d = self
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
    wire_resistance: float = param(0.0, "Bit-line (summing-line) wire resistance per cell segment for the "
                                   "first-order IR-drop model of every array read, the macro's and the "
                                   "engines' spiking loop (cpu, gpu; brian2 refuses it); 0 = ideal wires",
                                   "Ω", 0.0, 1e4)
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
                       "current); used when tia_model = 'per-conversion'", "J", 0.0, 1e-6)
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
    standby_power: float = param(0.0, "Fixed power while power-gated between steps (e.g. a wake-up timer); "
                                 "neuron-state retention is added (state_leakage_per_bit)", "W", 0.0, 100.0)
    static_power_per_array: float = param(0.0, "Bias, reference and leakage power of each array used (its "
                                          "ADCs and drivers) while the chip is on; added to static_power", "W",
                                          0.0, 1.0)
    state_bits: int = param(16, "Bits of one neuron's state (membrane word) retained between steps", "bit", 0, 64)
    state_leakage_per_bit: float = param(0.0, "Retention leakage per bit of neuron state while power-gated; "
                                         "added to standby_power", "W", 0.0, 1e-6)
    wakeup_energy: float = param(0.0, "Energy to power one array's gated domain back up (rail and decoupling "
                                 "recharge); charged per array per active step when power_gating is on",
                                 "J", 0.0, 1e-6)
    supply_voltage: float = param(1.1, "Core supply voltage: the supply view of cell reads and the "
                                  "full-scale integrator", "V", 0.0, 5.0)
    tia_model: str = param("per-conversion", "'per-conversion': tia × adc_range per conversion; "
                           "'full-scale-current': the integrator is biased for the column's full-scale current "
                           "I_fs and draws I_fs · read_pulse · supply_voltage per conversion",
                           choices=("per-conversion", "full-scale-current"))
    cell_read_view: str = param("dissipated", "'dissipated': a cell read costs V_read² · G · t (the energy "
                                "dissipated in the cell); 'supply': V_dd · V_read · G · t (the read level "
                                "comes from the supply through a clamp, which pays V_dd / V_read more)",
                                choices=("dissipated", "supply"))
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

