"""Binning: the array backend, PackedEvents, dense and sparse rasters, and parity with tonic's ToFrame.

The tonic tests run on the real N-MNIST samples in ../shared/data/nmnist; where tonic is
wrong (it drops the last events, it wraps int16 counts) the difference is shown, not hidden.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import types
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA, require_data
from neurosim import backend
from neurosim.errors import ConfigError, DataError
from neurosim.events import VISION_DTYPE, EventBatch
from neurosim.events import binning
from neurosim.events.binning import (
    bin_events,
    bin_of,
    bin_packed,
    bin_sparse,
    event_bins,
    time_bin_index,
)
from neurosim.events.packed import PackedEvents, channel_of, pack

SENSOR = (34, 34, 2)
N_BINS = 50


# --- helpers ------------------------------------------------------------------------


def random_batch(rng, n, sensor=(5, 4, 2), max_events=40, t_max=300_000):
    w, h, p = sensor
    samples = []
    for _ in range(n):
        k = int(rng.integers(0, max_events))
        ev = np.zeros(k, dtype=VISION_DTYPE)
        ev["x"], ev["y"], ev["p"] = rng.integers(0, w, k), rng.integers(0, h, k), rng.integers(0, 2, k)
        ev["t"] = rng.integers(0, t_max, k)  # unsorted on purpose: binning must not assume order
        samples.append(ev)
    return EventBatch.from_samples(samples, np.zeros(n, int), sensor, "random")


def reference_raster(batch, n_bins):
    """Per-event loop with exact rational bins: floor((t - t0) / T * n_bins), last bin closed."""
    w, h, p = batch.sensor_size
    out = np.zeros((len(batch), n_bins, w * h * p), np.int64)
    for i in range(len(batch)):
        s = batch.sample(i)
        if not len(s):
            continue
        t0, t1 = int(s["t"].min()), int(s["t"].max())
        for e in s:
            k = 0 if t1 == t0 else min(int(Fraction(int(e["t"]) - t0, t1 - t0) * n_bins), n_bins - 1)
            pi = int(e["p"]) if p > 1 else 0
            out[i, k, (pi * h + int(e["y"])) * w + int(e["x"])] += 1
    return out


@st.composite
def batches(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(0, 6))
    sensor = draw(st.sampled_from([(5, 4, 2), (3, 3, 1), (64, 1, 1)]))
    t_max = draw(st.sampled_from([1, 7, 1000, 300_000, 10**12]))
    return random_batch(np.random.default_rng(seed), n, sensor, max_events=30, t_max=t_max)


# --- backend ------------------------------------------------------------------------


def test_importing_neurosim_does_not_import_cupy():
    code = ("import sys, neurosim, neurosim.backend, neurosim.events, neurosim.events.binning, "
            "neurosim.events.packed, neurosim.data.stream; "
            "assert 'cupy' not in sys.modules, 'cupy was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_get_namespace_follows_the_data():
    assert backend.get_namespace(np.zeros(3), None, 2.0) is np
    assert backend.get_namespace() is np
    assert backend.get_namespace(np.zeros(1), xp=np) is np
    with pytest.raises(ValueError, match="numpy or cupy"):
        backend.get_namespace(xp=types.ModuleType("torch"))


def test_get_namespace_with_a_gpu_array_type(monkeypatch):
    fake = types.ModuleType("cupy")

    class FakeArray:
        pass

    fake.ndarray = FakeArray
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert backend.get_namespace(FakeArray(), 3, None) is fake
    assert backend.get_namespace(np.zeros(2)) is np
    with pytest.raises(ValueError, match="different devices"):
        backend.get_namespace(FakeArray(), np.zeros(2))


def test_to_numpy_and_asarray():
    a = [1, 2, 3]
    assert isinstance(backend.to_numpy(a), np.ndarray)
    x = np.arange(4)
    assert backend.asarray(x, np) is x


def test_resolve_device(monkeypatch, caplog):
    assert backend.resolve_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match="auto, cpu, gpu"):
        backend.resolve_device("tpu")
    monkeypatch.setattr(backend, "_probe_cupy", lambda: (None, "CuPy is not installed"))
    monkeypatch.setattr(backend, "_fallback_logged", False)
    with caplog.at_level(logging.INFO, logger="neurosim.backend"):
        assert backend.resolve_device("auto") == "cpu"
        assert backend.resolve_device() == "cpu"
    fallbacks = [r for r in caplog.records if "using the CPU" in r.getMessage()]
    assert len(fallbacks) == 1 and "CuPy is not installed" in fallbacks[0].getMessage()
    with pytest.raises(Exception, match="device 'gpu' was requested but CuPy is not installed"):
        backend.resolve_device("gpu")
    assert backend.namespace("auto") is np


# --- PackedEvents -------------------------------------------------------------------


def test_pack_fields():
    batch = random_batch(np.random.default_rng(0), 7, SENSOR)
    p = pack(batch)
    assert (p.n_samples, p.n_events, p.n_channels) == (7, len(batch.events), 2312)
    assert p.channel.dtype == np.int32 and p.t.dtype == np.int64 and p.sample.dtype == np.int64
    ev = batch.events
    np.testing.assert_array_equal(p.channel, (ev["p"] * 34 + ev["y"]) * 34 + ev["x"])
    np.testing.assert_array_equal(p.sample, batch.sample_ids())
    np.testing.assert_array_equal(p.offsets, batch.offsets)
    for i in range(7):
        s = batch.sample(i)
        assert (p.t_first[i], p.t_last[i]) == ((s["t"].min(), s["t"].max()) if len(s) else (0, 0))
    assert p.to(np) is p and p.xp is np
    assert "n_samples=7" in repr(p)


def test_pack_single_polarity_uses_channel_formula():
    ev = np.zeros(2, dtype=VISION_DTYPE)
    ev["x"], ev["y"], ev["p"], ev["t"] = [1, 0], [0, 1], [1, 1], [0, 10]
    batch = EventBatch.from_samples([ev], [0], (2, 2, 1), "one-pol")
    assert pack(batch).channel.tolist() == [1, 2]  # p_index is 0 when P == 1
    assert channel_of(np.array([1]), np.array([1]), np.array([1]), (2, 2, 2)).tolist() == [7]


def test_packed_events_validate():
    z = np.zeros(0, np.int64)
    with pytest.raises(DataError, match="channel must be a 1-D int32"):
        PackedEvents(z, z, z, np.zeros(1, np.int64), z, z, 4)
    with pytest.raises(DataError, match="n_channels"):
        PackedEvents(np.zeros(0, np.int32), z, z, np.zeros(1, np.int64), z, z, 0)
    with pytest.raises(DataError, match="one entry per event"):
        PackedEvents(np.zeros(1, np.int32), z, z, np.zeros(1, np.int64), z, z, 4)


# --- the binning rule ---------------------------------------------------------------


@given(span=st.integers(0, 10**12), n_bins=st.integers(1, 100_000), frac=st.fractions(0, 1))
def test_bin_of_is_exact(span, n_bins, frac):
    dt = int(frac * span)
    expected = 0 if span == 0 else min(int(Fraction(dt, span) * n_bins), n_bins - 1)
    got = bin_of(np.array([dt], np.int64), np.array([span], np.int64), n_bins)
    assert int(got[0]) == expected


@settings(max_examples=60, deadline=None)
@given(batch=batches(), n_bins=st.integers(1, 9))
def test_bin_packed_matches_exact_reference(batch, n_bins):
    dense = bin_packed(pack(batch), n_bins)
    assert dense.dtype == np.int32 and dense.shape == (len(batch), n_bins, batch.sensor_size[0]
                                                       * batch.sensor_size[1] * batch.sensor_size[2])
    np.testing.assert_array_equal(dense, reference_raster(batch, n_bins))
    np.testing.assert_array_equal(bin_events(batch, n_bins), dense)
    assert dense.sum() == len(batch.events)


@settings(max_examples=60, deadline=None)
@given(batch=batches(), n_bins=st.integers(1, 9))
def test_sparse_equals_dense(batch, n_bins):
    dense = bin_packed(batch, n_bins)
    sp = bin_sparse(pack(batch), n_bins)
    assert sp.shape == dense.shape and sp.count.dtype == np.int64
    np.testing.assert_array_equal(sp.to_dense(), dense)
    flat = (sp.sample * n_bins + sp.bin) * dense.shape[2] + sp.channel
    assert np.all(np.diff(flat) > 0) and np.all(sp.count >= 1)  # sorted, each cell once
    csr = sp.to_csr()
    assert csr.shape == (len(batch) * n_bins, dense.shape[2])
    np.testing.assert_array_equal(csr.toarray(), dense.reshape(-1, dense.shape[2]))


def test_time_bin_index_and_event_bins_agree():
    batch = random_batch(np.random.default_rng(5), 12, SENSOR)
    np.testing.assert_array_equal(time_bin_index(batch, 7), event_bins(pack(batch), 7))


def test_empty_batch_and_empty_samples():
    batch = EventBatch.from_samples([], [], SENSOR, "none")
    assert bin_packed(batch, 3).shape == (0, 3, 2312)
    assert bin_sparse(batch, 3).count.shape == (0,)
    empty = np.zeros(0, dtype=VISION_DTYPE)
    r = bin_events(EventBatch.from_samples([empty, empty], [0, 1], SENSOR, "e"), 2)
    assert r.shape == (2, 2, 2312) and r.sum() == 0


def test_too_many_events_for_int32_raises(monkeypatch):
    batch = random_batch(np.random.default_rng(1), 4, SENSOR, max_events=30)
    monkeypatch.setattr(binning, "_INT32_MAX", len(batch.events) - 1)
    with pytest.raises(DataError, match="could exceed int32"):
        bin_packed(batch, 5)
    sp = bin_sparse(batch, 5)  # int64 counts: still fine
    assert int(sp.count.sum()) == len(batch.events)


def test_sparse_to_dense_refuses_to_wrap(monkeypatch):
    ev = np.zeros(10, dtype=VISION_DTYPE)
    sp = bin_sparse(EventBatch.from_samples([ev], [0], (1, 1, 1), "same"), 1)
    monkeypatch.setattr(binning, "_INT32_MAX", 9)
    with pytest.raises(DataError, match="more than 2\\*\\*31 - 1 events"):
        sp.to_dense()


def test_span_overflowing_int64_raises():
    ev = np.zeros(2, dtype=VISION_DTYPE)
    ev["t"] = [0, 2**61]
    batch = EventBatch.from_samples([ev], [0], (1, 1, 1), "long")
    assert bin_events(batch, 2)[0, :, 0].tolist() == [1, 1]
    with pytest.raises(DataError, match="overflow int64"):
        bin_events(batch, 4)


# --- tonic ToFrame parity on real N-MNIST -------------------------------------------


@pytest.fixture(scope="module")
def real_nmnist():
    from neurosim.data import load_dataset

    require_data(SHARED_DATA / "nmnist" / "MANIFEST.csv")
    return load_dataset("nmnist", data_dir=SHARED_DATA)


def tonic_frames(events, n_bins=N_BINS, sensor=SENSOR):
    """tonic's ToFrame on one sample, [n_bins, P, H, W] int16 (tonic needs events sorted by t)."""
    from tonic.transforms import ToFrame

    return ToFrame(sensor_size=sensor, n_time_bins=n_bins)(events.copy())


