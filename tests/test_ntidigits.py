"""N-TIDIGITS reader: tiny HDF5 files in the official layout (no real sample is available offline)."""

from pathlib import Path

import h5py
import numpy as np
import pytest

from neurosim.data.datasets import ntidigits
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE


def write_ntidigits(file: Path, splits: dict, *, addr_dtype=np.uint16, time_dtype=np.float64) -> Path:
    """Write ``n-tidigits.hdf5`` in the layout of tonic's NTIDIGITS18 (and its test data).

    ``splits`` maps "train"/"test" to lists of ``(sample id, addresses, timestamps in s)``;
    a split left out gets empty groups and an empty labels dataset.
    """
    file.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(file, "w") as f:
        for split in ("train", "test"):
            rows = splits.get(split, [])
            addresses = f.create_group(f"{split}_addresses")
            timestamps = f.create_group(f"{split}_timestamps")
            for sid, x, t in rows:
                if sid not in addresses:
                    addresses.create_dataset(sid, data=np.asarray(x, dtype=addr_dtype))
                    timestamps.create_dataset(sid, data=np.asarray(t, dtype=time_dtype))
            f.create_dataset(f"{split}_labels", data=np.array([sid.encode() for sid, _, _ in rows], dtype="S32"))
    return file


TRAIN = [
    ("man-ae-1", [0, 5, 63], [0.0, 0.015625, 0.5]),          # 1
    ("man-ae-12z", [1, 2], [0.0, 0.25]),                      # sequence: left out
    ("woman-cp-z", [7], [0.125]),                             # z -> 0
    ("woman-cp-o", [10, 11, 12, 10], [0.0, 0.0, 0.25, 0.75]),  # o -> 10
]
TEST = [
    ("boy-xx-9", [3, 3], [0.0625, 0.125]),                    # 9
    ("girl-yy-o8", [4], [0.0]),                               # sequence: left out
]


@pytest.fixture
def tiny(tmp_path):
    """A data root with ntidigits/n-tidigits.hdf5 holding TRAIN and TEST."""
    write_ntidigits(tmp_path / "ntidigits" / ntidigits.FILENAME, {"train": TRAIN, "test": TEST})
    return tmp_path


def test_contract():
    assert ntidigits.NTIDIGITS.name == "ntidigits" and ntidigits.NTIDIGITS.modality == "audio"
    assert ntidigits.NTIDIGITS.sensor_size == (64, 1, 1) and ntidigits.NTIDIGITS.n_classes == 11
    assert not ntidigits.NTIDIGITS.builtin and "tonic" in ntidigits.NTIDIGITS.how_to_get
    assert sorted(ntidigits.CLASS_MAP.values()) == list(range(11))
    assert ntidigits.CLASS_MAP["z"] == 0 and ntidigits.CLASS_MAP["o"] == 10 and ntidigits.CLASS_MAP["7"] == 7


def test_loads_single_digits_in_order(tiny):
    before = sorted((p.relative_to(tiny), p.stat().st_mtime_ns) for p in tiny.rglob("*"))
    b = ntidigits.load(tiny)
    assert b.name == "ntidigits" and b.modality == "audio" and b.sensor_size == (64, 1, 1)
    assert b.labels.tolist() == [1, 0, 10, 9]
    assert b.is_test.tolist() == [False, False, False, True]
    assert b.skipped == ()
    s0 = b.sample(0)
    assert s0.dtype == AUDIO_DTYPE
    assert s0["t"].tolist() == [0, 15_625, 500_000] and s0["x"].tolist() == [0, 5, 63]
    assert (b.events["p"] == 0).all() and (b.events["y"] == 0).all()
    assert b.sample(3)["t"].tolist() == [62_500, 125_000]
    np.testing.assert_array_equal(ntidigits.labels(tiny), b.labels)
    sub = ntidigits.load(tiny, indices=[3, 0])
    assert sub.labels.tolist() == [9, 1] and sub.is_test.tolist() == [True, False]
    assert sorted((p.relative_to(tiny), p.stat().st_mtime_ns) for p in tiny.rglob("*")) == before


