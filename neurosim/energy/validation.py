"""Energy model vs published silicon: calibrate each macro on one published point, predict the others.

Each :class:`PublishedFigure` names a chip preset, the workload the paper
measured (a matrix-vector multiplication, MVM: active rows, outputs, input bits, read
phases; or an MLP for a latency) and the published figure: an energy efficiency in TOPS/W
(2 × MACs / energy, one MAC = two operations) or a time in s. Every input is at its largest
code, so every row and bit plane is driven (the peak workload: no paper below states an input
sparsity for its figure, so none is applied).

Three roles, kept apart on purpose:

* ``calibration``: the paper does not break its energy down, so one per-op
  energy of the preset (the ADC/sense-amplifier conversion energy) was solved
  so that neurosim reproduces this figure; the row checks the accounting only.
* ``prediction``: nothing was fitted to this figure; neurosim predicts it from
  the preset (calibrated on another figure, named in ``calibrated_on``, or not calibrated at
  all) by changing only what the paper changed along an axis the simulator varies (input bits,
  read phases, the MLP's layers), so the row tests the model. A prediction outside its tolerance
  stays in the table with ``miss`` stating the cause.
* ``consistency``: a second published figure of the same workload on the same preset as a
  calibration (nothing the simulator varies changes between the two), so it tests the
  papers' numbers against each other, not the model: never counted as a prediction.

``source`` says where the published number was read: ``paper`` (read from the primary text: the
place is in ``citation``, the number as printed in ``as_printed``) or ``unverified`` (not found in
any primary text reachable here; ``citation`` says where in the paper it should be and why it is
unverified). ``operating_point`` records the bits, rows, phases, sparsity, voltage and clock the
paper states for the figure and marks what it does not state as assumed.

:func:`breakdown_table` compares the energy *breakdown*, not only the totals: where two published
figures of one macro differ only in how often one part of the work repeats (read phases, input
bit planes), their ratio fixes the share of the energy that does not repeat; the model's share on
the same two workloads is compared with it.

:func:`leave_one_macro_out` tests what a calibration carries to another macro: each calibrated
macro's conversion energy is replaced by the other macros' mean figure of merit (J per conversion
step) and its calibration point is predicted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from neurosim.config import Config, load_config
from neurosim.energy.macro_cost import macro_energy_breakdown, macro_energy_J, macro_latency_s

ROLES = ("calibration", "prediction", "consistency")  # registry-name: a row's role


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure (``quantity`` 'TOPS/W' or 's') and the workload it was measured on.

    ``paper``: the paper, short (counts the papers behind the predictions); ``phases``: array
    reads per MVM (a multi-phase read repeats the whole MVM, e.g. HERMES's four-phase mode);
    ``layers``: an MLP's layer sizes, for a latency per input."""

    key: str
    macro: str
    paper: str
    citation: str
    chip: str
    rows: int
    outputs: int
    input_bits: int
    published: float
    as_printed: str
    operating_point: str
    role: str
    tolerance: float
    workload: str
    note: str = ""
    quantity: str = "TOPS/W"
    source: str = "paper"
    calibrated_on: str = ""
    phases: int = 1
    layers: tuple[int, ...] = ()
    miss: str = ""


def mvm_time_from_throughput(tops: float, cores: int, rows: int, outputs: int) -> float:
    """Seconds per MVM of one core (s) from a chip's published peak throughput ``tops`` (TOPS)
    with ``cores`` cores each computing a ``rows`` × ``outputs`` MVM (2 operations per MAC)."""
    return cores * 2.0 * rows * outputs / (tops * 1e12)


_XUE19 = "Xue 2019 (ISSCC 24.1 / JSSC 55(1) 2020)"
_LIU20 = "Liu 2020 (ISSCC 33.2)"
_HERMES22 = "Khaddam-Aljameh 2022 (JSSC 57(4))"
_LEGALLO23 = "Le Gallo 2023 (Nat. Electron. 6)"
_YOON21 = "Yoon 2021 (ISSCC 2021 / JSSC 57(1) 2022)"
_XUE19_JSSC = ("C.-X. Xue et al., 'Embedded 1-Mb ReRAM-Based Computing-in-Memory Macro With Multibit Input "
               "and Weight for CNN-Based AI Edge Processors', IEEE JSSC 55(1), 203-215, 2020 (journal version of "
               "ISSCC 2019 paper 24.1)")
