"""N-MNIST (Orchard et al. 2015) read from a local folder with the official layout.

The folder holds ``Train/<digit>/*.bin`` and/or ``Test/<digit>/*.bin`` (digit 0-9), as
in the official archives and in tonic's download (``<root>/NMNIST/Train/...``); partial
copies are fine. Each ``.bin`` file is one recording in the N-MNIST 40-bit format
(5 bytes per event), decoded by ``tonic.io.read_mnist_file``: x, y in pixels of the
34x34 ATIS, t in µs, p 1 = ON / 0 = OFF.

Samples are ordered Train before Test, then by digit, then by file name, so loading is
deterministic. ``is_test`` comes from the folder. Nothing is ever written into the
data folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import tonic.io

from neurosim.errors import DataError
from neurosim.events.batch import VISION_DTYPE, EventBatch

NAME = "nmnist"
MODALITY = "vision"
SENSOR_SIZE = (34, 34, 2)
N_CLASSES = 10
DESCRIPTION = "N-MNIST: MNIST digits recorded by an ATIS event camera in three saccades (34x34, ~300 ms)"
BUILTIN = False
HOW_TO_GET = (
    "Put the N-MNIST folders Train/<digit>/*.bin and Test/<digit>/*.bin under <data root>/nmnist "
    "(data root: $NEUROSIM_DATA, else ./datasets). Download them with tonic: "
    "tonic.datasets.NMNIST(save_to=<data root>, train=True) and train=False (they land in "
    "<data root>/NMNIST, which is also accepted), or unzip the official Train.zip / Test.zip "
    "(https://www.garrickorchard.com/datasets/n-mnist, Mendeley Data 468j46mzdv)."
)
SPLITS = ("Train", "Test")
_BYTES_PER_EVENT = 5


def folder(data_dir: Path) -> Path:
    """The N-MNIST folder under the data root ``data_dir``.

    The first of ``data_dir/nmnist``, ``data_dir/NMNIST`` (tonic's download) and
    ``data_dir`` itself that holds a ``Train`` or ``Test`` folder; ``data_dir/nmnist``
    if none does.
    """
    data_dir = Path(data_dir)
    for candidate in (data_dir / "nmnist", data_dir / "NMNIST", data_dir):
        if any((candidate / split).is_dir() for split in SPLITS):
            return candidate
    return data_dir / "nmnist"


def _files(data_dir: Path) -> tuple[list[Path], np.ndarray, np.ndarray]:
    """All sample files with their labels (int64) and is_test flags (bool), in load order."""
    root = folder(data_dir)
    if not root.is_dir():
        raise DataError(f"N-MNIST: folder {root} does not exist. {HOW_TO_GET}")
    files: list[Path] = []
    labels: list[int] = []
    is_test: list[bool] = []
    for split in SPLITS:
        for digit in range(N_CLASSES):
            found = sorted((root / split / str(digit)).glob("*.bin"))
            files += found
            labels += [digit] * len(found)
            is_test += [split == "Test"] * len(found)
    if not files:
        raise DataError(
            f"N-MNIST: no samples found in {root} (expected Train/<digit>/*.bin or "
            f"Test/<digit>/*.bin). {HOW_TO_GET}"
        )
    return files, np.array(labels, dtype=np.int64), np.array(is_test, dtype=bool)


def labels(data_dir: Path) -> np.ndarray:
    """Labels (int64) of all samples in load order, from the folder names (no decoding)."""
    return _files(data_dir)[1]


def present(data_dir: Path) -> bool:
    """True if the folder under ``data_dir`` holds at least one sample file."""
    root = folder(data_dir)
    return any(next((root / s).glob("*/*.bin"), None) is not None for s in SPLITS)


def read_file(path: Path) -> np.ndarray:
    """Decode one N-MNIST ``.bin`` file into events with :data:`VISION_DTYPE`.

    Raises :class:`DataError` naming the file if it is truncated (size not a multiple of
    5 bytes) or has coordinates outside the 34x34 sensor.
    """
    size = path.stat().st_size
    if size % _BYTES_PER_EVENT:
        raise DataError(
            f"N-MNIST file {path} is truncated or not an N-MNIST .bin file: its size {size} bytes "
            f"is not a multiple of {_BYTES_PER_EVENT} (one event = 5 bytes)"
        )
    events = tonic.io.read_mnist_file(str(path), dtype=VISION_DTYPE)
    w, h, _ = SENSOR_SIZE
    if len(events) and (events["x"].max() >= w or events["y"].max() >= h):
        raise DataError(f"N-MNIST file {path} has events outside the {w}x{h} sensor; is it an N-MNIST file?")
    return events


def load(
    data_dir: Path,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> EventBatch:
    """Read the samples ``indices`` (positions in load order; default all) from ``data_dir``.

    Args:
        data_dir: data root holding ``nmnist/`` (see :func:`folder`).
        indices: int array of sample positions (as in :func:`labels`).
        seed: unused (reading is deterministic); accepted for the common loader signature.
        progress: optional ``callable(done, total)`` called every 100 files and at the end.

    Returns:
        EventBatch named ``"nmnist"``, sensor (34, 34, 2), t in µs, ``is_test`` from the folder.
    """
    files, all_labels, all_test = _files(data_dir)
    idx = np.arange(len(files)) if indices is None else np.asarray(indices, dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= len(files)):
        raise DataError(
            f"N-MNIST: sample indices must lie in [0, {len(files)}), got {idx.min()}..{idx.max()}"
        )
    samples = []
    for done, i in enumerate(idx, start=1):
        samples.append(read_file(files[i]))
        if progress is not None and (done % 100 == 0 or done == len(idx)):
            progress(done, len(idx))
    return EventBatch.from_samples(samples, all_labels[idx], SENSOR_SIZE, NAME, is_test=all_test[idx])