def test_progress_and_index_range(tiny):
    calls = []
    ntidigits.load(tiny, progress=lambda d, n: calls.append((d, n)))
    assert calls == [(4, 4)]
    with pytest.raises(DataError, match=r"indices must lie in \[0, 4\)"):
        ntidigits.load(tiny, indices=[4])


def test_timestamps_round_to_nearest_microsecond(tmp_path):
    # 3e-6 s * 1e6 = 2.9999999999999996 in float64: tonic's astype(int) gives 2 µs, we give 3 µs
    file = write_ntidigits(tmp_path / "f.hdf5", {"train": [("a-1", [1, 2], [3e-6, 0.1])]},
                           time_dtype=np.float32)
    assert ntidigits.load(file).sample(0)["t"].tolist() == [3, 100_000]


def test_agrees_with_tonic_reader(tmp_path):
    """Same events as tonic.datasets.NTIDIGITS18 on its own layout, except p (tonic: 1) and the
    class numbers (tonic: "o" -> 0, "z" -> 10); times here are exact in µs, so rounding agrees."""
    import tonic.datasets

    write_ntidigits(tmp_path / "NTIDIGITS18" / ntidigits.FILENAME, {"train": TRAIN, "test": TEST},
                    time_dtype=np.float16)
    ours = ntidigits.load(tmp_path)  # tonic's folder is found under the data root
    inverse = {c: s for s, c in ntidigits.CLASS_MAP.items()}
    i = 0
    for train in (True, False):
        theirs = tonic.datasets.NTIDIGITS18(save_to=str(tmp_path), train=train, single_digits=True)
        try:
            for events, target in theirs:
                mine = ours.sample(i)
                np.testing.assert_array_equal(mine["t"], events["t"])
                np.testing.assert_array_equal(mine["x"], events["x"])
                assert tonic.datasets.NTIDIGITS18.class_map[inverse[int(ours.labels[i])]] == target
                assert bool(ours.is_test[i]) == (not train)
                i += 1
        finally:
            theirs.data.close()
    assert i == len(ours) == 4


def test_locations(tmp_path):
    assert ntidigits.path(tmp_path) == tmp_path / "ntidigits" / ntidigits.FILENAME
    assert not ntidigits.present(tmp_path)
    # lowest priority first: each new location wins over the ones before
    for where in ("n-tidigits.hdf5", "NTIDIGITS18/n-tidigits.hdf5", "ntidigits/n-tidigits.hdf5"):
        file = write_ntidigits(tmp_path / where, {"train": TRAIN})
        assert ntidigits.path(tmp_path) == file and ntidigits.folder(tmp_path) == file
        assert ntidigits.present(tmp_path) and len(ntidigits.load(tmp_path)) == 3
    other = write_ntidigits(tmp_path / "elsewhere.h5", {"test": TEST})
    assert ntidigits.path(other) == other and len(ntidigits.load(other)) == 1  # the file itself


