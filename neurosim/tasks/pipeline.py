"""What every task starts with: a dataset streamed through the chip-programmed reservoir.

:class:`Pipeline` reads a dataset in chunks of ``run.chunk_samples`` samples
(one chunk's events, input raster and spike raster in memory at a time), bins
each chunk into input spikes (``[input]``), runs it on the engine and keeps
only what tasks need from every sample: labels, split, duration, input and
reservoir spike counts, and the chip's operation counts. A task that needs more
of a chunk (a raster, the spikes) asks for it with ``on_chunk``. Memory is
therefore bounded by one chunk plus ``O(samples × neurons)`` features (the
input-raster baseline pooled to the reservoir's width), whatever the number of
samples, and the features equal those of one unchunked run; a run whose features
would not fit is refused before the dataset streams (:mod:`neurosim.tasks.memory`).

The reservoir is programmed once per input width, on chip instance
``run.instance`` of the run seed (:func:`neurosim.seeds.chip_rng`): the
primary dataset's network is exactly instance ``k`` of
:func:`neurosim.crossbar.program_instances`. A second dataset of another input
width (another modality, e.g. for zero-shot) gets its own network from stream
``("chip", instance, <dataset>)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.data import (data_root, get_dataset, iter_batches, load_dataset, pair_by_label,
                           sample_indices)
from neurosim.energy import Tally, count_operations
from neurosim.engines import Activity, get_engine, stepping_engines
from neurosim.errors import DataError
from neurosim.events import EventBatch, to_raster
from neurosim.learning.features import baseline_features, reservoir_features
from neurosim.networks import LSM, build_lsm
from neurosim.networks.background import check_engine, with_background
from neurosim.progress import Progress
from neurosim.tasks.memory import check_fits

__all__ = ["Chunk", "DatasetRun", "PairedRuns", "Pipeline", "sample_durations"]


def sample_durations(batch: EventBatch) -> np.ndarray:
    """Span of each sample's events, last minus first timestamp (s, ``(samples,)``; 0 if empty)."""
    t = batch.events["t"]
    starts = batch.offsets[:-1]
    filled = batch.offsets[1:] > starts
    out = np.zeros(len(batch))
    if filled.any():
        first = np.minimum.reduceat(t, starts[filled])
        last = np.maximum.reduceat(t, starts[filled])
        out[filled] = (last - first) * 1e-6
    return out


@dataclass(frozen=True)
class Chunk:
    """One streamed chunk: samples ``start … start + len(batch) − 1`` of the dataset run.

    ``raster`` bool ``[k, bins, inputs]``; ``activity.spike_raster`` bool ``[k, bins, neurons]``.
    """

    start: int
    batch: EventBatch
    raster: np.ndarray
    activity: Activity


@dataclass(frozen=True)
class DatasetRun:
    """What the reservoir did on a whole dataset, accumulated chunk by chunk.

    Per sample (``n`` of them, in the dataset's order): ``labels`` int64, ``is_test``
    bool (None without an official split), ``durations_s`` float64 (s),
    ``counts`` int64 ``(n, neurons)`` reservoir spikes per neuron,
    ``input_counts`` int64 ``(n, inputs)`` input spikes per channel, ``features`` float32
    ``(n, windows·neurons)`` what the readout sees (``[readout]`` feature and windows,
    :func:`neurosim.learning.features.reservoir_features`), ``baselines`` the no-reservoir
    feature sets (name → float32 ``(n, features)``; empty unless asked for), ``groups`` int64
    ``(n,)`` the group of each sample (``group_name``, e.g. its speaker) where the dataset declares
    one, else None. ``operations``:
    the chip's operations over all samples, without readout MACs (see
    :meth:`operations_with_readout`).
    """

    name: str
    network: LSM
    n_bins: int
    labels: np.ndarray
    is_test: np.ndarray | None
    durations_s: np.ndarray
    counts: np.ndarray
    input_counts: np.ndarray
    features: np.ndarray
    operations: Tally
    baselines: dict = field(default_factory=dict)
    groups: np.ndarray | None = None
    group_name: str = ""
    skipped: tuple[str, ...] = ()
    engine: str = ""

    def __len__(self) -> int:
        return len(self.labels)

    def operations_with_readout(self, n_classes: int) -> Tally:
        """:attr:`operations` plus a linear readout of ``n_classes`` outputs that accumulates the
        non-zero features (``n_classes`` MACs per non-zero feature per sample: a neuron that did
        not spike in a window costs nothing)."""
        return replace(self.operations, readout_macs=int(np.count_nonzero(self.features)) * n_classes)


@dataclass(frozen=True)
class PairedRuns:
    """Two datasets (e.g. two modalities) through their reservoirs, paired sample by sample by label:
    ``a.counts[idx_a[i]]`` and ``b.counts[idx_b[i]]`` show the same class (int64 index arrays)."""

    a: DatasetRun
    b: DatasetRun
    idx_a: np.ndarray
    idx_b: np.ndarray


