"""N-TIDIGITS (Anumula et al. 2018): TIDIGITS spoken digits played to a silicon cochlea.

Read with h5py from the official single file ``n-tidigits.hdf5``, in the layout tonic's
``tonic.datasets.NTIDIGITS18`` reads (tonic 1.7), for each split ``train`` and ``test``:

* ``<split>_labels``: 1-D dataset of sample ids (byte strings) such as ``b"man-ae-1z"``;
  the label is the part after the last ``-``: one digit symbol (``"o"``, ``"z"``,
  ``"1"`` ... ``"9"``) or a sequence of them (``"123z"``);
* ``<split>_addresses``: a group with one 1-D dataset per sample id: the cochlea
  channel (0..63) of each event;
* ``<split>_timestamps``: a group with one 1-D dataset per sample id: the event times
  in seconds (float), non-decreasing.

Only single-digit utterances are loaded (11 classes, as in the LSM paper of Lin et al.,
whose code, MrLinNing/MemristorLSM ``LSM-NTIDIGITS``, keeps single digits and maps
``"z"`` to 0 and ``"o"`` to 10); see :data:`CLASS_MAP`. tonic's own ``class_map``
differs (``"o"`` -> 0, ``"z"`` -> 10); ours puts the digit zero at 0, like N-MNIST.

Events are tonic audio events (:data:`~neurosim.events.batch.AUDIO_DTYPE`): ``t`` in µs
(seconds x 1e6, rounded to the nearest µs; tonic truncates), ``x`` the channel, ``p`` 0
(the file has no polarity; tonic writes 1). The batch is audio on sensor (64, 1, 1).
Samples are ordered train before test, each in the order of its ``<split>_labels``;
``is_test`` comes from the split. Nothing is ever written into the data folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import h5py
import numpy as np

from neurosim.data.corrupt import CorruptSampleError, single_timestamp
from neurosim.data.loader import locate, positions, read_samples, require
from neurosim.data.registry import Dataset, register_dataset
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE, EventBatch

#: The file read under <data root>/ntidigits.
FILENAME = "n-tidigits.hdf5"


@register_dataset
class NTIDIGITS(Dataset):
    """N-TIDIGITS, read from the data root: the contract here, the reading in this module's functions."""

    name = "ntidigits"
    modality = "audio"
    sensor_size = (64, 1, 1)
    dtype = AUDIO_DTYPE
    ordering = "txp"
    n_classes = 11
    description = "N-TIDIGITS: spoken single digits recorded by a 64-channel silicon cochlea (11 classes)"
    builtin = False
    how_to_get = (
        f"Put the file {FILENAME} at <data root>/ntidigits/{FILENAME} (data root: $NEUROSIM_DATA, else "
        "./datasets), or pass the file itself as the data dir. Online, "
        "neurosim.data.datasets.ntidigits.download(<data root>) "
        "fetches it with tonic (tonic.datasets.NTIDIGITS18(save_to=<data root>); it lands in "
        f"<data root>/NTIDIGITS18/{FILENAME}, which is also accepted). Source: "
        "https://docs.google.com/document/d/1Uxe7GsKKXcy6SlDUX4hoJVAC0-UkH-8kr5UXp0Ndi1M"
    )
    official_split = True

    def folder(self, root: Path) -> Path:
        return folder(root)

    def present(self, root: Path) -> bool:
        return present(root)

    def labels(self, root: Path) -> np.ndarray:
        return labels(root)

    def load(self, root: Path, **options) -> EventBatch:
        """The samples (see :func:`load`, which takes the same options)."""
        return load(root, **options)


#: Label symbol -> class: digits "1".."9" -> 1..9, "z" (zero) -> 0, "o" (oh) -> 10.
CLASS_MAP = {"z": 0, **{str(d): d for d in range(1, 10)}, "o": 10}
SPLITS = ("train", "test")
_KINDS = ("labels", "addresses", "timestamps")
_MAX_SECONDS = 2.0**53 / 1e6  # t * 1e6 stays an exact integer in float64


def _corrupt(where: str, reason: str) -> CorruptSampleError:
    return CorruptSampleError("N-TIDIGITS", where, reason)


def path(data_dir: Path) -> Path:
    """The HDF5 file read for the data root ``data_dir``.

    ``data_dir`` itself if it is a file, else the first existing of
    ``data_dir/ntidigits/n-tidigits.hdf5``, ``data_dir/NTIDIGITS18/n-tidigits.hdf5``
    (tonic's download) and ``data_dir/n-tidigits.hdf5``; the first if none exists.
    """
    data_dir = Path(data_dir)
    if data_dir.is_file():
        return data_dir
    return locate([data_dir / sub / FILENAME for sub in ("ntidigits", "NTIDIGITS18")] + [data_dir / FILENAME],
                  Path.is_file)


