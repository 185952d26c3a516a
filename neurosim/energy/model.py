"""Energy and latency of one inference from operation counts and the chip config.

energy = Σ (operation count × energy per operation) + static energy: the counts are a
:class:`~neurosim.crossbar.tally.Tally` and :func:`price` is the one price list.
RRAM cell reads are physical: a driven row dissipates V² · G · t_pulse in every
cell on it, so the read energy depends on the programmed conductances. The ADC's
energy per conversion scales with its resolution (Walden figure of merit held
constant: ``adc_conversion · 2^(bits − adc_ref_bits)``); the TIA/integrator with its
full-scale range; sample-and-hold, column mux and bit-line charging per conversion;
control per array read; the neuron state is read and written at every update.
The headline is *dynamic* energy (everything the same spikes cost, wake-ups from power gating
included) against the strongest fair baseline chosen by dynamic energy; static power is
reported beside it in watts for both sides (:meth:`EnergyEstimate.rate_curve` gives the ratio
as a function of the inference rate). Static power scales with the arrays used (while on) and
with the neuron-state bits retained (while power-gated); it is charged over the time the chip
is on for a sample (the whole sample, or only its compute time with power gating, standby
power otherwise).
Programming the chip (forming pulses, write-verify pulses) is a one-time cost,
reported apart from the per-inference energy.
Digital baselines (:mod:`neurosim.energy.baselines`) run the same activity; the
headline compares with the strongest fair one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix, Tiling
from neurosim.crossbar.periphery import drive_segments
from neurosim.crossbar.tally import Tally
from neurosim.energy.baselines import baseline_energy, load_baselines, naive_baseline
from neurosim.energy.sram import sram_read_J

log = logging.getLogger(__name__)

#: Fraction of clipped conversions beyond which a run is outside the macro's operating envelope.
CLIP_LIMIT = 0.01


@dataclass(frozen=True)
class EnergyEstimate:
    """Per-inference figures: energies in J, latencies in s.

    ``breakdown_J`` sums to ``per_inference_J``. ``programming_J`` is the one-time
    energy of programming the chip (not part of the per-inference total).
    ``baseline_*`` is the strongest fair digital baseline (least *dynamic* energy among the
    baselines marked fair, for the same spikes; ``baseline_per_inference_J`` is its total at
    one inference per sample, ``baseline_dynamic_J`` its dynamic energy, ``baseline_static_W``
    the power it draws all the time); ``baselines`` lists every baseline (dicts with ``key``,
    ``name``, ``technology_nm``, ``kind``, ``fair``, ``status``, ``source``,
    ``per_inference_J``, ``dynamic_J``, ``static_W``, ``ratio`` = baseline / chip total,
    ``dynamic_ratio`` = baseline / chip dynamic). ``latency_s`` is the compute latency,
    ``sensor_to_decision_s`` the time from the sample's first event to the readout's decision.
    ``envelope``: the macro's operating envelope on this run.

    Static side of the chip: ``on_J`` static energy while it computes one inference,
    ``standby_W`` the power it draws while it does not (power-gated: standby and neuron-state
    retention; otherwise its full static power). ``sample_s``: mean stream length (a property
    of the data, s; 0 when unknown). ``timing``: what the chip decides about latency
    (:func:`decision_timing`). ``sensitivity``: for each per-operation term of the chip, its
    dynamic energy (J) with that term × 0.5 and × 2 (same spikes).
    """

    per_inference_J: float
    breakdown_J: dict[str, float]
    latency_s: float
    baseline_name: str
    baseline_per_inference_J: float
    programming_J: float = 0.0
    baselines: tuple[dict, ...] = ()
    sensor_to_decision_s: float = 0.0
    envelope: dict = field(default_factory=dict)
    baseline_dynamic_J: float = 0.0
    baseline_static_W: float = 0.0
    on_J: float = 0.0
    standby_W: float = 0.0
    sample_s: float = 0.0
    timing: dict = field(default_factory=dict)
    sensitivity: dict = field(default_factory=dict)

    @property
    def dynamic_J(self) -> float:
        """The chip's dynamic energy per inference (J): the total without its static energy."""
        return self.per_inference_J - self.breakdown_J.get("static", 0.0)

    @property
    def improvement_vs_baseline(self) -> float:
        """The headline: how many times less dynamic energy than the strongest fair digital baseline
        (chosen by dynamic energy), for the same spikes; 0 when both are 0."""
        return _ratio(self.baseline_dynamic_J, self.dynamic_J)

    @property
    def total_ratio(self) -> float:
        """Baseline / chip energy at one inference per sample, static power included."""
        return _ratio(self.baseline_per_inference_J, self.per_inference_J)

    def energy_at(self, period_s: float) -> tuple[float, float]:
        """``(chip, baseline)`` energy (J) per inference when one inference starts every ``period_s``
        seconds (at least the compute latency): dynamic energy plus static power over the period."""
        period = max(float(period_s), self.latency_s)
        chip = self.dynamic_J + self.on_J + self.standby_W * (period - self.latency_s)
        return chip, self.baseline_dynamic_J + self.baseline_static_W * period

    def rate_curve(self, points: int = 9) -> list[dict]:
        """The energy ratio (baseline / chip) as a function of the inference rate, from back-to-back
        inferences (one per compute latency) to one per sample length (``sample_s``), log-spaced:
        dicts of ``period_s``, ``rate_Hz``, ``chip_J``, ``baseline_J``, ``ratio``. Empty when
        the latency is unknown."""
        if self.latency_s <= 0.0:
            return []
        slowest = max(self.sample_s, self.latency_s)
        curve = []
        for period in np.geomspace(self.latency_s, slowest, points if slowest > self.latency_s else 1):
            chip, base = self.energy_at(float(period))
            curve.append({"period_s": float(period), "rate_Hz": 1.0 / float(period), "chip_J": chip,
                          "baseline_J": base, "ratio": _finite(_ratio(base, chip))})
        return curve

    def sensitivity_table(self) -> list[dict]:
        """Each per-operation term × 0.5 and × 2 → the headline (dynamic) ratio, same spikes:
        dicts of ``term``, ``ratio_half``, ``ratio_double``."""
        return [{"term": term, "ratio_half": _finite(_ratio(self.baseline_dynamic_J, half)),
                 "ratio_double": _finite(_ratio(self.baseline_dynamic_J, double))}
                for term, (half, double) in self.sensitivity.items()]

    @classmethod
    def combine(cls, parts: Sequence[EnergyEstimate], parallel: bool = False) -> EnergyEstimate:
        """One inference made of several ``parts`` (e.g. two modalities, each a reservoir and its
        projection): energies, breakdowns (by component) and programming energies summed; latencies
        summed (parts one after another) or, with ``parallel``, the longest; every digital baseline
        that each part lists (matched by ``key``; parts that list none add to the chip only) summed
        over the parts, its ratios recomputed against the combined chip, and the strongest fair one
        chosen again; the operating envelope the worst part's (most active rows, largest clipped
        fraction, outside if any part is)."""
        if not parts:
            raise ValueError("EnergyEstimate.combine needs at least one part")
        total = float(sum(p.per_inference_J for p in parts))
        keys = dict.fromkeys(k for p in parts for k in p.breakdown_J)
        breakdown = {k: float(sum(p.breakdown_J.get(k, 0.0) for p in parts)) for k in keys}
        time = max if parallel else sum
        listed = _combined_baselines(parts, total, total - breakdown.get("static", 0.0))
        strongest = strongest_fair(listed)
        terms = [t for t in parts[0].sensitivity if all(t in p.sensitivity for p in parts)]
        return cls(per_inference_J=total, breakdown_J=breakdown,
                   latency_s=float(time(p.latency_s for p in parts)),
                   baseline_name=strongest["name"], baseline_per_inference_J=strongest["per_inference_J"],
                   programming_J=float(sum(p.programming_J for p in parts)), baselines=tuple(listed),
                   sensor_to_decision_s=float(time(p.sensor_to_decision_s for p in parts)),
                   envelope=_worst_envelope([p.envelope for p in parts]),
                   baseline_dynamic_J=strongest["dynamic_J"], baseline_static_W=strongest["static_W"],
                   on_J=float(sum(p.on_J for p in parts)), standby_W=float(sum(p.standby_W for p in parts)),
                   sample_s=float(max(p.sample_s for p in parts)),
                   timing=_combined_timing([p.timing for p in parts], parallel),
                   sensitivity={t: tuple(float(sum(p.sensitivity[t][i] for p in parts)) for i in (0, 1))
                                for t in terms})


