"""N-MNIST (Orchard et al. 2015) read from its official folders or zip archives.

Under the N-MNIST folder (see :func:`folder`) each split is read from

* the folder ``Train/<digit>/*.bin`` (``Test/...``), as unzipped from the official archives
  and in tonic's download (``<root>/NMNIST/Train/...``); partial copies are fine; or, if
  that folder does not exist,
* the archive ``Train.zip`` (``Test.zip``; any letter case, so tonic's ``train.zip`` too),
  read in place with :mod:`zipfile`: members ``.../<digit>/<name>.bin``, whatever folders
  come before the digit. Nothing is extracted.

Each ``.bin`` is one recording in the N-MNIST 40-bit format (5 bytes per event), decoded
by ``tonic.io.read_mnist_file``: x, y in pixels of the 34x34 ATIS, t in µs from the start
of the recording, p 1 = ON / 0 = OFF. Every sample is checked: whole events (size a
multiple of 5 bytes), at least one event, x and y inside 34x34, t non-decreasing, and
not all events at one timestamp (see :func:`single_timestamp`; all true of the 1,100 real
samples in ``../shared/data/nmnist``). A failed check raises
:class:`DataError` naming the file (and the archive member), or, with
``load(..., skip_corrupt=True)``, leaves the sample out and records it in
``EventBatch.skipped``.

Samples are ordered Train before Test, then by digit, then by file name, so loading is
deterministic. ``is_test`` comes from the split. Nothing is ever written into the data
folder (:func:`download` is the one explicit exception: tonic's download).
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim.data.corrupt import CorruptSampleError, single_timestamp
from neurosim.data.loader import locate, positions, read_samples, require
from neurosim.data.registry import Dataset, register_dataset
from neurosim.errors import DataError
from neurosim.events.batch import VISION_DTYPE, EventBatch

@register_dataset
class NMNIST(Dataset):
    """N-MNIST, read from the data root: the contract here, the reading in this module's functions."""

    name = "nmnist"
    modality = "vision"
    sensor_size = (34, 34, 2)
    dtype = VISION_DTYPE
    ordering = "xytp"
    n_classes = 10
    description = "N-MNIST: MNIST digits recorded by an ATIS event camera in three saccades (34x34, ~300 ms)"
    builtin = False
    how_to_get = (
        "Put the N-MNIST folders Train/<digit>/*.bin and Test/<digit>/*.bin, or the official archives "
        "Train.zip and Test.zip (read in place, never extracted), under <data root>/nmnist "
        "(data root: $NEUROSIM_DATA, else ./datasets). Online, neurosim.data.datasets.nmnist.download(<data root>) "
        "fetches them with tonic (tonic.datasets.NMNIST(save_to=<data root>, train=True) and train=False; "
        "they land in <data root>/NMNIST, which is also accepted). Archives: "
        "https://www.garrickorchard.com/datasets/n-mnist, Mendeley Data 468j46mzdv."
    )
    #: A 2,000-neuron reservoir: on the 1,100 real samples (5-fold CV, ridge readout on spikes in 5 time
    #: windows) 200 neurons reach 88.5 % (ideal chip), below the 89.3 % of the same windowed input without a
    #: reservoir, and no input/recurrent scale, threshold or decay tried at 200 lifted them above 90.5 %;
    #: 1,000 reach 91.8 %, 2,000 reach 93.0 % (rram-40nm-256kb: 93.5 %). docs/studies/classification.md says more;
    #: ``--set network.neurons=200`` (or configs/lin2025-nmnist.toml) gives the paper's size.
    recommended = {"network.neurons": 2000}
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


SPLITS = ("Train", "Test")
_BYTES_PER_EVENT = 5
_MEMBER = re.compile(r"(?:^|/)([0-9])/[^/]+\.bin$")
#: What zipfile raises on a damaged archive or member (bad headers, CRC, deflate/LZMA
#: streams, unsupported compression or encryption).
_ZIP_ERRORS = (
    OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError,
    RuntimeError, ValueError, KeyError,
)


def _corrupt(where: str, reason: str) -> CorruptSampleError:
    return CorruptSampleError("N-MNIST", where, reason)