_LEGALLO = ("M. Le Gallo et al., 'A 64-core mixed-signal in-memory compute chip based on phase-change memory for "
            "deep neural network inference', Nat. Electron. 6, 2023 (arXiv:2212.02872), abstract")

FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        key="xue2019-binary", macro="55 nm 1 Mb ReRAM CIM macro", paper=_XUE19,
        citation=_XUE19_JSSC + ", abstract ('peak energy efficiency of 53.17 TOPS/W')",
        chip="rram-55nm-1mb-xue2019", rows=9, outputs=512, input_bits=1, published=53.17,
        as_printed="53.17 TOPS/W (peak energy efficiency)",
        operating_point="abstract: macro demonstrated at 2b input, 3b weight, 4b output, T_MAC = 14.6 ns; the "
                        "input precision of the peak is not stated (1b input assumed); 9 active word lines "
                        "(3x3 kernel) assumed; supply, clock and sparsity not stated",
        role="calibration", tolerance=0.02,
        workload="1b input, 3b weight, 4b output; 3x3 kernel = 9 active word lines",
        note="energy.adc_conversion solved from this figure"),
    PublishedFigure(
        key="xue2019-multibit", macro="55 nm 1 Mb ReRAM CIM macro", paper=_XUE19,
        citation="C.-X. Xue et al., ISSCC 2019, paper 24.1, Fig. 24.1.6 (unverified: the digest's figure is not "
                 "reachable here; the JSSC 2020 abstract gives only the 53.17 TOPS/W peak)",
        chip="rram-55nm-1mb-xue2019", rows=9, outputs=512, input_bits=2, published=21.9,
        as_printed="21.9 TOPS/W (not read: see citation)",
        operating_point="2b input as two 1b word-line pulses, 3b weight, 4b output (unverified)",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30, source="unverified", calibrated_on="xue2019-binary",
        workload="2b input (two 1b word-line pulses), 3b weight, 4b output; 9 active word lines",
        note="same preset, only crossbar.input_bits = 2: a weak test, it checks only that the energy "
             "scales with the word-line pulses (two 1b planes and a shift-and-add)"),
    PublishedFigure(
        key="xue2019-tmac", macro="55 nm 1 Mb ReRAM CIM macro", paper=_XUE19,
        citation=_XUE19_JSSC + ", abstract ('T_MAC = 14.6 ns at 4-b-out')",
        chip="rram-55nm-1mb-xue2019", rows=9, outputs=512, input_bits=2, published=14.6e-9,
        as_printed="T_MAC = 14.6 ns at 4-b-out",
        operating_point="abstract: 2b input, 3b weight, 4b output MAC; active word lines, supply and clock "
                        "not stated (9 word lines assumed)",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30, quantity="s", calibrated_on="xue2019-binary",
        workload="one 2b-input MAC (two 1b word-line pulses), 9 active word lines, 4b output",
        note="timing from the preset (11.75 ns per 1b read, from the ISSCC digest and unverified; an "
             "assumed 100 MHz shift-and-add cycle); nothing fitted to this figure",
        miss="the preset serialises the two input bit planes (2 x 11.75 ns) and adds an assumed 10 ns "
             "shift-and-add cycle; the paper's serial-input non-weighted-product (SINWP) read finishes a "
             "2b MAC in 14.6 ns, so its per-plane time is shorter than the preset's unverified 11.75 ns "
             "and its accumulation is not a separate clock cycle"),
    PublishedFigure(
        key="liu2020-peak", macro="130 nm 158.8 kb analog ReRAM CIM chip (784-100-10 MLP)", paper=_LIU20,
        citation="Q. Liu et al., 'A Fully Integrated Analog ReRAM Based 78.4TOPS/W Compute-In-Memory Chip "
                 "with Fully Parallel MAC Computing', ISSCC 2020, paper 33.2 (title)",
        chip="rram-130nm-liu2020", rows=784, outputs=100, input_bits=1, published=78.4,
        as_printed="78.4TOPS/W (title)",
        operating_point="fully parallel MAC, 1b inputs, differential weights (title and preset); input "
                        "sparsity, supply and clock of the figure not stated in the title",
        role="calibration", tolerance=0.02,
        workload="fully parallel 784x100 MVM, 1b inputs all on, differential (SW-2T2R) weights",
        note="energy.adc_conversion solved from this figure"),
    PublishedFigure(
        key="liu2020-latency", macro="130 nm 158.8 kb analog ReRAM CIM chip (784-100-10 MLP)", paper=_LIU20,
        citation="Q. Liu et al., ISSCC 2020, paper 33.2 (77 us per MNIST image; unverified: the digest's body "
                 "is not reachable here, the number was seen only in a generated summary of it)",
        chip="rram-130nm-liu2020", rows=784, outputs=100, input_bits=1, published=77e-6,
        as_printed="77 us per image (not read: see citation)",
        operating_point="one MNIST image through the 784-100-10 MLP (unverified)",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30, quantity="s", source="unverified", calibrated_on="liu2020-peak",
        layers=(784, 100, 10),
        workload="one image through the 784-100-10 MLP: layer 1 (784x100) then layer 2 (100x10), 1b inputs",
        note="timing from the preset (51.1 ns MAC access per read, published; ADC time inside it)",
        miss="the published figure is the time per image of the whole chip (input loading, the LPAR-ADC "
             "stages, the digital control), which the digest does not break down; the macro model holds "
             "only the array's 51.1 ns MAC access per layer, so it predicts a fraction of a microsecond"),
    PublishedFigure(
        key="hermes2022-peak", macro="14 nm 256x256 PCM IMC core (HERMES-Core)", paper=_HERMES22,
        citation="R. Khaddam-Aljameh et al., 'HERMES-Core: A 1.59-TOPS/mm2 PCM on 14-nm CMOS In-Memory "
                 "Compute Core Using 300-ps/LSB Linearized CCO-Based ADCs', IEEE JSSC 57(4), 2022, abstract "
                 "('a measured energy efficiency of 10.5 TOPS/W, at a main clock frequency of 1 GHz')",
        chip="pcm-14nm-hermes", rows=256, outputs=256, input_bits=0, published=10.5,
        as_printed="10.5 TOPS/W at 1.59 TOPS/mm2, 1 GHz main clock",
        operating_point="abstract: 256x256 core, 256 CCO ADCs, 1 GHz main clock; input precision and "
                        "sparsity of the figure not stated in the abstract (full-scale PWM inputs assumed)",
        role="calibration", tolerance=0.02,
        workload="256x256 MVM, inputs as pulse-width-modulated analog values (full scale), 8b ADCs",
        note="PCM, the contrasting technology; energy.adc_conversion solved from this figure"),
    PublishedFigure(
        key="hermes2023-chip", macro="14 nm 64-core PCM IMC chip built of HERMES cores", paper=_LEGALLO23,
        citation=_LEGALLO + " ('an energy efficiency of 2.48 or 9.76 TOPS/W' for the four- or one-phase read)",
        chip="pcm-14nm-hermes", rows=256, outputs=256, input_bits=0, published=9.76,
        as_printed="9.76 TOPS/W (one-phase, low-precision read mode), at 63.1 TOPS",
        operating_point="abstract: 8-bit input/output MVMs, one-phase read mode, maximum throughput (all "
                        "64 cores); sparsity not stated (full scale assumed)",
        role="consistency",  # registry-name: a row's role
        tolerance=0.30, calibrated_on="hermes2022-peak",
        workload="256x256 MVM on one core of the 64-core chip, full-scale PWM inputs, 8b ADCs, one phase",
        note="same preset and workload as its calibration: it compares the two papers' numbers, not the "
             "model (not a prediction)"),
    PublishedFigure(
        key="legallo2023-four-phase", macro="14 nm 64-core PCM IMC chip built of HERMES cores", paper=_LEGALLO23,
        citation=_LEGALLO + " ('an energy efficiency of 2.48 or 9.76 TOPS/W' for the four- or one-phase read)",
        chip="pcm-14nm-hermes", rows=256, outputs=256, input_bits=0, published=2.48,
        as_printed="2.48 TOPS/W (four-phase, high-precision read mode), at 16.1 TOPS",
        operating_point="abstract: 8-bit input/output MVMs, four-phase read mode, maximum throughput; "
                        "sparsity not stated (full scale assumed)",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30, calibrated_on="hermes2022-peak", phases=4,
        workload="256x256 MVM as four array reads (four-phase mode), full-scale PWM inputs, 8b ADCs",
        note="the calibrated core with only the read phases changed (4 array reads and conversions per MVM)"),
    PublishedFigure(
        key="legallo2023-one-phase-time", macro="14 nm 64-core PCM IMC chip built of HERMES cores",
        paper=_LEGALLO23, citation=_LEGALLO + " ('a maximum throughput of 16.1 or 63.1 TOPS')",
        chip="pcm-14nm-hermes", rows=256, outputs=256, input_bits=0,
        published=mvm_time_from_throughput(63.1, 64, 256, 256),
        as_printed="63.1 TOPS (one-phase, 64 cores); here as s per 256x256 MVM of one core",
        operating_point="abstract: 8-bit input/output, one-phase, all 64 cores busy (assumed evenly)",
        role="consistency",  # registry-name: a row's role
        tolerance=0.30, quantity="s", calibrated_on="hermes2022-peak",
        workload="one 256x256 MVM on one core, one phase",
        note="the preset's read time was derived from HERMES-Core's own throughput (JSSC 2022): same core "
             "and workload, so this compares the two papers, not the model"),
    PublishedFigure(
        key="legallo2023-four-phase-time", macro="14 nm 64-core PCM IMC chip built of HERMES cores",
        paper=_LEGALLO23, citation=_LEGALLO + " ('a maximum throughput of 16.1 or 63.1 TOPS')",
        chip="pcm-14nm-hermes", rows=256, outputs=256, input_bits=0,
        published=mvm_time_from_throughput(16.1, 64, 256, 256),
        as_printed="16.1 TOPS (four-phase, 64 cores); here as s per 256x256 MVM of one core",
        operating_point="abstract: 8-bit input/output, four-phase, all 64 cores busy (assumed evenly)",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30, quantity="s", calibrated_on="hermes2022-peak", phases=4,
        workload="one 256x256 MVM on one core as four array reads",
        note="the preset's one-phase timing with only the read phases changed"),
    PublishedFigure(
        key="yoon2021-40nm", macro="40 nm 64 Kb RRAM CIM/digital macro", paper=_YOON21,
        citation="J.-H. Yoon et al., 'A 40-nm, 64-Kb, 56.67 TOPS/W Voltage-Sensing Computing-In-Memory/Digital "
                 "RRAM Macro Supporting Iterative Write With Verification and Online Read-Disturb Detection', "
                 "IEEE JSSC 57(1), 68-79, 2022 (journal version of ISSCC 2021), abstract ('a peak energy "
                 "efficiency of 56.67 TOPS/W')",
        chip="rram-40nm-256kb", rows=256, outputs=128, input_bits=1, published=56.67,
        as_printed="56.67 TOPS/W (peak)",
        operating_point="abstract: 1-8b inputs and weights, 20b outputs, eight-bitline hybrid CIM/digital "
                        "MAC; the precision and active rows of the peak are not stated (1b inputs on all 256 "
                        "rows assumed); supply, clock and sparsity not stated",
        role="prediction",  # registry-name: a row's role
        tolerance=0.30,
        workload="256x256 1T1R array (64 Kb), 1b inputs on every row, 128 differential outputs",
        note="the 40 nm preset behind the default run, calibrated on nothing: every energy is an "
             "independent estimate (C·V², Walden FoM, Horowitz, the integrator sized from the full-scale "
             "current, cell reads from the supply); the array is set to 256 x 256",
        miss="under-predicts the efficiency: with every row on, cell reads are 78 % of the energy and the "
             "preset charges them from the supply (cell_read_view = 'supply': V_dd / V_read = 5.5x the "
             "V_read^2 G t dissipated), an upper bound; priced as dissipated the same preset predicts "
             "68.4 TOPS/W (+21 %), so Yoon's active-feedback voltage-sensing read lies between the two "
             "views. The abstract gives neither its read circuit's energy nor the peak's precision"),
)


