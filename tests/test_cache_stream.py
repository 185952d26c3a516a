"""Streaming a dataset in chunks, and the on-disk HDF5 cache of binned data."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import SHARED_DATA, require_data
from neurosim.data import load_dataset
from neurosim.errors import DataError
from neurosim.events import CenterCrop, SelectPolarity, bin_events
from neurosim.data.cache import (
    binned_dataset,
    cache_folder,
    cache_key,
    cached_raster,
    canonical_json,
    raster_key,
)
from neurosim.data import sample_indices
from neurosim.data.stream import iter_batches, stream_dataset


def assert_same_batch(chunks, whole):
    """The chunks, concatenated, hold exactly the samples of ``whole`` in order."""
    assert sum(len(c) for c in chunks) == len(whole)
    np.testing.assert_array_equal(np.concatenate([c.events for c in chunks]), whole.events)
    np.testing.assert_array_equal(np.concatenate([c.counts() for c in chunks]), whole.counts())
    np.testing.assert_array_equal(np.concatenate([c.labels for c in chunks]), whole.labels)
    if whole.is_test is None:
        assert all(c.is_test is None for c in chunks)
    else:
        np.testing.assert_array_equal(np.concatenate([c.is_test for c in chunks]), whole.is_test)
    assert {c.sensor_size for c in chunks} == {whole.sensor_size}


# --- streaming ----------------------------------------------------------------------


def test_iter_batches_is_lazy_and_bounded():
    calls = []

    def load(indices):
        calls.append(np.array(indices))
        return indices

    it = iter_batches(load, np.arange(10, 33), batch_size=7)
    assert calls == []  # nothing loaded before iteration
    chunks = list(it)
    assert [len(c) for c in calls] == [7, 7, 7, 2]
    np.testing.assert_array_equal(np.concatenate(chunks), np.arange(10, 33))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad):
    with pytest.raises(DataError, match="batch_size"):
        stream_dataset("dvs-digits", batch_size=bad)


def test_unknown_dataset_fails_at_the_call():
    with pytest.raises(DataError, match="unknown dataset"):
        stream_dataset("no-such-data")


def test_stream_dvs_digits_equals_one_shot_load():
    chunks = list(stream_dataset("dvs-digits", n_samples=60, seed=3, batch_size=16))
    assert [len(c) for c in chunks] == [16, 16, 16, 12]
    assert_same_batch(chunks, load_dataset("dvs-digits", n_samples=60, seed=3))


def test_stream_real_nmnist_equals_one_shot_load(nmnist_dir):
    whole = load_dataset("nmnist", data_dir=nmnist_dir.parent)
    chunks = list(stream_dataset("nmnist", data_dir=nmnist_dir.parent, batch_size=256))
    assert [len(c) for c in chunks] == [256, 256, 256, 256, 76] and len(whole) == 1100
    assert max(len(c) for c in chunks) <= 256  # bounded: one chunk of events at a time
    assert_same_batch(chunks, whole)
    sub = list(stream_dataset("nmnist", data_dir=nmnist_dir.parent, n_samples=100, seed=1,
                              batch_size=33))
    assert_same_batch(sub, load_dataset("nmnist", data_dir=nmnist_dir.parent, n_samples=100, seed=1))
    np.testing.assert_array_equal(
        sample_indices("nmnist", data_dir=nmnist_dir.parent, n_samples=100, seed=1),
        np.sort(sample_indices("nmnist", data_dir=nmnist_dir.parent, n_samples=100, seed=1)))


# --- cache --------------------------------------------------------------------------


def toy_compute(counter, n=5, value=1):
    def compute():
        counter.append(1)
        raster = np.full((n, 3, 4), value, dtype=np.int32)
        return raster, np.arange(n), np.arange(n) % 2 == 0
    return compute


def test_canonical_json_and_key():
    a = canonical_json({"b": 1, "a": [1, 2]})
    assert a == canonical_json({"a": [1, 2], "b": 1})
    assert '"binning_version":' in a and '"neurosim_version":' in a
    assert cache_key({"a": 1}) != cache_key({"a": 2}) and len(cache_key({"a": 1})) == 64
    with pytest.raises(DataError, match="JSON"):
        canonical_json({"a": object()})
    with pytest.raises(DataError, match="JSON"):
        canonical_json({"a": float("nan")})


def test_cache_folder_default(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROSIM_CACHE_DIR", str(tmp_path / "c"))
    assert cache_folder() == tmp_path / "c" / "binned"
    monkeypatch.delenv("NEUROSIM_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "neurosim" / "binned"
    assert cache_folder(tmp_path / "x") == tmp_path / "x"


def test_miss_then_hit(tmp_path):
    calls = []
    first = cached_raster({"k": 1}, toy_compute(calls), tmp_path)
    second = cached_raster({"k": 1}, toy_compute(calls), tmp_path)
    assert (first.hit, second.hit, len(calls)) == (False, True, 1)
    np.testing.assert_array_equal(first.raster, second.raster)
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.is_test, second.is_test)
    assert second.raster.dtype == np.int32 and second.is_test.dtype == bool
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == [f"{cache_key({'k': 1})}.h5"]
    with h5py.File(files[0], "r") as f:
        assert f.attrs["key"] == canonical_json({"k": 1})
        assert f["raster"].compression == "gzip"


def test_different_params_different_entries(tmp_path):
    calls = []
    a = cached_raster({"n_bins": 50}, toy_compute(calls, value=1), tmp_path)
    b = cached_raster({"n_bins": 51}, toy_compute(calls, value=2), tmp_path)
    assert len(calls) == 2 and not a.hit and not b.hit
    assert len(list(tmp_path.glob("*.h5"))) == 2
    assert cached_raster({"n_bins": 50}, toy_compute(calls), tmp_path).raster[0, 0, 0] == 1


def test_bool_raster_and_no_split_round_trip(tmp_path):
    def compute():
        return np.eye(4, dtype=bool)[None].repeat(2, 0), np.array([3, 4]), None

    cached_raster({"b": True}, compute, tmp_path)
    hit = cached_raster({"b": True}, compute, tmp_path)
    assert hit.hit and hit.raster.dtype == bool and hit.is_test is None
    np.testing.assert_array_equal(hit.raster, compute()[0])


def test_corrupt_entry_is_recomputed(tmp_path, caplog):
    calls = []
    cached_raster({"k": 1}, toy_compute(calls), tmp_path)
    path = tmp_path / f"{cache_key({'k': 1})}.h5"
    path.write_bytes(b"not an HDF5 file at all")
    with caplog.at_level(logging.WARNING, logger="neurosim.data.cache"):
        again = cached_raster({"k": 1}, toy_compute(calls), tmp_path)
    assert not again.hit and len(calls) == 2 and "unreadable" in caplog.text
    assert cached_raster({"k": 1}, toy_compute(calls), tmp_path).hit  # rewritten whole
    # truncated file
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert not cached_raster({"k": 1}, toy_compute(calls), tmp_path).hit and len(calls) == 3


def test_entry_with_another_key_is_recomputed(tmp_path):
    calls = []
    cached_raster({"k": 1}, toy_compute(calls), tmp_path)
    os.replace(tmp_path / f"{cache_key({'k': 1})}.h5", tmp_path / f"{cache_key({'k': 2})}.h5")
    assert not cached_raster({"k": 2}, toy_compute(calls), tmp_path).hit and len(calls) == 2


def test_mismatched_arrays_are_refused(tmp_path):
    with pytest.raises(DataError, match="labels"):
        cached_raster({"k": 1}, lambda: (np.zeros((3, 2, 2)), np.zeros(2, int), None), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_is_not_fatal(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="neurosim.data.cache"):
        got = cached_raster({"k": 1}, toy_compute([]), blocker / "cache")
    assert not got.hit and got.raster.shape == (5, 3, 4) and "could not write" in caplog.text


def test_binned_dataset_builtin(tmp_path):
    transforms = (SelectPolarity(0), CenterCrop(16))
    kw = dict(n_bins=20, n_samples=40, seed=2, transforms=transforms, binary=True,
              batch_size=16, cache_dir=tmp_path)
    first = binned_dataset("dvs-digits", **kw)
    batch = load_dataset("dvs-digits", n_samples=40, seed=2)
    expected = bin_events(CenterCrop(16)(SelectPolarity(0)(batch)), 20) > 0
    np.testing.assert_array_equal(first.raster, expected)
    np.testing.assert_array_equal(first.labels, batch.labels)
    assert first.is_test is None and not first.hit
    assert binned_dataset("dvs-digits", **kw).hit
    other = binned_dataset("dvs-digits", **{**kw, "transforms": (SelectPolarity(1), CenterCrop(16))})
    assert not other.hit and len(list(tmp_path.glob("*.h5"))) == 2
    key = raster_key("dvs-digits", n_samples=40, seed=2, transforms=transforms, n_bins=20)
    assert key["data"] == "builtin"
    assert key["transforms"] == [{"type": "SelectPolarity", "polarity": 0},
                                 {"type": "CenterCrop", "size": 16}]


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


def test_real_nmnist_cache_writes_only_into_the_cache_dir(nmnist_dir, tmp_path, monkeypatch):
    cache, home, work = tmp_path / "cache", tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NEUROSIM_CACHE_DIR", raising=False)
    monkeypatch.chdir(work)
    before = snapshot(nmnist_dir)
    kw = dict(data_dir=nmnist_dir.parent, n_bins=50, n_samples=120, seed=0, cache_dir=cache,
              transforms=(SelectPolarity(0), CenterCrop(16)), batch_size=50)
    miss = binned_dataset("nmnist", **kw)
    hit = binned_dataset("nmnist", **kw)
    assert not miss.hit and hit.hit
    np.testing.assert_array_equal(miss.raster, hit.raster)
    np.testing.assert_array_equal(hit.is_test, miss.is_test)
    assert hit.raster.shape == (120, 50, 256) and hit.raster.dtype == np.int32
    whole = load_dataset("nmnist", data_dir=nmnist_dir.parent, n_samples=120, seed=0)
    np.testing.assert_array_equal(hit.raster, bin_events(CenterCrop(16)(SelectPolarity(0)(whole)), 50))
    assert snapshot(nmnist_dir) == before  # the dataset folder is untouched
    assert list(home.iterdir()) == [] and list(work.iterdir()) == []
    assert [p.suffix for p in cache.iterdir()] == [".h5"]  # no temp files left
    key = raster_key("nmnist", data_dir=nmnist_dir.parent, n_samples=120, seed=0, n_bins=50)
    assert key["data"] == str(nmnist_dir.resolve()) and len(key["fingerprint"]) == 64


def test_fingerprint_follows_the_data(tmp_path):
    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    root = tmp_path / "data"
    digit = root / "nmnist" / "Train" / "0"
    digit.mkdir(parents=True)
    src = sorted((SHARED_DATA / "nmnist" / "Train" / "0").glob("*.bin"))[:2]
    (digit / "a.bin").write_bytes(src[0].read_bytes())
    k1 = raster_key("nmnist", data_dir=root, n_bins=10)
    (digit / "b.bin").write_bytes(src[1].read_bytes())
    k2 = raster_key("nmnist", data_dir=root, n_bins=10)
    assert k1["fingerprint"] != k2["fingerprint"] and cache_key(k1) != cache_key(k2)
