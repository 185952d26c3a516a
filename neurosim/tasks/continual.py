"""Task ``continual``: a stream of tasks learnt one after the other on the fixed reservoir, with
HLOP (lateral Hebbian orthogonal projection) against fine-tuning, replay, exact subspaces and
cumulative joint training ("multitask", issue 12).

The reservoir stays fixed (the chip's random RRAM). A permuted stream gives each task one fixed
permutation of the input channels, applied to the input raster before the reservoir, so each
task is its own reservoir run, with a shared head; a class-split stream gives each task
``classes_per_task`` classes of one reservoir run, each task its own head. On the spike counts
(scaled per neuron by their root mean square on the first task's training samples, a constant
of the network from then on) a one-hidden-layer network is trained through the stream by each
method of ``continual.methods`` (:mod:`neurosim.learning.continual`), from one stream of the
run seed per method, and scored on every task's held-out samples after each task.
``continual.repeats`` repeats everything (chip, permutations, split, training) for the run seeds
:func:`neurosim.seeds.repeat_seed` of ``run.seed`` (repeat 0 is ``run.seed``) and reports the mean,
and HLOP's paired differences with the other methods over those seeds.

``continual.grid`` chooses the training settings on a validation split carved from each seed's
training samples (``continual.val_fraction``; :mod:`neurosim.learning.continual_select`): every
method is tried at each combination of the keys it reads, trained on the rest of the training
samples and scored on the validation split, over all seeds; the test samples are not handed to
that training at all. The reported networks are then trained on all the training samples with
each method's chosen settings.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, replace

import numpy as np

from neurosim import seeds
from neurosim.config import RESISTIVE_KINDS, Config, param
from neurosim.crossbar import Tally
from neurosim.crossbar.mapping import tiling_for
from neurosim.data.memo import memoized_loading
from neurosim.energy import EnergyEstimate, estimate_area, estimate_energy, tally_energy_breakdown
from neurosim.energy.parts import array_estimate
from neurosim.errors import ConfigError, DataError
from neurosim.learning.continual import METHODS, TaskData, TrainSettings, acc_bwt, train_stream
from neurosim.learning.continual_select import (METHOD_KEYS, SHARED_KEYS, choose, method_points,
                                                paired_difference, validation_split)
from neurosim.learning.hlop_spiking import SpikingProjector
from neurosim.learning.mlp import with_bias
from neurosim.learning.onchip import OnChipMemory
from neurosim.stats import mean_interval
from neurosim.report import format_interval, format_percent, format_quantity
from neurosim.tasks.classify import split_indices
from neurosim.tasks.pipeline import Pipeline
from neurosim.tasks.registry import Headline, RunContext, Task, register_task
from neurosim.tasks.report_parts import energy_sections, energy_summary

#: Bytes of loaded events a permuted stream keeps for its later tasks (the sweep workers' default bound).
STREAM_MEMO_BYTES = 1 << 30

__all__ = ["Continual", "ContinualSettings", "parse_grid", "parse_methods", "parse_k_sweep"]


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_methods(text: str) -> list[str]:
    """``continual.methods`` as a list; :class:`ConfigError` for an unknown or missing name."""
    names = _split_list(text)
    bad = [n for n in names if n not in METHODS]
    if bad or not names:
        raise ConfigError(f"continual.methods = {text!r}: expected a comma-separated list of "
                          f"{', '.join(METHODS)}" + (f" (unknown: {', '.join(bad)})" if bad else ""))
    return list(dict.fromkeys(names))


def parse_k_sweep(text: str) -> list[int]:
    """``continual.k_sweep`` as a list of lateral-neuron counts (empty: no sweep)."""
    try:
        ks = [int(p) for p in _split_list(text)]
    except ValueError:
        raise ConfigError(f"continual.k_sweep = {text!r}: expected comma-separated integers ≥ 1, "
                          "e.g. \"10,20,40,80\"") from None
    if any(k < 1 for k in ks):
        raise ConfigError(f"continual.k_sweep = {text!r}: lateral neurons per task must be ≥ 1")
    return ks


def parse_grid(text: str) -> dict[str, tuple]:
    """``continual.grid`` as ``{setting: values}``: ``"hebbian_rate=0.1,0.5; variance_threshold=0.95,0.97"``
    (``;`` between settings, ``,`` between values); each setting a training key of ``[continual]``
    (:data:`~neurosim.learning.continual_select.SHARED_KEYS` or a method's
    :data:`~neurosim.learning.continual_select.METHOD_KEYS`), each value in that key's range.
    Empty: ``{}`` (no selection)."""
    allowed = list(dict.fromkeys([*SHARED_KEYS, *(k for keys in METHOD_KEYS.values() for k in keys)]))
    fields = {f.name: f for f in dataclasses.fields(ContinualSettings)}
    grid: dict[str, tuple] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, values = (x.strip() for x in part.partition("="))
        if not sep or key not in allowed or key in grid:
            raise ConfigError(f"continual.grid = {text!r}: {part!r} is not 'setting=v1,v2' of a new setting, one of "
                              f"{', '.join(allowed)}, e.g. \"hebbian_rate=0.1,0.5; replay_per_class=10,20\"")
        f = fields[key]
        kind = type(f.default)
        parsed = []
        for v in _split_list(values):
            try:
                x = kind(v)
            except ValueError:
                raise ConfigError(f"continual.grid: {key} = {v!r} is not a {kind.__name__}") from None
            lo, hi, choices = f.metadata.get("lo"), f.metadata.get("hi"), f.metadata.get("choices")
            if (choices and x not in choices) or (lo is not None and x < lo) or (hi is not None and x > hi):
                allowed_values = ", ".join(map(str, choices)) if choices else f"[{lo}, {hi}]"
                raise ConfigError(f"continual.grid: {key} = {v} is outside continual.{key}'s allowed "
                                  f"values ({allowed_values})")
            parsed.append(x)
        if not parsed:
            raise ConfigError(f"continual.grid: {key} has no values; write e.g. {key}={f.default}")
        grid[key] = tuple(dict.fromkeys(parsed))
    return grid


@dataclass(frozen=True)
class ContinualSettings:
    """[continual]: the task stream, the trained network and the methods compared."""

    stream: str = param("permuted", "Task stream: 'permuted' (one fixed permutation of the input "
                        "channels per task, before the reservoir; shared head) or 'class-split' "
                        "(classes_per_task classes per task; one head per task)",
                        choices=("permuted", "class-split"))
    tasks: int = param(5, "Tasks in the stream", "", 1, 1000)
    classes_per_task: int = param(2, "stream = 'class-split': classes per task (≥ 2)", "", 1, 1000)
    methods: str = param("finetune,hlop,exact,replay,multitask",
                         "Methods compared, comma-separated: finetune (no protection), hlop (Oja "
                         "subspaces, projected updates), exact (SVD subspaces of the residual: what "
                         "Oja converges to), replay (memory of replay_per_class samples per class), "
                         "multitask (cumulative joint training: at task j the same network goes on training on the "
                         "union of tasks 0…j; a reference that stores every sample, not a proven bound)")
    repeats: int = param(1, "Seeds run (run.seed, then stream ('repeat', k) of it, neurosim.seeds.repeat_seed: "
                         "chip, permutations, split and training each); the report gives the mean and a 95 % "
                         "t-interval. Every "
                         "method starts from the same initial weights and batch order of its seed",
                         "", 1, 100)
    hidden: int = param(256, "Hidden neurons of the trained network (ReLU)", "", 1, 100000)
    epochs: int = param(10, "Training epochs per task", "", 1, 10000)
    batch_size: int = param(32, "Samples per SGD step (and per Hebbian batch)", "", 1, 100000)
    lr: float = param(0.05, "SGD learning rate", "", 0.0, 100.0)
    momentum: float = param(0.0, "SGD momentum (0 as the reference HLOP-SNN PMNIST runs)", "", 0.0, 0.999)
    lateral_neurons: int = param(0, "Lateral neurons added per task and trained layer; 0: the fewest "
                                 "that hold variance_threshold of the layer's activity energy", "",
                                 0, 100000)
    variance_threshold: float = param(0.97, "lateral_neurons = 0: fraction of a task's presynaptic "
                                      "activity energy ‖A‖² the subspace must hold (GPM criterion)",
                                      "", 0.0, 1.0)
    hebbian_rate: float = param(0.5, "Oja rate η, normalised by the batch's mean ‖a‖² (annealed as "
                                "1/(1 + epoch))", "", 0.0, 10.0)
    hebbian_iterations: int = param(5, "Oja iterations per batch (5 in HLOP-SNN)", "", 1, 1000)
    hebbian_epochs: int = param(20, "Passes of Oja's rule over a task's activity at the task's end",
                                "", 1, 10000)
    hebbian_adaptive: float = param(10.0, "Per-neuron rate of the lateral neurons: each row's step is "
                                    "scaled by ⟨‖a‖²⟩/⟨y_j²⟩ (its own output power), capped at this "
                                    "factor; weak directions then converge as fast as strong ones. 0: "
                                    "the reference's plain Oja rule (one rate for all rows)", "", 0.0, 1e6)
    replay_per_class: int = param(10, "method replay: training samples kept per class of every "
                                  "earlier task", "", 1, 100000)
    bias: str = param("subspace", "Biases: 'subspace' (a constant input the lateral subspace "
                      "protects) or 'frozen' (trained on the first task only)",
                      choices=("subspace", "frozen"))
    lateral: str = param("rate", "Lateral circuit that projects the updates: 'rate' (a − H_oldᵀH_old a) "
                         "or 'spiking' (ON/OFF integrate-and-fire lateral neurons, rate-coded over "
                         "lateral_steps steps)", choices=("rate", "spiking"))
    lateral_steps: int = param(40, "lateral = 'spiking': T_lat, time steps of the lateral neurons' rate "
                               "code (≈ 40 matches the rate form in Xiao et al. 2024)", "", 1, 100000)
    on_chip: bool = param(False, "Keep the trained weights and the lateral matrices on the chip's RRAM: "
                          "updates as write-verify pulses with device.program_std and device.levels, "
                          "priced at energy.program_pulse; every read (forward, backward through W2, "
                          "the HLOP projection, tests) through the chip's macro: DAC at on_chip_input_bits, "
                          "device.read_noise_std, crossbar.wire_resistance, the column ADC (crossbar.adc_bits, "
                          "adc_mode) with its range calibrated at each task's first reads; priced as the "
                          "macro's reads (needs a resistive chip); false: digital")
    on_chip_input_bits: int = param(8, "on_chip: DAC resolution of the activations and errors read through "
                                    "the macro (each vector scaled to its largest magnitude, applied "
                                    "bit-serially); 0 = ideal analog drivers", "bit", 0, 16)
    k_sweep: str = param("", "Lateral neurons per task to sweep for the capacity trade-off, comma-"
                         "separated (e.g. \"10,40,160\"); hlop and exact run at each; empty: none")
    grid: str = param("", "Hyperparameters chosen on a validation split, never on the test samples: "
                      "'setting=v1,v2; setting=v1,v2' over the training keys of this section (e.g. "
                      "\"lr=0.02,0.05; variance_threshold=0.95,0.97,0.99; replay_per_class=10,30\"). Each "
                      "method is trained at every combination of the keys it reads, on the training samples "
                      "less val_fraction of them, over every seed of repeats, and keeps the combination of "
                      "highest mean validation ACC (the first in grid order on a tie); its reported networks are "
                      "then trained on all the training samples with it. Empty: the keys as set, no selection")
    val_fraction: float = param(0.2, "grid set: fraction of each class's training samples held out as the "
                                "validation split (stratified, stream ('continual', 'validation') of each seed); "
                                "test samples are never in it", "", 0.0, 0.9)

    def check(self, config: Config) -> None:
        parse_methods(self.methods)
        parse_k_sweep(self.k_sweep)
        if parse_grid(self.grid) and self.val_fraction <= 0:
            raise ConfigError(f"continual.grid = {self.grid!r} needs a validation split: set continual.val_fraction "
                              "> 0 (e.g. 0.2)")
        if self.on_chip and config.device.kind not in RESISTIVE_KINDS:
            raise ConfigError(f"continual.on_chip = true needs a resistive chip (device.kind rram or pcm); "
                              f"this chip's device.kind is {config.device.kind!r}: use --chip "
                              "rram-40nm-256kb or set continual.on_chip = false")
        if self.stream == "class-split" and self.classes_per_task < 2:
            raise ConfigError(f"continual.classes_per_task = {self.classes_per_task}: a task needs "
                              "≥ 2 classes to learn anything; use ≥ 2")

    def train_settings(self) -> TrainSettings:
        return TrainSettings(hidden=self.hidden, epochs=self.epochs, batch_size=self.batch_size,
                             lr=self.lr, momentum=self.momentum, lateral_neurons=self.lateral_neurons,
                             variance_threshold=self.variance_threshold,
                             hebbian_rate=self.hebbian_rate, hebbian_iterations=self.hebbian_iterations,
                             hebbian_epochs=self.hebbian_epochs, hebbian_adaptive=self.hebbian_adaptive,
                             replay_per_class=self.replay_per_class,
                             bias=self.bias)


@dataclass
class ContinualResult:
    """Per repeat (seed) and method: accuracy matrices and lateral neurons; plus the sweep."""

    settings: ContinualSettings
    dataset: str
    engine: str
    n_train: int
    n_test: int
    n_features: int
    hidden: int
    seeds: list[int]
    results: dict = field(default_factory=dict)      # method → [MethodResult per repeat]
    sweep: list = field(default_factory=list)        # dicts: method, k, seed, acc, bwt, cells
    energy: object = None
    area: object = None
    skipped: tuple = ()
    config: object = None
    selection: dict = field(default_factory=dict)    # continual.grid: what was tried, scored and chosen


def _on_chip_inference(config: Config, memory: OnChipMemory, tasks: list[TaskData]) -> EnergyEstimate:
    """The trained network's part of one inference when it lives in the chip memory
    (``continual.on_chip``): the test samples of every task read once through the stored ``W1`` and
    ``W2`` on the macro (:meth:`OnChipMemory.matmul`: DAC codes, conversions at the ADC's bits, the
    ADC ranges that training calibrated), counted in a tally of their own and priced by the one price
    list (:func:`~neurosim.energy.parts.array_estimate`), per sample. The memory's own tally and counters
    are left as training left them."""
    x = np.concatenate([t.x_test for t in tasks])
    reads = Tally()
    saved = memory.tally, memory.read_vectors
    memory.tally = reads
    try:
        hidden = np.maximum(memory.matmul("W1", with_bias(x)), 0.0)
        memory.matmul("W2", with_bias(hidden))
    finally:
        memory.tally, memory.read_vectors = saved
    return array_estimate(config, reads, len(x), cells_per_weight=2)


def _permutations(n: int, tasks: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Task 0 unpermuted, then ``tasks − 1`` distinct permutations of ``n`` channels."""
    if math.factorial(min(n, 20)) < tasks:
        raise ConfigError(f"continual.tasks = {tasks}: {n} input channels allow only "
                          f"{math.factorial(n)} distinct permutations; use fewer tasks")
    perms, seen = [np.arange(n)], {tuple(range(n))}
    while len(perms) < tasks:
        p = rng.permutation(n)
        if tuple(p) not in seen:
            seen.add(tuple(p))
            perms.append(p)
    return perms