def _combined_baselines(parts: Sequence[EnergyEstimate], total: float, dynamic: float) -> list[dict]:
    """The baselines listed by every part that lists any (a part with none, e.g. a projection priced on
    its own, adds to the chip only), each summed over those parts, with ratios against the chip's
    combined ``total`` and ``dynamic`` energy (J)."""
    by_key = [{b["key"]: b for b in p.baselines} for p in parts if p.baselines]
    if not by_key:
        return []
    listed = []
    for key, first in by_key[0].items():
        if not all(key in d for d in by_key):
            continue
        energy = float(sum(d[key]["per_inference_J"] for d in by_key))
        dyn = float(sum(d[key].get("dynamic_J", 0.0) for d in by_key))
        static = float(sum(d[key].get("static_W", 0.0) for d in by_key))
        listed.append({**first, "per_inference_J": energy, "dynamic_J": dyn, "static_W": static,
                       "ratio": energy / total if total > 0 else None,
                       "dynamic_ratio": dyn / dynamic if dynamic > 0 else None})
    return listed


def _ratio(baseline: float, chip: float) -> float:
    """``baseline / chip`` (0 when both are 0, infinite when only the chip's is 0)."""
    if chip == 0.0:
        return 0.0 if baseline == 0.0 else float("inf")
    return baseline / chip


