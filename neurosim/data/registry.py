"""The dataset interface (:class:`Dataset`) and the registry of datasets by name.

A dataset is a subclass of :class:`Dataset` that declares its contract as class
attributes and implements ``labels`` and ``load``; decorating it with
:func:`register_dataset` makes it known by its ``name`` to :func:`load_dataset`,
:func:`list_datasets`, the CLI and the config (``run.dataset``)::

    @register_dataset
    class Blobs(Dataset):
        name = "blobs"
        modality = "vision"
        sensor_size = (8, 8, 2)
        dtype = VISION_DTYPE       # optional: the modality's tonic dtype is the default
        ordering = "xytp"
        n_classes = 2
        description = "two blobs of events"
        builtin = True

        def labels(self, root):
            return np.arange(40) % 2

        def load(self, root, *, indices=None, seed=0, progress=None, skip_corrupt=False):
            ...  # -> EventBatch of the samples ``indices``, in that order

The built-in datasets are the modules of :mod:`neurosim.data.datasets`; each declares its
class this way (the contract at the top of the module, the reading or generation below) and
registers itself, and all of them are imported (found with ``pkgutil``, no list) the first time
the registry is consulted. Adding a dataset means adding one module there, or
registering a class from anywhere else (a plugin, a test).

**Default data root.** Datasets that need files are looked up under the data root: the
``data_dir`` argument if given, else the environment variable ``$NEUROSIM_DATA``, else
``./datasets`` relative to the current working directory. N-MNIST lives in
``<data root>/nmnist``. Built-in datasets ignore the data root.
"""

from __future__ import annotations

import abc
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, TypeVar

import numpy as np

from neurosim.config import discover_members
from neurosim.data.memo import memo_key, memoized
from neurosim.data.sampling import stratified_indices
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE, MODALITIES, VISION_DTYPE, EventBatch
from neurosim.submodules import import_submodules

