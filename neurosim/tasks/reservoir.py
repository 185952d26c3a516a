"""Task ``reservoir``: how good a reservoir is the programmed chip, before any readout is trained.

Programs the chip exactly as ``classify`` does (same seed ⇒ same chip), runs the
dataset through the reservoir and reports

* firing statistics on the data: mean rate (Hz), silent fraction, per-neuron rate spread;
* the separation property on the data: mean state distance between samples of
  different classes vs of the same class (and the same for the input itself);
* kernel rank over ``m`` distinct dataset samples and generalisation rank over ``m``
  jittered copies of one sample (input spikes dropped / shifted, seeded);
* memory capacity for a random input stream, rate-coded on a few input channels
  and run as one long sample.

Definitions and sources are in :mod:`neurosim.networks.metrics`. States are spike
counts per neuron over a sample (the LSM feature the readout sees) for separation
and ranks, and per-bin spike vectors (optionally low-pass filtered) for memory
capacity. Every random draw comes from the run seed (:func:`metric_rng`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurosim.config import Config, chip_hash, config_hash, to_dict
from neurosim.networks.metrics import (DEFAULT_RANK_RTOL, FiringStats, MemoryCapacity, Separation,
                                       exponential_filter, firing_stats, generalization_rank,
                                       kernel_rank, memory_capacity, separation, state_vectors)
from neurosim.networks.stimuli import jitter_raster, rate_coded_stream
from neurosim.progress import Progress
from neurosim.report.json_report import SCHEMA, make_run_id
from neurosim.report.provenance import provenance
from neurosim.tasks.classify import sample_durations
from neurosim.tasks.setup import set_up

__all__ = ["ReservoirResult", "ReservoirSettings", "metric_rng", "reservoir_figures",
           "reservoir_report", "reservoir_summary", "run_reservoir"]

#: Random streams of this task, children of the run seed (see :func:`metric_rng`).
METRIC_STREAMS = ("select", "jitter", "stream", "pairs")
#: First spawn-key word of the task's streams ("resv" in ASCII), far from the
#: small indices of :data:`neurosim.seeds.STREAMS`, so no stream is shared with them.
_SPAWN_KEY = 0x72657376


def metric_rng(seed: int, name: str) -> np.random.Generator:
    """Generator of this task's stream ``name`` (one of :data:`METRIC_STREAMS`) for run ``seed``."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(_SPAWN_KEY, METRIC_STREAMS.index(name))))


@dataclass(frozen=True)
class ReservoirSettings:
    """How the metrics are probed (defaults follow the sources in :mod:`neurosim.networks.metrics`).

    Attributes:
        rank_samples: ``m``, the inputs behind each rank (capped at the dataset's samples).
        rank_rtol: singular values above ``rank_rtol · σ_max`` count towards a rank.
        jitter_drop: probability that a jittered copy loses an input spike.
        jitter_shift: probability that a kept input spike moves in time.
        jitter_max_shift: largest move, in bins.
        separation_max_samples: samples compared pairwise at most (a seeded subset above).
        mc_bins: time steps of the memory-capacity stream (one long sample).
        mc_max_delay: ``K``, the largest delay (bins) a readout recalls.
        mc_washout: first time steps left out (transient from the resting state).
        mc_channels: input channels that carry the rate-coded stream.
        mc_max_prob: spike probability per channel and bin at ``u = 1``.
        mc_state_decay: per-bin decay of the exponential filter on the state (0 = raw spikes).
        mc_ridge_alpha: ridge penalty of the readouts (on standardised states).
    """

    rank_samples: int = 100
    rank_rtol: float = DEFAULT_RANK_RTOL
    jitter_drop: float = 0.1
    jitter_shift: float = 0.1
    jitter_max_shift: int = 1
    separation_max_samples: int = 1000
    mc_bins: int = 2000
    mc_max_delay: int = 20
    mc_washout: int = 50
    mc_channels: int = 32
    mc_max_prob: float = 1.0
    mc_state_decay: float = 0.0
    mc_ridge_alpha: float = 1.0


@dataclass(frozen=True)
class ReservoirResult:
    """Everything a reservoir run measured."""

    config: Config
    settings: ReservoirSettings
    engine: str
    dataset: str
    n_samples: int
    neurons: int
    inputs: int
    firing: FiringStats
    separation: Separation            # reservoir states (spike counts per neuron)
    input_separation: Separation      # input spike counts per channel, for comparison
    kernel_rank: int
    generalization_rank: int
    rank_m: int                       # inputs behind each rank
    generalization_sample: int        # dataset index of the jittered sample
    memory: MemoryCapacity
    mc_channels: np.ndarray = field(repr=False)   # input channels of the stream
    mean_spike_counts: np.ndarray = field(repr=False)  # (neurons,) spikes per sample
    input_spikes_per_sample: float = 0.0
    mean_duration_s: float = 0.0
    skipped: tuple[str, ...] = ()
    energy: object | None = None      # EnergyEstimate of the dataset run, None if unavailable
    area: object | None = None        # AreaEstimate, None if unavailable


