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

import numpy as np

from neurosim import seeds
from neurosim.config import Config, param
from neurosim.energy import estimate_area, estimate_energy
from neurosim.networks.metrics import (DEFAULT_RANK_RTOL, FiringStats, MemoryCapacity, Separation,
                                       Synchrony, exponential_filter, firing_stats, generalization_rank,
                                       isi_cv, kernel_rank, memory_capacity, separation, synchrony)
from neurosim.networks.models import time_step
from neurosim.networks.stimuli import jitter_raster, rate_coded_stream
from neurosim.tasks.pipeline import Chunk, Pipeline
from neurosim.tasks.registry import Headline, RunContext, Task, register_task
from neurosim.tasks.report_parts import energy_sections

__all__ = ["Reservoir", "ReservoirResult", "ReservoirSettings", "metric_rng", "reservoir_summary"]

#: Random streams of this task, each ``("reservoir", name)`` below the run seed (:mod:`neurosim.seeds`).
METRIC_STREAMS = ("select", "jitter", "stream", "pairs", "synchrony")


def metric_rng(seed: int, name: str) -> np.random.Generator:
    """Generator of this task's stream ``name`` (one of :data:`METRIC_STREAMS`) for run ``seed``."""
    if name not in METRIC_STREAMS:
        raise ValueError(f"unknown reservoir stream {name!r}; one of {', '.join(METRIC_STREAMS)}")
    return seeds.rng(seed, "reservoir", name)


@dataclass(frozen=True)
class ReservoirSettings:
    """[reservoir]: how the reservoir-quality metrics are probed (defaults follow the sources in
    :mod:`neurosim.networks.metrics`)."""

    rank_samples: int = param(100, "m, the inputs behind each rank (capped at the dataset's samples)",
                              "", 1, 100000)
    rank_rtol: float = param(DEFAULT_RANK_RTOL, "Singular values above rank_rtol · σ_max count towards "
                             "a rank", "", 0.0, 1.0)
    jitter_drop: float = param(0.1, "Probability that a jittered copy loses an input spike", "", 0.0, 1.0)
    jitter_shift: float = param(0.1, "Probability that a kept input spike of a jittered copy moves in "
                                "time", "", 0.0, 1.0)
    jitter_max_shift: int = param(1, "Largest move of a jittered input spike", "bins", 0, 100000)
    separation_max_samples: int = param(1000, "Samples compared pairwise at most (a seeded subset "
                                        "above)", "", 2, 10**7)
    mc_bins: int = param(20000, "Time steps of the memory-capacity stream (one long sample); its first "
                         "half after the washout trains the readouts, so keep it well above 2 × "
                         "network.neurons (each readout has one weight per neuron)", "bins", 2, 10**7)
    mc_max_delay: int = param(20, "K, the largest delay a memory-capacity readout recalls", "bins",
                              1, 100000)
    mc_washout: int = param(50, "First time steps of the stream left out (transient from rest)", "bins",
                            0, 10**7)
    mc_channels: int = param(32, "Input channels that carry the rate-coded stream", "", 1, 100000)
    mc_max_prob: float = param(1.0, "Spike probability per channel and bin at u = 1", "", 0.0, 1.0)
    mc_state_decay: float = param(0.0, "Per-bin decay of the exponential filter on the state "
                                  "(0 = raw spikes)", "", 0.0, 1.0)
    mc_ridge_alpha: float = param(1.0, "Ridge penalty of the memory-capacity readouts (on "
                                  "standardised states)", "", 0.0, 1e9)
    sync_window: int = param(5, "Window of the spike counts behind the synchrony measures (on the "
                             "memory-capacity stream)", "bins", 1, 100000)

    def check(self, config: Config) -> None:
        """Cross-key rule: the stream must outlast its washout and largest delay."""
        from neurosim.errors import ConfigError
        if self.mc_bins <= self.mc_washout + self.mc_max_delay + 1:
            raise ConfigError(f"reservoir.mc_bins = {self.mc_bins} must exceed reservoir.mc_washout + "
                              f"reservoir.mc_max_delay + 1 = {self.mc_washout + self.mc_max_delay + 1}")


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
    isi_cv: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # per active neuron (stream)
    stream_rates_hz: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # (neurons,), stream
    synchrony: Synchrony | None = None  # on the memory-capacity stream