def _stream(config: Config, context: RunContext, s: ContinualSettings, seed: int):
    """The reservoir runs of one repeat: a list of (DatasetRun, head classes or None) per task. A permuted
    stream loads its samples once (:func:`~neurosim.data.memo.memoized_loading`, up to
    :data:`STREAM_MEMO_BYTES` of events, kept in the process's memo of loaded data after the run)."""
    cfg = replace(config, run=replace(config.run, seed=seed))
    pipe = Pipeline(cfg, context.engine, context.data_dir, context.progress)
    if s.stream == "class-split":
        labels, _ = pipe.planned_labels()
        classes = np.unique(labels)
        need = s.tasks * s.classes_per_task
        if len(classes) < need:
            raise ConfigError(f"continual: {s.tasks} tasks × {s.classes_per_task} classes need {need} "
                              f"classes; {cfg.run.dataset} has {len(classes)} in the samples used")
        run = pipe.run_dataset(stage=f"seed {seed}: {cfg.run.dataset} through the reservoir")
        order = seeds.rng(seed, "continual", "classes").permutation(classes)
        return cfg, [(run, tuple(int(c) for c in order[t * s.classes_per_task:(t + 1) * s.classes_per_task]))
                     for t in range(s.tasks)]
    perm_rng = seeds.rng(seed, "continual", "permutations")
    perms: list = []

    def permute(t):
        def transform(raster):
            if not perms:
                perms.extend(_permutations(raster.shape[2], s.tasks, perm_rng))
            return raster[:, :, perms[t]]
        return transform

    runs = []
    # every task streams the same samples: each chunk is read (or generated) once, for the first task, and
    # handed to the later ones (the process's memo of loaded data, as a sweep worker's; bounded in bytes)
    with memoized_loading(STREAM_MEMO_BYTES):
        for t in range(s.tasks):
            runs.append((pipe.run_dataset(raster_transform=permute(t),
                                          stage=f"seed {seed}: task {t + 1}/{s.tasks} through the reservoir"),
                         None))
    return cfg, runs


