"""Task ``prediction``: "what" and "when" of an expected event in an Izhikevich reservoir (Yamada & Chao,
arXiv 2510.14382), learned by a gated three-factor rule, against FORCE/RLS, optionally on the chip.

For each of ``prediction.seeds`` seeds (run seeds :func:`neurosim.seeds.repeat_seed` of ``run.seed``; each
its own chip instance, background noise, trials) two experiments run closed-loop on an engine
that steps a hook (``cpu`` or ``brian2``; :mod:`neurosim.learning.what_when`):

* **probability sweep** (three-factor method): a warm-up block of ``sweep_warmup_trials`` at
  ``p(A) = 0.5`` (left out of the figures), then ``p_levels`` blocks with ``p(A)`` evenly
  spaced over [0, 1], in a seeded order, one after the other (the readouts carry over);
  test trials (cue only, learning off) every ``test_every`` trials and ``test_trials`` at each
  block's end. Figures: the output amplitude in each event window vs ``p(A)`` (Pearson r),
  a block's amplitude the mean over its test points from ``amplitude_from`` of the block on
  (and, reported too, at its end only), test-error learning curves, |cos(W_what, W_when)| against the
  random-vector level 1/√F, the PCA of the readout weights across the blocks.
* **switch** (every method of ``switch_methods``): ``switch_pre_blocks`` blocks of
  ``p(A) = switch_from`` then ``switch_post_blocks`` blocks after a switch of the probability
  (to ``switch_to``), of the latencies (to ``switch_t_a``, ``switch_t_b``) or both. Figure: the
  anticipatory amplitude of A on each training trial (before A's input can arrive), and the
  trials each method needs to come within ``recover_tolerance`` of a step of the new level.

Amplitudes are relative: the mean output in a window divided by the mean of the event kernel
there, so a perfect predictor scores ``p`` (the probability of that event). Energy: the
reservoir per trial (the chip model), the readouts' inference (MACs, or crossbar reads) and
learning (digital updates, or programming pulses when ``readout_on_chip``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from neurosim import seeds
from neurosim.config import Config, apply_mapping, param
from neurosim.energy import Tally, cell_read_energy, count_operations, estimate_energy, price
from neurosim.engines import get_engine, stepping_engines
from neurosim.errors import ConfigError, EngineError
from neurosim.learning.onchip import OnChipMemory
from neurosim.learning.what_when import METHODS, OUTPUT_WEIGHTS, RLS_WINDOWS, ReadoutParams, WhatWhenHook
from neurosim.networks import build_lsm
from neurosim.networks.models import time_step
from neurosim.networks.background import BackgroundNoise, background_std
from neurosim.tasks.prediction.paradigm import (Block, Trial, schedule_trials, sweep_blocks, switch_blocks,
                                                trial_raster)
from neurosim.tasks.registry import Headline, RunContext, Task, register_task
from neurosim.tasks.report_parts import energy_sections

__all__ = ["Prediction", "PredictionSettings", "prediction_summary"]

CHUNK_TRIALS = 25          # trials per engine call (bounds the spike raster in memory)


@dataclass(frozen=True)
class PredictionSettings:
    """[prediction]: the what/when paradigm, its readouts and its experiments (defaults in the README)."""

    seeds: int = param(3, "Seeds (network, noise, trials) run one after the other; figures are means", "", 1, 1000)
    trial_duration: float = param(1.0, "Length of a trial", "s", 0.01, 100.0)
    cue_duration: float = param(0.05, "Cue length, from the trial's start", "s", 0.001, 10.0)
    event_duration: float = param(0.05, "Length of event A or B on its input channels", "s", 0.001, 10.0)
    t_a: float = param(0.3, "Latency of event A after the cue's onset", "s", 0.0, 100.0)
    t_b: float = param(0.7, "Latency of event B", "s", 0.0, 100.0)
    sigma: float = param(0.03, "Std of the Gaussian event kernel (the 'when' target)", "s", 0.001, 10.0)
    channels_per_stimulus: int = param(20, "Input channels of each stimulus (cue, A, B)", "", 1, 10000)
    input_prob: float = param(1.0, "Spike probability per step of a channel while its stimulus is on", "",
                              0.0, 1.0)
    block_trials: int = param(100, "Training trials per block (fixed statistics)", "", 1, 100000)
    test_every: int = param(10, "A test trial (cue only, learning off) after every this many training "
                            "trials; 0 = only at block ends", "", 0, 100000)
    test_trials: int = param(20, "Test trials at the end of each block (more trials, less of the reservoir's "
                             "trial-to-trial noise in that test point)", "", 1, 10000)
    amplitude_from: float = param(0.5, "A block's amplitude (vs p(A)) is the mean over its test points from "
                                  "this fraction of the block on, each point weighing equally (the readouts "
                                  "keep learning between points; 1 = the end-of-block test trials only, "
                                  "reported as well)", "", 0.0, 1.0)
    sweep_block_trials: int = param(0, "Training trials per block of the probability sweep; 0 = "
                                    "block_trials", "", 0, 100000)
    sweep_warmup_trials: int = param(100, "Training trials at p(A) = 0.5 before the sweep's first level (the "
                                     "'when' readout learns the latencies; left out of the figures)", "", 0,
                                     100000)
    p_levels: int = param(11, "Probability levels of the sweep (evenly spaced over [0, 1])", "", 2, 1001)
    switch_kind: str = param("probability", "What changes at the switch", choices=("probability", "latency",
                                                                                   "both"))
    switch_from: float = param(0.8, "p(A) before the switch", "", 0.0, 1.0)
    switch_to: float = param(0.2, "p(A) after a probability switch", "", 0.0, 1.0)
    switch_t_a: float = param(0.5, "Latency of A after a latency switch", "s", 0.0, 100.0)
    switch_t_b: float = param(0.9, "Latency of B after a latency switch", "s", 0.0, 100.0)
    switch_pre_blocks: int = param(5, "Blocks before the switch (FORCE/RLS averages every trial since its "
                                   "last P reset: n trials after the switch it is off by n_pre/(n_pre + n) "
                                   "of the step, so more than half only if more than n trials came before)",
                                   "", 1, 1000)
    switch_post_blocks: int = param(1, "Blocks after the switch", "", 1, 1000)
    switch_methods: str = param("three-factor,merged,force,force-reset", "Methods compared on the switch "
                                "(comma-separated, of three-factor, merged, force, force-reset; \"\" = none)")
    sweep: bool = param(True, "Run the probability sweep (three-factor)")
    lr_when: float = param(0.05, "η of the three-factor 'when' rule (per step, normalised by fᵀf)", "",
                           0.0, 10.0)
    lr_what: float = param(0.2, "η of the two-factor 'what' delta rule (per trial, normalised)", "", 0.0, 10.0)
    gate_half_width: float = param(0.06, "The attention gate is open within ± this of the latency", "s",
                                   0.0, 10.0)
    what_window: float = param(0.15, "Post-cue window whose mean state the 'what' readout sees (must end "
                               "before the earliest event)", "s", 0.001, 10.0)
    output_weights: str = param("trial-start", "Weights the output and its feedback use within a trial: "
                                "'trial-start' (a trial's updates, run on a learning copy, are written at "
                                "its end and act from the next trial) or 'live' (every update acts at once)",
                                choices=OUTPUT_WEIGHTS)
    rls_alpha: float = param(10.0, "FORCE/RLS ridge penalty (P₀ = I/α)", "", 1e-9, 1e9)
    rls_interval: int = param(10, "FORCE/RLS updates every this many steps", "steps", 1, 100000)
    rls_window: str = param("trial", "Steps FORCE/RLS learns on: 'trial' (the whole trial, target 0 away from "
                            "the events: classic FORCE) or 'gate' (only within gate_half_width of either "
                            "latency, where the merged rule learns)", choices=RLS_WINDOWS)
    trace_tau_min: float = param(0.05, "Shortest eligibility-trace time constant (log-uniform per neuron)",
                                 "s", 1e-4, 100.0)
    trace_tau_max: float = param(1.0, "Longest eligibility-trace time constant", "s", 1e-4, 100.0)
    feedback_scale: float = param(2.0, "Std of the feedback weights of the output into the reservoir "
                                  "(closed loop); 0 = open loop", "mV", 0.0, 1e6)
    readout_on_chip: bool = param(True, "Readout weights on the crossbar (levels, read noise, pulses) "
                                  "when the chip's device is not 'ideal'")
    readout_levels: int = param(256, "Conductance levels of an on-chip readout weight when device.levels "
                                "is 0 (continuous forming)", "", 2, 65536)
    readout_w_max: float = param(0.1, "Largest |readout weight| on the chip (the conductance window)", "",
                                 1e-9, 1e6)
    recover_tolerance: float = param(0.25, "Recovered: the smoothed amplitude within this fraction of the "
                                     "step from the new level", "", 0.0, 1.0)
    recover_smooth: int = param(10, "Training trials in the moving average of the switch amplitude", "",
                                1, 1000)

    def methods(self) -> tuple[str, ...]:
        names = tuple(m.strip() for m in self.switch_methods.split(",") if m.strip())
        bad = [m for m in names if m not in METHODS]
        if bad:
            raise ConfigError(f"prediction.switch_methods: unknown method(s) {', '.join(bad)}; choose from "
                              f"{', '.join(METHODS)}")
        return names

    def check(self, config: Config) -> None:
        """Cross-key rules: events inside the trial, the what window before the earliest event."""
        self.methods()
        names = ("t_a", "t_b") + (("switch_t_a", "switch_t_b") if self.switch_kind != "probability" else ())
        for name in names:
            t = getattr(self, name)
            if t + self.event_duration > self.trial_duration:
                raise ConfigError(f"prediction.{name} = {t} s: the event must end inside the trial "
                                  f"(prediction.trial_duration = {self.trial_duration} s)")
            if t < self.what_window:
                raise ConfigError(f"prediction.{name} = {t} s is earlier than the end of prediction."
                                  f"what_window = {self.what_window} s; the 'what' state must precede the events")
        if self.trace_tau_max < self.trace_tau_min:
            raise ConfigError("prediction.trace_tau_max must be >= prediction.trace_tau_min")


@dataclass
class SeedRun:
    """One seed's outputs: per experiment, the trials and the hook (outputs, weights, counters)."""

    seed: int
    sweep: tuple[list, WhatWhenHook] | None = None
    switch: dict[str, tuple[list, WhatWhenHook]] = field(default_factory=dict)
    ops: object = None
    trials_run: int = 0
    features: int = 0