def run_reservoir(config: Config, engine: str = "auto", data_dir: Path | None = None,
                  progress: Progress | None = None,
                  settings: ReservoirSettings | None = None) -> ReservoirResult:
    """Measure the reservoir quality of one chip instance on ``config.run.dataset``.

    Two engine runs: the dataset with ``m`` jittered copies of one sample appended
    (``[samples + m, n_bins, inputs]``), then the memory-capacity stream
    (``[1, mc_bins, inputs]``).
    """
    settings = settings or ReservoirSettings()
    progress = progress or Progress(enabled=False)
    seed = config.run.seed
    setup = set_up(config, engine, data_dir, progress)
    batch, raster, network, sim = setup.batch, setup.raster, setup.network, setup.engine
    n, bins, n_inputs = raster.shape

    m = max(1, min(settings.rank_samples, n))
    select = metric_rng(seed, "select")
    kernel_idx = np.sort(select.choice(n, size=m, replace=False))
    gen_idx = int(select.integers(n))
    copies = jitter_raster(raster[gen_idx], m, metric_rng(seed, "jitter"), drop=settings.jitter_drop,
                           shift=settings.jitter_shift, max_shift=settings.jitter_max_shift)
    activity = sim.run(network, np.concatenate([raster, copies]),
                       progress=progress.stage(f"simulating ({sim.name})"))
    spikes = np.asarray(activity.spike_raster)
    data_spikes = spikes[:n]
    states = state_vectors(data_spikes)
    jitter_states = state_vectors(spikes[n:])

    durations = sample_durations(batch)
    firing = firing_stats(states.astype(np.int64), durations)
    pairs = metric_rng(seed, "pairs")
    sep = separation(states, batch.labels, settings.separation_max_samples, pairs)
    input_counts = raster.sum(axis=1, dtype=np.float64)
    in_sep = separation(input_counts, batch.labels, settings.separation_max_samples,
                        metric_rng(seed, "pairs"))  # same subset as the states

    stream = metric_rng(seed, "stream")
    u = stream.random(settings.mc_bins)
    channels = np.sort(stream.choice(n_inputs, size=min(settings.mc_channels, n_inputs),
                                     replace=False))
    mc_raster = rate_coded_stream(u, n_inputs, channels, stream, settings.mc_max_prob)
    mc_activity = sim.run(network, mc_raster, progress=progress.stage("memory-capacity stream"))
    mc_states = exponential_filter(np.asarray(mc_activity.spike_raster)[0], settings.mc_state_decay)
    memory = memory_capacity(mc_states, u, settings.mc_max_delay, washout=settings.mc_washout,
                             ridge_alpha=settings.mc_ridge_alpha)

    energy, area = _energy(config, network, raster, data_spikes)
    return ReservoirResult(
        config=config, settings=settings, engine=sim.name, dataset=batch.name, n_samples=n,
        neurons=network.neurons, inputs=network.inputs, firing=firing, separation=sep,
        input_separation=in_sep,
        kernel_rank=kernel_rank(states[kernel_idx], settings.rank_rtol),
        generalization_rank=generalization_rank(jitter_states, settings.rank_rtol),
        rank_m=m, generalization_sample=gen_idx, memory=memory, mc_channels=channels,
        mean_spike_counts=states.mean(axis=0),
        input_spikes_per_sample=float(input_counts.sum(axis=1).mean()),
        mean_duration_s=float(durations.mean()), skipped=batch.skipped, energy=energy, area=area)


def _energy(config: Config, network, raster: np.ndarray, spikes: np.ndarray):
    """Energy per sample of the reservoir alone (no readout) and the chip area, when the
    network carries its programmed chip matrix (``network.programmed``); else ``(None, None)``."""
    programmed = getattr(network, "programmed", None)
    if programmed is None:
        return None, None
    from neurosim.energy import count_operations, estimate_area, estimate_energy
    counts = count_operations(raster, spikes, programmed.tiling, 0)
    energy = estimate_energy(config, counts, programmed, n_inputs=raster.shape[2], n_classes=0,
                             steps=raster.shape[1])
    return energy, estimate_area(config, programmed.tiling)


def _separation_dict(s: Separation) -> dict:
    return {"between": s.between, "within": s.within, "ratio": s.ratio,
            "pairs_between": s.n_between_pairs, "pairs_within": s.n_within_pairs,
            "samples": s.samples}