def figure(key: str) -> PublishedFigure:
    """The published figure named ``key``."""
    for item in FIGURES:
        if item.key == key:
            return item
    raise KeyError(f"no published figure {key!r}; known: {', '.join(f.key for f in FIGURES)}")


#: A citation or ``source`` string that names a work item (an issue, a ticket, a wave, a summary of
#: one) instead of a paper and where in it: never allowed in a chip file or a figure's citation.
_WORK_ITEM = re.compile(r"\bissue[- ]?\d*\b|\bwork item\b|\bticket\b|\bwave\b|#\d+|issue-\d+ summary",
                        re.IGNORECASE)


def names_a_work_item(text: str) -> bool:
    """Whether ``text`` (a citation or a preset's ``source``) cites a work item rather than a paper."""
    return bool(_WORK_ITEM.search(text))


def workload_config(item: PublishedFigure) -> Config:
    """The preset with the figure's input precision (and array size, where the paper's differs).

    Published macro figures hold the macro only, not the chip's input/output buffers, so every
    workload prices buffer accesses at 0: every calibration absorbs the same things.
    """
    config = load_config(item.chip)
    crossbar = replace(config.crossbar, input_bits=item.input_bits)
    if item.key == "yoon2021-40nm":
        crossbar = replace(crossbar, rows=256, cols=256)
    return replace(config, crossbar=crossbar, energy=replace(config.energy, buffer_access=0.0))


