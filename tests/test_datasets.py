"""Dataset registry, the built-in dvs-digits generator and the N-MNIST folder reader."""

import csv
from pathlib import Path

import numpy as np
import pytest

from neurosim.data import (
    data_root,
    dataset_status,
    list_datasets,
    load_dataset,
    stratified_indices,
)
from neurosim.data.datasets import dvs_digits, nmnist
from neurosim.errors import DataError

# <repo>/../shared/data/nmnist: /work/shared beside /work/main here, and beside the CI clone.


# --- helpers: tiny N-MNIST files with the real 40-bit layout -------------------------


def encode_nmnist(x, y, t, p) -> bytes:
    """N-MNIST .bin bytes: x (8 bit), y (8 bit), p (1 bit) + t (23 bit, µs), big-endian."""
    x, y, t, p = (np.asarray(a, dtype=np.int64) for a in (x, y, t, p))
    raw = np.stack([x, y, (p << 7) | ((t >> 16) & 127), (t >> 8) & 255, t & 255], axis=1)
    return raw.astype(np.uint8).tobytes()


def write_sample(root: Path, split: str, digit: int, name: str, events) -> Path:
    path = root / split / str(digit) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_nmnist(*zip(*events)) if events else b"")
    return path


@pytest.fixture
def tiny_nmnist(tmp_path):
    """A data root with nmnist/Train/{3,7} and nmnist/Test/7; returns (data root, expected)."""
    folder = tmp_path / "nmnist"
    expected = [  # load order: Train, then digit, then file name
        ("Train", 3, "00001.bin", [(1, 2, 100, 1), (33, 0, 70_000, 0)]),
        ("Train", 3, "00009.bin", [(5, 5, 5, 0)]),
        ("Train", 7, "00002.bin", [(0, 33, 8_388_607, 1)]),
        ("Test", 7, "00001.bin", [(10, 11, 12, 1), (12, 11, 13, 1), (3, 4, 20, 0)]),
    ]
    for split, digit, name, events in reversed(expected):
        write_sample(folder, split, digit, name, events)
    return tmp_path, expected


# --- registry -----------------------------------------------------------------------


def test_registry_lists_datasets():
    infos = {i.name: i for i in list_datasets()}
    assert {"dvs-digits", "nmnist"} <= set(infos)
    assert infos["dvs-digits"].builtin and not infos["nmnist"].builtin
    assert infos["nmnist"].sensor_size == (34, 34, 2) and infos["nmnist"].n_classes == 10
    assert "tonic" in infos["nmnist"].how_to_get


def test_unknown_dataset_names_known_ones():
    with pytest.raises(DataError, match="dvs-digits.*nmnist"):
        load_dataset("mnist-dvs")


def test_data_root(monkeypatch, tmp_path):
    monkeypatch.delenv("NEUROSIM_DATA", raising=False)
    assert data_root() == Path("datasets")
    monkeypatch.setenv("NEUROSIM_DATA", str(tmp_path))
    assert data_root() == tmp_path
    assert data_root("elsewhere") == Path("elsewhere")


def test_dataset_status(tmp_path, tiny_nmnist):
    infos = {i.name: i for i in list_datasets()}
    assert dataset_status(infos["dvs-digits"], tmp_path / "none") == ("built-in", True)
    where, present = dataset_status(infos["nmnist"], tmp_path / "none")
    assert not present and where.endswith("nmnist")
    root, _ = tiny_nmnist
    assert dataset_status(infos["nmnist"], root) == (str((root / "nmnist").absolute()), True)


def test_stratified_indices():
    labels = np.repeat(np.arange(10), [5, 50, 50, 50, 50, 50, 50, 50, 50, 50])
    idx = stratified_indices(labels, 95, seed=0)
    assert len(np.unique(idx)) == 95 and (np.diff(idx) > 0).all()
    per_class = np.bincount(labels[idx], minlength=10)
    assert per_class[0] == 5  # class 0 runs out, the others share the rest equally
    assert per_class[1:].max() - per_class[1:].min() <= 1
    np.testing.assert_array_equal(idx, stratified_indices(labels, 95, seed=0))
    assert not np.array_equal(idx, stratified_indices(labels, 95, seed=1))
    per_class = np.bincount(labels[stratified_indices(labels, 23, seed=5)], minlength=10)
    assert per_class.max() - per_class.min() <= 1
    for bad in (0, -1, 500, 2.0):
        with pytest.raises(DataError, match="n_samples"):
            stratified_indices(labels, bad)


# --- dvs-digits ---------------------------------------------------------------------