@dataclass
class PredictionResult:
    config: Config
    settings: PredictionSettings
    engine: str
    runs: list
    bins: int
    energy: object
    on_chip: bool
    neurons: int


def _memory(config: Config, s: PredictionSettings, seed: int, exp: str, method: str,
            on_chip: bool) -> OnChipMemory | None:
    """The chip memory that holds one experiment's readouts (None: digital readouts, and always for
    RLS); an analog device (``device.levels = 0``) stores them on ``readout_levels`` levels."""
    if not on_chip or method.startswith("force"):
        return None
    if config.device.levels == 0:
        config = apply_mapping(config, {"device": {"levels": s.readout_levels}}, "prediction.readout_levels")
    return OnChipMemory(config, seeds.rng(seed, "prediction", "readout", exp, method))


def _run_trials(engine, lsm, trials: list, hook: WhatWhenHook, s: PredictionSettings, seed: int, exp: str,
                bins: int, dt: float, progress, label: str):
    """Run ``trials`` through ``engine`` with ``hook`` in chunks; returns the operation counts."""
    ops = None
    block_end = {i for i, tr in enumerate(trials) if i + 1 == len(trials) or trials[i + 1].block != tr.block}
    start = 0
    while start < len(trials):
        stop = min(len(trials), start + CHUNK_TRIALS)
        for i in range(start, stop):          # end chunks at block ends (progress per block)
            if i in block_end:
                stop = i + 1
                break
        raster = np.stack([trial_raster(trials[g], bins, dt, s.cue_duration, s.event_duration,
                                        s.channels_per_stimulus, s.input_prob,
                                        seeds.rng(seed, "prediction", exp, "trial", g)) for g in range(start, stop)])
        hook.offset = start
        act = engine.run(lsm, raster, hook=hook)
        c = count_operations(raster, np.asarray(act.spike_raster), lsm.programmed.tiling, 0)
        ops = c if ops is None else ops + c
        if stop - 1 in block_end:
            tr = trials[stop - 1]
            err = _test_error(hook.outputs_[stop - 1], tr, s, dt)
            progress.note(f"{label}: block {tr.block + 1}/{trials[-1].block + 1} (p(A) = {tr.stats.p_a:.2f}, "
                          f"t_A {tr.stats.t_a:g} s, t_B {tr.stats.t_b:g} s): end-of-block test error {err:.4f}")
        start = stop
    return ops