def simulate(item: PublishedFigure, seed: int = 0, config: Config | None = None, vectors: int = 4):
    """Run the figure's MVM workload on its preset (``vectors`` MVMs, each as ``item.phases`` array
    reads of the full-scale input); returns the macro (with its tally)."""
    from neurosim.crossbar import CrossbarMacro

    config = config or workload_config(item)
    rng = np.random.default_rng(seed)
    clip = config.crossbar.weight_clip
    weights = np.clip(rng.standard_normal((item.rows, item.outputs)), -clip, clip)
    macro = CrossbarMacro.from_weights(config, weights, rng)
    peak = 1.0 if item.input_bits == 0 else float(2 ** item.input_bits - 1)
    macro @ np.full((vectors * item.phases, item.rows), peak)
    return macro


def tops_per_watt(item: PublishedFigure, macro) -> float:
    """Energy efficiency (TOPS/W) of ``macro``'s work as the paper counts it: 2 operations per MAC of
    each MVM, an MVM read in ``item.phases`` phases counted once."""
    return 2.0 * macro.tally.macs / item.phases / macro_energy_J(macro) / 1e12


def simulate_latency(item: PublishedFigure, seed: int = 0) -> float:
    """Seconds neurosim predicts for one input through the figure's MLP (``layers``), layer
    after layer, each layer's outputs binarised as the next layer's 1b inputs; without
    ``layers``, the seconds one MVM of the figure's workload takes (all its phases)."""
    from neurosim.crossbar import CrossbarMacro

    if not item.layers:
        macro = simulate(item, seed, vectors=1)
        return macro_latency_s(macro)
    config = workload_config(item)
    rng = np.random.default_rng(seed)
    x = np.ones((1, item.layers[0]))
    total = 0.0
    for n_in, n_out in zip(item.layers[:-1], item.layers[1:]):
        macro = CrossbarMacro.from_weights(config, rng.standard_normal((n_in, n_out)), rng)
        y = macro @ x
        total += macro_latency_s(macro)
        x = (y > 0).astype(float)
    return total