def test_dvs_digits_deterministic_and_seeded():
    a = dvs_digits.load(indices=[0, 1, 2], seed=0)
    b = dvs_digits.load(indices=[0, 1, 2], seed=0)
    c = dvs_digits.load(indices=[0, 1, 2], seed=1)
    np.testing.assert_array_equal(a.events, b.events)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    assert not np.array_equal(a.sample(0), c.sample(0))
    # a sample does not depend on which other samples are generated with it
    alone = dvs_digits.load(indices=[2], seed=0)
    np.testing.assert_array_equal(alone.sample(0), a.sample(2))


def test_dvs_digits_plausible_stats():
    from sklearn.datasets import load_digits

    idx = np.arange(0, 1797, 90)  # 20 samples
    b = dvs_digits.load(indices=idx, seed=0)
    assert b.name == "dvs-digits" and b.sensor_size == (34, 34, 2) and b.is_test is None
    np.testing.assert_array_equal(b.labels, load_digits().target[idx])
    counts = b.counts()
    assert 3_000 < counts.mean() < 6_000  # real N-MNIST: about 4,100
    assert counts.min() > 1_000
    assert 0.4 < b.events["p"].mean() < 0.6
    for i in range(len(b)):
        t = b.sample(i)["t"]
        assert (np.diff(t) >= 0).all()
        assert t[0] >= 0 and 250_000 < t[-1] - t[0] <= 300_000


def test_load_dataset_dvs_digits_stratified_with_progress():
    calls = []
    b = load_dataset("dvs-digits", n_samples=20, seed=4, progress=lambda d, n: calls.append((d, n)))
    assert len(b) == 20 and np.bincount(b.labels, minlength=10).tolist() == [2] * 10
    assert calls[-1] == (20, 20)


# --- N-MNIST: tiny folders ----------------------------------------------------------


def test_nmnist_reads_tiny_folder(tiny_nmnist):
    root, expected = tiny_nmnist
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    b = load_dataset("nmnist", data_dir=root)
    assert len(b) == 4 and b.sensor_size == (34, 34, 2) and b.name == "nmnist"
    assert b.labels.tolist() == [d for _, d, _, _ in expected]
    assert b.is_test.tolist() == [s == "Test" for s, _, _, _ in expected]
    for i, (_, _, _, events) in enumerate(expected):
        got = b.sample(i)
        assert list(zip(got["x"], got["y"], got["t"], got["p"])) == events
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written


def test_nmnist_accepts_tonic_layout_and_folder_itself(tiny_nmnist):
    root, _ = tiny_nmnist
    assert len(load_dataset("nmnist", data_dir=root / "nmnist")) == 4
    (root / "nmnist").rename(root / "NMNIST")
    assert len(load_dataset("nmnist", data_dir=root)) == 4


def test_nmnist_truncated_file_names_it(tmp_path):
    write_sample(tmp_path / "nmnist", "Train", 1, "00001.bin", [(1, 1, 1, 1)])
    bad = write_sample(tmp_path / "nmnist", "Train", 1, "00002.bin", [(1, 1, 1, 1), (2, 2, 2, 0)])
    bad.write_bytes(bad.read_bytes()[:-2])
    with pytest.raises(DataError, match="00002.bin.*truncated"):
        load_dataset("nmnist", data_dir=tmp_path)


def test_nmnist_missing_or_empty_folder(tmp_path):
    with pytest.raises(DataError, match=r"nmnist does not exist.*tonic\.datasets\.NMNIST"):
        load_dataset("nmnist", data_dir=tmp_path)
    (tmp_path / "nmnist" / "Train" / "4").mkdir(parents=True)
    with pytest.raises(DataError, match=r"no samples found in .*nmnist.*Train/<digit>/\*\.bin"):
        load_dataset("nmnist", data_dir=tmp_path)


# --- N-MNIST: the real subset in ../shared/data/nmnist --------------------------------


def test_real_nmnist_matches_manifest(nmnist_dir):
    real_dir = nmnist_dir
    with open(real_dir / "MANIFEST.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1_100
    b = load_dataset("nmnist", data_dir=real_dir.parent)
    assert len(b) == 1_100 and b.sensor_size == (34, 34, 2)
    files, _, _ = nmnist._files(real_dir.parent)
    by_path = {r["path"]: r for r in rows}
    got = [by_path[p.relative_to(real_dir).as_posix()] for p in files]
    assert b.labels.tolist() == [int(r["label"]) for r in got]
    assert b.counts().tolist() == [int(r["n_events"]) for r in got]
    assert b.is_test.tolist() == [r["split"] == "Test" for r in got]
    assert int(b.is_test.sum()) == 100
    t = b.events["t"]
    assert 0.45 < b.events["p"].mean() < 0.55 and t.min() >= 0


def test_real_nmnist_stratified_subset(nmnist_dir):
    b = load_dataset("nmnist", data_dir=nmnist_dir.parent, n_samples=50, seed=0)
    assert np.bincount(b.labels, minlength=10).tolist() == [5] * 10
