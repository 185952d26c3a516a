"""Task ``classify``: event data → LSM on the chip → spike counts → linear readout.

Returns accuracy on held-out samples next to the chip's energy and latency per
inference, computed from the operations the simulation actually performed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split

from neurosim import seeds
from neurosim.config import Config, chip_hash, config_hash, to_dict
from neurosim.energy import (AreaEstimate, EnergyEstimate, OperationCounts, count_operations,
                             estimate_area, estimate_energy)
from neurosim.errors import DataError
from neurosim.events import EventBatch
from neurosim.learning import linear_readout
from neurosim.progress import Progress
from neurosim.report.json_report import SCHEMA, make_run_id
from neurosim.report.provenance import provenance
from neurosim.tasks.setup import set_up


@dataclass(frozen=True)
class ClassifyResult:
    """Everything a classify run measured (arrays are per sample or per neuron)."""

    config: Config
    engine: str
    dataset: str
    n_train: int
    n_test: int
    accuracy_train: float
    accuracy_test: float
    energy: EnergyEstimate
    counts: OperationCounts
    mean_spike_counts: np.ndarray   # (neurons,) spikes per sample, averaged over samples
    confusion: np.ndarray           # (classes, classes) on the test split, rows = true class
    mean_duration_s: float          # mean span of a sample's events (s)
    skipped: tuple[str, ...] = ()   # corrupt samples left out ("path: reason"), run.skip_corrupt
    area: AreaEstimate | None = None  # silicon area of the arrays and neurons (m²)


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


def split_indices(batch: EventBatch, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Train and test sample indices: the dataset's official split if it has one
    with both parts present, else a stratified random split (``run.test_fraction``)."""
    idx = np.arange(len(batch))
    if batch.is_test is not None and batch.is_test.any() and (~batch.is_test).any():
        return idx[~batch.is_test], idx[batch.is_test]
    classes, per_class = np.unique(batch.labels, return_counts=True)
    if len(classes) < 2 or per_class.min() < 2:
        raise DataError(f"{batch.name}: {len(batch)} samples are too few to split into train and "
                        f"test (need ≥ 2 samples of each of ≥ 2 classes); raise --samples")
    stratify = batch.labels if per_class.min() * config.run.test_fraction >= 1 else None
    train, test = train_test_split(idx, test_size=config.run.test_fraction, stratify=stratify,
                                   random_state=seeds.int_seed(config.run.seed, "split"))
    return np.sort(train), np.sort(test)


def run_classify(config: Config, engine: str = "auto", data_dir: Path | None = None,
                 progress: Progress | None = None) -> ClassifyResult:
    """Run the whole classify pipeline for one chip instance."""
    progress = progress or Progress(enabled=False)
    seed = config.run.seed
    setup = set_up(config, engine, data_dir, progress)
    batch, raster, lsm, sim = setup.batch, setup.raster, setup.network, setup.engine
    activity = sim.run(lsm, raster, progress=progress.stage(f"simulating ({sim.name})"))
    features = activity.counts
    train, test = split_indices(batch, config)
    readout = linear_readout(config.readout, seeds.int_seed(seed, "readout"))
    readout.fit(features[train], batch.labels[train])
    classes = np.unique(batch.labels)
    predicted = readout.predict(features[test])
    counts = count_operations(raster, activity.spike_raster, lsm.programmed.tiling, len(classes))
    energy = estimate_energy(config, counts, lsm.programmed, n_inputs=raster.shape[2],
                             n_classes=len(classes), steps=raster.shape[1])
    return ClassifyResult(
        config=config, engine=sim.name, dataset=batch.name, n_train=len(train), n_test=len(test),
        accuracy_train=float(readout.score(features[train], batch.labels[train])),
        accuracy_test=float(np.mean(predicted == batch.labels[test])),
        energy=energy, counts=counts, mean_spike_counts=features.mean(axis=0),
        confusion=confusion_matrix(batch.labels[test], predicted, labels=classes),
        mean_duration_s=float(sample_durations(batch).mean()), skipped=batch.skipped,
        area=estimate_area(config, lsm.programmed.tiling))


def classify_report(result: ClassifyResult) -> dict:
    """The ``neurosim.report/1`` dict of a classify run."""
    config = result.config
    chash = config_hash(config)
    e = result.energy
    spikes = result.mean_spike_counts
    n = result.counts
    return {
        "schema": SCHEMA,
        "run": {"id": make_run_id(chash, config.run.seed)},
        "task": "classify",
        "dataset": {"name": result.dataset, "n_train": result.n_train, "n_test": result.n_test,
                    "skipped_corrupt": len(result.skipped), "skipped": list(result.skipped)},
        "chip": {"name": config.chip.name, "config_hash": chip_hash(config)},
        "engine": result.engine,
        "seed": config.run.seed,
        "accuracy": {"test": result.accuracy_test, "train": result.accuracy_train},
        "energy": {"per_inference_J": e.per_inference_J, "breakdown_J": e.breakdown_J,
                   "baseline": {"name": e.baseline_name, "per_inference_J": e.baseline_per_inference_J},
                   "improvement_vs_baseline": e.improvement_vs_baseline,
                   "programming_J": e.programming_J},
        "latency": {"per_inference_s": e.latency_s},
        "activity": {
            "spikes_per_sample": float(spikes.sum()),
            "mean_rate_hz": float(spikes.mean() / result.mean_duration_s) if result.mean_duration_s else 0.0,
            "silent_fraction": float(np.mean(spikes == 0)),
            "input_spikes_per_sample": float(n.row_activations_per_row[:-len(spikes)].sum() / n.samples),
        },
        "operations_per_inference": {k: v / n.samples for k, v in n.as_dict().items()
                                     if k != "samples"},
        **({"area": {"total_m2": result.area.total_m2, "breakdown_m2": result.area.breakdown_m2}}
           if result.area is not None else {}),
        "config": to_dict(config),
        "provenance": provenance(chash),
    }


def classify_figures(result: ClassifyResult) -> dict:
    """Arrays the HTML report plots."""
    return {"spike_counts": result.mean_spike_counts, "confusion": result.confusion}