def _finite(x: float) -> float | None:
    """``x``, or None when it is not finite (strict JSON has no infinity)."""
    return x if np.isfinite(x) else None


def strongest_fair(listed: Sequence[dict]) -> dict:
    """The strongest fair baseline of ``listed``: least dynamic energy (same spikes), ties broken by
    the least total energy; an empty baseline when none is fair."""
    fair = [b for b in listed if b["fair"]]
    if not fair:
        return {"name": "", "per_inference_J": 0.0, "dynamic_J": 0.0, "static_W": 0.0}
    return min(fair, key=lambda b: (b.get("dynamic_J", 0.0), b["per_inference_J"]))


def _combined_timing(timings: list[dict], parallel: bool) -> dict:
    """The timing of parts run one after another (delays and step times summed) or side by side
    (the longest); the bin is the shortest of the parts'."""
    present = [t for t in timings if t]
    if not present:
        return {}
    time = max if parallel else sum
    out = {k: float(time(t[k] for t in present)) for k in ("decision_delay_s", "step_mean_s", "step_worst_s")}
    bins = [t["bin_s"] for t in present if t.get("bin_s")]
    if bins:
        out["bin_s"] = float(min(bins))
        out["margin"] = _ratio(out["bin_s"], out["step_worst_s"])
    return out


def _worst_envelope(envelopes: list[dict]) -> dict:
    """The operating envelope of parts run on one chip: the worst part's figures."""
    present = [e for e in envelopes if e]
    if not present:
        return {}
    worst = dict(present[0])
    for e in present[1:]:
        worst["max_active_rows"] = max(worst["max_active_rows"], e["max_active_rows"])
        worst["clipped_fraction"] = max(worst["clipped_fraction"], e["clipped_fraction"])
        worst["clipping_measured"] = worst["clipping_measured"] or e["clipping_measured"]
        worst["outside"] = worst["outside"] or e["outside"]
    return worst


def adc_energy_per_conversion(config: Config) -> float:
    """ADC energy (J) per conversion at ``crossbar.adc_bits``: ``adc_conversion · 2^(bits − adc_ref_bits)``
    (Walden FoM = E / 2^ENOB held constant, ENOB taken as the resolution)."""
    e = config.energy
    return e.adc_conversion * 2.0 ** (config.crossbar.adc_bits - e.adc_ref_bits)


def adc_time_per_conversion(config: Config) -> float:
    """ADC time (s) per conversion at ``crossbar.adc_bits``: ``adc_time · bits / adc_ref_bits``
    (one SAR cycle per bit)."""
    e = config.energy
    return e.adc_time * config.crossbar.adc_bits / e.adc_ref_bits


