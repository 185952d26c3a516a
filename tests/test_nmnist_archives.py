"""N-MNIST: official zip archives, per-sample checks, skip_corrupt, tonic download, and the
first-saccade / time-window transforms (tested on real samples)."""

import zipfile
from pathlib import Path

import numpy as np
import pytest
import tonic.io

from neurosim.data.datasets import nmnist
from neurosim.errors import DataError
from neurosim.events.batch import VISION_DTYPE, EventBatch
from neurosim.events.transforms import (
    CenterCrop,
    FirstSaccade,
    SelectPolarity,
    TimeWindow,
    first_saccade,
    sample_start_times,
    time_window,
)


def encode(events) -> bytes:
    """N-MNIST .bin bytes for ``[(x, y, t, p), ...]``: x, y (8 bit), p (1 bit) + t (23 bit, µs)."""
    if not events:
        return b""
    x, y, t, p = (np.asarray(a, dtype=np.int64) for a in zip(*events))
    raw = np.stack([x, y, (p << 7) | ((t >> 16) & 127), (t >> 8) & 255, t & 255], axis=1)
    return raw.astype(np.uint8).tobytes()


SAMPLES = [  # split, digit, file name, events
    ("Train", 3, "00001.bin", [(1, 2, 100, 1), (33, 0, 70_000, 0)]),
    ("Train", 3, "00009.bin", [(5, 5, 5, 0)]),
    ("Train", 7, "00002.bin", [(0, 33, 8_388_607, 1)]),
    ("Test", 7, "00001.bin", [(10, 11, 12, 1), (12, 11, 13, 1), (3, 4, 20, 0)]),
]


def write_folders(root: Path, samples=SAMPLES) -> Path:
    for split, digit, name, events in samples:
        path = root / split / str(digit) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode(events) if isinstance(events, list) else events)
    return root


