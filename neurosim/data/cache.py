"""On-disk cache (HDF5) of binned datasets, keyed by dataset and transform parameters.

An entry is one file ``<cache dir>/<sha256 of the key>.h5`` holding the raster
(``[n, n_bins, C]``, gzip-compressed, bool or integer as computed), the labels and, when
the dataset has an official split, ``is_test``; its ``key`` attribute holds the
canonical JSON of the parameters. The key always includes :data:`BINNING_VERSION` and
neurosim's version, so a change in the binning rule never serves stale rasters.

* **Where:** ``$NEUROSIM_CACHE_DIR/binned``, default ``~/.cache/neurosim/binned``; never
  inside a dataset folder.
* **Atomic:** an entry is written to a temporary file in the cache folder, then renamed
  over its final name (``os.replace``), so readers see a whole entry or none.
* **Verified:** on load the stored key JSON must equal the requested one, and the arrays
  must fit together; anything else (a corrupt or truncated file, another key) is logged
  and recomputed. A cache that cannot be written is logged and skipped, never fatal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from neurosim import backend
from neurosim.data.registry import dataset_status, get_dataset
from neurosim.data.stream import stream_dataset
from neurosim.errors import DataError
from neurosim.events.binning import BINNING_VERSION, bin_events
from neurosim.version import __version__

__all__ = [
    "CachedRaster",
    "binned_dataset",
    "cache_folder",
    "cache_key",
    "cached_raster",
    "canonical_json",
    "raster_key",
]

log = logging.getLogger(__name__)

#: Format tag stored with each entry.
FORMAT = "neurosim.binned/1"


class CachedRaster(NamedTuple):
    """A binned dataset: raster ``[n, n_bins, C]``, labels int64 ``(n,)``, is_test bool
    ``(n,)`` or None, and ``hit`` (True if it came from the cache)."""

    raster: np.ndarray
    labels: np.ndarray
    is_test: np.ndarray | None
    hit: bool


def cache_folder(cache_dir: str | os.PathLike | None = None) -> Path:
    """The binned-data cache folder: ``cache_dir`` if given, else
    ``$NEUROSIM_CACHE_DIR/binned``, else ``~/.cache/neurosim/binned``."""
    if cache_dir is not None:
        return Path(cache_dir)
    root = os.environ.get("NEUROSIM_CACHE_DIR") or Path.home() / ".cache" / "neurosim"
    return Path(root) / "binned"


def canonical_json(params: dict) -> str:
    """``params`` plus the binning and neurosim versions as canonical JSON (sorted keys,
    no spaces, ASCII). Raises DataError if a value is not JSON data (or is NaN)."""
    full = {**params, "binning_version": BINNING_VERSION, "neurosim_version": __version__}
    try:
        return json.dumps(full, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DataError(f"cache key parameters must be plain JSON data: {exc}") from exc


def cache_key(params: dict) -> str:
    """sha256 (hex) of :func:`canonical_json` ``(params)``: the entry's file stem."""
    return hashlib.sha256(canonical_json(params).encode("ascii")).hexdigest()


def _describe(transform: Any) -> dict:
    """A transform as JSON data: its class name plus its dataclass fields."""
    params = dataclasses.asdict(transform) if dataclasses.is_dataclass(transform) else {}
    return {"type": type(transform).__qualname__, **params}


def _fingerprint(where: str) -> str:
    """sha256 of the (relative path, size, mtime ns) of every file under ``where``."""
    root = Path(where)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for p in paths:
        st = p.stat()
        h.update(f"{p.relative_to(root) if p != root else p.name}\0{st.st_size}\0"
                 f"{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def raster_key(
    dataset: str, *, data_dir: str | os.PathLike | None = None, n_samples: int | None = None,
    seed: int = 0, transforms: Sequence[Any] = (), n_bins: int, binary: bool = False,
) -> dict:
    """The cache key parameters of a binned dataset.

    Holds the dataset name, ``"builtin"`` or the absolute data folder with a fingerprint
    of its files (paths, sizes, modification times: edited data is recomputed), the
    sample choice (``n_samples``, ``seed``), each transform's class and fields, ``n_bins``
    and ``binary``.
    """
    info = get_dataset(dataset).info()
    where, present = dataset_status(info, data_dir)
    if info.builtin:
        source: dict = {"data": "builtin"}
    else:
        source = {"data": str(Path(where).resolve()),
                  "fingerprint": _fingerprint(where) if present else None}
    return {"dataset": dataset, **source, "n_samples": n_samples, "seed": seed,
            "transforms": [_describe(t) for t in transforms], "n_bins": n_bins,
            "binary": bool(binary)}


