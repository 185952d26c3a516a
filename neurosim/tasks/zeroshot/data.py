"""One modality's data: its dataset simulated once through its own reservoir, checked to be readable
before any simulation, split into seen-class train / validation / test and unseen test pools, and its
spike counts standardised on the seen training samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.config import Config
from neurosim.data import get_dataset
from neurosim.errors import DataError
from neurosim.tasks.pipeline import DatasetRun, Pipeline
from neurosim.tasks.registry import RunContext
from neurosim.tasks.zeroshot.settings import ZeroshotSettings, modality_config

__all__ = ["ModalityData", "Split", "split_modality"]


@dataclass(frozen=True)
class Split:
    """Positions into one modality's samples: seen-class ``train``, ``val`` and ``test``, and the
    ``unseen`` test pool (int64, sorted); ``val_groups``: the groups held out as ``val`` (empty when
    validation takes samples)."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    unseen: np.ndarray
    val_groups: tuple[int, ...] = ()


def split_modality(labels: np.ndarray, is_test: np.ndarray | None, seen: tuple[int, ...],
                   unseen: tuple[int, ...], settings: ZeroshotSettings, test_fraction: float,
                   rng: np.random.Generator, name: str, groups: np.ndarray | None = None) -> Split:
    """Split one modality (see the module docstring). The test split is the dataset's official one
    when it has one, else a stratified ``test_fraction`` of each class; ``val_fraction`` of each
    seen class's remaining samples is the validation split, or, with ``val_split = "groups"`` and
    ``groups`` (int ``(n,)``, e.g. the speaker of each sample), the remaining samples of
    ``round(val_fraction × groups)`` (at least 1) whole groups drawn from ``rng``, so selection
    is on groups never trained on. Unseen classes are only ever tested."""
    labels = np.asarray(labels)
    if is_test is None or not is_test.any():
        is_test = np.zeros(len(labels), bool)
        for c in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == c))
            is_test[idx[:int(round(test_fraction * len(idx)))]] = True
    held_groups = _validation_groups(groups, settings, rng) if settings.val_split == "groups" else None
    train, val, test = [], [], []
    for c in seen:
        pool = np.flatnonzero((labels == c) & ~is_test)
        held = np.flatnonzero((labels == c) & is_test)
        if len(pool) < 2 or len(held) < 1:
            raise DataError(f"{name}: seen class {c} has {len(pool)} training and {len(held)} test samples "
                            "(need ≥ 2 and ≥ 1); raise --samples (0 = all) or change zeroshot.seen_classes")
        if held_groups is not None:
            in_val = np.isin(groups[pool], held_groups)
            if in_val.all() or not in_val.any():
                raise DataError(f"{name}: seen class {c} has no training sample {'outside' if in_val.all() else 'in'} "
                                f"the validation groups {held_groups.tolist()}; set zeroshot.val_split = 'samples'")
            val.append(pool[in_val])
            train.append(pool[~in_val])
        else:
            pool = rng.permutation(pool)
            n_val = max(1, int(round(settings.val_fraction * len(pool))))
            val.append(pool[:n_val])
            train.append(pool[n_val:])
        test.append(held)
    in_unseen = np.isin(labels, unseen)
    pool_unseen = np.flatnonzero(in_unseen & (is_test if settings.unseen_pool == "test" else True))
    missing = sorted(set(unseen) - set(labels[pool_unseen].tolist()))
    if missing:
        raise DataError(f"{name}: unseen class(es) {missing} have no sample in the test pool; raise "
                        "--samples (0 = all), set zeroshot.unseen_pool = 'all' or change zeroshot.unseen_classes")

    def cat(parts):
        return np.sort(np.concatenate(parts)).astype(np.int64)
    return Split(cat(train), cat(val), cat(test), pool_unseen.astype(np.int64),
                 () if held_groups is None else tuple(held_groups.tolist()))


def _validation_groups(groups: np.ndarray | None, settings: ZeroshotSettings,
                       rng: np.random.Generator) -> np.ndarray | None:
    """The groups whose training samples are the validation split (sorted int64), or None when the
    dataset declares none (then validation takes samples)."""
    if groups is None:
        return None
    names = np.unique(groups)
    n_val = min(len(names) - 1, max(1, int(round(settings.val_fraction * len(names)))))
    if n_val < 1:
        return None
    return np.sort(rng.permutation(names)[:n_val]).astype(np.int64)


@dataclass(frozen=True)
class ModalityData:
    """One modality's features, standardised with the mean/std of its seen training samples only."""

    run: DatasetRun
    config: Config
    split: Split
    mean: np.ndarray
    std: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        return self.run.labels

    def x(self, idx: np.ndarray) -> np.ndarray:
        """Standardised features of samples ``idx`` (float64 ``(len(idx), neurons)``)."""
        return (self.run.counts[idx] - self.mean) / self.std


def _standardised(run: DatasetRun, config: Config, split: Split, std_floor: float) -> ModalityData:
    train = run.counts[split.train].astype(np.float64)
    std = np.maximum(train.std(axis=0), std_floor)
    return ModalityData(run, config, split, train.mean(axis=0), np.where(std > 0, std, 1.0))


def _check_available(config: Config, settings: ZeroshotSettings, which: str, context: RunContext) -> None:
    """:class:`DataError` naming the ``[zeroshot]`` key when a modality's dataset cannot be read."""
    cfg = modality_config(config, settings, which)
    name = cfg.run.dataset
    try:
        get_dataset(name)
        Pipeline(cfg, context.engine, context.data_dir).planned_labels(name)
    except DataError as exc:
        key = "vision_dataset" if which == "vision" else "audio_dataset"
        raise DataError(f"zeroshot.{key} = {name!r} is not available: {exc} (offline: "
                        "--set zeroshot.vision_dataset=dvs-digits --set zeroshot.audio_dataset=spoken-digits)"
                        ) from None


def _run_modality(config: Config, settings: ZeroshotSettings, which: str,
                  context: RunContext) -> tuple[DatasetRun, Config]:
    """One modality's dataset through its own reservoir (simulated once, shared by every seed)."""
    cfg = modality_config(config, settings, which)
    return Pipeline(cfg, context.engine, context.data_dir, context.progress).run_dataset(cfg.run.dataset), cfg
