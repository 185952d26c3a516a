"""The "what" and "when" prediction readouts as a step hook (closed loop), and their ablations.

One :class:`WhatWhenHook` runs one method over a sequence of trials
(:mod:`neurosim.tasks.prediction.paradigm`) on an engine that steps a hook
(:mod:`neurosim.engines.online`). Features are the presynaptic eligibility traces of all
reservoir neurons, ``x_i ← exp(−dt/τ_i) x_i + s_i`` (heterogeneous ``τ_i``, so the
population decays on many time scales after the cue), minus a running baseline ``m`` (each
trace's mean over past training trials, ``m ← m + 0.1 (x̄_trial − m)`` at every training
trial's end: the common mode of the background activity is not a feature; test trials leave it
alone, so a run of cue-only test trials does not shift the features it measures), plus a
constant 1 (bias): ``f = [x − m, 1]``, ``F = neurons + 1`` features. Output channels are A and B.

Methods (``method``):

- ``three-factor`` (the paper's): output ``o_c(t) = what_c · when_c(t)``.
  *what*: ``what_c = W_what[c] · f̄`` with ``f̄`` the mean feature over the post-cue window
  ``[0, what_window)`` relative to its own running mean over past trials (``m̄ ← m̄ + 0.1 (f̄ − m̄)``
  after each training trial; its bias entry is ``what_bias``): the state before any event carries no
  information about which event comes, so the rule learns mostly the bias and the
  trial-to-trial deviations; learned at trial end by the two-factor NLMS delta rule towards the
  one-hot outcome (:func:`~neurosim.learning.three_factor.delta_rule_update`), so it tends to
  ``p(c)``. *when*: ``when_c(t) = W_when[c] · f(t)``, learned at every step by the gated
  three-factor rule ``ΔW_when[c] = η_when/(fᵀf) · (k_c(t) − when_c(t)) · g_c(t) · f(t)``:
  the error against the event kernel ``k_c`` (Gaussian around the latency), the attention gate
  ``g_c`` open only on the channel that occurred within ``gate_half_width`` of its latency.
- ``merged``: one readout per channel, ``o_c = W[c] · f``, the same three-factor rule with the
  gate open on **both** channels near their latencies and target ``k_c(t)·[c occurred]``: what
  and when in one set of weights (ablation).
- ``force`` / ``force-reset``: the merged target learned by RLS (:class:`~neurosim.learning.rls.RLS`,
  FORCE) every ``rls_interval`` steps, over the whole trial (``rls_window = "trial"``, classic
  FORCE: target 0 away from the events) or only where the merged rule's gate is open
  (``"gate"``: within ``gate_half_width`` of either latency); ``force-reset`` resets ``P`` at the
  first trial of a block whose statistics differ from the previous block's. Both use RLS's
  forgetting factor ``rls_forgetting`` (1: classic FORCE; ``λ < 1`` forgets old samples, so the
  readout keeps adapting without a reset).

Which weights act within a trial (``output_weights``): ``"trial-start"`` (default) — the output
and its feedback use the weights the trial started with; the rule still runs at every step, on
a learning copy (the digital accumulator of mixed-precision on-chip learning: Nandakumar et
al., Front. Neurosci. 14:406, 2020), and the trial's net change is written to the store (the
chip: programming pulses) at the trial's end, so a trial's plasticity takes effect from the
next trial and no output is informed by the outcome of its own trial (the teacher is known
before the event); RLS likewise acts with its weights of the trial's start. ``"live"``: every
update acts at once (each step's update programmed onto the store; FORCE's classic online
correction), which lets training trials' outputs and feedback follow the teacher within the
trial, so they are no longer predictions and test trials (no learning) see another closed loop.

Closed loop: the output is fed back into the reservoir, ``fb = W_fb o(t)`` (``W_fb``
``(neurons, 2)`` fixed, Gaussian, std ``feedback_scale`` mV), entering the next step, plus
the network's background noise. Test trials (cue only) run with learning off.

Readout weights are :class:`ReadoutWeights`: float arrays (a digital readout), or matrices of
the chip's :class:`~neurosim.learning.onchip.OnChipMemory` (programmed by write-verify pulses through
its mixed-precision accumulator, read with every device's read noise, each read counted in the
memory's tally), the same device model as every other on-chip weight; RLS weights are digital.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.learning.onchip import OnChipMemory
from neurosim.learning.rls import RLS
from neurosim.learning.three_factor import delta_rule_update, eligibility_step, three_factor_update

__all__ = ["METHODS", "OUTPUT_WEIGHTS", "RLS_WINDOWS", "ReadoutParams", "ReadoutWeights", "WhatWhenHook"]

METHODS = ("three-factor", "merged", "force", "force-reset")
OUTPUT_WEIGHTS = ("trial-start", "live")
RLS_WINDOWS = ("trial", "gate")


@dataclass(frozen=True)
class ReadoutParams:
    """Learning constants: rates (dimensionless, NLMS-normalised); RLS ``alpha``, interval (steps),
    window (``"trial"`` or ``"gate"``) and forgetting factor (per update; 1 = classic FORCE); kernel
    ``sigma``, ``gate_half_width``, ``what_window`` (s), step ``dt`` (s); ``output_weights``: which
    weights act within a trial, ``"trial-start"`` or ``"live"`` (module docstring)."""

    lr_when: float = 0.02
    lr_what: float = 0.05
    rls_alpha: float = 10.0
    rls_interval: int = 10
    rls_window: str = "trial"
    rls_forgetting: float = 1.0
    sigma: float = 0.03
    gate_half_width: float = 0.06
    what_window: float = 0.15
    what_bias: float = 10.0
    dt: float = 1e-3
    output_weights: str = "trial-start"


class ReadoutWeights:
    """A ``(2, F)`` readout weight matrix ``name``, zero at the start: a float array, or (``memory``)
    a matrix of an :class:`~neurosim.learning.onchip.OnChipMemory` mapped to ``[−w_max, w_max]``.

    ``updates_``: entries changed (a digital readout pays one MAC each); ``reads_``: reads. On the
    chip the memory's tally counts the programming pulses and every read.
    """

    def __init__(self, name: str, shape: tuple[int, int], memory: OnChipMemory | None = None,
                 w_max: float = 1.0):
        self.name, self.memory = name, memory
        self.updates_ = 0
        self.reads_ = 0
        self._w = np.zeros(shape)
        if memory is not None:
            memory.store(name, self._w, w_max)

    @property
    def w(self) -> np.ndarray:
        """The weights stored now (without read noise)."""
        return self._w if self.memory is None else self.memory.stored(self.name)

    def read(self) -> np.ndarray:
        """The weights as one read sees them (on the chip: a fresh read-noise draw, counted)."""
        self.reads_ += 1
        if self.memory is None:
            return self._w
        self.memory.count_read(self.name)
        return self.memory.read(self.name, 1)

    def update(self, dw: np.ndarray) -> None:
        """Apply the change ``dw`` (same shape; zero entries are not written)."""
        n = int(np.count_nonzero(dw))
        if n == 0:
            return
        self.updates_ += n
        if self.memory is None:
            self._w += dw
        else:
            self.memory.update(self.name, dw)


class WhatWhenHook:
    """Runs ``method`` over ``trials`` (see the module docstring).

    ``trace_decay``: ``(neurons,)`` per-step decay of the eligibility traces; ``w_fb``:
    ``(neurons, 2)`` feedback weights (mV); ``noise``: the background-noise hook or None;
    ``memory``: the chip's :class:`~neurosim.learning.onchip.OnChipMemory` that holds the readout
    weights (None: digital float weights), mapped to ``[−w_max, w_max]``; ``bins``: steps per trial.
    Records (float32) ``outputs_[trial]`` ``(bins, 2)``, and the weights at each block's end
    (``snapshots_``: list of ``(block, {"what", "when"})``).
    """

    def __init__(self, method: str, trials: list, bins: int, params: ReadoutParams, trace_decay: np.ndarray,
                 w_fb: np.ndarray, noise, memory: OnChipMemory | None = None, w_max: float = 1.0):
        if method not in METHODS:
            raise ValueError(f"unknown prediction method {method!r}; one of {', '.join(METHODS)}")
        if params.rls_window not in RLS_WINDOWS:
            raise ValueError(f"rls_window must be one of {', '.join(RLS_WINDOWS)}, got {params.rls_window!r}")
        if params.output_weights not in OUTPUT_WEIGHTS:
            raise ValueError(f"output_weights must be one of {', '.join(OUTPUT_WEIGHTS)}, "
                             f"got {params.output_weights!r}")
        self.method, self.trials, self.bins, self.p = method, trials, bins, params
        n = len(trace_decay)
        self.features = n + 1
        self.decay = np.asarray(trace_decay, dtype=np.float64)
        self.w_fb = np.asarray(w_fb, dtype=np.float64)
        self.noise = noise
        self.f = np.zeros(self.features)
        self.f[-1] = 1.0
        self.x = np.zeros(n)
        self.baseline = np.zeros(n)
        self._xsum = np.zeros(n)
        self.what_baseline = np.zeros(self.features)
        self.t = np.arange(bins) * params.dt
        self.what_bins = int(round(params.what_window / params.dt))
        self.outputs_ = np.zeros((len(trials), bins, 2), dtype=np.float32)
        self.what_ = np.zeros((len(trials), 2))       # the 'what' output of each trial (three-factor)
        self.snapshots_: list[tuple[int, dict]] = []
        self.offset = 0
        self.rls_updates_ = 0
        self.what_updates_ = 0
        self.learn_macs_ = 0          # arithmetic of the learning copy (trial-start): error reads and updates
        self.deferred = params.output_weights == "trial-start"
        self.memory = memory

        def store(name: str) -> ReadoutWeights:
            return ReadoutWeights(name, (2, self.features), memory, w_max)
        if method == "three-factor":
            self.w_when, self.w_what = store("when"), store("what")
        elif method == "merged":
            self.w_when, self.w_what = store("merged"), None
        else:
            self.rls = RLS(self.features, 2, params.rls_alpha, forgetting=params.rls_forgetting)
            self.w_when = self.w_what = None
        self._trial = None

    # ---- engine callbacks

    def trial_start(self, sample: int) -> None:
        g = self.offset + sample
        self._g = g
        self._trial = tr = self.trials[g]
        self.x[:] = 0.0
        self._xsum[:] = 0.0
        self._fsum = np.zeros(self.features)
        self._what = np.zeros(2)
        lat = tr.stats.latencies
        k = np.exp(-0.5 * ((self.t[:, None] - lat[None, :]) / self.p.sigma) ** 2)   # (bins, 2)
        self._kernel = k
        self._inside = np.abs(self.t[:, None] - lat[None, :]) <= self.p.gate_half_width
        if self.method == "force-reset" and not tr.test and tr.position == 0 and g > 0:
            prev = self.trials[g - 1].stats
            if (prev.p_a, prev.t_a, prev.t_b) != (tr.stats.p_a, tr.stats.t_a, tr.stats.t_b):
                self.rls.reset()
        if self.deferred and self.method.startswith("force"):
            self._act_w = self.rls.w_ if tr.test else self.rls.w_.copy()    # RLS acts with these weights
        elif self.deferred and not tr.test:
            self._learn = self.w_when.w.copy()       # the learning copy, from the stored weights
            self._start = self._learn.copy()
        if self.noise is not None:
            self.noise.trial_start(g)

    def _when_update(self, f: np.ndarray, target: np.ndarray, live: np.ndarray, gate: np.ndarray) -> None:
        """One step of the gated three-factor rule towards ``target`` ``(2,)``: on the learning copy
        (its own output as the error's prediction) when updates are deferred, else on the store
        with ``live`` (the output just read) as the prediction."""
        lr = self.p.lr_when / float(f @ f)
        if self.deferred:
            y = self._learn @ f
            three_factor_update(self._learn, f, target - y, gate, lr)
            self.learn_macs_ += 2 * int(np.count_nonzero(gate)) * self.features
        else:
            self.w_when.update(three_factor_update(np.zeros((2, self.features)), f, target - live, gate, lr))

    def step(self, sample: int, b: int, spikes: np.ndarray, v: np.ndarray) -> np.ndarray:
        tr, f, p = self._trial, self.f, self.p
        eligibility_step(self.x, spikes, self.decay)
        self._xsum += self.x
        np.subtract(self.x, self.baseline, out=f[:-1])
        learn = not tr.test
        if self.method == "three-factor":
            if b < self.what_bins:
                self._fsum += f
                if b == self.what_bins - 1:
                    self._fbar = self._fsum / self.what_bins - self.what_baseline
                    self._fbar[-1] = p.what_bias
                    self._what = self.w_what.read() @ self._fbar
                    self.what_[self._g] = self._what
            when = self.w_when.read() @ f
            o = self._what * when
            if learn and tr.occurred >= 0 and self._inside[b, tr.occurred]:
                gate = np.zeros(2)
                gate[tr.occurred] = 1.0
                self._when_update(f, self._kernel[b], when, gate)
        elif self.method == "merged":
            o = self.w_when.read() @ f
            if learn and self._inside[b].any():
                self._when_update(f, self._kernel[b] * (np.arange(2) == tr.occurred), o,
                                  self._inside[b].astype(np.float64))
        else:
            o = self._act_w @ f if self.deferred else self.rls.predict(f)
            if learn and b % p.rls_interval == 0 and (p.rls_window == "trial" or self._inside[b].any()):
                self.rls.update(f, self._kernel[b] * (np.arange(2) == tr.occurred))
                self.rls_updates_ += 1
        self.outputs_[self._g, b] = o
        fb = self.w_fb @ o
        if self.noise is not None:
            fb = fb + self.noise.current()
        return fb

    def trial_end(self, sample: int) -> None:
        tr = self._trial
        if self.deferred and not tr.test and self.method in ("three-factor", "merged"):
            self.w_when.update(self._learn - self._start)        # the trial's net change, programmed once
        if self.method == "three-factor" and not tr.test and tr.occurred >= 0:
            target = (np.arange(2) == tr.occurred).astype(np.float64)
            self.w_what.update(_nlms_change(self.w_what.read(), self._fbar, target, self.p.lr_what))
            self.what_baseline[:-1] += 0.1 * self._fbar[:-1]
            self.what_updates_ += 1
        if not tr.test:          # a test trial measures; it adapts nothing, not even the features' baseline
            self.baseline += 0.1 * (self._xsum / self.bins - self.baseline)
        nxt = self._g + 1
        if nxt == len(self.trials) or self.trials[nxt].block != tr.block:
            self.snapshots_.append((tr.block, self.weights()))

    # ---- results

    def weights(self) -> dict[str, np.ndarray]:
        """Current readout weights ``(2, F)``: ``when`` (or the merged / RLS weights) and ``what`` (if any)."""
        if self.method == "three-factor":
            return {"when": self.w_when.w.copy(), "what": self.w_what.w.copy()}
        if self.method == "merged":
            return {"when": self.w_when.w.copy()}
        return {"when": self.rls.w_.copy()}


def _nlms_change(w: np.ndarray, x: np.ndarray, target: np.ndarray, lr: float) -> np.ndarray:
    """The NLMS change of :func:`~neurosim.learning.three_factor.delta_rule_update` for weights ``w``
    (computed on a copy; the caller applies it to its store)."""
    return delta_rule_update(np.array(w, dtype=np.float64), x, target, lr)