def ours_as_tonic(raster_i, sensor=SENSOR):
    """One sample of our raster [n_bins, C], C = (p*H + y)*W + x, in tonic's [T, P, H, W]."""
    w, h, p = sensor
    return raster_i.reshape(raster_i.shape[0], p, h, w)


def last_events_frame(events, n_bins=N_BINS):
    """The events at the sample's last timestamp, counted in the last bin, as [T, P, H, W]."""
    last = events[events["t"] == events["t"].max()]
    out = np.zeros((n_bins, SENSOR[2], SENSOR[1], SENSOR[0]), np.int64)
    np.add.at(out, (n_bins - 1, last["p"], last["y"], last["x"]), 1)
    return out


def assert_equal_except_last_events(batch):
    """Our raster minus tonic's is exactly the events at each sample's last timestamp."""
    raster = bin_events(batch, N_BINS)
    for i in range(len(batch)):
        s = batch.sample(i)
        span = int(s["t"].max() - s["t"].min())
        assert span % N_BINS == 0 and span > 0
        theirs = tonic_frames(s).astype(np.int64)
        ours = ours_as_tonic(raster[i]).astype(np.int64)
        extra = last_events_frame(s)
        np.testing.assert_array_equal(ours - theirs, extra)
        n_last = int((s["t"] == s["t"].max()).sum())
        assert ours.sum() == len(s) and theirs.sum() == len(s) - n_last >= len(s) - 3


