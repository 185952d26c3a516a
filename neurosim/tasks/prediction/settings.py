"""The ``[prediction]`` settings section: the what/when paradigm, its readouts and experiments, and
their cross-key check."""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.config import Config, param
from neurosim.errors import ConfigError
from neurosim.learning.what_when import METHODS, OUTPUT_WEIGHTS, RLS_WINDOWS

__all__ = ["PredictionSettings"]


@dataclass(frozen=True)
class PredictionSettings:
    """[prediction]: the what/when paradigm, its readouts and its experiments (defaults: docs/studies/prediction.md)."""

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
    amplitude_from: float = param(0.5, "The amplitude reported beside the primary end-of-block one: the mean "
                                  "over a block's test points from this fraction of the block on, each point "
                                  "weighing equally (the readouts keep learning between points; 1 = the "
                                  "end-of-block test trials only)", "", 0.0, 1.0)
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
    force_forgetting: float = param(1.0, "Forgetting factor λ of FORCE/RLS (force, force-reset), per update: a "
                                    "sample m updates old weighs λᵐ, a memory of about rls_interval/(1 − λ) "
                                    "steps; 1 = classic FORCE (every sample since the last P reset weighs "
                                    "equally)", "", 0.5, 1.0)
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
