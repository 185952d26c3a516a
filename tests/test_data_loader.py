"""neurosim.data.loader: the one loading path the dataset modules share (folder, positions, the
skip-corrupt read loop, the EventBatch)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from neurosim.data import get_dataset
from neurosim.data.corrupt import CorruptSampleError
from neurosim.data.loader import locate, positions, read_samples, require, to_batch
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE


@dataclass(frozen=True)
class Clip:
    """A sample as the readers index it: a name, a class and a split."""

    name: str
    label: int
    is_test: bool


class Tones:
    """The parts of a Dataset class a batch is stamped with."""

    name = "tones"
    modality = "audio"
    sensor_size = (4, 1, 1)


def events(n: int) -> np.ndarray:
    out = np.zeros(n, dtype=AUDIO_DTYPE)
    out["t"] = np.arange(n) * 10
    out["x"] = np.arange(n) % 4
    return out


def read(clip: Clip) -> np.ndarray:
    if clip.name.startswith("bad"):
        raise CorruptSampleError("Tones", clip.name, "no tone")
    return events(len(clip.name))


CLIPS = [Clip("a", 0, False), Clip("bad1", 1, False), Clip("ccc", 2, True), Clip("bad2", 0, True), Clip("dd", 1, True)]


def test_positions_default_all_flatten_and_range_error():
    np.testing.assert_array_equal(positions("Tones", 3, None), [0, 1, 2])
    got = positions("Tones", 5, np.array([[4], [0]]))
    assert got.dtype == np.int64 and got.tolist() == [4, 0]
    assert positions("Tones", 0, np.array([], dtype=np.int64)).size == 0
    for bad in ([5], [-1, 2]):
        with pytest.raises(DataError, match=r"^Tones: sample indices must lie in \[0, 5\), got -?\d+\.\.\d+$"):
            positions("Tones", 5, np.array(bad))


def test_read_samples_keeps_order_labels_and_split_and_skips_corrupt_ones():
    calls = []
    batch = read_samples(Tones, CLIPS, [4, 1, 2, 3, 0], read, skip_corrupt=True,
                         progress=lambda done, total: calls.append((done, total)))
    assert (batch.name, batch.modality, batch.sensor_size) == ("tones", "audio", (4, 1, 1))
    assert batch.labels.tolist() == [1, 2, 0] and batch.is_test.tolist() == [True, True, False]
    assert [len(batch.sample(i)) for i in range(len(batch))] == [2, 3, 1]
    assert batch.skipped == ("bad1: no tone", "bad2: no tone")
    assert calls == [(5, 5)]


def test_read_samples_raises_the_first_corrupt_sample_without_skip():
    with pytest.raises(CorruptSampleError, match=r"^Tones file bad1: no tone$"):
        read_samples(Tones, CLIPS, [0, 1, 3], read)


def test_read_samples_reports_progress_every_100_and_at_the_end():
    clips = [Clip("a", 0, False)] * 250
    calls = []
    read_samples(Tones, clips, range(250), read, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_to_batch_without_split():
    batch = to_batch(Tones, [events(2)], [3], None)
    assert batch.is_test is None and batch.skipped == () and batch.labels.tolist() == [3]


def test_locate_takes_the_first_that_holds_else_the_first(tmp_path: Path):
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    (second).mkdir()
    (third).mkdir()
    assert locate((first, second, third), Path.is_dir) == second
    assert locate((first, tmp_path / "d"), Path.is_dir) == first


def test_require_names_the_kind_and_how_to_get(tmp_path: Path):
    assert require(tmp_path, "folder", "Tones", "Get it.") == tmp_path
    with pytest.raises(DataError, match=r"^Tones: file .*x\.h5 does not exist\. Get it\.$"):
        require(tmp_path / "x.h5", "file", "Tones", "Get it.")
    with pytest.raises(DataError, match=r"^Tones: folder .* does not exist\. Get it\.$"):
        require(tmp_path / "x.h5", "folder", "Tones", "Get it.")
    (tmp_path / "f").write_text("")
    with pytest.raises(DataError, match="folder"):
        require(tmp_path / "f", "folder", "Tones", "Get it.")


@pytest.mark.parametrize("name", ["nmnist", "fsdd", "ntidigits"])
def test_file_datasets_name_the_missing_folder_through_the_loader(tmp_path: Path, name: str):
    """Every file-backed dataset's missing data error is require's, with its own how_to_get."""
    dataset = get_dataset(name)
    with pytest.raises(DataError, match=r"(folder|file) .* does not exist\. ") as err:
        dataset.load(tmp_path / "nowhere", indices=np.array([0]))
    assert str(err.value).endswith(dataset.how_to_get)