def _task_data(cfg: Config, runs, train: np.ndarray, test: np.ndarray) -> list[TaskData]:
    """Scaled features of each task (per-neuron RMS of the first task's training counts, ≥ 1)."""
    first = runs[0][0].counts[train].astype(np.float64)
    scale = np.maximum(np.sqrt(np.mean(first ** 2, axis=0)), 1.0)
    out = []
    for run, classes in runs:
        x = run.counts / scale
        y = run.labels
        if classes is None:
            out.append(TaskData(x[train], y[train], x[test], y[test]))
        else:
            tr = train[np.isin(y[train], classes)]
            te = test[np.isin(y[test], classes)]
            out.append(TaskData(x[tr], y[tr], x[te], y[te], classes))
    return out


def _lateral_area(config: Config, r) -> float:
    """Silicon area (m²) of the lateral matrices of a run: each layer's ``H`` (``n × k``, inputs on
    the word lines) on its own arrays, with their periphery and one neuron per lateral row."""
    ideal = config.device.kind not in RESISTIVE_KINDS
    return float(sum(estimate_area(config, tiling_for((sub.n, sub.k), config.crossbar, ideal)).total_m2
                     for sub in r.subspaces if sub.k))


def _matrix(R: np.ndarray) -> list:
    """An accuracy matrix for JSON: entries above the diagonal (not yet trained) are null."""
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in R]


