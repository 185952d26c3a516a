"""Dataset registry: what datasets exist, where their data is, and loading them as EventBatch.

Each dataset is a module (``dvs_digits``, ``nmnist``) that declares its contract as
module constants (``NAME``, ``MODALITY``, ``SENSOR_SIZE``, ``N_CLASSES``, ``DESCRIPTION``,
``BUILTIN``, ``HOW_TO_GET``) and provides ``labels(data_dir)`` (cheap, no decoding) and
``load(data_dir, *, indices, seed, progress) -> EventBatch``.

**Default data root.** Datasets that need files are looked up under the data root: the
``data_dir`` argument if given, else the environment variable ``$NEUROSIM_DATA``, else
``./datasets`` relative to the current working directory. N-MNIST lives in
``<data root>/nmnist``. Built-in datasets ignore the data root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

import numpy as np

from neurosim.data import dvs_digits, nmnist, ntidigits, spoken_digits
from neurosim import seeds
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

__all__ = [
    "DatasetInfo",
    "data_root",
    "dataset_status",
    "list_datasets",
    "load_dataset",
    "sample_indices",
    "stratified_indices",
]


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is.

    Attributes:
        name: registry name, e.g. ``"nmnist"``.
        modality: ``"vision"`` (events x, y, t, p) or ``"audio"`` (t, x, p).
        sensor_size: ``(W, H, P)`` like tonic's ``(34, 34, 2)``.
        n_classes: number of classes.
        description: one line.
        builtin: True if it needs no files (generated or shipped with a dependency).
        how_to_get: where the data comes from / how to download it.
    """

    name: str
    modality: str
    sensor_size: tuple[int, int, int]
    n_classes: int
    description: str
    builtin: bool
    how_to_get: str


_MODULES: dict[str, ModuleType] = {m.NAME: m for m in (dvs_digits, nmnist, ntidigits, spoken_digits)}


def _info(module: ModuleType) -> DatasetInfo:
    return DatasetInfo(
        module.NAME, module.MODALITY, tuple(module.SENSOR_SIZE), module.N_CLASSES,
        module.DESCRIPTION, module.BUILTIN, module.HOW_TO_GET,
    )


def _module(name: str) -> ModuleType:
    if name not in _MODULES:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(_MODULES))}")
    return _MODULES[name]


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """The data root: ``data_dir`` if given, else ``$NEUROSIM_DATA``, else ``./datasets``."""
    if data_dir is not None:
        return Path(data_dir)
    return Path(os.environ.get("NEUROSIM_DATA") or "datasets")


def list_datasets() -> list[DatasetInfo]:
    """All registered datasets, sorted by name."""
    return [_info(_MODULES[name]) for name in sorted(_MODULES)]


def dataset_status(info: DatasetInfo, data_dir: str | os.PathLike | None = None) -> tuple[str, bool]:
    """Where the dataset's data is and whether it is present: ``(where, present)``.

    Built-in datasets are always present. For the others ``where`` is the folder that
    is (or would be) read under the data root; ``present`` is True if it holds samples.
    """
    module = _module(info.name)
    if info.builtin:
        return "built-in", True
    root = data_root(data_dir)
    return str(module.folder(root).absolute()), bool(module.present(root))


def stratified_indices(labels: np.ndarray, n_samples: int, seed: int = 0) -> np.ndarray:
    """Pick ``n_samples`` positions of ``labels``, as equal per class as possible.

    Deterministic from ``seed`` (its stream ``("data", "subset")``, :mod:`neurosim.seeds`): each class's
    members are shuffled, then taken round-robin over the classes (in a shuffled class
    order) until ``n_samples`` are chosen; a class that runs out simply stops
    contributing. Returns the chosen positions sorted ascending (int64).
    """
    labels = np.asarray(labels)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise DataError(f"n_samples must be a positive integer or None, got {n_samples!r}")
    if n_samples > len(labels):
        raise DataError(f"n_samples={n_samples} but the dataset has only {len(labels)} samples")
    rng = seeds.rng(seed, "data", "subset")
    classes = np.unique(labels)
    class_priority = dict(zip(classes.tolist(), rng.permutation(len(classes)).tolist()))
    shuffled = rng.permutation(len(labels))
    lab = labels[shuffled]
    # rank of each (shuffled) sample inside its class: 0, 1, 2, ...
    order = np.argsort(lab, kind="stable")
    starts = np.searchsorted(lab[order], lab[order], side="left")
    rank = np.empty(len(lab), dtype=np.int64)
    rank[order] = np.arange(len(lab)) - starts
    priority = np.array([class_priority[c] for c in lab.tolist()], dtype=np.int64)
    chosen = shuffled[np.lexsort((priority, rank))[:n_samples]]
    return np.sort(chosen).astype(np.int64)


def load_dataset(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    n_samples: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
    indices: np.ndarray | None = None,
) -> EventBatch:
    """Load dataset ``name`` as an EventBatch.

    Args:
        name: a registered name (see :func:`list_datasets`).
        data_dir: data root (default ``$NEUROSIM_DATA`` or ``./datasets``).
        n_samples: number of samples, picked stratified by class from ``seed`` (see
            :func:`stratified_indices`); ``None`` loads all, in the dataset's order.
        seed: seeds the subset choice and, for generated datasets, the generation.
        progress: optional ``callable(done, total)`` for long loads.
        indices: explicit sample positions to load, in that order (instead of ``n_samples``).
        skip_corrupt: leave out corrupt samples (truncated, outside the sensor, decreasing
            timestamps, empty) instead of raising; they are listed in ``batch.skipped``.

    Raises:
        DataError: unknown name, missing or malformed data, bad ``n_samples``.
    """
    if indices is not None and n_samples is not None:
        raise DataError("load_dataset: give n_samples or indices, not both")
    if indices is None and n_samples is not None:
        indices = sample_indices(name, data_dir=data_dir, n_samples=n_samples, seed=seed)
    return _module(name).load(data_root(data_dir), indices=indices, seed=seed, progress=progress,
                              skip_corrupt=skip_corrupt)


def sample_indices(name: str, *, data_dir: str | os.PathLike | None = None,
                   n_samples: int | None = None, seed: int = 0) -> np.ndarray:
    """Positions (int64, ascending) of the samples :func:`load_dataset` picks.

    Every sample when ``n_samples`` is None, else the stratified choice of
    :func:`stratified_indices` from ``seed``. Reads only the labels, never the events.
    """
    labels = _module(name).labels(data_root(data_dir))
    if n_samples is None:
        return np.arange(len(labels), dtype=np.int64)
    return stratified_indices(labels, n_samples, seed)
