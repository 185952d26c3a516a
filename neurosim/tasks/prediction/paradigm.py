"""The "what and when" prediction paradigm (Yamada & Chao, arXiv 2510.14382): trials, blocks, input spikes.

A trial lasts ``trial_duration`` and starts with a cue (``cue_duration``) on its input
channels; then event A arrives at latency ``t_a`` with probability ``p_a``, or else event B
at ``t_b`` (each lasting ``event_duration``). A *block* is ``block_trials`` training trials
with fixed statistics ``(p_a, t_a, t_b)``; between blocks the probability, the latencies or
both may switch. A *test* trial shows only the cue, with learning off.

Input: three groups of ``channels_per_stimulus`` channels (cue, A, B; in that order); while
a stimulus is on, each of its channels spikes in each step with probability
``input_prob`` (Bernoulli, seeded per trial). The teaching signal of channel ``c`` is a
Gaussian kernel ``exp(−(t − t_c)² / 2σ²)`` around its latency when ``c`` occurred
(:func:`event_kernel`).

Everything here is a pure function of its arguments and the generators passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Block", "Trial", "event_kernel", "schedule_trials", "sweep_blocks", "switch_blocks",
           "trial_raster"]

CHANNELS = ("A", "B")


@dataclass(frozen=True)
class Block:
    """Statistics of one block: ``p_a`` (probability of A), latencies ``t_a``, ``t_b`` (s)."""

    p_a: float
    t_a: float
    t_b: float
    trials: int

    @property
    def latencies(self) -> np.ndarray:
        return np.array([self.t_a, self.t_b])


@dataclass(frozen=True)
class Trial:
    """One trial: its ``block`` index, the block's statistics, ``occurred`` (0 = A, 1 = B, −1 = none:
    a test trial) and ``test`` (cue only, learning off); ``position``: training trials of its
    block before it."""

    block: int
    stats: Block
    occurred: int
    test: bool
    position: int


def sweep_blocks(levels: int, trials: int, t_a: float, t_b: float, rng: np.random.Generator) -> list[Block]:
    """``levels`` blocks with ``p_a`` evenly spaced over [0, 1], in an order drawn from ``rng``."""
    ps = np.linspace(0.0, 1.0, levels)
    return [Block(float(ps[i]), t_a, t_b, trials) for i in rng.permutation(levels)]


def switch_blocks(p_from: float, p_to: float, t_a: float, t_b: float, kind: str, t_a_to: float,
                  t_b_to: float, pre: int, post: int, trials: int) -> list[Block]:
    """``pre`` blocks of the first statistics, then ``post`` of the second. ``kind``:
    ``"probability"`` (``p_from`` → ``p_to``), ``"latency"`` (latencies → ``t_a_to``, ``t_b_to``) or ``"both"``."""
    if kind not in ("probability", "latency", "both"):
        raise ValueError(f"switch kind must be probability, latency or both, got {kind!r}")
    first = Block(p_from, t_a, t_b, trials)
    p2 = p_to if kind in ("probability", "both") else p_from
    lat = (t_a_to, t_b_to) if kind in ("latency", "both") else (t_a, t_b)
    return [first] * pre + [Block(p2, lat[0], lat[1], trials)] * post


def schedule_trials(blocks: list[Block], test_every: int, test_trials: int,
                    rng: np.random.Generator) -> list[Trial]:
    """The trials of ``blocks`` in order: each block's training trials (outcome A with probability
    ``p_a``, drawn from ``rng``), a test trial after every ``test_every`` of them (0 = none) and
    ``test_trials`` test trials at the block's end."""
    out: list[Trial] = []
    for k, block in enumerate(blocks):
        for i in range(block.trials):
            out.append(Trial(k, block, 0 if rng.random() < block.p_a else 1, False, i))
            if test_every and (i + 1) % test_every == 0 and i + 1 < block.trials:
                out.append(Trial(k, block, -1, True, i + 1))
        out.extend(Trial(k, block, -1, True, block.trials) for _ in range(test_trials))
    return out


def trial_raster(trial: Trial, bins: int, dt: float, cue_duration: float, event_duration: float,
                 channels_per_stimulus: int, input_prob: float, rng: np.random.Generator) -> np.ndarray:
    """Input spikes of ``trial``, bool ``[bins, 3 · channels_per_stimulus]`` (cue, A, B groups)."""
    k = channels_per_stimulus
    on = np.zeros((bins, 3), dtype=bool)
    on[:min(bins, int(round(cue_duration / dt))), 0] = True
    if trial.occurred >= 0:
        start = int(round(float(trial.stats.latencies[trial.occurred]) / dt))
        on[start:min(bins, start + int(round(event_duration / dt))), 1 + trial.occurred] = True
    draws = rng.random((bins, 3 * k)) < input_prob
    return draws & np.repeat(on, k, axis=1)


def event_kernel(t: np.ndarray | float, latency: float, sigma: float) -> np.ndarray:
    """``exp(−(t − latency)² / 2σ²)`` (t, latency, σ in s)."""
    return np.exp(-0.5 * ((np.asarray(t, dtype=np.float64) - latency) / sigma) ** 2)