class Pipeline:
    """Streams datasets through the reservoir programmed on chip instance ``run.instance``.

    ``engine``: an engine name (``auto``, ``cpu``, ``brian2`` …); ``data_dir``: data
    root; ``progress``: where long stages report.
    """

    def __init__(self, config: Config, engine: str = "auto", data_dir: Path | None = None,
                 progress: Progress | None = None):
        self.config = config
        self.engine_choice = engine
        self.data_dir = data_dir
        self.progress = progress or Progress(enabled=False)
        self._networks: dict[int, LSM] = {}
        self._engine = None

    @property
    def engine(self):
        """The engine object (``auto`` decides per network at run time)."""
        if self._engine is None:
            self._engine = get_engine(self.engine_choice)
        return self._engine

    def network(self, n_inputs: int, dataset: str | None = None) -> LSM:
        """The reservoir for ``n_inputs`` input channels, programmed once (see the module docstring)."""
        if n_inputs not in self._networks:
            run = self.config.run
            primary = dataset is None or dataset == run.dataset or not self._networks
            rng = (seeds.chip_rng(run.seed, run.instance) if primary
                   else seeds.rng(run.seed, "chip", run.instance, dataset))
            self._networks[n_inputs] = build_lsm(self.config, n_inputs, rng)
        return self._networks[n_inputs]

    def simulate(self, network: LSM, raster: np.ndarray, stage: str | None = None,
                 first_sample: int = 0) -> Activity:
        """Run ``raster`` (bool ``[samples, bins, inputs]``) on the engine, reporting progress as
        ``stage`` (None: no progress of its own, e.g. one chunk of :meth:`run_dataset`).

        The one way a task runs the reservoir: :meth:`run_dataset` calls it for every chunk.
        ``first_sample``: position of the first sample in its run, so that per-sample random
        streams (read noise per step, background noise) do not depend on how a run is chunked.
        A network with background noise (:mod:`neurosim.networks.background`) runs with its
        noise hook; an engine that steps no hook is refused (:class:`~neurosim.errors.EngineError`).
        """
        run = self.config.run
        progress = self.progress.stage(stage) if stage is not None else None
        noise = with_background(network, run.seed, run.instance, first_sample)
        if noise is not None:
            check_engine(self.engine_choice, stepping_engines())
            return self.engine.run(network, raster, progress=progress, hook=noise, first_sample=first_sample)
        return self.engine.run(network, raster, progress=progress, first_sample=first_sample)

    def planned_samples(self, dataset: str | None = None) -> int:
        """How many samples :meth:`run_dataset` will stream (before corrupt ones are skipped)."""
        return len(self._indices(dataset or self.config.run.dataset))

    def planned_labels(self, dataset: str | None = None) -> tuple[np.ndarray, bool]:
        """Labels of the samples :meth:`run_dataset` will stream (read without decoding events), and
        whether the dataset carries an official train/test split."""
        name = dataset or self.config.run.dataset
        spec = get_dataset(name)
        return spec.labels(data_root(self.data_dir))[self._indices(name)], spec.official_split

    def _indices(self, name: str) -> np.ndarray:
        run = self.config.run
        return sample_indices(name, data_dir=self.data_dir, n_samples=run.samples or None, seed=run.seed)

    def run_dataset(self, dataset: str | None = None, on_chunk: Callable[[Chunk], None] | None = None,
                    baselines: bool = False, raster_transform: Callable[[np.ndarray], np.ndarray] | None = None,
                    stage: str | None = None) -> DatasetRun:
        """Stream ``dataset`` (default ``run.dataset``; ``run.samples`` of it) through the reservoir.

        ``baselines``: also keep the no-reservoir feature sets of every sample
        (:func:`neurosim.learning.features.baseline_features`); the input raster's bins are summed
        into fewer time windows where ``bins × inputs`` exceeds the reservoir's features per sample
        (at least one window). Refuses (:class:`~neurosim.errors.ConfigError`), at the first chunk,
        a run whose per-sample arrays would not fit in the available memory
        (:mod:`neurosim.tasks.memory`). ``raster_transform``: applied to each chunk's input
        raster (bool ``[k, bins, inputs]``, same shape out) before the reservoir, e.g. a fixed
        permutation of the input channels (permuted continual-learning tasks); ``stage``: the
        progress label.
        """
        config = self.config
        name = dataset or config.run.dataset
        run = config.run
        indices = self._indices(name)
        load = functools.partial(load_dataset, name, data_dir=self.data_dir, seed=run.seed,
                                 skip_corrupt=run.skip_corrupt)
        report = self.progress.stage(stage or f"{name} through the reservoir")
        acc = _Accumulator(len(indices), config, baselines, name)
        network = None
        done = 0
        kept: list[np.ndarray] = []   # dataset positions of the samples read (corrupt ones skipped)
        for chunk, batch in iter_batches(lambda indices: (indices, load(indices=indices)), indices,
                                         run.chunk_samples):
            kept.append(chunk if len(batch) == len(chunk) else _kept_positions(load, chunk))
            raster = to_raster(batch, config.input)
            if raster_transform is not None:
                raster = raster_transform(raster)
            network = network or self.network(raster.shape[2], name)
            activity = self.simulate(network, raster, first_sample=acc.samples)
            acc.add(batch, raster, activity, network)
            if on_chunk is not None:
                on_chunk(Chunk(acc.samples - len(batch), batch, raster, activity))
            done = min(done + run.chunk_samples, len(indices))
            report(done, len(indices))
            del batch, raster, activity  # before the next chunk is read: one chunk in memory, not two
        if network is None or acc.samples == 0:
            raise DataError(f"{name}: no samples to run (run.samples = {run.samples}; every sample "
                            "corrupt or the dataset empty)")
        result = acc.result(name, network, config.input.n_bins, getattr(self.engine, "name", ""))
        spec = get_dataset(name)
        groups = spec.groups(data_root(self.data_dir))
        if groups is not None:
            result = replace(result, groups=np.asarray(groups, dtype=np.int64)[np.concatenate(kept)],
                             group_name=spec.group_name)
        return result


    def run_paired(self, dataset_a: str, dataset_b: str,
                   classes: list[int] | None = None) -> PairedRuns:
        """Stream two datasets and pair their samples by label (:func:`neurosim.data.pair_by_label`,
        stream ``("data", "pairs")`` of the run seed). Each dataset takes ``run.samples`` samples;
        a dataset of another input width runs on its own reservoir (see the module docstring)."""
        a = self.run_dataset(dataset_a)
        b = self.run_dataset(dataset_b)
        idx_a, idx_b = pair_by_label(a.labels, b.labels, seeds.rng(self.config.run.seed, "data", "pairs"),
                                     classes)
        return PairedRuns(a, b, idx_a, idx_b)