def simulate_value(item: PublishedFigure, seed: int = 0) -> float:
    """neurosim's value of the figure's quantity (TOPS/W or s) on its workload."""
    if item.quantity == "s":
        return simulate_latency(item, seed)
    return tops_per_watt(item, simulate(item, seed))


def calibrated_adc_conversion(item: PublishedFigure, seed: int = 0) -> float:
    """The ADC conversion energy (J, at the preset's ``adc_ref_bits``) at which neurosim reproduces
    ``item`` exactly."""
    config = workload_config(item)
    config = replace(config, energy=replace(config.energy, adc_conversion=0.0))
    macro = simulate(item, seed, config)
    target = 2.0 * macro.tally.macs / item.phases / (item.published * 1e12)
    rest = macro_energy_J(macro)
    if rest >= target:
        raise ValueError(f"{item.key}: the preset's other energies ({rest:.3g} J) already exceed the "
                         f"published total ({target:.3g} J)")
    scale = 2.0 ** (config.crossbar.adc_bits - config.energy.adc_ref_bits)
    return (target - rest) / macro.tally.adc_conversions / scale


def conversion_fom(item: PublishedFigure, seed: int = 0) -> float:
    """The calibrated conversion energy of ``item``'s macro per conversion step (J): the Walden figure
    of merit ``adc_conversion / 2^adc_ref_bits`` that reproduces the calibration figure."""
    return calibrated_adc_conversion(item, seed) / 2.0 ** load_config(item.chip).energy.adc_ref_bits