def full_scale_current(config: Config) -> float:
    """Column current (A) at the ADC's full scale: ``adc_range · rows · ΔG · V_read``, with ``ΔG`` the
    conductance window (``g_max − g_min`` for a signed column, differential or with a reference
    column; ``g_max`` for an offset column converted raw); 0 on an ideal (digital-weight) device."""
    x, d = config.crossbar, config.device
    if d.kind == "ideal":
        return 0.0
    signed = x.mapping == "differential" or x.offset_reference == "column"
    window = d.g_max - d.g_min if signed else d.g_max
    return x.adc_range * x.rows * window * x.read_voltage


def tia_energy_per_conversion(config: Config) -> float:
    """Integrator/TIA energy (J) per conversion.

    ``energy.tia_model = 'full-scale-current'``: the integrator holds ``C = I_fs · t / ΔV`` and its
    amplifier is biased to sink the full-scale current ``I_fs`` (:func:`full_scale_current`) for
    the read pulse ``t``; the charge ``I_fs · t`` comes from the supply, ``E = I_fs · t · V_dd``
    (``ΔV`` cancels). ``'per-conversion'``: the fixed figure ``tia × adc_range``.
    """
    e, x = config.energy, config.crossbar
    if e.tia_model == "full-scale-current":
        return full_scale_current(config) * x.read_pulse * e.supply_voltage
    return e.tia * x.adc_range


def cell_read_scale(config: Config) -> float:
    """Factor from the energy dissipated in the cells (``V_read² · G · t``) to what is charged:
    1 (``cell_read_view = 'dissipated'``) or ``V_dd / V_read`` (``'supply'``: the read level comes
    from the supply through a clamp)."""
    e, v = config.energy, config.crossbar.read_voltage
    if e.cell_read_view == "supply" and v > 0.0:
        return e.supply_voltage / v
    return 1.0


def price(config: Config, tally: Tally, ideal: bool = False, cells_per_weight: int = 1,
          weight_fetch_J: float = 0.0) -> dict[str, float]:
    """Dynamic energy (J) of everything ``tally`` counted, by component: the one price list of the
    chip, for a network's steps, a macro's reads and on-chip learning's writes alike.

    ``ideal``: the weights are digital (``synapse_op`` plus ``weight_fetch_J``, the read from a
    weight memory of the network's size, per weight read) rather than RRAM cells (``cell_read_J``
    × :func:`cell_read_scale`); ``cells_per_weight``: bit lines per output (2 for differential
    columns), each charged per conversion. Static power and power-gating wake-ups are charged by
    the callers, over the time the chip is on (:func:`estimate_energy`,
    :func:`~neurosim.energy.macro_cost.tally_energy_breakdown`).
    """
    e = config.energy
    conversions = tally.adc_conversions
    synapses = (tally.synapse_ops * (e.synapse_op + weight_fetch_J) if ideal
                else tally.cell_read_J * cell_read_scale(config))
    return {
        "synapse_reads": synapses,
        "row_drivers": tally.line_drives * e.row_driver,
        "dac": tally.input_pulses * e.dac_pulse,
        "adc": conversions * adc_energy_per_conversion(config),
        "tia": conversions * tia_energy_per_conversion(config),
        "sample_hold": conversions * e.sample_hold,
        "column_mux": conversions * e.column_mux if config.crossbar.columns_per_adc > 1 else 0.0,
        "bitlines": conversions * cells_per_weight * e.bitline,
        "control": tally.array_reads * e.control,
        "partial_sums": tally.digital_adds * e.partial_sum_add,
        "buffer": tally.buffer_accesses * e.buffer_access,
        "neuron_updates": tally.neuron_updates * (e.neuron_update + e.neuron_state),
        "readout": tally.readout_macs * e.readout_mac,
        "writes": tally.program_pulses * e.program_pulse,
    }


def digital_weight_fetch_J(n_weights: int) -> float:
    """Energy (J) of reading one 16-bit weight from an SRAM that holds ``n_weights`` of them
    (:func:`~neurosim.energy.sram.sram_read_J`): what an ideal chip, a 16-bit digital SRAM core,
    pays per synaptic operation besides its arithmetic (``energy.synapse_op``)."""
    return sram_read_J(16, 2.0 * n_weights)


def array_read_time(config: Config) -> float:
    """Seconds one array read takes: the read pulse, then each ADC converts its
    ``columns_per_adc`` multiplexed columns in turn."""
    return config.crossbar.read_pulse + config.crossbar.columns_per_adc * adc_time_per_conversion(config)