def test_real_samples_whose_span_divides_into_bins_match_tonic_but_its_last_event(real_nmnist):
    """Same parameters, same frames, except that ToFrame drops the last event (half-open final
    window, ``[t0 + 49 w, t0 + 50 w)`` ends at ``t_last``) and we keep it."""
    t = real_nmnist.events["t"]
    starts = real_nmnist.offsets[:-1]
    span = np.maximum.reduceat(t, starts) - np.minimum.reduceat(t, starts)
    divisible = np.flatnonzero(span % N_BINS == 0)
    assert len(divisible) >= 5  # 11 of the 1,100 real samples
    assert_equal_except_last_events(real_nmnist.subset(divisible))


def test_every_real_sample_trimmed_to_a_divisible_span_matches_tonic_but_its_last_event(real_nmnist):
    """Each real sample cut after its last event at ``t0 + k * 50`` µs (so that tonic's integer
    window ``span // 50`` is exact): frames equal but for the last event, on all 1,100 samples."""
    batch = real_nmnist
    t = batch.events["t"]
    sid = batch.sample_ids()
    t0 = np.repeat(np.minimum.reduceat(t, batch.offsets[:-1]), batch.counts())
    on_grid = ((t - t0) % N_BINS == 0) & (t > t0)
    cut = np.zeros(len(batch), np.int64)
    np.maximum.at(cut, sid[on_grid], t[on_grid])  # last on-grid time of each sample
    assert np.all(cut > 0)
    trimmed = batch.keep_events(t <= cut[sid])
    assert_equal_except_last_events(trimmed)