@register_task
class Prediction(Task):
    """What and when of an expected event, learned online (see the module docstring)."""

    name = "prediction"
    uses_dataset = False
    description = ("what/when prediction in a closed-loop Izhikevich reservoir: three-factor rule vs "
                   "FORCE, amplitude vs probability, re-adaptation after switches, energy of learning")
    Settings = PredictionSettings
    required_keys = ("prediction.sweep", "prediction.switch")
    headline = (Headline("prediction.sweep.r_a_mean_over_seeds", "r of A's amplitude with p(A)"),)

    def run(self, config: Config, context: RunContext) -> PredictionResult:
        s = self.settings(config)
        s.check(config)
        if context.engine != "auto" and context.engine not in stepping_engines():
            raise EngineError(f"task prediction learns online and needs an engine that steps a hook: "
                              f"--engine {' or '.join(stepping_engines())}")
        engine = get_engine(context.engine)
        dt = time_step(config)
        bins = int(round(s.trial_duration / dt))
        n_in = 3 * s.channels_per_stimulus
        on_chip = s.readout_on_chip and config.device.kind != "ideal"
        params = ReadoutParams(lr_when=s.lr_when, lr_what=s.lr_what, rls_alpha=s.rls_alpha,
                               rls_interval=s.rls_interval, rls_window=s.rls_window, sigma=s.sigma,
                               gate_half_width=s.gate_half_width, what_window=s.what_window, dt=dt,
                               output_weights=s.output_weights)
        runs, ops = [], None
        for k in range(s.seeds):
            seed = seeds.repeat_seed(config.run.seed, k)
            lsm = build_lsm(config, n_in, seeds.chip_rng(seed, config.run.instance))
            n = lsm.neurons
            r = seeds.rng(seed, "prediction", "readout-setup")
            taus = np.exp(r.uniform(np.log(s.trace_tau_min), np.log(s.trace_tau_max), n))
            decay = np.exp(-dt / taus)
            w_fb = s.feedback_scale * r.standard_normal((n, 2))
            std = background_std(lsm)
            run = SeedRun(seed, features=n + 1)
            experiments = []
            if s.sweep:
                blocks = sweep_blocks(s.p_levels, s.sweep_block_trials or s.block_trials, s.t_a, s.t_b,
                                      seeds.rng(seed, "prediction", "order"))
                if s.sweep_warmup_trials:
                    blocks = [Block(0.5, s.t_a, s.t_b, s.sweep_warmup_trials)] + blocks
                experiments.append(("sweep", "three-factor", blocks))
            methods = s.methods()
            if methods:
                blocks = switch_blocks(s.switch_from, s.switch_to, s.t_a, s.t_b, s.switch_kind, s.switch_t_a,
                                       s.switch_t_b, s.switch_pre_blocks, s.switch_post_blocks, s.block_trials)
                experiments += [("switch", m, blocks) for m in methods]
            for exp, method, blocks in experiments:
                trials = schedule_trials(blocks, s.test_every, s.test_trials,
                                         seeds.rng(seed, "prediction", exp, "outcomes"))
                noise = None if std is None else BackgroundNoise(std, seed, config.run.instance,
                                                                  first_sample=0 if exp == "sweep" else 10**7)
                hook = WhatWhenHook(method, trials, bins, params, decay, w_fb, noise,
                                    _memory(config, s, seed, exp, method, on_chip), s.readout_w_max)
                c = _run_trials(engine, lsm, trials, hook, s, seed, exp, bins, dt, context.progress,
                                f"seed {seed} {exp} {method}")
                # each seed is its own chip: its cell reads are priced with its own conductances here
                c = replace(c, cell_read_J=cell_read_energy(config, c, lsm.programmed), row_activations_per_row=None)
                ops = c if ops is None else ops + c
                run.trials_run += len(trials)
                if exp == "sweep":
                    run.sweep = (trials, hook)
                else:
                    run.switch[method] = (trials, hook)
            runs.append(run)
        energy = estimate_energy(config, ops, lsm.programmed, n_inputs=n_in, n_classes=0, steps=bins)
        return PredictionResult(config=config, settings=s, engine=getattr(engine, "name", context.engine),
                                runs=runs, bins=bins, energy=energy, on_chip=on_chip, neurons=lsm.neurons)

    def report(self, result: PredictionResult) -> dict:
        return prediction_report(result)

    def figures(self, result: PredictionResult) -> dict:
        return prediction_figures(result)

    def summary(self, report: dict) -> list[tuple[str, str]]:
        return prediction_summary(report)