def compute_latency(config: Config, counts: Tally, neurons: int) -> float:
    """Compute time (s) per inference, from the work done (data-dependent).

    Arrays work in parallel, segments of one array one after the other
    (``serial_reads`` × :func:`array_read_time`); every event is loaded from the buffer in
    one clock cycle; the neurons update in one cycle per active step; the readout has one
    MAC unit per class and takes one cycle per neuron. A silent sample costs only the readout.
    """
    cycle = 1.0 / config.energy.clock_hz
    per = 1.0 / counts.samples
    work = (counts.serial_reads * array_read_time(config)
            + (counts.row_activations + counts.active_steps) * cycle)
    return per * work + neurons * cycle


@dataclass(frozen=True)
class StaticPower:
    """The chip's static power (W): ``on_W`` while it computes, ``idle_W`` while it does not
    (power-gated: standby and retention; otherwise ``on_W``)."""

    on_W: float
    idle_W: float


def static_power(config: Config, arrays: int = 1, neurons: int = 0, weights: int = 0) -> StaticPower:
    """Static power of a chip that uses ``arrays`` arrays, holds ``neurons`` neuron states and, on a
    volatile (SRAM) weight memory, ``weights`` weights.

    On: ``static_power + static_power_per_array · arrays`` plus the weight memory's retention
    leakage (``weight_leakage · weights``, it cannot be gated). Power-gated
    (``energy.power_gating``): ``standby_power + state_leakage_per_bit · state_bits · neurons``
    plus the same weight retention.
    """
    e = config.energy
    retention = e.weight_leakage * weights
    on = e.static_power + e.static_power_per_array * arrays + retention
    if not e.power_gating:
        return StaticPower(on, on)
    return StaticPower(on, e.standby_power + e.state_leakage_per_bit * e.state_bits * neurons + retention)


def static_energy(config: Config, compute_s: float, sample_s: float, weights: int = 0,
                  arrays: int = 1, neurons: int = 0) -> float:
    """Static energy (J) of one sample: :func:`static_power` on while the chip computes
    (``compute_s``), idle for the rest of the sample (``max(sample_s, compute_s)`` in all)."""
    p = static_power(config, arrays, neurons, weights)
    return p.on_W * compute_s + p.idle_W * (max(sample_s, compute_s) - compute_s)


def wakeup_energy(config: Config, counts: Tally, arrays: int) -> float:
    """Energy (J) of powering the gated arrays back up, over the tally: ``wakeup_energy`` per array
    per active step (the chip is gated between steps); 0 without power gating."""
    e = config.energy
    return e.wakeup_energy * arrays * counts.active_steps if e.power_gating else 0.0


def decision_timing(config: Config, counts: Tally, tiling: Tiling, n_inputs: int,
                    bin_s: float | None) -> dict:
    """What the chip decides about latency (s): ``decision_delay_s`` from the end of the stream to
    the readout's decision (the last step's compute, then the readout); ``step_mean_s`` the mean
    compute time of an active step; ``step_worst_s`` a bound on any step (every segment of the
    busiest array read one after another, every row's event loaded, the neurons updated);
    ``bin_s`` the time per bin the chip must keep up with, and ``margin = bin_s / step_worst_s``
    (above 1: it keeps up whatever the input). The stream's length is the data's, not the chip's.
    """
    cycle = 1.0 / config.energy.clock_hz
    n = tiling.out_cols
    active = counts.active_steps / counts.samples if counts.samples else 0.0
    per_step = (counts.serial_reads * array_read_time(config)
                + (counts.row_activations + counts.active_steps) * cycle) / max(counts.active_steps, 1)
    segments = drive_segments(n_inputs, n, tiling.rows_per_array)
    per_tile = Counter((start if g == 0 else n_inputs + start) // tiling.rows_per_array
                       for g, start, _ in segments)
    worst = max(per_tile.values(), default=0) * array_read_time(config) + (tiling.in_rows + 1) * cycle
    out = {"decision_delay_s": (per_step if active else 0.0) + n * cycle,
           "step_mean_s": per_step if active else 0.0, "step_worst_s": worst}
    if bin_s:
        out["bin_s"] = float(bin_s)
        out["margin"] = _ratio(float(bin_s), worst)
    return out