def leave_one_macro_out(seed: int = 0) -> list[dict]:
    """For each calibrated macro: its calibration point predicted with the conversion energy the
    *other* macros' calibrations imply (their geometric-mean figure of merit, J per conversion step,
    at this macro's ``adc_ref_bits``), nothing fitted to it. Dicts of ``held_out``, ``chip``,
    ``fom_J`` (its own), ``others_fom_J``, ``published``, ``neurosim`` (TOPS/W), ``relative_error``."""
    calibrations = [f for f in FIGURES if f.role == "calibration" and f.quantity == "TOPS/W"]
    foms = {f.key: conversion_fom(f, seed) for f in calibrations}
    rows = []
    for item in calibrations:
        others = [foms[k] for k in foms if k != item.key]
        fom = float(np.exp(np.mean(np.log(others))))
        config = workload_config(item)
        config = replace(config, energy=replace(config.energy,
                                                adc_conversion=fom * 2.0 ** config.energy.adc_ref_bits))
        ours = tops_per_watt(item, simulate(item, seed, config))
        rows.append({"held_out": item.key, "chip": item.chip, "fom_J": foms[item.key], "others_fom_J": fom,
                     "published": item.published, "neurosim": ours, "relative_error": ours / item.published - 1.0})
    return rows


def validation_table(seed: int = 0) -> list[dict]:
    """Published vs neurosim for every figure: value, relative error, role and where the number comes from."""
    rows = []
    for item in FIGURES:
        ours = simulate_value(item, seed)
        error = ours / item.published - 1.0
        within = abs(error) <= item.tolerance
        row = {
            "key": item.key, "macro": item.macro, "paper": item.paper, "chip": item.chip, "role": item.role,
            "quantity": item.quantity, "calibrated_on": item.calibrated_on, "source": item.source,
            "workload": item.workload, "operating_point": item.operating_point, "as_printed": item.as_printed,
            "phases": item.phases, "published": item.published, "neurosim": ours,
            "relative_error": error, "tolerance": item.tolerance, "within_tolerance": within,
            "miss": "" if within else item.miss, "citation": item.citation, "note": item.note,
        }
        if item.quantity == "TOPS/W":
            row.update({"published_TOPS_per_W": item.published, "neurosim_TOPS_per_W": ours,
                        "published_fJ_per_op": 1e3 / item.published, "neurosim_fJ_per_op": 1e3 / ours})
        rows.append(row)
    return rows


# --- the energy breakdown -------------------------------------------------------------------------------

