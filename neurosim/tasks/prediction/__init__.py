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
  a block's amplitude from its end-of-block test trials (the primary, target-bearing measure) and,
  reported beside it, the mean over its test points from ``amplitude_from`` of the block on;
  test-error learning curves, |cos(W_what, W_when)| against the random-vector level 1/√F, the
  PCA of the readout weights across the blocks.
* **switch** (every method of ``switch_methods``): ``switch_pre_blocks`` blocks of
  ``p(A) = switch_from`` then ``switch_post_blocks`` blocks after a switch of the probability
  (to ``switch_to``), of the latencies (to ``switch_t_a``, ``switch_t_b``) or both. Figure: the
  anticipatory amplitude of A on each training trial (before A's input can arrive), and the
  trials each method needs to come within ``recover_tolerance`` of a step of the new level.

Amplitudes are relative: the mean output in a window divided by the mean of the event kernel
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.energy import cell_read_energy, estimate_energy
from neurosim.engines import get_engine, stepping_engines
from neurosim.errors import EngineError
from neurosim.learning.what_when import ReadoutParams, WhatWhenHook
from neurosim.networks import build_lsm
from neurosim.networks.background import BackgroundNoise, background_std
from neurosim.networks.models import time_step
from neurosim.tasks.prediction.metrics import _learning_curve as _learning_curve
from neurosim.tasks.prediction.metrics import block_amplitudes, relative_amplitude
from neurosim.tasks.prediction.paradigm import Block, schedule_trials, sweep_blocks, switch_blocks
from neurosim.tasks.prediction.report import prediction_figures, prediction_report, prediction_summary
from neurosim.tasks.prediction.result import PredictionResult, SeedRun
from neurosim.tasks.prediction.settings import PredictionSettings
from neurosim.tasks.prediction.trials import _memory, _run_trials
from neurosim.tasks.needs import TaskSetting
from neurosim.tasks.registry import Headline, RunContext, Task, register_task

__all__ = ["Prediction", "PredictionSettings", "block_amplitudes", "prediction_figures", "prediction_report",
           "prediction_summary", "relative_amplitude"]


@register_task
class Prediction(Task):
    """What and when of an expected event, learned online (see the module docstring)."""

    name = "prediction"
    uses_dataset = False
    description = ("what/when prediction in a closed-loop Izhikevich reservoir: three-factor rule vs "
                   "FORCE, amplitude vs probability, re-adaptation after switches, energy of learning")
    Settings = PredictionSettings
    required_keys = ("prediction.sweep", "prediction.switch")
    headline = (Headline("prediction.sweep.r_a_block_end_mean_over_seeds",
                         "r of A's end-of-block amplitude with p(A)"),)
    needs = (
        TaskSetting("network.model",
                    "izhikevich",  # registry-name: the neuron model the paradigm is defined on (Yamada & Chao)
                    "the paradigm's reservoir (Yamada & Chao): heterogeneous Izhikevich neurons with thalamic "
                    "background noise, the readout fed back into it"),
        TaskSetting("crossbar.adc_mode", "ideal", "the prediction study was defined and measured with an ideal "
                    "ADC, array reads passing the analog value (conversions are still counted and priced "
                    "at crossbar.adc_bits); this keeps its protocol"),
    )

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
                               rls_interval=s.rls_interval, rls_window=s.rls_window,
                               rls_forgetting=s.force_forgetting, sigma=s.sigma,
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
