"""Energy and latency of one inference from operation counts and the chip config.

energy = Σ (operation count × energy per operation) + static energy: the counts are a
:class:`~neurosim.crossbar.tally.Tally` and :func:`price` is the one price list.
RRAM cell reads are physical: a driven row dissipates V² · G · t_pulse in every
cell on it, so the read energy depends on the programmed conductances. The ADC's
energy per conversion scales with its resolution (Walden figure of merit held
constant: ``adc_conversion · 2^(bits − adc_ref_bits)``); the TIA/integrator with its
full-scale range; sample-and-hold, column mux and bit-line charging per conversion;
control per array read; the neuron state is read and written at every update.
Static power is charged over the time the chip is on for a sample (the whole sample,
or only its compute time with power gating, standby power otherwise).
Programming the chip (forming pulses, write-verify pulses) is a one-time cost,
reported apart from the per-inference energy.
Digital baselines (:mod:`neurosim.energy.baselines`) run the same activity; the
headline compares with the strongest fair one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from neurosim.config import Config
from neurosim.crossbar.mapping import ProgrammedMatrix
from neurosim.crossbar.tally import Tally
from neurosim.energy.baselines import baseline_energy, load_baselines, naive_baseline

log = logging.getLogger(__name__)

#: Fraction of clipped conversions beyond which a run is outside the macro's operating envelope.
CLIP_LIMIT = 0.01


@dataclass(frozen=True)
class EnergyEstimate:
    """Per-inference figures: energies in J, latencies in s.

    ``breakdown_J`` sums to ``per_inference_J``. ``programming_J`` is the one-time
    energy of programming the chip (not part of the per-inference total).
    ``baseline_*`` is the strongest fair digital baseline (least energy among the
    baselines marked fair); ``baselines`` lists every baseline (dicts with ``key``,
    ``name``, ``technology_nm``, ``kind``, ``fair``, ``status``, ``source``,
    ``per_inference_J``, ``ratio`` = baseline / chip). ``latency_s`` is the compute
    latency, ``sensor_to_decision_s`` the time from the sample's first event to the
    readout's decision. ``envelope``: the macro's operating envelope on this run.
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

    @property
    def improvement_vs_baseline(self) -> float:
        """How many times less energy than the strongest fair digital baseline (0 when both are 0)."""
        if self.per_inference_J == 0.0:
            return 0.0 if self.baseline_per_inference_J == 0.0 else float("inf")
        return self.baseline_per_inference_J / self.per_inference_J

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
        fair = [b for b in listed if b["fair"]]
        strongest = min(fair, key=lambda b: b["per_inference_J"]) if fair else {"name": "", "per_inference_J": 0.0}
        return cls(per_inference_J=total, breakdown_J=breakdown,
                   latency_s=float(time(p.latency_s for p in parts)),
                   baseline_name=strongest["name"], baseline_per_inference_J=strongest["per_inference_J"],
                   programming_J=float(sum(p.programming_J for p in parts)), baselines=tuple(listed),
                   sensor_to_decision_s=float(time(p.sensor_to_decision_s for p in parts)),
                   envelope=_worst_envelope([p.envelope for p in parts]))


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
        listed.append({**first, "per_inference_J": energy, "dynamic_J": dyn,
                       "ratio": energy / total if total > 0 else None,
                       "dynamic_ratio": dyn / dynamic if dynamic > 0 else None})
    return listed


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