def tonic_event_bins(t, n_bins=N_BINS):
    """tonic's ToFrame(n_time_bins) window of each event of one sample (int64; ``>= n_bins``: dropped).

    Windows ``[t0 + k w, t0 + (k + 1) w)`` of ``w = span // n_bins`` µs, so ``k = (t - t0) // w``.
    """
    t = np.asarray(t, np.int64)
    return (t - t[0]) // ((t[-1] - t[0]) // n_bins)


def test_tonic_places_and_drops_these_real_events(real_nmnist):
    """On all 1,100 real samples, with n = 50: tonic's window is ``span // 50`` µs, ours ``span / 50``.

    tonic drops 1,130 events (1,102 at the samples' last timestamps, in all 1,100 samples; 28 in the
    tail after ``t0 + 50 w``, in 26 samples) and puts 8,999 of the events it keeps one bin later than
    we do (in 1,023 samples). Our raster holds every event. docs/explanation/run.md states these figures.
    """
    ours = np.asarray(event_bins(pack(real_nmnist), N_BINS))
    raster = bin_events(real_nmnist, N_BINS)
    np.testing.assert_array_equal(raster.sum(axis=(1, 2)), real_nmnist.counts())
    dropped, tail, moved, shifts = [], [], [], set()
    for i in range(len(real_nmnist)):
        s = real_nmnist.sample(i)
        theirs = tonic_event_bins(s["t"])
        kept = theirs < N_BINS
        frames = np.zeros((N_BINS, SENSOR[2], SENSOR[1], SENSOR[0]), np.int64)
        np.add.at(frames, (theirs[kept], s["p"][kept], s["y"][kept], s["x"][kept]), 1)
        np.testing.assert_array_equal(frames, tonic_frames(s))  # the rule above is tonic's
        mine = ours[real_nmnist.offsets[i]:real_nmnist.offsets[i + 1]]
        dropped.append(int((~kept).sum()))
        tail.append(int((~kept & (s["t"] < s["t"].max())).sum()))
        moved.append(int((theirs[kept] != mine[kept]).sum()))
        shifts.update((theirs[kept] - mine[kept]).tolist())
    dropped, tail, moved = map(np.array, (dropped, tail, moved))
    assert (dropped.sum(), (dropped > 0).sum()) == (1_130, 1_100)
    assert (tail.sum(), (tail > 0).sum()) == (28, 26)
    assert (moved.sum(), (moved > 0).sum()) == (8_999, 1_023)
    assert shifts == {0, 1}  # never earlier, never more than one bin later (every span > 50**2 µs)


def test_tonic_wraps_int16_counts_ours_are_exact():
    """> 32,767 events on one pixel in one bin: tonic's int16 frame wraps, our int32 count is exact."""
    n_hot = 40_000
    ev = np.zeros(n_hot + 1, dtype=VISION_DTYPE)
    ev["x"][:n_hot], ev["y"][:n_hot], ev["p"][:n_hot] = 3, 5, 1
    ev["t"][:n_hot] = np.arange(n_hot) // 1000  # all within the first bin (0..39 µs)
    ev["t"][n_hot], ev["x"][n_hot] = 5_000, 7  # one more event to give the sample its span
    theirs = tonic_frames(ev)
    assert theirs.dtype == np.int16 and int(theirs[0, 1, 5, 3]) == n_hot - 2**16  # wrapped: -25536
    ours = ours_as_tonic(bin_events(EventBatch.from_samples([ev], [0], SENSOR, "hot"), N_BINS)[0])
    assert int(ours[0, 1, 5, 3]) == n_hot and int(ours.sum()) == n_hot + 1


@pytest.mark.parametrize("dtype", [bool, np.int32, np.uint8])
@pytest.mark.parametrize("n_bins,n_windows", [(10, 3), (7, 7), (5, 1), (12, 5)])
def test_window_sums_match_numpys_reduceat(dtype, n_bins, n_windows):
    """Spikes (bool) and event counts (integers) per window, uneven windows included: the same int64 counts as
    ``np.add.reduceat`` over the window starts, the definition the loop replaced for speed."""
    raster = (np.random.default_rng(n_bins).integers(0, 3, (4, n_bins, 6))).astype(dtype)
    starts = binning.window_starts(n_bins, n_windows)
    got = binning.window_sums(raster, n_windows)
    assert got.dtype == np.int64 and got.shape == (4, n_windows, 6)
    np.testing.assert_array_equal(got, np.add.reduceat(raster, starts, axis=1, dtype=np.int64))
    np.testing.assert_array_equal(got.sum(axis=1), raster.sum(axis=1, dtype=np.int64))