def write_archives(root: Path, samples=SAMPLES, names=("Train.zip", "Test.zip")) -> Path:
    """The official archives: ``Train.zip`` holding ``Train/<digit>/*.bin``, ``Test.zip`` likewise."""
    root.mkdir(parents=True, exist_ok=True)
    for split, archive in zip(("Train", "Test"), names):
        with zipfile.ZipFile(root / archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{split}/", b"")  # a directory entry, as zip tools write them
            for s, digit, name, events in reversed(samples):  # member order must not matter
                if s == split:
                    zf.writestr(f"{split}/{digit}/{name}", encode(events) if isinstance(events, list) else events)
    return root


def listing(root: Path):
    return sorted((p.relative_to(root), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*"))


def same_batch(a: EventBatch, b: EventBatch) -> None:
    np.testing.assert_array_equal(a.events, b.events)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.is_test, b.is_test)


# --- archives -----------------------------------------------------------------------


def test_archives_read_in_place_equal_folders(tmp_path):
    folders = nmnist.load(write_folders(tmp_path / "a" / "nmnist").parent)
    root = write_archives(tmp_path / "b" / "nmnist")
    before = listing(tmp_path / "b")
    assert nmnist.present(tmp_path / "b") and nmnist.folder(tmp_path / "b") == root
    archives = nmnist.load(tmp_path / "b")
    same_batch(archives, folders)
    assert archives.labels.tolist() == [3, 3, 7, 7] and archives.skipped == ()
    np.testing.assert_array_equal(nmnist.labels(tmp_path / "b"), archives.labels)
    assert listing(tmp_path / "b") == before  # nothing extracted or written
    paths, _, _ = nmnist._files(tmp_path / "b")
    assert paths[0] == root / "Train.zip" / "Train" / "3" / "00001.bin"


def test_tonic_archive_names_and_mixed_sources(tmp_path):
    root = write_archives(tmp_path / "NMNIST", names=("train.zip", "test.zip"))
    assert nmnist.folder(tmp_path) == root and len(nmnist.load(tmp_path)) == 4
    # an extracted folder wins over its archive (tonic keeps both); splits mix sources
    write_folders(root, [("Train", 1, "00005.bin", [(2, 2, 2, 1)])])
    b = nmnist.load(tmp_path)
    assert b.labels.tolist() == [1, 7] and b.is_test.tolist() == [False, True]


def test_archive_member_prefix_and_junk_ignored(tmp_path):
    root = tmp_path / "nmnist"
    root.mkdir()
    with zipfile.ZipFile(root / "Test.zip", "w") as zf:
        zf.writestr("N-MNIST/Test/4/00001.bin", encode([(1, 1, 1, 1)]))
        zf.writestr("__MACOSX/Test/4/._00001.bin", b"junk")
        zf.writestr("Test/readme.txt", b"hello")
        zf.writestr("Test/44/00001.bin", encode([(1, 1, 1, 1)]))  # not a digit folder
    b = nmnist.load(tmp_path)
    assert b.labels.tolist() == [4] and b.is_test.tolist() == [True]


def test_bad_archive_named(tmp_path):
    root = tmp_path / "nmnist"
    root.mkdir()
    (root / "Train.zip").write_bytes(b"PK\x03\x04 not really a zip")
    assert nmnist.present(tmp_path)
    with pytest.raises(DataError, match=r"N-MNIST archive .*Train\.zip cannot be read as a zip file"):
        nmnist.load(tmp_path)


def test_corrupt_member_names_archive_and_member(tmp_path):
    samples = SAMPLES + [("Train", 5, "00003.bin", encode([(1, 1, 1, 1), (2, 2, 2, 0)])[:-2])]
    write_archives(tmp_path / "nmnist", samples)
    with pytest.raises(DataError, match=r"Train\.zip \(member Train/5/00003\.bin\): truncated"):
        nmnist.load(tmp_path)
    b = nmnist.load(tmp_path, skip_corrupt=True)
    assert b.labels.tolist() == [3, 3, 7, 7]
    assert len(b.skipped) == 1
    assert b.skipped[0].startswith(f"{tmp_path / 'nmnist' / 'Train.zip'} (member Train/5/00003.bin): truncated")


def test_no_samples_in_archives(tmp_path):
    write_archives(tmp_path / "nmnist", [])
    with pytest.raises(DataError, match="no samples found"):
        nmnist.load(tmp_path)


# --- per-sample checks and skip_corrupt ---------------------------------------------

BAD = [
    ("00011.bin", [(1, 1, 5, 1), (2, 2, 4, 1)], r"decreasing timestamps \(event 1 at t=4 µs follows t=5 µs\)"),
    ("00012.bin", [(34, 1, 5, 1)], r"events outside the 34x34 sensor \(x up to 34"),
    ("00013.bin", [(1, 200, 5, 1)], r"events outside the 34x34 sensor \(x up to 1, y up to 200"),
    ("00014.bin", [], r"empty sample \(no events\)"),
    ("00015.bin", [(1, 240, 5, 1)], r"empty sample"),  # y = 240 marks a timestamp overflow, not an event
    ("00016.bin", encode([(1, 1, 1, 1)]) + b"\x00", r"truncated .* size 6 bytes is not a multiple of 5"),
    # 5,000 zero bytes: 1,000 events at x = y = 0, t = 0 µs, p = 0 (a zero-filled file)
    ("00017.bin", bytes(5_000), r"degenerate sample: all 1000 events share one timestamp \(t=0 µs, span 0"),
    ("00018.bin", [(1, 1, 7, 1), (2, 3, 7, 0)], r"degenerate sample: all 2 events share one timestamp \(t=7 µs"),
]


@pytest.mark.parametrize("name, events, reason", BAD)
def test_corrupt_sample_raises_naming_file(tmp_path, name, events, reason):
    write_folders(tmp_path / "nmnist", SAMPLES + [("Test", 2, name, events)])
    with pytest.raises(DataError, match=rf"N-MNIST file .*Test/2/{name}: {reason}"):
        nmnist.load(tmp_path)
    b = nmnist.load(tmp_path, skip_corrupt=True)
    assert b.labels.tolist() == [3, 3, 7, 7] and b.is_test.tolist() == [False] * 3 + [True]
    assert len(b.skipped) == 1 and b.skipped[0].startswith(f"{tmp_path / 'nmnist' / 'Test' / '2' / name}: ")
    assert "skipped" in repr(b)
    # the other samples are read; asking for the bad one alone leaves an empty batch
    alone = nmnist.load(tmp_path, indices=[3], skip_corrupt=True)  # Test/2 sorts before Test/7
    assert len(alone) == 0 and len(alone.skipped) == 1


def test_skipped_is_carried_through(tmp_path):
    write_folders(tmp_path / "nmnist", SAMPLES + [("Test", 2, "00014.bin", [])])
    b = nmnist.load(tmp_path, skip_corrupt=True)
    assert len(b.skipped) == 1
    for out in (b.subset([1, 0]), b.keep_events(b.events["p"] == 1), SelectPolarity(1)(b), CenterCrop(16)(b),
                FirstSaccade()(b), TimeWindow(0, 10)(b)):
        assert out.skipped == b.skipped
    for bad in ("one string", None, [1]):
        with pytest.raises(DataError, match="skipped"):
            EventBatch(b.events, b.offsets, b.labels, b.sensor_size, skipped=bad)


def test_read_file_and_decode(tmp_path):
    path = write_folders(tmp_path, [("Train", 0, "a.bin", [(1, 2, 3, 1)])]) / "Train" / "0" / "a.bin"
    assert nmnist.read_file(path).tolist() == [(1, 2, 3, 1)]
    with pytest.raises(DataError, match=r"missing\.bin: cannot be read"):
        nmnist.read_file(path.with_name("missing.bin"))
    assert nmnist.decode(encode([(3, 3, 9, 0)]), "x").dtype == VISION_DTYPE


def test_download_calls_tonic(monkeypatch, tmp_path):
    import tonic.datasets

    calls = []

    class FakeNMNIST:
        def __init__(self, save_to, train=True):
            calls.append((save_to, train))

    monkeypatch.setattr(tonic.datasets, "NMNIST", FakeNMNIST)
    assert nmnist.download(tmp_path) == tmp_path / "NMNIST"
    assert calls == [(str(tmp_path), True), (str(tmp_path), False)]
    nmnist.download(tmp_path, train=False)
    assert calls[-1] == (str(tmp_path), False)


# --- the real subset ----------------------------------------------------------------


def test_real_samples_all_pass_checks(nmnist_dir):
    b = nmnist.load(nmnist_dir.parent, skip_corrupt=True)
    # every real sample is time-ordered, on the sensor, non-empty, and spans more than one timestamp
    assert len(b) == 1_100 and b.skipped == ()
    assert (b.counts() > 0).all()


def test_real_samples_read_from_archives(nmnist_dir, tmp_path):
    folders = nmnist.load(nmnist_dir.parent)
    for split in ("Train", "Test"):
        with zipfile.ZipFile(tmp_path / f"{split}.zip", "w", zipfile.ZIP_STORED) as zf:
            for path in sorted((nmnist_dir / split).glob("*/*.bin")):
                zf.write(path, path.relative_to(nmnist_dir).as_posix())
    same_batch(nmnist.load(tmp_path), folders)


# --- first saccade and time window --------------------------------------------------


def tiny_batch() -> EventBatch:
    samples = [
        [(0, 0, 1_000, 1), (0, 0, 50_000, 1), (0, 0, 106_000, 1), (0, 0, 106_001, 0)],
        [],
        [(1, 1, 20, 0), (1, 1, 30, 0)],
    ]
    arrays = [np.array(s, dtype=VISION_DTYPE) for s in samples]
    return EventBatch.from_samples(arrays, [1, 2, 3], (34, 34, 2), "tiny")


def test_time_window_relative_to_first_event():
    b = tiny_batch()
    np.testing.assert_array_equal(sample_start_times(b), [1_000, 0, 20])
    out = TimeWindow(0, 105_001)(b)
    assert out.counts().tolist() == [3, 0, 2] and out.sample(0)["t"].tolist() == [1_000, 50_000, 106_000]
    out = time_window(b, 10, 49_000)
    assert out.counts().tolist() == [0, 0, 1] and out.sample(2)["t"].tolist() == [30]
    out = time_window(b, 10, 49_000, origin="zero")
    assert out.counts().tolist() == [1, 0, 2]
    assert first_saccade(b).counts().tolist() == [2, 0, 2]  # t - 1,000 < 105,000
    assert FirstSaccade(106_001)(b).counts().tolist() == [4, 0, 2]
    assert FirstSaccade(106_001, origin="zero")(b).counts().tolist() == [3, 0, 2]
    np.testing.assert_array_equal(b.events, tiny_batch().events)  # input untouched


def test_unsorted_samples_use_their_earliest_event():
    ev = np.array([(0, 0, 500, 1), (0, 0, 100, 1), (0, 0, 700, 1)], dtype=VISION_DTYPE)
    b = EventBatch.from_samples([ev], [0], (34, 34, 2), "u")
    assert sample_start_times(b).tolist() == [100]
    assert TimeWindow(0, 500)(b).sample(0)["t"].tolist() == [500, 100]


@pytest.mark.parametrize("make", [
    lambda: TimeWindow(-1, 10), lambda: TimeWindow(10, 10), lambda: TimeWindow(0, float("inf")),
    lambda: TimeWindow(0, "10"), lambda: TimeWindow(True, 10), lambda: TimeWindow(0, 10, origin="start"),
    lambda: FirstSaccade(0), lambda: FirstSaccade(-5), lambda: FirstSaccade(float("nan")),
    lambda: FirstSaccade(None), lambda: FirstSaccade(origin="x"),
])
def test_bad_parameters_fail_at_construction(make):
    with pytest.raises(DataError, match="TimeWindow|FirstSaccade"):
        make()


def test_bad_parameters_in_functions():
    with pytest.raises(DataError, match="stop_us"):
        time_window(tiny_batch(), 5, 1)
    with pytest.raises(DataError, match="duration_us"):
        first_saccade(tiny_batch(), 0)


def test_first_saccade_on_real_samples_matches_tonic(nmnist_dir):
    """origin="zero" with 100 ms is tonic's NMNIST(first_saccade_only=True): ``t < 1e5``."""
    b = nmnist.load(nmnist_dir.parent, indices=np.arange(0, 1_100, 50))
    paths, _, _ = nmnist._files(nmnist_dir.parent)
    out = FirstSaccade(100_000, origin="zero")(b)
    for i, path in enumerate(paths[::50]):
        events = tonic.io.read_mnist_file(str(path), dtype=VISION_DTYPE)
        np.testing.assert_array_equal(out.sample(i), events[events["t"] < 1e5])
    # the first of three saccades holds roughly a third of the events
    frac = FirstSaccade()(b).counts().sum() / b.counts().sum()
    assert 0.25 < frac < 0.45