def price(config: Config, tally: Tally, ideal: bool = False, cells_per_weight: int = 1) -> dict[str, float]:
    """Dynamic energy (J) of everything ``tally`` counted, by component: the one price list of the
    chip, for a network's steps, a macro's reads and on-chip learning's writes alike.

    ``ideal``: the weights are digital (``synapse_op`` per weight read) rather than RRAM cells
    (``cell_read_J``); ``cells_per_weight``: bit lines per output (2 for differential columns),
    each charged per conversion. Static power is charged by the callers, over the time the
    chip is on (:func:`estimate_energy`, :func:`~neurosim.energy.macro_cost.tally_energy_breakdown`).
    """
    e = config.energy
    conversions = tally.adc_conversions
    return {
        "synapse_reads": tally.synapse_ops * e.synapse_op if ideal else tally.cell_read_J,
        "row_drivers": tally.line_drives * e.row_driver,
        "dac": tally.input_pulses * e.dac_pulse,
        "adc": conversions * adc_energy_per_conversion(config),
        "tia": conversions * e.tia * config.crossbar.adc_range,
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


def static_energy(config: Config, compute_s: float, sample_s: float, weights: int = 0) -> float:
    """Static energy (J) of one sample: ``static_power`` while on, ``standby_power`` while gated,
    and ``weight_leakage`` × ``weights`` (a volatile weight memory) over the whole sample.

    Without power gating the chip is on for the whole sample (``max(sample_s, compute_s)``);
    with ``energy.power_gating`` it is on for ``compute_s`` and in standby for the rest.
    """
    e = config.energy
    total = max(sample_s, compute_s)
    retention = e.weight_leakage * weights * total
    if not e.power_gating:
        return e.static_power * total + retention
    return e.static_power * compute_s + e.standby_power * (total - compute_s) + retention


def cell_read_energy(config: Config, counts: Tally, programmed: ProgrammedMatrix) -> float:
    """Energy (J) dissipated in the cells by the tally's reads: ``cell_read_J`` plus, for the rows
    counted one by one (``row_activations_per_row``, rows of ``programmed``), ``V² t`` times each
    row's conductance per drive."""
    if counts.row_activations_per_row is None or programmed.g_pos is None:
        return counts.cell_read_J
    v, t = config.crossbar.read_voltage, config.crossbar.read_pulse
    rows = float(v * v * t * np.dot(counts.row_activations_per_row, programmed.row_conductance))
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


def estimate_energy(config: Config, counts: Tally, programmed: ProgrammedMatrix,
                    n_inputs: int, n_classes: int, steps: int,
                    sample_s: float | None = None) -> EnergyEstimate:
    """Per-inference energy breakdown, latencies and every digital baseline.

    ``sample_s``: mean duration of a sample (s), the time the chip is on for it (static
    power) and the sensor part of the sensor-to-decision latency; None = the compute
    latency only (no sensor time).
    """
    e = config.energy
    n = programmed.tiling.out_cols
    latency = compute_latency(config, counts, n)
    sample = latency if sample_s is None else float(sample_s)
    cells = replace(counts, cell_read_J=cell_read_energy(config, counts, programmed))
    totals = price(config, cells, ideal=programmed.g_pos is None,
                   cells_per_weight=programmed.tiling.cells_per_weight)
    breakdown = {k: float(v) / counts.samples for k, v in totals.items()}
    breakdown["static"] = static_energy(config, latency, sample, programmed.weights.size)
    total = float(sum(breakdown.values()))
    chip_dynamic = total - breakdown["static"]
    listed = []
    for b in (*load_baselines(), naive_baseline(config.baseline)):
        energy, dynamic = baseline_energy(b, counts, n_inputs, n, n_classes, steps, sample)
        listed.append({"key": b.key, "name": b.name, "technology_nm": b.technology_nm, "kind": b.kind,
                       "fair": b.fair, "status": b.status, "source": b.source, "per_inference_J": energy,
                       "dynamic_J": dynamic, "ratio": energy / total if total > 0 else None,
                       "dynamic_ratio": dynamic / chip_dynamic if chip_dynamic > 0 else None})
    fair = [b for b in listed if b["fair"]]
    strongest = min(fair, key=lambda b: b["per_inference_J"])
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
    return EnergyEstimate(per_inference_J=total, breakdown_J=breakdown,
                          latency_s=latency, baseline_name=strongest["name"],
                          baseline_per_inference_J=strongest["per_inference_J"],
                          programming_J=float(programming_energy(config, programmed)),
                          baselines=tuple(listed), sensor_to_decision_s=float(sensor),
                          envelope=envelope)