@register_task
class Continual(Task):
    """Continual learning on the reservoir: HLOP against fine-tuning, replay, exact subspaces and
    cumulative joint training (``[continual]``)."""

    name = "continual"
    description = ("continual learning of a task stream on the reservoir: HLOP lateral projection vs "
                   "fine-tuning, replay, exact subspaces and multitask (accuracy matrix, ACC, BWT)")
    Settings = ContinualSettings
    required_keys = ("continual.methods", "continual.stream")
    headline = (Headline("continual.methods.hlop.acc.value", "HLOP average accuracy (ACC)", "%"),
                Headline("continual.methods.hlop.bwt.value", "HLOP backward transfer (BWT)", "%"))

    def run(self, config: Config, context: RunContext) -> ContinualResult:
        s = self.settings(config)
        methods = parse_methods(s.methods)
        ks = parse_k_sweep(s.k_sweep)
        grid = parse_grid(s.grid)
        ts = s.train_settings()
        progress = context.progress
        seeds_run = [seeds.repeat_seed(config.run.seed, r) for r in range(s.repeats)]
        widest = max([s.lateral_neurons, *ks, *grid.get("lateral_neurons", ())])
        hidden = min([s.hidden, *grid.get("hidden", ())])
        if widest > hidden + 1:
            raise ConfigError(f"continual: {widest} lateral neurons per task exceed the hidden layer's "
                              f"width {hidden + 1} (hidden + a constant input); lower "
                              "continual.lateral_neurons / continual.k_sweep / continual.grid or raise "
                              "continual.hidden")
        result = None
        streams = []    # per seed: (seed, cfg, tasks scored on test, tasks scored on validation or None)
        for seed in seeds_run:
            cfg, runs = _stream(config, context, s, seed)
            first = runs[0][0]
            train, test = split_indices(first, cfg)
            tasks = _task_data(cfg, runs, train, test)
            val_tasks = None
            if grid:
                fit, val = validation_split(first.labels[train], s.val_fraction,
                                            seeds.rng(seed, "continual", "validation"))
                val_tasks = _task_data(cfg, runs, train[fit], train[val])
            for t, task in enumerate(tasks + (val_tasks or [])):
                if len(np.unique(task.y_train)) < 2:
                    raise DataError(f"continual: task {t % len(tasks)} has {len(np.unique(task.y_train))} class in "
                                    "its training samples; a task needs ≥ 2 (raise --samples"
                                    + (" or lower continual.val_fraction)" if t >= len(tasks) else ")"))
            n_classes = int(max(first.labels.max() + 1, 2))
            if widest > first.counts.shape[1] + 1:
                raise ConfigError(f"continual: {widest} lateral neurons per task exceed the input layer's "
                                  f"width {first.counts.shape[1] + 1} (neurons + a constant input); lower "
                                  "continual.lateral_neurons / continual.k_sweep / continual.grid")
            if result is None:
                n = first.counts.shape[1]
                classes = np.unique(first.labels)
                # inference through the trained network, digital: every spiking neuron feeds `hidden` MACs,
                # then hidden × classes MACs per sample (readout MACs); on chip: none here, its reads are
                # priced after the first training (_on_chip_inference)
                macs = np.count_nonzero(first.counts) * s.hidden + len(first.counts) * s.hidden * len(classes)
                counts = replace(first.operations, readout_macs=0 if s.on_chip else int(macs))
                programmed = first.network.programmed
                result = ContinualResult(
                    settings=s, dataset=first.name, engine=first.engine, n_train=len(tasks[0].y_train),
                    n_test=len(tasks[0].y_test), n_features=n, hidden=s.hidden, seeds=seeds_run,
                    energy=estimate_energy(cfg, counts, programmed, n_inputs=first.input_counts.shape[1],
                                           n_classes=len(classes), steps=first.n_bins),
                    area=estimate_area(cfg, programmed.tiling), skipped=first.skipped, config=cfg)
            streams.append((seed, cfg, tasks, val_tasks, n_classes))
            del runs, first
        projector = SpikingProjector(s.lateral_steps) if s.lateral == "spiking" else None

        def memory_for(cfg, seed, *stream):
            return (OnChipMemory(cfg, seeds.rng(seed, "continual", *stream), s.on_chip_input_bits)
                    if s.on_chip else None)

        chosen = {m: {} for m in methods}
        if grid:
            result.selection = self._select(grid, methods, streams, ts, projector, memory_for, progress)
            chosen = {m: e["chosen"] for m, e in result.selection["methods"].items()}
        for seed, cfg, tasks, _, n_classes in streams:
            for method in methods:
                def on_task(m, j, row, seed=seed):
                    progress.note(f"seed {seed} {m}: after task {j + 1}/{s.tasks}, accuracy on tasks 1…{j + 1}: "
                                  + " ".join(f"{100 * v:.1f}" for v in row[:j + 1]) + " %")
                memory = memory_for(cfg, seed, "chip", method)
                r = train_stream(method, tasks, n_classes, replace(ts, **chosen[method]),
                                 seeds.rng(seed, "continual", "train"), on_task=on_task, projector=projector,
                                 memory=memory)
                if memory is not None:
                    t = memory.tally
                    parts = tally_energy_breakdown(cfg, t)
                    write_J = parts.pop("writes")
                    read_J = float(sum(parts.values()))
                    r.chip = {"program_pulses": t.program_pulses, "programmed_entries": t.weight_writes,
                              "program_energy_J": write_J, "read_energy_J": read_J,
                              "read_vectors": memory.read_vectors,
                              "adc_clipped_fraction": t.adc_clipped / max(1, t.adc_conversions),
                              "learning_energy_J": write_J + read_J}
                    if not result.results:     # the first network trained on chip prices inference
                        result.energy = EnergyEstimate.combine([result.energy, _on_chip_inference(cfg, memory, tasks)])
                result.results.setdefault(method, []).append(r)
            for k in ks:
                for method in ("hlop", "exact"):
                    r = train_stream(method, tasks, n_classes, replace(ts, **chosen.get(method, {})),
                                     seeds.rng(seed, "continual", "train"), lateral_neurons=k)
                    acc, bwt = acc_bwt(r.R)
                    cells = sum(sub.k * sub.n for sub in r.subspaces)
                    result.sweep.append({"method": method, "k": k, "seed": seed, "acc": acc, "bwt": bwt,
                                         "lateral_neurons": int(sum(sub.k for sub in r.subspaces)),
                                         "lateral_cells": int(cells)})
                    progress.note(f"seed {seed} k sweep: {method} k = {k}: ACC {100 * acc:.1f} %, "
                                  f"BWT {100 * bwt:+.1f} points")
        return result

    @staticmethod
    def _select(grid, methods, streams, ts, projector, memory_for, progress) -> dict:
        """Each method's grid point of highest mean validation ACC over the seeds: networks trained on the
        training samples less the validation split and scored on it (``val_tasks``); the test samples are
        not among the data handed to training here."""
        out = {}
        for method in methods:
            points = method_points(method, grid)
            acc = np.zeros((len(points), len(streams)))
            bwt = np.zeros_like(acc)
            for p, point in enumerate(points):
                for i, (seed, cfg, _, val_tasks, n_classes) in enumerate(streams):
                    r = train_stream(method, val_tasks, n_classes, replace(ts, **point),
                                     seeds.rng(seed, "continual", "select"), projector=projector,
                                     memory=memory_for(cfg, seed, "select", method))
                    acc[p, i], bwt[p, i] = acc_bwt(r.R)
                progress.note(f"selection {method} {point or '(no grid key read)'}: validation ACC "
                              f"{100 * acc[p].mean():.1f} %, BWT {100 * bwt[p].mean():+.1f} points")
            best = choose(acc) if len(points) > 1 else 0
            out[method] = {"points": points, "val_acc": acc.mean(axis=1).tolist(), "val_bwt": bwt.mean(axis=1).tolist(),
                           "val_acc_per_seed": acc.tolist(), "chosen": points[best]}
        val = streams[0][3][0]
        return {"grid": {k: list(v) for k, v in grid.items()},
                "rule": "highest mean validation ACC over the seeds; the first in grid order on a tie",
                "n_fit": len(val.y_train), "n_val": len(val.y_test), "methods": out}

    def report(self, result: ContinualResult) -> dict:
        s = result.settings
        methods = {}
        for m, rs in result.results.items():
            accs = [r.acc for r in rs]
            bwts = [r.bwt for r in rs]
            entry = {"acc": mean_interval(accs).as_dict(), "bwt": mean_interval(bwts).as_dict(),
                     "acc_per_seed": accs, "bwt_per_seed": bwts,
                     "R": _matrix(np.mean(np.stack([r.R for r in rs]), axis=0)),
                     "R_per_seed": [_matrix(r.R) for r in rs], "sgd_steps": rs[0].sgd_steps}
            if m in ("hlop", "exact"):
                entry["lateral_neurons_per_task"] = [[list(k) for k in r.lateral] for r in rs]
                entry["lateral_neurons"] = mean_interval([sum(sub.k for sub in r.subspaces)
                                                          for r in rs]).value
                entry["lateral_cells"] = mean_interval([sum(sub.k * sub.n for sub in r.subspaces)
                                                        for r in rs]).value
                entry["hebbian_steps"] = rs[0].hebbian_steps
                entry["lateral_area_m2"] = float(np.mean([_lateral_area(result.config, r) for r in rs]))
            if getattr(rs[0], "chip", None):
                entry["on_chip"] = {k: float(np.mean([r.chip[k] for r in rs])) for k in rs[0].chip}
            methods[m] = entry
        sweep = []
        for k in sorted({e["k"] for e in result.sweep}):
            for m in ("hlop", "exact"):
                es = [e for e in result.sweep if e["k"] == k and e["method"] == m]
                sweep.append({"method": m, "k": k, "acc": float(np.mean([e["acc"] for e in es])),
                              "bwt": float(np.mean([e["bwt"] for e in es])),
                              "lateral_neurons": float(np.mean([e["lateral_neurons"] for e in es])),
                              "lateral_cells": float(np.mean([e["lateral_cells"] for e in es]))})
        paired = {}
        if "hlop" in methods:
            for m in (m for m in ("exact", "multitask", "finetune", "replay") if m in methods):
                d_acc = [a - b for a, b in zip(methods["hlop"]["acc_per_seed"], methods[m]["acc_per_seed"])]
                d_bwt = [a - b for a, b in zip(methods["hlop"]["bwt_per_seed"], methods[m]["bwt_per_seed"])]
                paired[f"hlop-{m}"] = {
                    "acc": paired_difference(methods["hlop"]["acc_per_seed"], methods[m]["acc_per_seed"]).as_dict(),
                    "bwt": paired_difference(methods["hlop"]["bwt_per_seed"], methods[m]["bwt_per_seed"]).as_dict(),
                    "acc_per_seed": d_acc, "bwt_per_seed": d_bwt}
        e = result.energy
        sections = energy_sections(e)
        learning = {m: entry["on_chip"]["learning_energy_J"] for m, entry in methods.items() if "on_chip" in entry}
        if learning:   # one-time, like programming_J: not part of the per-inference breakdown
            sections["energy"]["on_chip_learning_J"] = learning
        return {
            "dataset": {"name": result.dataset, "n_train": result.n_train, "n_test": result.n_test,
                        "skipped_corrupt": len(result.skipped), "skipped": list(result.skipped)},
            "engine": result.engine,
            "continual": {"stream": s.stream, "tasks": s.tasks, "seeds": result.seeds,
                          "network": f"{result.n_features}→{result.hidden}→classes",
                          "lateral": s.lateral, "on_chip": s.on_chip,
                          "summary": {m: f"ACC {100 * e['acc']['value']:.1f} %, BWT {100 * e['bwt']['value']:+.1f} "
                                         "points" for m, e in methods.items()},
                          "methods": methods, "k_sweep": sweep,
                          "paired": paired,
                          **({"selection": result.selection} if result.selection else {})},
            **sections,
            **({"area": {"total_m2": result.area.total_m2, "breakdown_m2": result.area.breakdown_m2}}
               if result.area is not None else {}),
        }

    def figures(self, result: ContinualResult) -> dict:
        from neurosim.report.continual_plots import continual_plots
        return {"panels": [{"kind": "figure", "figure": fig, "title": alt, "caption": caption}
                           for fig, alt, caption in continual_plots(self.report(result)["continual"])]}

    def summary(self, report: dict) -> list[tuple[str, str]]:
        c = report["continual"]
        n = len(c["seeds"])
        lines = [("stream", f"{c['stream']}, {c['tasks']} tasks, seeds {', '.join(map(str, c['seeds']))}"),
                 ("ACC", f"mean accuracy over all {c['tasks']} tasks after learning the last, on each task's "
                         f"{report['dataset']['n_test']} test samples; mean over the {n} seed(s), 95 % t-interval"),
                 ("BWT", "backward transfer: mean change of each earlier task's test accuracy from just after "
                         "learning it to the end, in points (negative = forgetting); same seeds and interval")]

        def points(d: dict) -> str:
            spread = f" [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}]" if n > 1 else ""
            return f"{100 * d['value']:+.1f} points{spread}"
        for m, e in c["methods"].items():
            extra = (f", {e['lateral_neurons']:.0f} lateral neurons (mean over seeds)" if "lateral_neurons" in e
                     else "")
            acc = format_interval(e["acc"]) if n > 1 else format_percent(e["acc"]["value"], 1)
            lines.append((f"{m}", f"ACC {acc}, BWT {points(e['bwt'])}{extra}"))
        for name, d in c.get("paired", {}).items():
            lines.append((name.replace("-", " − "), f"ACC {points(d['acc'])}, BWT {points(d['bwt'])} (paired "
                                                       "over the same seeds)"))
        sel = c.get("selection")
        if sel:
            for m, e in sel["methods"].items():
                best = e["val_acc"][e["points"].index(e["chosen"])]
                lines.append((f"{m} chosen", (", ".join(f"{k} = {v}" for k, v in e["chosen"].items()) or "no grid key")
                              + f" (validation ACC {100 * best:.1f} %, of {len(e['points'])} tried on "
                                f"{sel['n_val']} validation samples per task)"))
        for m, j in report["energy"].get("on_chip_learning_J", {}).items():
            pulses = c["methods"][m]["on_chip"]["program_pulses"]
            lines.append((f"{m} on chip", f"{pulses:,.0f} program pulses, {format_quantity(j, 'J')} to learn"))
        return lines + energy_summary(report)