@register_task
class Reservoir(Task):
    """Reservoir quality of the programmed chip before any readout is trained."""

    name = "reservoir"
    description = ("reservoir quality: firing, separation, kernel and generalisation rank, memory "
                   "capacity, with the reservoir's energy per sample")
    Settings = ReservoirSettings
    required_keys = ("reservoir.kernel_rank.rank", "reservoir.memory_capacity.total")
    headline = (Headline("reservoir.kernel_rank.rank", "kernel rank"),
                Headline("reservoir.memory_capacity.total", "memory capacity"),
                Headline("reservoir.generalization_rank.rank", "generalization rank", higher_is_better=False))

    def run(self, config: Config, context: RunContext) -> ReservoirResult:
        """Three engine runs: the dataset (streamed), ``m`` jittered copies of one of its samples
        (``[m, n_bins, inputs]``), then the memory-capacity stream (``[1, mc_bins, inputs]``)."""
        settings = self.settings(config)
        seed = config.run.seed
        pipe = Pipeline(config, context.engine, context.data_dir, context.progress)
        n_planned = pipe.planned_samples()
        select = metric_rng(seed, "select")
        m = max(1, min(settings.rank_samples, n_planned))
        kernel_idx = np.sort(select.choice(n_planned, size=m, replace=False))
        gen_idx = int(select.integers(n_planned))
        kept: dict[str, np.ndarray] = {}

        def keep_sample(chunk: Chunk) -> None:
            if chunk.start <= gen_idx < chunk.start + len(chunk.batch):
                kept["gen"] = chunk.raster[gen_idx - chunk.start].copy()
            kept["last"] = chunk.raster[-1].copy()  # copies: the chunk itself is freed

        data = pipe.run_dataset(on_chunk=keep_sample)
        network, n = data.network, len(data)
        if n < n_planned:  # corrupt samples were skipped: draw the rank inputs among those kept
            m = max(1, min(settings.rank_samples, n))
            kernel_idx = np.sort(kernel_idx[kernel_idx < n])[:m]
            gen_idx = min(gen_idx, n - 1)
        copies = jitter_raster(kept.get("gen", kept["last"]), m, metric_rng(seed, "jitter"),
                               drop=settings.jitter_drop, shift=settings.jitter_shift,
                               max_shift=settings.jitter_max_shift)
        jitter = pipe.simulate(network, copies, "jittered copies", first_sample=n)
        states = data.counts.astype(np.float64)
        jitter_states = jitter.counts.astype(np.float64)

        firing = firing_stats(data.counts, data.durations_s)
        sep = separation(states, data.labels, settings.separation_max_samples, metric_rng(seed, "pairs"))
        input_counts = data.input_counts.astype(np.float64)
        in_sep = separation(input_counts, data.labels, settings.separation_max_samples,
                            metric_rng(seed, "pairs"))  # same subset as the states

        stream = metric_rng(seed, "stream")
        u = stream.random(settings.mc_bins)
        n_inputs = network.inputs
        channels = np.sort(stream.choice(n_inputs, size=min(settings.mc_channels, n_inputs),
                                         replace=False))
        mc_raster = rate_coded_stream(u, n_inputs, channels, stream, settings.mc_max_prob)
        # after the dataset's samples and the jittered copies: its background noise is a stream of its own
        mc_activity = pipe.simulate(network, mc_raster, "memory-capacity stream", first_sample=n + m)
        mc_spikes = np.asarray(mc_activity.spike_raster)[0]
        mc_states = exponential_filter(mc_spikes, settings.mc_state_decay)
        settled = mc_spikes[settings.mc_washout:]
        sync = synchrony(settled, settings.sync_window, rng=metric_rng(seed, "synchrony"))
        memory = memory_capacity(mc_states, u, settings.mc_max_delay, washout=settings.mc_washout,
                                 ridge_alpha=settings.mc_ridge_alpha)

        energy = estimate_energy(config, data.operations, network.programmed, n_inputs=n_inputs,
                                 n_classes=0, steps=data.n_bins, sample_s=float(data.durations_s.mean()))
        return ReservoirResult(
            config=config, settings=settings, engine=data.engine, dataset=data.name, n_samples=n,
            neurons=network.neurons, inputs=n_inputs, firing=firing, separation=sep,
            input_separation=in_sep,
            kernel_rank=kernel_rank(states[kernel_idx], settings.rank_rtol),
            generalization_rank=generalization_rank(jitter_states, settings.rank_rtol),
            rank_m=len(kernel_idx), generalization_sample=gen_idx, memory=memory, isi_cv=isi_cv(settled),
            stream_rates_hz=settled.mean(axis=0) / time_step(config), synchrony=sync, mc_channels=channels,
            mean_spike_counts=states.mean(axis=0),
            input_spikes_per_sample=float(input_counts.sum(axis=1).mean()),
            mean_duration_s=float(data.durations_s.mean()), skipped=data.skipped, energy=energy,
            area=estimate_area(config, network.programmed.tiling))

    def report(self, result: ReservoirResult) -> dict:
        return reservoir_report(result)

    def figures(self, result: ReservoirResult) -> dict:
        """Mean spikes per neuron per sample."""
        return {"spike_counts": result.mean_spike_counts}

    def summary(self, report: dict) -> list[tuple[str, str]]:
        return reservoir_summary(report)