# --------------------------------------------------------------------------- metrics

def _window(t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (t >= lo - 1e-12) & (t < hi - 1e-12)


def relative_amplitude(outputs: np.ndarray, latencies: np.ndarray, sigma: float, dt: float,
                       anticipatory: bool = False) -> np.ndarray:
    """Mean output of each channel in its event window / mean event kernel there, ``(2,)``.

    ``outputs``: ``(bins, 2)``; the window is ``[t_c − σ, t_c + σ)``, or ``[t_c − σ, t_c)`` when
    ``anticipatory`` (before the event's input can reach the reservoir)."""
    t = np.arange(outputs.shape[0]) * dt
    out = np.zeros(2)
    for c in range(2):
        w = _window(t, latencies[c] - sigma, latencies[c] + (0.0 if anticipatory else sigma))
        k = np.exp(-0.5 * ((t[w] - latencies[c]) / sigma) ** 2)
        out[c] = float(outputs[w, c].mean() / k.mean()) if w.any() else float("nan")
    return out


def _test_error(outputs: np.ndarray, trial: Trial, s: PredictionSettings, dt: float) -> float:
    """Mean squared error of a trial's output against the ideal prediction ``p_c k_c(t)``, over the
    steps within ``gate_half_width`` of either latency (where the events are expected; elsewhere
    the gated rule never learns, so its output there is not a prediction)."""
    t = np.arange(outputs.shape[0]) * dt
    lat = trial.stats.latencies
    p = np.array([trial.stats.p_a, 1.0 - trial.stats.p_a])
    ideal = p[None, :] * np.exp(-0.5 * ((t[:, None] - lat[None, :]) / s.sigma) ** 2)
    inside = np.abs(t[:, None] - lat[None, :]) <= s.gate_half_width
    return float(((outputs - ideal)[inside] ** 2).mean())


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def block_amplitudes(trials: list, outputs: np.ndarray, sigma: float, dt: float,
                     start_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Each block's amplitude from its test trials: ``(blocks,)`` p(A) and ``(blocks, 2)`` amplitudes.

    A block's test points are its test trials grouped by position (training trials before them);
    a point's amplitude is the mean :func:`relative_amplitude` of its trials, and the block's is the
    mean over its points at positions ≥ ``start_fraction`` × the block's training trials, each point
    weighing equally (``start_fraction = 1``: the end-of-block test trials only). The readouts keep
    learning between points, so averaging them measures the rule's amplitude at that p(A) rather
    than one snapshot of weights that fluctuate from trial to trial. Blocks in order of appearance."""
    points: dict[int, dict[int, list]] = {}
    p_of: dict[int, float] = {}
    for g, tr in enumerate(trials):
        if tr.test and tr.position >= start_fraction * tr.stats.trials - 1e-9:
            p_of[tr.block] = tr.stats.p_a
            points.setdefault(tr.block, {}).setdefault(tr.position, []).append(
                relative_amplitude(outputs[g], tr.stats.latencies, sigma, dt))
    blocks = list(points)
    amp = np.array([np.mean([np.mean(v, axis=0) for v in points[k].values()], axis=0) for k in blocks])
    return np.array([p_of[k] for k in blocks]), amp.reshape(len(blocks), 2)


def _amplitude_figures(per_seed: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """r and mean amplitude curves from each seed's ``(p, amp)`` of :func:`block_amplitudes`."""
    rows = []
    for p, amp in per_seed:
        order = np.argsort(p)
        rows.append({"p_a": p[order].tolist(), "amp_a": amp[order, 0].tolist(), "amp_b": amp[order, 1].tolist(),
                     "r_a": _pearson(p, amp[:, 0]), "r_b": _pearson(p, amp[:, 1])})
    amp_a = np.mean([x["amp_a"] for x in rows], axis=0)
    amp_b = np.mean([x["amp_b"] for x in rows], axis=0)
    p = np.array(rows[0]["p_a"])

    def mean_r(key):
        vals = [x[key] for x in rows if x[key] is not None]
        return float(np.mean(vals)) if vals else None
    return {"p_a": p.tolist(), "amp_a_mean": amp_a.tolist(), "amp_b_mean": amp_b.tolist(),
            "r_a_mean_over_seeds": mean_r("r_a"), "r_b_mean_over_seeds": mean_r("r_b"),
            "r_a_of_mean": _pearson(p, amp_a), "r_b_of_mean": _pearson(p, amp_b), "per_seed": rows}


def _learning_curve(trials: list, outputs: np.ndarray, first: int, s: PredictionSettings,
                    dt: float) -> dict[int, list]:
    """Test errors by training trials into the block, ``position → [errors]``, for blocks ≥ ``first``.

    Position 0 is the previous block's end-of-block test trials scored against this block's
    statistics: no training trial runs in between, so they are the weights the block starts with."""
    curve: dict[int, list] = {}
    ends: dict[int, list] = {}
    for g, tr in enumerate(trials):
        if tr.test and tr.position == tr.stats.trials:
            ends.setdefault(tr.block, []).append(g)
    for g, tr in enumerate(trials):
        if tr.block < first:
            continue
        if tr.test:
            curve.setdefault(tr.position, []).append(_test_error(outputs[g], tr, s, dt))
        elif tr.position == 0 and tr.block - 1 in ends:
            curve.setdefault(0, []).extend(_test_error(outputs[e], tr, s, dt) for e in ends[tr.block - 1])
    return curve


def _sweep_metrics(result: PredictionResult) -> dict:
    s, dt = result.settings, time_step(result.config)
    amps, ends, curves, coss, pcas, seeds_run = [], [], [], [], [], []
    for run in result.runs:
        if run.sweep is None:
            continue
        trials, hook = run.sweep
        first = 1 if s.sweep_warmup_trials else 0          # block 0 is the warm-up
        sweep = [(g, tr) for g, tr in enumerate(trials) if tr.block >= first]
        outs = hook.outputs_[[g for g, _ in sweep]]
        amps.append(block_amplitudes([tr for _, tr in sweep], outs, s.sigma, dt, s.amplitude_from))
        ends.append(block_amplitudes([tr for _, tr in sweep], outs, s.sigma, dt, 1.0))
        seeds_run.append(run.seed)
        curves.append(_learning_curve(trials, hook.outputs_, first, s, dt))
        final = hook.weights()
        cos = [abs(float(np.dot(a[:-1], b[:-1]) / (np.linalg.norm(a[:-1]) * np.linalg.norm(b[:-1]) + 1e-300)))
               for a, b in zip(final["what"], final["when"])]
        coss.append(cos)
        kept = [(k, w) for k, w in hook.snapshots_ if k >= first]
        snaps = np.array([np.concatenate([w["what"][:, :-1].ravel(), w["when"][:, :-1].ravel()]) for _, w in kept])
        snap_p = np.array([trials[[t.block for t in trials].index(k)].stats.p_a for k, _ in kept])
        pcas.append(_pca(snaps, snap_p))
    if not amps:
        return {}
    main = _amplitude_figures(amps)
    for row, seed in zip(main["per_seed"], seeds_run):
        row["seed"] = seed
    end = _amplitude_figures(ends)
    positions = sorted(set.intersection(*[set(c) for c in curves]))
    curve = [float(np.mean([np.mean(c[q]) for c in curves])) for q in positions]
    features = result.runs[0].features - 1
    return {
        **main,
        "r_a_block_end_mean_over_seeds": end["r_a_mean_over_seeds"],       # also in block_end; flat for the
        "r_b_block_end_mean_over_seeds": end["r_b_mean_over_seeds"],       # HTML report's metrics table
        "block_end": {k: v for k, v in end.items() if k != "p_a"},
        "learning_curve": {"trial_in_block": positions, "test_error": curve,
                           "first": curve[0] if curve else None, "last": curve[-1] if curve else None},
        "cos_what_when": {"per_seed_per_channel": coss, "mean": float(np.mean(coss)),
                          "random_level": 1.0 / np.sqrt(features), "ratio_to_random":
                          float(np.mean(coss) * np.sqrt(features))},
        "pca": pcas,
        "amplitude": (f"mean output in [t_c − σ, t_c + σ) / mean event kernel there, on cue-only test "
                      f"trials; a block's amplitude is the mean over its test points from "
                      f"{s.amplitude_from:g} of the block on (each point, i.e. the test trials after the same "
                      f"number of training trials, weighs equally); 'block_end': the end-of-block test "
                      f"trials only"),
    }


def _pca(x: np.ndarray, p: np.ndarray) -> dict:
    """PCA of readout-weight snapshots ``(conditions, weights)``: explained variance of 3 PCs, r(PC1, p)."""
    if len(x) < 2:
        return {}
    xc = x - x.mean(axis=0)
    u, sv, _ = np.linalg.svd(xc, full_matrices=False)
    var = sv ** 2 / max(float((sv ** 2).sum()), 1e-300)
    pc = u * sv
    return {"explained_variance": var[:3].tolist(), "pc1": pc[:, 0].tolist(),
            "pc2": pc[:, 1].tolist() if pc.shape[1] > 1 else [], "p_a": p.tolist(),
            "r_pc1_p": _pearson(pc[:, 0], p)}


def _switch_metrics(result: PredictionResult) -> dict:
    s, dt = result.settings, time_step(result.config)
    out: dict = {}
    methods = s.methods()
    for method in methods:
        series, recovered, offs, before = [], [], [], []
        for run in result.runs:
            if method not in run.switch:
                continue
            trials, hook = run.switch[method]
            train = [(g, tr) for g, tr in enumerate(trials) if not tr.test]
            amp = np.array([relative_amplitude(hook.outputs_[g], tr.stats.latencies, s.sigma, dt,
                                               anticipatory=True)[0] for g, tr in train])
            series.append(amp)
            first_post = next(i for i, (_, tr) in enumerate(train) if tr.block == s.switch_pre_blocks)
            old_stats, new_stats = train[first_post - 1][1].stats, train[first_post][1].stats
            k = s.recover_smooth
            level = float(amp[max(0, first_post - k):first_post].mean())      # the method's own plateau
            target = level * new_stats.p_a / old_stats.p_a if old_stats.p_a > 0 else new_stats.p_a
            step = abs(target - level) if new_stats.p_a != old_stats.p_a else abs(target)
            smooth = np.convolve(amp, np.ones(k) / k, mode="full")[:len(amp)]   # causal moving average
            post = smooth[first_post + k - 1:]
            hit = np.flatnonzero(np.abs(post - target) <= s.recover_tolerance * step) if step > 0 else []
            recovered.append(int(hit[0]) + k if len(hit) else None)
            end = amp[first_post:first_post + s.block_trials][-k:]
            offs.append(float(abs(end.mean() - target) / step) if step > 0 else None)
            before.append(level)
        if not series:
            continue
        rec = [r for r in recovered if r is not None]
        out[method] = {
            "trials_to_recover": recovered,
            "trials_to_recover_mean": float(np.mean(rec)) if len(rec) == len(recovered) else None,
            "off_after_block_fraction_of_step": offs,
            "off_after_block_mean": float(np.mean([o for o in offs if o is not None])) if any(
                o is not None for o in offs) else None,
            "amp_before_switch": before,
            "amp_a_mean_series": np.mean(series, axis=0).tolist(),
            "rls_updates": int(sum(r.switch[method][1].rls_updates_ for r in result.runs if method in r.switch)),
        }
    out["definition"] = (f"anticipatory amplitude of A on training trials ([t_A − σ, t_A), relative), "
                         f"causal mean over {s.recover_smooth} trials; the new level is the method's own "
                         f"plateau before the switch (mean of its last {s.recover_smooth} trials) × p_new/p_old "
                         f"(p_new itself if p_old = 0); the step is |new level − plateau| (the new level "
                         f"itself when only latencies switch); recovered when within {s.recover_tolerance} "
                         f"of the step from the new level; 'off' = |mean of the last {s.recover_smooth} "
                         f"trials of the first post-switch block − new level| / step")
    out["switch"] = {"kind": s.switch_kind, "from": s.switch_from, "to": s.switch_to}
    return out


def _learning_energy(result: PredictionResult) -> dict:
    """Energy of learning and of readout inference per method (summed over seeds, and per trial), each
    a :class:`~neurosim.energy.Tally` priced by :func:`~neurosim.energy.price`."""
    config = result.config
    features = result.runs[0].features
    per: dict[str, dict] = {}
    for run in result.runs:
        hooks = ([("sweep three-factor", run.sweep[1])] if run.sweep else []) + \
                [(f"switch {m}", h) for m, (_, h) in run.switch.items()]
        for name, h in hooks:
            d = per.setdefault(name, {"trials": 0, "programming_pulses": 0, "weight_updates": 0, "rls_macs": 0,
                                      "learning_copy_macs": 0, "readout_reads": 0, "_chip": Tally()})
            d["trials"] += len(h.trials)
            d["learning_copy_macs"] += h.learn_macs_
            for store in (h.w_when, h.w_what):
                if store is not None:
                    d["weight_updates"] += store.updates_
                    d["readout_reads"] += store.reads_
            if h.memory is not None:
                d["_chip"].add(h.memory.tally)
                d["programming_pulses"] += h.memory.tally.program_pulses
            if h.method.startswith("force"):
                d["rls_macs"] += h.rls_updates_ * (2 * features * features + 4 * features)
                d["readout_reads"] += len(h.trials) * result.bins
    for d in per.values():
        chip = d.pop("_chip")
        on_chip = result.on_chip and d["rls_macs"] == 0          # RLS readouts are digital
        digital = d["rls_macs"] + d["learning_copy_macs"] + (0 if on_chip else d["weight_updates"])
        learn = price(config, Tally(program_pulses=chip.program_pulses, readout_macs=digital))
        if on_chip:       # the reads the chip memory counted (its writes are learning)
            reads = price(config, replace(chip, program_pulses=0), cells_per_weight=2)
        else:
            reads = price(config, Tally(readout_macs=d["readout_reads"] * 2 * features))
        d.update(on_chip=on_chip, learning_J_per_trial=float(sum(learn.values())) / max(d["trials"], 1),
                 readout_inference_J_per_trial=float(sum(reads.values())) / max(d["trials"], 1))
    return {"per_method": per,
            "model": ("every figure is a Tally priced by the chip's price list (neurosim.energy.price); on chip: "
                      "the readouts live in the chip memory: each read drives the F rows once and converts "
                      "each output per row tile (OnChipMemory.count_read), each update costs the "
                      "program_pulse of its write-verify pulses; digital: 2F readout_mac per read, one "
                      "readout_mac per weight update; RLS (always digital): 2F² + 4F MACs per update; "
                      "with output_weights = 'trial-start' the learning copy adds 2F readout_mac per channel "
                      "and step it learns (its error read and update), and the store is written once per trial")}


def prediction_report(result: PredictionResult) -> dict:
    s = result.settings
    report = {
        "dataset": {"name": "what-when paradigm", "n_samples": sum(r.trials_run for r in result.runs)},
        "engine": result.engine,
        "prediction": {
            "seeds": [r.seed for r in result.runs], "neurons": result.neurons,
            "paradigm": {"trial_s": s.trial_duration, "cue_s": s.cue_duration, "t_a_s": s.t_a, "t_b_s": s.t_b,
                         "sigma_s": s.sigma, "block_trials": s.block_trials, "p_levels": s.p_levels},
            "sweep": _sweep_metrics(result),
            "switch": _switch_metrics(result),
            "learning_energy": _learning_energy(result),
        },
    }
    report.update(energy_sections(result.energy))
    return report


def prediction_figures(result: PredictionResult) -> dict:
    """The HTML report's figure panels (curves; see :func:`neurosim.report.html_report.render_html`)."""
    rep, s = prediction_report(result)["prediction"], result.settings
    plots = {}
    sw = rep["sweep"]
    if sw:
        plots[f"Amplitude vs p(A) (test points from {s.amplitude_from:g} of each block on, mean over seeds)"] = {
            "x": sw["p_a"], "series": {"A": sw["amp_a_mean"], "B": sw["amp_b_mean"], "ideal A": sw["p_a"]},
            "xlabel": "p(A)", "ylabel": "relative amplitude"}
        lc = sw["learning_curve"]
        plots["Test error over a block (mean over blocks and seeds)"] = {
            "x": lc["trial_in_block"], "series": {"three-factor": lc["test_error"]},
            "xlabel": "training trials in the block", "ylabel": "MSE vs p·kernel"}
        if sw["pca"] and sw["pca"][0]:
            plots["PC1 of the readout weights across sweep blocks (seed 1)"] = {
                "x": sw["pca"][0]["p_a"], "series": {"PC1": sw["pca"][0]["pc1"]}, "xlabel": "p(A)",
                "ylabel": "PC1", "markers": True}
    series = {m: v["amp_a_mean_series"] for m, v in rep["switch"].items() if isinstance(v, dict)
              and "amp_a_mean_series" in v}
    if series:
        n = len(next(iter(series.values())))
        plots["Anticipatory amplitude of A across the switch (mean over seeds)"] = {
            "x": list(range(n)), "series": series, "xlabel": "training trial", "ylabel": "relative amplitude"}
    return {"panels": [{"kind": "curves", "title": title, "caption": title, **spec} for title, spec in plots.items()]}


def prediction_summary(report: dict) -> list[tuple[str, str]]:
    p = report["prediction"]
    rows = []
    sw = p["sweep"]

    def f(x, fmt="{:.3f}"):
        return "n/a" if x is None else fmt.format(x)
    if sw:
        rows.append(("amplitude vs p(A)", f"r_A {f(sw['r_a_mean_over_seeds'])}, r_B {f(sw['r_b_mean_over_seeds'])} "
                     f"(mean over seeds); of the seed mean r_A {f(sw['r_a_of_mean'])}, r_B {f(sw['r_b_of_mean'])}"))
        end = sw["block_end"]
        rows.append(("… block end only", f"r_A {f(end['r_a_mean_over_seeds'])}, r_B {f(end['r_b_mean_over_seeds'])} "
                     f"(mean over seeds)"))
        lc = sw["learning_curve"]
        rows.append(("test error (block)", f"{f(lc['first'], '{:.4f}')} → {f(lc['last'], '{:.4f}')}"))
        c = sw["cos_what_when"]
        rows.append(("|cos what, when|", f"{c['mean']:.4f} (random {c['random_level']:.4f}, "
                     f"×{c['ratio_to_random']:.2f})"))
    for m, v in p["switch"].items():
        if isinstance(v, dict) and "trials_to_recover" in v:
            rows.append((f"switch {m}", f"recovers in {v['trials_to_recover']} trials; off after the block "
                         f"{f(v['off_after_block_mean'], '{:.2f}')} of the step"))
    for name, d in p["learning_energy"]["per_method"].items():
        where = "on chip" if d["on_chip"] else "digital"
        label = "learn " + ("sweep" if name.startswith("sweep") else name.replace("switch ", ""))
        rows.append((label, f"{d['learning_J_per_trial']:.3g} J/trial {where} "
                     f"({d['programming_pulses']} pulses, {d['weight_updates']} updates, {d['rls_macs']:.3g} RLS MACs); "
                     f"readout {d['readout_inference_J_per_trial']:.3g} J/trial"))
    return rows