def reservoir_report(result: ReservoirResult) -> dict:
    """The ``neurosim.report/1`` dict of a reservoir run.

    It has no ``accuracy`` (nothing is trained); ``energy`` / ``latency`` are those
    of the reservoir alone per sample and are present only when the network
    carries its programmed chip matrix. Metric values are under ``"reservoir"``.
    """
    config, s = result.config, result.settings
    chash = config_hash(config)
    f = result.firing
    mc = result.memory
    report = {
        "schema": SCHEMA,
        "run": {"id": make_run_id(chash, config.run.seed)},
        "task": "reservoir",
        "dataset": {"name": result.dataset, "n_samples": result.n_samples,
                    "skipped_corrupt": len(result.skipped), "skipped": list(result.skipped)},
        "chip": {"name": config.chip.name, "config_hash": chip_hash(config)},
        "engine": result.engine,
        "seed": config.run.seed,
        "activity": {
            "spikes_per_sample": f.spikes_per_sample,
            "mean_rate_hz": f.mean_rate_hz,
            "silent_fraction": f.silent_fraction,
            "rate_std_hz": f.rate_std_hz,
            "rate_quantiles_hz": f.rate_quantiles_hz,
            "input_spikes_per_sample": result.input_spikes_per_sample,
            "mean_duration_s": result.mean_duration_s,
        },
        "reservoir": {
            "neurons": result.neurons,
            "inputs": result.inputs,
            "separation": {**_separation_dict(result.separation),
                           "state": "spike count per neuron over the sample",
                           "distance": "euclidean / sqrt(components)"},
            "input_separation": {**_separation_dict(result.input_separation),
                                 "state": "input spike count per channel over the sample"},
            "kernel_rank": {"rank": result.kernel_rank, "m": result.rank_m, "rtol": s.rank_rtol},
            "generalization_rank": {"rank": result.generalization_rank, "m": result.rank_m,
                                    "rtol": s.rank_rtol, "sample": result.generalization_sample,
                                    "drop": s.jitter_drop, "shift": s.jitter_shift,
                                    "max_shift_bins": s.jitter_max_shift},
            "memory_capacity": {"total": mc.total, "per_delay": mc.per_delay,
                                "max_delay": s.mc_max_delay, "bins": s.mc_bins,
                                "washout": s.mc_washout, "n_train": mc.n_train, "n_test": mc.n_test,
                                "chance_level": s.mc_max_delay / mc.n_test,
                                "channels": len(result.mc_channels), "max_prob": s.mc_max_prob,
                                "state_decay": s.mc_state_decay, "ridge_alpha": s.mc_ridge_alpha},
        },
        "config": to_dict(config),
        "provenance": provenance(chash),
    }
    e = result.energy
    if e is not None:
        report["energy"] = {"per_inference_J": e.per_inference_J, "breakdown_J": e.breakdown_J,
                            "baseline": {"name": e.baseline_name,
                                         "per_inference_J": e.baseline_per_inference_J},
                            "improvement_vs_baseline": e.improvement_vs_baseline,
                            "programming_J": e.programming_J}
        report["latency"] = {"per_inference_s": e.latency_s}
    if result.area is not None:
        report["area"] = {"total_m2": result.area.total_m2, "breakdown_m2": result.area.breakdown_m2}
    return report


def reservoir_figures(result: ReservoirResult) -> dict:
    """Arrays the HTML report plots (mean spikes per neuron per sample)."""
    return {"spike_counts": result.mean_spike_counts}


def reservoir_summary(report: dict) -> list[tuple[str, str]]:
    """``(name, value)`` rows for the CLI's summary of a reservoir report."""
    a, r, d = report["activity"], report["reservoir"], report["dataset"]
    sep, ins = r["separation"], r["input_separation"]
    kr, gr, mc = r["kernel_rank"], r["generalization_rank"], r["memory_capacity"]

    def ratio(x):
        return "n/a" if x is None else f"{x:.2f}"

    return [
        ("task", f"{report['task']} on {d['name']} ({d['n_samples']} samples)"),
        ("chip", f"{report['chip']['name']} (chip hash {report['chip']['config_hash']})"),
        ("engine, seed", f"{report['engine']}, {report['seed']}"),
        ("firing", f"{a['mean_rate_hz']:.1f} Hz mean, {100 * a['silent_fraction']:.1f} % silent"),
        ("separation", f"between {sep['between']:.3g} / within {sep['within']:.3g} "
                       f"(ratio {ratio(sep['ratio'])}; input {ratio(ins['ratio'])})"),
        ("kernel rank", f"{kr['rank']} of {kr['m']} (higher is better)"),
        ("generalisation rank", f"{gr['rank']} of {gr['m']} (lower is better)"),
        ("memory capacity", f"{mc['total']:.2f} (K = {mc['max_delay']}, chance ≈ "
                            f"{mc['chance_level']:.2f})"),
    ]