@dataclass(frozen=True)
class _Entry:
    """One sample: a ``.bin`` file, or a member of a zip archive (``member`` not None)."""

    path: Path
    member: str | None
    label: int
    is_test: bool

    def where(self) -> str:
        """How errors name the sample: the file, or the archive and its member."""
        return str(self.path) if self.member is None else f"{self.path} (member {self.member})"


def _archive(root: Path, split: str) -> Path | None:
    """The zip archive of ``split`` in ``root`` (name ``<split>.zip`` in any case), or None."""
    if not root.is_dir():
        return None
    found = sorted(p for p in root.iterdir() if p.name.lower() == f"{split.lower()}.zip" and p.is_file())
    return found[0] if found else None


def folder(data_dir: Path) -> Path:
    """The N-MNIST folder under the data root ``data_dir``.

    The first of ``data_dir/nmnist``, ``data_dir/NMNIST`` (tonic's download) and
    ``data_dir`` itself that holds a ``Train`` or ``Test`` folder or archive;
    ``data_dir/nmnist`` if none does.
    """
    data_dir = Path(data_dir)
    return locate((data_dir / "nmnist", data_dir / "NMNIST", data_dir),
                  lambda c: any((c / s).is_dir() or _archive(c, s) for s in SPLITS))


def _archive_entries(archive: Path, is_test: bool) -> list[_Entry]:
    """The samples in a zip archive, sorted by digit, then file name, then member name."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
    except _ZIP_ERRORS as e:
        raise DataError(f"N-MNIST archive {archive} cannot be read as a zip file: {e}") from e
    found = []
    for name in names:
        match = _MEMBER.search(name)
        if match and not name.startswith("__MACOSX/"):
            found.append((int(match.group(1)), name.rsplit("/", 1)[-1], name))
    return [_Entry(archive, name, digit, is_test) for digit, _, name in sorted(found)]


def _entries(data_dir: Path) -> list[_Entry]:
    """All samples in load order (Train, then Test; digit; file name)."""
    root = require(folder(data_dir), "folder", "N-MNIST", NMNIST.how_to_get)
    entries: list[_Entry] = []
    for split in SPLITS:
        is_test = split == "Test"
        archive = _archive(root, split)
        if not (root / split).is_dir() and archive is not None:
            entries += _archive_entries(archive, is_test)
            continue
        for digit in range(NMNIST.n_classes):
            entries += [_Entry(p, None, digit, is_test) for p in sorted((root / split / str(digit)).glob("*.bin"))]
    if not entries:
        raise DataError(
            f"N-MNIST: no samples found in {root} (expected Train/<digit>/*.bin, Test/<digit>/*.bin "
            f"or the archives Train.zip, Test.zip). {NMNIST.how_to_get}"
        )
    return entries


def _files(data_dir: Path) -> tuple[list[Path], np.ndarray, np.ndarray]:
    """Sample paths with their labels (int64) and is_test flags (bool), in load order.

    An archive member's path is ``<archive>/<member>`` (the :class:`zipfile.Path` convention).
    """
    entries = _entries(data_dir)
    paths = [e.path if e.member is None else e.path / e.member for e in entries]
    labels_ = np.array([e.label for e in entries], dtype=np.int64)
    return paths, labels_, np.array([e.is_test for e in entries], dtype=bool)


def labels(data_dir: Path) -> np.ndarray:
    """Labels (int64) of all samples in load order, from the folder names (no decoding)."""
    return _files(data_dir)[1]


def present(data_dir: Path) -> bool:
    """True if the folder under ``data_dir`` holds a sample file or a split archive."""
    root = folder(data_dir)
    return any(
        _archive(root, s) is not None or next((root / s).glob("*/*.bin"), None) is not None for s in SPLITS
    )


def decode(data: bytes, where: str) -> np.ndarray:
    """Decode the bytes of one N-MNIST ``.bin`` recording into checked :data:`VISION_DTYPE` events.

    ``where`` names the file in errors. Raises :class:`DataError` if the size is not a
    multiple of 5 bytes (truncated), there is no event, an event lies outside the 34x34
    sensor, timestamps decrease, or more than one event and all at one timestamp (span 0:
    a zero-filled file, say).
    """
    if len(data) % _BYTES_PER_EVENT:
        raise _corrupt(
            where, f"truncated or not an N-MNIST .bin file: its size {len(data)} bytes "
            f"is not a multiple of {_BYTES_PER_EVENT} (one event = 5 bytes)",
        )
    import tonic.io  # where decoded: the commands that read no data start without tonic

    events = tonic.io.read_mnist_file(io.BytesIO(data), dtype=VISION_DTYPE, is_stream=True)
    if len(events) == 0:
        raise _corrupt(where, "empty sample (no events)")
    w, h, _ = NMNIST.sensor_size
    if events["x"].max() >= w or events["y"].max() >= h:
        raise _corrupt(
            where, f"events outside the {w}x{h} sensor (x up to {events['x'].max()}, "
            f"y up to {events['y'].max()}); is it an N-MNIST file?",
        )
    back = np.flatnonzero(np.diff(events["t"]) < 0)
    if back.size:
        k = int(back[0]) + 1
        raise _corrupt(
            where, f"decreasing timestamps (event {k} at t={events['t'][k]} µs "
            f"follows t={events['t'][k - 1]} µs)",
        )
    if single_timestamp(events["t"]):
        raise _corrupt(
            where, f"degenerate sample: all {len(events)} events share one timestamp "
            f"(t={events['t'][0]} µs, span 0; a recording spans ~300 ms), e.g. a zero-filled file",
        )
    return events


def read_file(path: Path) -> np.ndarray:
    """Decode and check one N-MNIST ``.bin`` file (see :func:`decode`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise _corrupt(str(path), f"cannot be read: {e}") from e
    return decode(data, str(path))


def _read(entry: _Entry, archives: dict[Path, zipfile.ZipFile], stack: ExitStack) -> np.ndarray:
    """Decode one sample, opening its archive once per load."""
    if entry.member is None:
        return read_file(entry.path)
    try:
        if entry.path not in archives:
            archives[entry.path] = stack.enter_context(zipfile.ZipFile(entry.path))
        data = archives[entry.path].read(entry.member)
    except _ZIP_ERRORS as e:
        raise _corrupt(entry.where(), f"cannot be read from the archive: {e}") from e
    return decode(data, entry.where())


def load(
    data_dir: Path,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Read the samples ``indices`` (positions in load order; default all) from ``data_dir``.

    Args:
        data_dir: data root holding ``nmnist/`` (see :func:`folder`).
        indices: int array of sample positions (as in :func:`labels`).
        seed: unused (reading is deterministic); accepted for the common loader signature.
        progress: optional ``callable(done, total)`` called every 100 files and at the end.
        skip_corrupt: if True, a sample that fails its checks (see :func:`decode`) is left
            out and recorded in ``EventBatch.skipped`` as ``"<file>: <reason>"``; if False
            (default) the first one raises :class:`DataError`.

    Returns:
        EventBatch named ``"nmnist"``, sensor (34, 34, 2), t in µs, ``is_test`` from the
        split; ``len(indices) - len(skipped)`` samples.
    """
    entries = _entries(data_dir)
    idx = positions("N-MNIST", len(entries), indices)
    archives: dict[Path, zipfile.ZipFile] = {}
    with ExitStack() as stack:
        return read_samples(NMNIST, entries, idx, lambda entry: _read(entry, archives, stack),
                            progress=progress, skip_corrupt=skip_corrupt)


def download(root: Path, *, train: bool | None = None) -> Path:
    """Download N-MNIST with tonic (needs the internet) and return its folder.

    Calls ``tonic.datasets.NMNIST(save_to=root, train=...)`` for the training split, the
    test split, or both (``train=None``); tonic fetches the archives from Mendeley Data,
    checks their md5 and unzips them into ``<root>/NMNIST/{Train,Test}``, which
    :func:`folder` finds. Never called by :func:`load`.
    """
    import tonic.datasets

    for split in ((True, False) if train is None else (bool(train),)):
        tonic.datasets.NMNIST(save_to=str(root), train=split)
    return Path(root) / "NMNIST"