@dataclass(frozen=True)
class BreakdownCheck:
    """A share of a macro's energy, published (or implied by two published figures) vs the model's.

    ``low``/``high``: two figures of one macro whose workloads differ only in how often one part of
    the work repeats, ``repeats_low``/``repeats_high`` times per MVM (read phases, input bit planes);
    with per-MVM energy ``E(n) = fixed + n · per_repeat``, their two energies per operation fix the
    share of ``E(repeats_low)`` that does not repeat (digital post-processing, input loading). A
    check without two such figures carries ``unverified`` and the reason, and no error."""

    key: str
    paper: str
    component: str
    low: str = ""
    high: str = ""
    repeats_low: int = 1
    repeats_high: int = 1
    unverified: str = ""


BREAKDOWNS: tuple[BreakdownCheck, ...] = (
    BreakdownCheck(key="legallo2023-phase-share", paper=_LEGALLO23,
                   component="share of the one-phase MVM energy that a four-phase read does not repeat",
                   low="hermes2023-chip", high="legallo2023-four-phase", repeats_low=1, repeats_high=4),
    BreakdownCheck(key="xue2019-plane-share", paper=_XUE19,
                   component="share of the 1b-input MAC energy that a second input bit plane does not repeat",
                   low="xue2019-binary", high="xue2019-multibit", repeats_low=1, repeats_high=2),
    BreakdownCheck(key="neurram2022-components", paper="Wan 2022 (Nature 608)",
                   component="component shares (neuron/ADC, drivers, array, digital) across input/output "
                             "precisions, Extended Data Fig. 12b",
                   unverified="Extended Data Fig. 12b is a bar chart: its caption was read (nature.com), its "
                              "shares are printed in no text reachable here, and no NeuRRAM preset exists"),
)


def fixed_share(tops_low: float, tops_high: float, repeats_low: int, repeats_high: int) -> float:
    """Share of the per-MVM energy at ``repeats_low`` repeats that does not repeat, from the
    efficiencies (TOPS/W, same operations per MVM) at ``repeats_low`` and ``repeats_high`` repeats.
    Negative when the energy grows faster than the repeats (the two points differ in more than the
    repeats, or each repeat adds work of its own)."""
    e_low, e_high = 1.0 / tops_low, 1.0 / tops_high
    per_repeat = (e_high - e_low) / (repeats_high - repeats_low)
    return (e_low - repeats_low * per_repeat) / e_low


def model_shares(item: PublishedFigure, seed: int = 0) -> dict[str, float]:
    """The model's energy by component on ``item``'s workload, as shares of the total."""
    breakdown = macro_energy_breakdown(simulate(item, seed))
    total = sum(breakdown.values())
    return {name: value / total for name, value in breakdown.items() if value}


def breakdown_table(seed: int = 0) -> list[dict]:
    """Every :data:`BREAKDOWNS` check: ``published_share`` (implied by the two published figures),
    ``neurosim_share`` (the model's, from its own values on the same two workloads), ``error_pp``
    (model − published, percentage points), the figures' ``source``, the model's component shares on
    the low workload, or ``unverified`` with the reason and no error."""
    rows = []
    for check in BREAKDOWNS:
        row: dict[str, object] = {
            "key": check.key, "paper": check.paper, "component": check.component, "unverified": check.unverified,
            "published_share": None, "neurosim_share": None, "error_pp": None, "source": "unverified",
            "model_components": {}}
        if not check.unverified:
            low, high = figure(check.low), figure(check.high)
            published = fixed_share(low.published, high.published, check.repeats_low, check.repeats_high)
            ours = fixed_share(simulate_value(low, seed), simulate_value(high, seed),
                               check.repeats_low, check.repeats_high)
            ours = round(ours, 12) + 0.0  # no "-0.0 %" from rounding noise
            row.update(published_share=published, neurosim_share=ours, error_pp=100.0 * (ours - published),
                       source="paper" if low.source == high.source == "paper" else "unverified",
                       figures=(low.key, high.key), model_components=model_shares(low, seed))
        rows.append(row)
    return rows
