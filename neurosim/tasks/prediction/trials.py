"""Running trials closed-loop: the chip memory that holds an experiment's readouts, and the trials
through an engine in chunks (each ending at a block's end at the latest), their operations counted."""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.config import Config, apply_mapping
from neurosim.energy import count_operations
from neurosim.learning.onchip import OnChipMemory
from neurosim.learning.what_when import WhatWhenHook
from neurosim.tasks.prediction.metrics import _test_error
from neurosim.tasks.prediction.paradigm import trial_raster
from neurosim.tasks.prediction.settings import PredictionSettings

__all__ = ["CHUNK_TRIALS"]

CHUNK_TRIALS = 25          # trials per engine call (bounds the spike raster in memory)


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