def test_missing_file_says_how_to_get(tmp_path):
    with pytest.raises(DataError, match=r"ntidigits/n-tidigits\.hdf5 does not exist.*tonic"):
        ntidigits.load(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        ntidigits.labels(tmp_path)


def test_not_hdf5(tmp_path):
    bad = tmp_path / "ntidigits" / ntidigits.FILENAME
    bad.parent.mkdir()
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(DataError, match=r"n-tidigits\.hdf5 cannot be read as HDF5"):
        ntidigits.load(tmp_path)


@pytest.mark.parametrize("group", ["train_labels", "test_addresses", "train_timestamps"])
def test_missing_group_named(tmp_path, group):
    file = write_ntidigits(tmp_path / "f.hdf5", {"train": TRAIN, "test": TEST})
    with h5py.File(file, "a") as f:
        del f[group]
    with pytest.raises(DataError, match=rf"f\.hdf5: missing group\(s\) '{group}'"):
        ntidigits.load(file)


def test_wrong_kind_of_object(tmp_path):
    file = write_ntidigits(tmp_path / "f.hdf5", {"train": TRAIN})
    with h5py.File(file, "a") as f:
        del f["test_addresses"]
        f.create_dataset("test_addresses", data=[1, 2])
    with pytest.raises(DataError, match="'test_addresses' must be a group"):
        ntidigits.load(file)
    with h5py.File(file, "a") as f:
        del f["test_addresses"], f["train_labels"]
        f.create_group("test_addresses")
        f.create_dataset("train_labels", data=[1, 2])
    with pytest.raises(DataError, match="'train_labels' must hold strings"):
        ntidigits.labels(file)


def test_unknown_label(tmp_path):
    file = write_ntidigits(tmp_path / "f.hdf5", {"train": TRAIN + [("man-ae-x", [1], [0.0])]})
    with pytest.raises(DataError, match=r"train sample 4 \(id 'man-ae-x'\) has label 'x'"):
        ntidigits.labels(file)


CORRUPT = [
    ("a-1", [1, 2], [0.0], "mismatched lengths: 2 addresses but 1 timestamps"),
    ("a-2", [1, 64], [0.0, 0.1], "event 1 has channel 64; channels are integers 0..63"),
    ("a-3", [1, 2, 3], [0.0, 0.2, 0.1], r"decreasing timestamps \(event 2"),
    ("a-4", [], [], r"empty sample \(no events\)"),
    ("a-5", [1], [-0.5], "timestamp -0.5 s"),
    ("a-6", [1.5], [0.0], "channel 1.5"),
    ("a-7", [0, 0, 0], [0.0, 0.0, 0.0], r"degenerate sample: all 3 events share one timestamp \(0 s, span 0\)"),
    ("a-8", [3, 5], [0.25, 0.25], r"degenerate sample: all 2 events share one timestamp \(0.25 s"),
]


@pytest.mark.parametrize("sid, x, t, reason", CORRUPT)
def test_corrupt_sample_raises_naming_file_and_index(tmp_path, sid, x, t, reason):
    good = ("b-7", [4], [0.0])
    file = write_ntidigits(tmp_path / "f.hdf5", {"train": [good, (sid, x, t)]}, addr_dtype=np.float64)
    with pytest.raises(DataError, match=rf"N-TIDIGITS file .*f\.hdf5 \(train sample 1, id '{sid}'\): .*{reason}"):
        ntidigits.load(file)
    b = ntidigits.load(file, skip_corrupt=True)
    assert b.labels.tolist() == [7] and len(b.skipped) == 1
    assert b.skipped[0].startswith(f"{file} (train sample 1, id '{sid}'): ")
    assert ntidigits.labels(file).tolist() == [7, int(sid[-1])]  # labels() reads no events


def test_missing_sample_dataset(tmp_path):
    file = write_ntidigits(tmp_path / "f.hdf5", {"test": [("a-1", [1], [0.0]), ("a-2", [2], [0.0])]})
    with h5py.File(file, "a") as f:
        del f["test_timestamps/a-2"]
    with pytest.raises(DataError, match=r"test sample 1, id 'a-2'\): no dataset 'a-2' in group 'test_timestamps'"):
        ntidigits.load(file)
    assert ntidigits.load(file, skip_corrupt=True).labels.tolist() == [1]


def test_download_calls_tonic(monkeypatch, tmp_path):
    import tonic.datasets

    calls = []

    class FakeHandle:
        closed = False

        def close(self):
            FakeHandle.closed = True

    class FakeNTIDIGITS18:
        def __init__(self, save_to, train=True):
            calls.append((save_to, train))
            self.data = FakeHandle()

    monkeypatch.setattr(tonic.datasets, "NTIDIGITS18", FakeNTIDIGITS18)
    assert ntidigits.download(tmp_path) == tmp_path / "NTIDIGITS18" / ntidigits.FILENAME
    assert calls == [(str(tmp_path), True)] and FakeHandle.closed