def folder(data_dir: Path) -> Path:
    """Where N-TIDIGITS is read from: the HDF5 file itself (see :func:`path`)."""
    return path(data_dir)


def present(data_dir: Path) -> bool:
    """True if the N-TIDIGITS file exists (it is not opened)."""
    return path(data_dir).is_file()


def _open(file: Path) -> h5py.File:
    require(file, "file", "N-TIDIGITS", NTIDIGITS.how_to_get)
    try:
        return h5py.File(file, "r")
    except (OSError, ValueError) as e:
        raise DataError(f"N-TIDIGITS file {file} cannot be read as HDF5: {e}") from e


def _decode_ids(raw: np.ndarray, file: Path, name: str) -> list[str]:
    """Sample ids from a labels dataset's values (byte or text strings)."""
    if raw.dtype.kind not in "SOU":
        raise DataError(f"N-TIDIGITS file {file}: dataset '{name}' must hold strings, got dtype {raw.dtype}")
    ids = []
    for k, item in enumerate(raw.tolist()):
        if isinstance(item, bytes):
            try:
                item = item.decode("utf-8")
            except UnicodeDecodeError as e:
                raise DataError(f"N-TIDIGITS file {file}: '{name}' entry {k} is not UTF-8 text: {e}") from e
        if not isinstance(item, str):
            raise DataError(f"N-TIDIGITS file {file}: '{name}' entry {k} is not a string: {item!r}")
        ids.append(item)
    return ids


@dataclass(frozen=True)
class _Utterance:
    """One single-digit sample: position ``k`` in ``<split>_labels``, sample id ``sid``, class ``label``."""

    split: str
    k: int
    sid: str
    label: int

    @property
    def is_test(self) -> bool:
        """True if it is in the official test split."""
        return self.split == "test"


def _index(f: h5py.File, file: Path) -> list[_Utterance]:
    """Each single-digit sample, in load order."""
    names = [f"{split}_{kind}" for split in SPLITS for kind in _KINDS]
    missing = [n for n in names if n not in f]
    if missing:
        raise DataError(
            f"N-TIDIGITS file {file}: missing group(s) {', '.join(repr(m) for m in missing)}; the official "
            f"layout has {', '.join(names)} (as read by tonic.datasets.NTIDIGITS18)"
        )
    for n in names:
        want = h5py.Dataset if n.endswith("_labels") else h5py.Group
        try:
            ok = isinstance(f[n], want)
        except (OSError, KeyError, TypeError, ValueError) as e:
            raise DataError(f"N-TIDIGITS file {file}: '{n}' cannot be opened: {e}") from e
        if not ok:
            kind = "dataset" if want is h5py.Dataset else "group"
            raise DataError(f"N-TIDIGITS file {file}: '{n}' must be a {kind}")
    found = []
    for split in SPLITS:
        name = f"{split}_labels"
        ds = f[name]
        if ds.shape is None or len(ds.shape) != 1:
            raise DataError(f"N-TIDIGITS file {file}: '{name}' must be 1-D, got shape {ds.shape}")
        try:
            raw = np.asarray(ds[()])
        except (OSError, TypeError, ValueError) as e:
            raise DataError(f"N-TIDIGITS file {file}: '{name}' cannot be read: {e}") from e
        for k, sid in enumerate(_decode_ids(raw, file, name)):
            label = sid.split("-")[-1]
            if len(label) != 1:
                continue  # a digit sequence (or nothing): not a single-digit utterance
            if label not in CLASS_MAP:
                raise DataError(
                    f"N-TIDIGITS file {file}: {split} sample {k} (id {sid!r}) has label {label!r}; "
                    f"expected one of {', '.join(CLASS_MAP)}"
                )
            found.append(_Utterance(split, k, sid, CLASS_MAP[label]))
    if not found:
        raise DataError(f"N-TIDIGITS file {file}: holds no single-digit utterance (sample ids ending in "
                        f"'-' and one of {', '.join(CLASS_MAP)}); the ntidigits dataset reads only those")
    return found


def _column(f: h5py.File, group: str, sid: str, where: str) -> np.ndarray:
    """The 1-D numeric dataset ``group/sid``."""
    try:
        ds = f[group].get(sid)
        data = np.asarray(ds[()]) if isinstance(ds, h5py.Dataset) else None
    except (OSError, KeyError, TypeError, ValueError, RuntimeError) as e:
        raise _corrupt(where, f"'{group}/{sid}' cannot be read: {e}") from e
    if data is None:
        raise _corrupt(where, f"no dataset {sid!r} in group '{group}'")
    if data.ndim != 1 or data.dtype.kind not in "iuf":
        raise _corrupt(
            where, f"'{group}/{sid}' must be a 1-D numeric array, got shape {data.shape} dtype {data.dtype}"
        )
    return data