def _kept_positions(load: Callable[..., EventBatch], chunk: np.ndarray) -> np.ndarray:
    """The positions of ``chunk`` whose samples ``load`` reads (those it does not skip as corrupt).

    A batch does not say which of its positions it skipped, only why (``EventBatch.skipped``), so
    a chunk that came back short is read again one sample at a time: rare (a corrupt file) and
    bounded by one chunk.
    """
    return np.array([i for i in chunk if len(load(indices=np.array([i]))) == 1], dtype=np.int64)


class _Accumulator:
    """Per-sample features and operation counts of successive chunks, written into arrays sized
    once for the planned samples (no per-chunk copies to concatenate)."""

    def __init__(self, planned: int, config: Config, baselines: bool, name: str = ""):
        self.planned = planned
        self.readout = config.readout
        self.baselines = baselines
        self.name = name
        self.arrays: dict[str, np.ndarray] = {}
        self.operations: Tally | None = None
        self.skipped: list[str] = []
        self.samples = 0
        self.has_split = True

    def _put(self, key: str, values: np.ndarray) -> None:
        if key not in self.arrays:
            self.arrays[key] = np.zeros((self.planned, *values.shape[1:]), dtype=values.dtype)
        self.arrays[key][self.samples:self.samples + len(values)] = values

    def add(self, batch: EventBatch, raster: np.ndarray, activity: Activity, network: LSM) -> None:
        spikes = np.asarray(activity.spike_raster)
        self.has_split &= batch.is_test is not None
        kept = {"labels": np.asarray(batch.labels, dtype=np.int64),
                "is_test": (np.zeros(len(batch), bool) if batch.is_test is None
                            else np.asarray(batch.is_test, dtype=bool)),
                "durations": sample_durations(batch),
                "counts": spikes.sum(axis=1, dtype=np.int64),
                "inputs": raster.sum(axis=1, dtype=np.int64),
                "features": reservoir_features(spikes, self.readout)}
        if self.baselines:
            # the input raster no wider than the reservoir's features: its bins are pooled to fit
            width = kept["features"].shape[1]
            for name, values in baseline_features(batch, raster, self.readout, width).items():
                kept[f"baseline:{name}"] = values
        if not self.arrays:  # the first chunk gives the shapes: refuse a run that would not fit
            check_fits(self.planned, sum(v.nbytes // max(1, len(v)) for v in kept.values()),
                       max(v.shape[1] for k, v in kept.items() if k == "features" or k.startswith("baseline:")),
                       f"{self.name or 'dataset'} through the reservoir")
        for key, values in kept.items():
            self._put(key, values)
        ops = count_operations(raster, spikes, network.programmed.tiling, 0, network=network,
                               first_sample=self.samples)
        self.operations = ops if self.operations is None else self.operations + ops
        self.skipped.extend(batch.skipped)
        self.samples += len(batch)

    def result(self, name: str, network: LSM, n_bins: int, engine: str) -> DatasetRun:
        a = {k: v[:self.samples] for k, v in self.arrays.items()}   # views: fewer if corrupt skipped
        return DatasetRun(name=name, network=network, n_bins=n_bins, labels=a["labels"],
                          is_test=a["is_test"] if self.has_split else None,
                          durations_s=a["durations"], counts=a["counts"], input_counts=a["inputs"],
                          features=a["features"], operations=self.operations,
                          baselines={k.split(":", 1)[1]: v for k, v in a.items() if k.startswith("baseline:")},
                          skipped=tuple(self.skipped), engine=engine)