def _read(path: Path, key_json: str) -> CachedRaster | None:
    """The entry at ``path`` if it exists, is readable and holds ``key_json``; else None."""
    if not path.is_file():
        return None
    import h5py

    try:
        with h5py.File(path, "r") as f:
            stored = f.attrs["key"]
            stored = stored.decode() if isinstance(stored, bytes) else str(stored)
            if stored != key_json or f.attrs.get("format") != FORMAT:
                log.warning("cache entry %s holds another key; recomputing", path)
                return None
            raster, labels = f["raster"][()], f["labels"][()]
            is_test = f["is_test"][()] if "is_test" in f else None
        _check(raster, labels, is_test)
    except Exception as exc:  # any unreadable entry is recomputed, never fatal
        log.warning("cache entry %s is unreadable (%s); recomputing", path, exc)
        return None
    return CachedRaster(raster, labels, is_test, True)


def _check(raster: Any, labels: Any, is_test: Any) -> None:
    n = raster.shape[0] if raster.ndim == 3 else -1
    if n < 0 or labels.shape != (n,) or (is_test is not None and is_test.shape != (n,)):
        raise DataError(f"a binned raster must be [n, n_bins, C] with labels (n,) and is_test "
                        f"(n,) or None; got {raster.shape}, {labels.shape}, "
                        f"{None if is_test is None else is_test.shape}")


def _write(path: Path, key_json: str, entry: CachedRaster) -> None:
    """Write ``entry`` to ``path`` atomically (temp file in the same folder + os.replace)."""
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["key"] = key_json
            f.attrs["format"] = FORMAT
            packed = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
            f.create_dataset("raster", data=entry.raster, **(packed if entry.raster.size else {}))
            f.create_dataset("labels", data=entry.labels)
            if entry.is_test is not None:
                f.create_dataset("is_test", data=entry.is_test)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def cached_raster(
    key_params: dict,
    compute: Callable[[], tuple[Any, Any, Any]],
    cache_dir: str | os.PathLike | None = None,
) -> CachedRaster:
    """The binned dataset for ``key_params``: from the cache, or computed and stored.

    Args:
        key_params: JSON data naming everything the raster depends on (see
            :func:`raster_key`); the binning and neurosim versions are added.
        compute: returns ``(raster [n, n_bins, C], labels (n,), is_test (n,) or None)``
            (numpy or cupy arrays) when the entry is missing or invalid.
        cache_dir: the cache folder (default: see :func:`cache_folder`).

    Returns:
        :class:`CachedRaster` ``(raster, labels, is_test, hit)``, numpy arrays.
    """
    key_json = canonical_json(key_params)
    folder = cache_folder(cache_dir)
    path = folder / f"{hashlib.sha256(key_json.encode('ascii')).hexdigest()}.h5"
    found = _read(path, key_json)
    if found is not None:
        return found
    raster, labels, is_test = compute()
    raster = backend.to_numpy(raster)
    labels = backend.to_numpy(labels).astype(np.int64, copy=False)
    is_test = None if is_test is None else backend.to_numpy(is_test).astype(bool, copy=False)
    _check(raster, labels, is_test)
    entry = CachedRaster(raster, labels, is_test, False)
    try:
        _write(path, key_json, entry)
    except Exception as exc:  # a cache that cannot be written must not stop a run
        log.warning("could not write cache entry %s (%s); continuing without it", path, exc)
    return entry


def binned_dataset(
    dataset: str, *, n_bins: int, data_dir: str | os.PathLike | None = None,
    n_samples: int | None = None, seed: int = 0, transforms: Sequence[Callable] = (),
    binary: bool = False, batch_size: int = 256, cache_dir: str | os.PathLike | None = None,
) -> CachedRaster:
    """Load, transform and bin a dataset chunk by chunk, through the cache.

    The raster is ``bin_events(t_k(...t_1(batch)), n_bins)`` for ``transforms`` ``t_1..t_k``
    (frozen dataclasses such as CenterCrop), as ``bool`` (a channel spiked in a bin) when
    ``binary`` else int32 counts; samples as in :func:`neurosim.data.load_dataset`. Events
    are streamed ``batch_size`` samples at a time (:func:`~neurosim.data.stream.stream_dataset`).
    """
    key = raster_key(dataset, data_dir=data_dir, n_samples=n_samples, seed=seed,
                     transforms=transforms, n_bins=n_bins, binary=binary)

    def compute() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        rasters, labels, tests = [], [], []
        for chunk in stream_dataset(dataset, data_dir=data_dir, batch_size=batch_size,
                                    n_samples=n_samples, seed=seed):
            for transform in transforms:
                chunk = transform(chunk)
            raster = bin_events(chunk, n_bins)
            rasters.append(raster > 0 if binary else raster)
            labels.append(chunk.labels)
            tests.append(chunk.is_test)
        is_test = None if any(t is None for t in tests) else np.concatenate(tests)
        return np.concatenate(rasters), np.concatenate(labels), is_test

    return cached_raster(key, compute, cache_dir)