def cell_read_energy(config: Config, counts: Tally, programmed: ProgrammedMatrix) -> float:
    """Energy (J) dissipated in the cells by the tally's reads: ``cell_read_J`` plus, for the rows
    counted one by one (``row_activations_per_row``, rows of ``programmed``), ``V² t`` times each
    row's conductance per drive, scaled by the current the lines drew under IR drop
    (``line_current_drawn / line_current_ideal``, measured on the sampled reads) when the tally
    measured it."""
    if counts.row_activations_per_row is None or programmed.g_pos is None:
        return counts.cell_read_J
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    rows = float(v * v * t * np.dot(counts.row_activations_per_row, programmed.row_conductance))
    if counts.line_current_ideal > 0.0:  # IR drop: the lines drew less than the cells' nominal current
        rows *= counts.line_current_drawn / counts.line_current_ideal
    return counts.cell_read_J + rows


def programming_energy(config: Config, programmed: ProgrammedMatrix) -> float:
    """One-time energy (J) of programming the chip: forming and write-verify pulses."""
    e = config.energy
    return programmed.forming_pulses * e.forming_pulse + programmed.program_pulses * e.program_pulse


def operating_envelope(config: Config, counts: Tally) -> dict:
    """Where this run sits in the macro's operating envelope.

    ``full_scale_rows``: rows at the full conductance window that fill the ADC range
    (``adc_range · rows``; random signed weights rarely approach it); ``max_active_rows``:
    the most rows one segment read drove, against ``rated_active_rows``
    (``crossbar.max_active_rows``, the macro's published limit, 0 = none);
    ``clipped_fraction``: conversions beyond the ADC range, measured on the run's own
    partial sums when the ADC is in the loop (``clipping_measured``). ``outside``: more
    active rows than the rated limit, or over :data:`CLIP_LIMIT` of the conversions clipped.
    """
    x = config.crossbar
    measured = counts.adc_checked > 0
    clipped = counts.adc_clipped / counts.adc_checked if measured else 0.0
    over_rows = 0 < x.max_active_rows < counts.max_active_rows
    quantizing = x.adc_mode == "quantize"
    return {"full_scale_rows": x.adc_range * x.rows, "max_active_rows": counts.max_active_rows,
            "rated_active_rows": x.max_active_rows, "clipped_fraction": clipped,
            "clipping_measured": measured, "adc_bits": x.adc_bits, "adc_mode": x.adc_mode,
            "outside": bool(over_rows or (quantizing and clipped > CLIP_LIMIT))}


#: The chip's per-operation terms the sensitivity table varies (× 0.5 and × 2), where non-zero.
SENSITIVITY_TERMS: tuple[str, ...] = (
    "crossbar.read_voltage", "crossbar.read_pulse", "energy.row_driver", "energy.dac_pulse",
    "energy.adc_conversion", "energy.tia", "energy.supply_voltage", "energy.sample_hold", "energy.column_mux",
    "energy.bitline", "energy.control", "energy.partial_sum_add", "energy.buffer_access", "energy.neuron_update",
    "energy.neuron_state", "energy.readout_mac", "energy.synapse_op", "energy.wakeup_energy")


def dynamic_energy(config: Config, counts: Tally, programmed: ProgrammedMatrix) -> dict[str, float]:
    """The chip's dynamic energy per inference (J) by component, power-gating wake-ups included:
    :func:`price` of ``counts`` (cell reads from ``programmed``'s conductances, or a digital weight
    memory of its size on an ideal chip) plus :func:`wakeup_energy`."""
    ideal = programmed.g_pos is None
    cells = replace(counts, cell_read_J=cell_read_energy(config, counts, programmed))
    fetch = digital_weight_fetch_J(programmed.weights.size) if ideal else 0.0
    totals = price(config, cells, ideal=ideal, cells_per_weight=programmed.tiling.cells_per_weight,
                   weight_fetch_J=fetch)
    totals["wakeups"] = wakeup_energy(config, counts, programmed.tiling.arrays)
    return {k: float(v) / counts.samples for k, v in totals.items()}