__all__ = [
    "Dataset",
    "DatasetInfo",
    "data_root",
    "dataset_status",
    "get_dataset",
    "list_datasets",
    "load_dataset",
    "recommended_settings",
    "register_dataset",
    "sample_indices",
    "unregister_dataset",
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
        official_split: True if samples carry the dataset's official train/test split
            (``EventBatch.is_test`` is a bool array); False if ``is_test`` is None.
        recommended: the settings the dataset recommends, ``(("section.key", value), …)``
            (see :attr:`Dataset.recommended`).
    """

    name: str
    modality: str
    sensor_size: tuple[int, int, int]
    n_classes: int
    description: str
    builtin: bool
    how_to_get: str
    official_split: bool = False
    recommended: tuple[tuple[str, Any], ...] = ()


class Dataset(abc.ABC):
    """The interface every dataset implements.

    Class attributes (the contract, checked by :func:`register_dataset`; tonic's pattern): ``name``
    (registry name), ``modality`` (``"vision"`` or ``"audio"``), ``sensor_size``
    ``(W, H, P)``, ``dtype`` and ``ordering`` (the structured dtype of a sample's events and its
    field order: :data:`~neurosim.events.batch.VISION_DTYPE` ``"xytp"`` or
    :data:`~neurosim.events.batch.AUDIO_DTYPE` ``"txp"``, the modality's by default), ``n_classes``,
    ``description`` (one line), ``builtin`` (needs no files), ``how_to_get`` (where the data comes
    from), ``official_split`` (True if loaded batches carry ``is_test`` from the dataset's official train/test split).

    Methods take ``root``, the data root (a :class:`~pathlib.Path`, see :func:`data_root`);
    built-in datasets ignore it.
    """

    name: ClassVar[str]
    modality: ClassVar[str]
    sensor_size: ClassVar[tuple[int, int, int]]
    #: Structured dtype of one sample's events (``EventBatch.sample``); None: the modality's.
    dtype: ClassVar[np.dtype | None] = None
    #: The dtype's field names in order (``"xytp"``, ``"txp"``); "": the modality's.
    ordering: ClassVar[str] = ""
    n_classes: ClassVar[int]
    description: ClassVar[str]
    builtin: ClassVar[bool] = False
    how_to_get: ClassVar[str] = ""
    official_split: ClassVar[bool] = False
    #: What :meth:`groups` groups samples by (e.g. ``"speaker"``), or "" when samples are independent.
    group_name: ClassVar[str] = ""
    #: Settings this dataset recommends, ``{"section.key": value}`` (e.g. a reservoir size that its
    #: data needs), measured and documented where declared. :func:`neurosim.config.load_config`
    #: applies them over the defaults and the chip, under an experiment file and ``--set``.
    recommended: ClassVar[dict[str, Any]] = {}

    def groups(self, root: Path) -> np.ndarray | None:
        """Group of every sample in load order, int64 ``(n,)`` (e.g. its speaker), or None.

        Samples of one group are not independent (one speaker's words sound alike), so
        cross-validation keeps each group within one fold, as the official split does.
        """
        return None

    @abc.abstractmethod
    def labels(self, root: Path) -> np.ndarray:
        """Labels of every sample in load order, int64 ``(n,)``; cheap (no event decoding)."""

    @abc.abstractmethod
    def load(
        self,
        root: Path,
        *,
        indices: np.ndarray | None = None,
        seed: int = 0,
        progress: Callable[[int, int], None] | None = None,
        skip_corrupt: bool = False,
    ) -> EventBatch:
        """The samples at positions ``indices`` (default all), in that order, as an EventBatch
        named ``name`` with this ``sensor_size`` and ``modality``.

        ``seed`` drives generated datasets (sample ``i`` must not depend on which others
        are loaded); ``progress(done, total)`` reports long loads; ``skip_corrupt`` leaves
        corrupt samples out (listed in ``batch.skipped``) instead of raising DataError.
        """

    def folder(self, root: Path) -> Path:
        """The file or folder read under the data root (default ``root / name``)."""
        return Path(root) / self.name

    def present(self, root: Path) -> bool:
        """True if the data is there (built-in datasets always are)."""
        return self.builtin or self.folder(root).exists()

    def info(self) -> DatasetInfo:
        """The declared contract as a frozen :class:`DatasetInfo`."""
        return DatasetInfo(self.name, self.modality, tuple(self.sensor_size), self.n_classes,
                           self.description, self.builtin, self.how_to_get, self.official_split,
                           tuple(self.recommended.items()))


_REGISTRY: dict[str, Dataset] = {}

D = TypeVar("D", bound=type)


def _discover() -> dict[str, Dataset]:
    """The registry, after importing every built-in module of :mod:`neurosim.data.datasets` once."""
    import_submodules("neurosim.data.datasets")
    discover_members()  # plugins' datasets (entry points) too
    return _REGISTRY


def modality_dtype(modality: str) -> np.dtype:
    """The structured dtype of one sample's events in ``modality`` (tonic's: x, y, t, p or t, x, p)."""
    return VISION_DTYPE if modality == "vision" else AUDIO_DTYPE


def _check_contract(cls: type) -> None:
    where = f"dataset class {cls.__module__}.{cls.__qualname__}"
    missing = [a for a in ("name", "modality", "sensor_size", "n_classes", "description")
               if not hasattr(cls, a)]
    if missing:
        raise DataError(f"{where} must declare the class attributes {', '.join(missing)}")
    if not isinstance(cls.name, str) or not cls.name:
        raise DataError(f"{where}: name must be a non-empty string, got {cls.name!r}")
    if cls.modality not in MODALITIES:
        raise DataError(f"{where}: modality must be one of {MODALITIES}, got {cls.modality!r}")
    size = tuple(cls.sensor_size)
    if len(size) != 3 or not all(isinstance(s, (int, np.integer)) and s >= 1 for s in size):
        raise DataError(f"{where}: sensor_size must be three positive integers (W, H, P), got {size}")
    if isinstance(cls.n_classes, bool) or not isinstance(cls.n_classes, (int, np.integer)) \
            or cls.n_classes < 1:
        raise DataError(f"{where}: n_classes must be a positive integer, got {cls.n_classes!r}")
    expected = modality_dtype(cls.modality)
    if cls.dtype is not None and np.dtype(cls.dtype) != expected:
        raise DataError(f"{where}: dtype must be the {cls.modality} events' {expected}, got {cls.dtype}")
    if cls.ordering and cls.ordering != "".join(expected.names):
        raise DataError(f"{where}: ordering must be {''.join(expected.names)!r} ({cls.modality} "
                        f"events), got {cls.ordering!r}")
    recommended = getattr(cls, "recommended", {})
    if not isinstance(recommended, dict) or not all(isinstance(k, str) and "." in k for k in recommended):
        raise DataError(f"{where}: recommended must be a dict of 'section.key' -> value, got {recommended!r}")


def register_dataset(cls: D) -> D:
    """Register the :class:`Dataset` subclass ``cls`` under ``cls.name``; returns ``cls``
    (use it as a class decorator).

    Raises:
        DataError: ``cls`` is not a Dataset subclass, breaks the contract (see
            :class:`Dataset`), or its name is already taken by another class.
    """
    if not (isinstance(cls, type) and issubclass(cls, Dataset)):
        raise DataError(f"register_dataset takes a subclass of neurosim.data.Dataset, got {cls!r}")
    _check_contract(cls)
    registry = _discover()
    existing = registry.get(cls.name)
    qualname = f"{cls.__module__}.{cls.__qualname__}"
    if existing is not None:
        other = f"{type(existing).__module__}.{type(existing).__qualname__}"
        if other != qualname:
            raise DataError(f"dataset name {cls.name!r} is already registered by {other}; "
                            f"choose another name for {qualname}")
    if cls.dtype is None:
        cls.dtype = modality_dtype(cls.modality)
    if not cls.ordering:
        cls.ordering = "".join(cls.dtype.names)
    registry[cls.name] = cls()
    return cls


def recommended_settings(name: str) -> dict[str, Any]:
    """The settings dataset ``name`` recommends (``{"section.key": value}``); {} for a dataset that
    recommends none or is unknown (the run that uses an unknown name reports it)."""
    dataset = _discover().get(name)
    return dict(dataset.recommended) if dataset is not None else {}


def unregister_dataset(name: str) -> None:
    """Remove dataset ``name`` from the registry (e.g. a test's dataset at teardown)."""
    get_dataset(name)
    del _REGISTRY[name]


def get_dataset(name: str) -> Dataset:
    """The registered dataset ``name``; DataError naming the known ones if there is none."""
    registry = _discover()
    if name not in registry:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(registry))}")
    return registry[name]


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """The data root: ``data_dir`` if given, else ``$NEUROSIM_DATA``, else ``./datasets``."""
    if data_dir is not None:
        return Path(data_dir)
    return Path(os.environ.get("NEUROSIM_DATA") or "datasets")


def list_datasets() -> list[DatasetInfo]:
    """All registered datasets, sorted by name."""
    registry = _discover()
    return [registry[name].info() for name in sorted(registry)]


def dataset_status(info: DatasetInfo, data_dir: str | os.PathLike | None = None) -> tuple[str, bool]:
    """Where the dataset's data is and whether it is present: ``(where, present)``.

    Built-in datasets are always present. For the others ``where`` is the folder that
    is (or would be) read under the data root; ``present`` is True if it holds samples.
    """
    dataset = get_dataset(info.name)
    if info.builtin:
        return "built-in", True
    root = data_root(data_dir)
    return str(dataset.folder(root).absolute()), bool(dataset.present(root))


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
            :func:`~neurosim.data.sampling.stratified_indices`); ``None`` loads all, in
            the dataset's order.
        seed: seeds the subset choice and, for generated datasets, the generation.
        progress: optional ``callable(done, total)`` for long loads.
        indices: explicit sample positions to load, in that order (instead of ``n_samples``).
        skip_corrupt: leave out corrupt samples (truncated, outside the sensor, decreasing
            timestamps, empty) instead of raising; they are listed in ``batch.skipped``.

    Inside :func:`neurosim.data.memo.memoized_loading` (a sweep worker) a batch loaded before
    with the same arguments is returned again instead of being read anew.

    Raises:
        DataError: unknown name, missing or malformed data, bad ``n_samples``.
    """
    if indices is not None and n_samples is not None:
        raise DataError("load_dataset: give n_samples or indices, not both")
    if indices is None and n_samples is not None:
        indices = sample_indices(name, data_dir=data_dir, n_samples=n_samples, seed=seed)
    root = data_root(data_dir)
    return memoized(memo_key(name, str(root.resolve()), seed, skip_corrupt, indices),
                    lambda: get_dataset(name).load(root, indices=indices, seed=seed, progress=progress,
                                                   skip_corrupt=skip_corrupt))


def sample_indices(name: str, *, data_dir: str | os.PathLike | None = None,
                   n_samples: int | None = None, seed: int = 0) -> np.ndarray:
    """Positions (int64, ascending) of the samples :func:`load_dataset` picks.

    Every sample when ``n_samples`` is None, else the stratified choice of
    :func:`~neurosim.data.sampling.stratified_indices` from ``seed``. Reads only the
    labels, never the events.
    """
    labels = get_dataset(name).labels(data_root(data_dir))
    if n_samples is None:
        return np.arange(len(labels), dtype=np.int64)
    return stratified_indices(labels, n_samples, seed)