def _read_sample(f: h5py.File, file: Path, u: _Utterance) -> np.ndarray:
    """Events (:data:`AUDIO_DTYPE`) of one sample, checked; CorruptSampleError if bad."""
    where = f"{file} ({u.split} sample {u.k}, id {u.sid!r})"
    x = _column(f, f"{u.split}_addresses", u.sid, where)
    t = _column(f, f"{u.split}_timestamps", u.sid, where)
    if len(x) != len(t):
        raise _corrupt(where, f"mismatched lengths: {len(x)} addresses but {len(t)} timestamps")
    if len(x) == 0:
        raise _corrupt(where, "empty sample (no events)")
    x, t = x.astype(np.float64), t.astype(np.float64)
    bad = ~(np.isfinite(x) & (x == np.floor(x)) & (x >= 0) & (x < NTIDIGITS.sensor_size[0]))
    if bad.any():
        k_bad = int(np.flatnonzero(bad)[0])
        raise _corrupt(
            where, f"event {k_bad} has channel {x[k_bad]:g}; channels are integers "
                   f"0..{NTIDIGITS.sensor_size[0] - 1}"
        )
    bad = ~(np.isfinite(t) & (t >= 0) & (t < _MAX_SECONDS))
    if bad.any():
        k_bad = int(np.flatnonzero(bad)[0])
        raise _corrupt(where, f"event {k_bad} has timestamp {t[k_bad]:g} s; expected finite seconds >= 0")
    back = np.flatnonzero(np.diff(t) < 0)
    if back.size:
        j = int(back[0]) + 1
        raise _corrupt(where, f"decreasing timestamps (event {j} at {t[j]:.9g} s follows {t[j - 1]:.9g} s)")
    if single_timestamp(t):
        raise _corrupt(where, f"degenerate sample: all {len(t)} events share one timestamp ({t[0]:.9g} s, span 0)")
    events = np.zeros(len(x), dtype=AUDIO_DTYPE)
    events["t"] = np.rint(t * 1e6).astype(np.int64)
    events["x"] = x.astype(np.int64)
    return events


def labels(data_dir: Path) -> np.ndarray:
    """Classes (int64, see :data:`CLASS_MAP`) of the single-digit samples in load order (no event is read)."""
    file = path(data_dir)
    with _open(file) as f:
        return np.array([u.label for u in _index(f, file)], dtype=np.int64)


def load(
    data_dir: Path,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Read the single-digit samples ``indices`` (positions in load order; default all).

    Args:
        data_dir: data root, or the HDF5 file itself (see :func:`path`).
        indices: int array of sample positions (as in :func:`labels`).
        seed: unused (reading is deterministic); accepted for the common loader signature.
        progress: optional ``callable(done, total)`` called every 100 samples and at the end.
        skip_corrupt: if True, a sample whose events are malformed (missing dataset,
            mismatched lengths, channel outside 0..63, bad or decreasing timestamps, no
            events, more than one event all at one timestamp) is left out and recorded in ``EventBatch.skipped`` as
            ``"<file> (<split> sample <k>, id <id>): <reason>"``; if False (default) the
            first one raises :class:`DataError`. A malformed file layout (missing group,
            unknown label) always raises.

    Returns:
        Audio EventBatch named ``"ntidigits"``, sensor (64, 1, 1), t in µs, labels 0..10,
        ``is_test`` from the split; ``len(indices) - len(skipped)`` samples.
    """
    file = path(data_dir)
    with _open(file) as f:
        entries = _index(f, file)
        idx = positions("N-TIDIGITS", len(entries), indices)
        return read_samples(NTIDIGITS, entries, idx, lambda u: _read_sample(f, file, u),
                            progress=progress, skip_corrupt=skip_corrupt)


def download(root: Path) -> Path:
    """Download ``n-tidigits.hdf5`` with tonic (needs the internet) and return its path.

    Calls ``tonic.datasets.NTIDIGITS18(save_to=root, train=True)``, which fetches the one
    file holding both splits into ``<root>/NTIDIGITS18/``, where :func:`path` finds it.
    Never called by :func:`load`.
    """
    import tonic.datasets

    dataset = tonic.datasets.NTIDIGITS18(save_to=str(root), train=True)
    handle = getattr(dataset, "data", None)  # tonic keeps the HDF5 file open
    if hasattr(handle, "close"):
        handle.close()
    return Path(root) / "NTIDIGITS18" / FILENAME