def sensitivity(config: Config, counts: Tally, programmed: ProgrammedMatrix) -> dict[str, tuple[float, float]]:
    """For each :data:`SENSITIVITY_TERMS` entry that the chip's model uses (non-zero, and scaling it
    changes the energy) and whose scaled values the config accepts: the chip's dynamic energy per
    inference (J) with that term × 0.5 and × 2 (same spikes)."""
    from neurosim.errors import ConfigError

    out = {}
    for term in SENSITIVITY_TERMS:
        section, key = term.split(".")
        value = getattr(getattr(config, section), key)
        if not value:
            continue
        try:
            scaled = [config.set({term: value * f}) for f in (0.5, 2.0)]
        except ConfigError:  # a scaled value outside the key's range is no sensitivity point
            continue
        half, double = (float(sum(dynamic_energy(c, counts, programmed).values())) for c in scaled)
        if half != double:  # a term the chip's model does not use (e.g. tia under the full-scale model)
            out[term] = (half, double)
    return out


def estimate_energy(config: Config, counts: Tally, programmed: ProgrammedMatrix,
                    n_inputs: int, n_classes: int, steps: int,
                    sample_s: float | None = None) -> EnergyEstimate:
    """Per-inference energy breakdown, latencies, every digital baseline and the headline.

    ``sample_s``: mean duration of a sample (s), the time the chip is on for it (static
    power) and the sensor part of the sensor-to-decision latency; None = the compute
    latency only (no sensor time). The headline (:attr:`EnergyEstimate.improvement_vs_baseline`)
    does not depend on it: dynamic energy against the strongest fair baseline by dynamic energy.
    """
    e = config.energy
    tiling = programmed.tiling
    n = tiling.out_cols
    latency = compute_latency(config, counts, n)
    sample = latency if sample_s is None else float(sample_s)
    breakdown = dynamic_energy(config, counts, programmed)
    chip_dynamic = float(sum(breakdown.values()))
    weights = programmed.weights.size if e.weight_leakage else 0
    power = static_power(config, tiling.arrays, n, weights)
    breakdown["static"] = static_energy(config, latency, sample, weights, tiling.arrays, n)
    total = float(sum(breakdown.values()))
    listed = []
    for b in (*load_baselines(), naive_baseline(config.baseline)):
        energy, dynamic, static_w = baseline_energy(b, counts, n_inputs, n, n_classes, steps, sample)
        listed.append({"key": b.key, "name": b.name, "technology_nm": b.technology_nm, "kind": b.kind,
                       "fair": b.fair, "status": b.status, "source": b.source, "per_inference_J": energy,
                       "dynamic_J": dynamic, "static_W": static_w,
                       "ratio": energy / total if total > 0 else None,
                       "dynamic_ratio": dynamic / chip_dynamic if chip_dynamic > 0 else None})
    strongest = strongest_fair(listed)
    active_per_sample = counts.active_steps / counts.samples
    last_step = (latency - n / e.clock_hz) / active_per_sample if active_per_sample else 0.0
    sensor = (sample + last_step + n / e.clock_hz) if sample_s is not None else latency
    envelope = operating_envelope(config, counts)
    if envelope["outside"]:
        rated = envelope["rated_active_rows"]
        log.warning("neurosim: warning: chip %r runs outside its macro's operating envelope: up to %d "
                    "active rows per read (rated for %s), %.2f %% of conversions clipped "
                    "(crossbar.max_active_rows, adc_range, adc_bits)", config.chip.name,
                    envelope["max_active_rows"], rated if rated else "any number",
                    100.0 * envelope["clipped_fraction"])
    bin_s = sample / steps if sample_s is not None and steps else None
    return EnergyEstimate(per_inference_J=total, breakdown_J=breakdown,
                          latency_s=latency, baseline_name=strongest["name"],
                          baseline_per_inference_J=strongest["per_inference_J"],
                          programming_J=float(programming_energy(config, programmed)),
                          baselines=tuple(listed), sensor_to_decision_s=float(sensor),
                          envelope=envelope, baseline_dynamic_J=strongest["dynamic_J"],
                          baseline_static_W=strongest["static_W"], on_J=power.on_W * latency,
                          standby_W=power.idle_W, sample_s=sample if sample_s is not None else 0.0,
                          timing=decision_timing(config, counts, tiling, n_inputs, bin_s),
                          sensitivity=sensitivity(config, counts, programmed))