def _separation_dict(s: Separation) -> dict:
    return {"between": s.between, "within": s.within, "ratio": s.ratio,
            "pairs_between": s.n_between_pairs, "pairs_within": s.n_within_pairs,
            "samples": s.samples}


def reservoir_report(result: ReservoirResult) -> dict:
    """The reservoir task's part of its ``neurosim.report/1`` dict (the runner adds the header).

    It has no ``accuracy`` (nothing is trained); ``energy`` / ``latency`` are those
    of the reservoir alone per sample. Metric values are under ``"reservoir"``.
    """
    s = result.settings
    f = result.firing
    mc = result.memory
    report = {
        "dataset": {"name": result.dataset, "n_samples": result.n_samples,
                    "skipped_corrupt": len(result.skipped), "skipped": list(result.skipped)},
        "engine": result.engine,
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
    }
    cv = result.isi_cv
    report["reservoir"]["regime"] = {
        "on": "memory-capacity stream after its washout (one long run)",
        "isi_cv_median": float(np.median(cv)) if cv.size else None,
        "isi_cv_quantiles": {k: float(np.quantile(cv, q)) for k, q in
                             (("p05", 0.05), ("p25", 0.25), ("p75", 0.75), ("p95", 0.95))} if cv.size else None,
        "neurons_with_isi": int(cv.size),
        "max_rate_hz": float(result.stream_rates_hz.max()) if result.stream_rates_hz.size else 0.0,
        "mean_rate_hz": float(result.stream_rates_hz.mean()) if result.stream_rates_hz.size else 0.0,
        "pairwise_correlation": None if result.synchrony is None else result.synchrony.pairwise_correlation,
        "chi": None if result.synchrony is None else result.synchrony.chi,
        "sync_window_bins": s.sync_window,
    }
    if result.energy is not None:
        report.update(energy_sections(result.energy))
    if result.area is not None:
        report["area"] = {"total_m2": result.area.total_m2, "breakdown_m2": result.area.breakdown_m2}
    return report


def reservoir_summary(report: dict) -> list[tuple[str, str]]:
    """``(name, value)`` rows for the CLI's summary of a reservoir report."""
    a, r = report["activity"], report["reservoir"]
    sep, ins = r["separation"], r["input_separation"]
    kr, gr, mc = r["kernel_rank"], r["generalization_rank"], r["memory_capacity"]

    def ratio(x):
        return "n/a" if x is None else f"{x:.2f}"

    n = report["dataset"]["n_samples"]
    return [
        ("firing", f"{a['mean_rate_hz']:.1f} Hz mean, {100 * a['silent_fraction']:.1f} % silent: spike rate per "
                   f"neuron over the {n} samples, and the neurons that never fired"),
        ("separation", f"between {sep['between']:.3g} / within {sep['within']:.3g} "
                       f"(ratio {ratio(sep['ratio'])}; input {ratio(ins['ratio'])}): mean distance of spike-count "
                       f"states between samples of different classes / of the same class, over the {n} samples; "
                       "the input's own ratio beside it"),
        ("kernel rank", f"{kr['rank']} of {kr['m']} (higher is better): rank of the states of {kr['m']} distinct "
                        "samples, how many different inputs the reservoir tells apart"),
        ("generalisation rank", f"{gr['rank']} of {gr['m']} (lower is better): rank of the states of {gr['m']} "
                                "jittered copies of one sample, how much input noise the reservoir passes on"),
        ("memory capacity", f"{mc['total']:.2f} (K = {mc['max_delay']}, chance ≈ {mc['chance_level']:.2g}): sum "
                            f"over delays 1…K of r² of a linear readout recalling a random input stream, on "
                            f"{mc['n_test']} held-out steps"),
    ] + _regime_rows(r.get("regime"))


def _regime_rows(g: dict | None) -> list[tuple[str, str]]:
    """Summary rows of the stream's irregularity and synchrony (absent in older reports)."""
    if not g:
        return []
    cv = "n/a" if g["isi_cv_median"] is None else f"{g['isi_cv_median']:.2f}"
    corr = "n/a" if g["pairwise_correlation"] is None else f"{g['pairwise_correlation']:.3f}"
    return [("regime (stream)", f"ISI CV median {cv}, max rate {g['max_rate_hz']:.1f} Hz, pairwise r {corr}, "
                                f"χ {g['chi']:.3f}: on the memory-capacity stream, irregularity of each neuron's "
                                "inter-spike intervals (median), the fastest neuron, mean spike-count correlation "
                                "of neuron pairs and synchrony χ (0 independent, 1 locked)")]
