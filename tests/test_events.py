"""EventBatch, transforms and binning."""

import numpy as np
import pytest

from neurosim.errors import DataError
from neurosim.events import (
    VISION_DTYPE,
    CenterCrop,
    EventBatch,
    SelectPolarity,
    bin_events,
    channels,
)


def make_events(rows):
    """Structured events from (x, y, t, p) tuples."""
    return np.array([tuple(r) for r in rows], dtype=VISION_DTYPE)


def random_samples(rng, n, sensor=(34, 34, 2), max_events=60):
    w, h, p = sensor
    samples = []
    for _ in range(n):
        k = int(rng.integers(0, max_events))
        t = np.sort(rng.integers(0, 300_000, k))
        xs, ys, ps = rng.integers(0, w, k), rng.integers(0, h, k), rng.integers(0, p, k)
        samples.append(make_events(zip(xs, ys, t, ps)))
    return samples


@pytest.fixture
def samples():
    return [
        make_events([(0, 0, 10, 1), (5, 6, 20, 0), (33, 33, 30, 1)]),
        make_events([]),
        make_events([(16, 17, 0, 0), (17, 16, 100, 1)]),
    ]


@pytest.fixture
def batch(samples):
    return EventBatch.from_samples(samples, [3, 1, 4], (34, 34, 2), "toy", is_test=[False, True, False])


# --- EventBatch ---------------------------------------------------------------------


def test_from_samples_round_trip(samples, batch):
    assert len(batch) == 3
    assert batch.events.dtype == VISION_DTYPE
    assert batch.offsets.tolist() == [0, 3, 3, 5]
    assert batch.counts().tolist() == [3, 0, 2]
    assert batch.labels.tolist() == [3, 1, 4]
    assert batch.is_test.tolist() == [False, True, False]
    assert batch.sensor_size == (34, 34, 2) and batch.name == "toy"
    for i, s in enumerate(samples):
        np.testing.assert_array_equal(batch.sample(i), s)
    np.testing.assert_array_equal(batch.sample(-1), samples[-1])
    assert batch.sample_ids().tolist() == [0, 0, 0, 2, 2]
    with pytest.raises(IndexError):
        batch.sample(3)


def test_from_samples_converts_other_dtypes():
    tonic_like = np.zeros(2, dtype=[("x", np.int16), ("y", np.int16), ("t", np.int64), ("p", bool)])
    tonic_like["t"] = [5, 7]
    tonic_like["p"] = [True, False]
    b = EventBatch.from_samples([tonic_like], [0], (34, 34, 2), "x")
    assert b.events.dtype == VISION_DTYPE
    assert b.events["p"].tolist() == [1, 0] and b.events["t"].tolist() == [5, 7]


def test_empty_batch():
    b = EventBatch.from_samples([], [], (34, 34, 2), "empty")
    assert len(b) == 0 and b.counts().size == 0
    assert bin_events(b, 4).shape == (0, 4, 2312)


def test_arrays_are_read_only(batch):
    with pytest.raises(ValueError):
        batch.events["x"][0] = 1
    with pytest.raises(ValueError):
        batch.offsets[0] = 1


def test_subset(samples, batch):
    sub = batch.subset([2, 0, 2])
    assert len(sub) == 3
    assert sub.labels.tolist() == [4, 3, 4]
    assert sub.is_test.tolist() == [False, False, False]
    for i, j in enumerate([2, 0, 2]):
        np.testing.assert_array_equal(sub.sample(i), samples[j])
    assert len(batch.subset([])) == 0
    masked = batch.subset(~batch.is_test)
    assert masked.labels.tolist() == [3, 4] and masked.counts().tolist() == [3, 2]
    with pytest.raises(DataError, match="mask"):
        batch.subset([True, False])
    assert batch.subset([1]).counts().tolist() == [0]
    with pytest.raises(IndexError):
        batch.subset([5])


def test_subset_matches_loop_on_random_batch():
    rng = np.random.default_rng(1)
    samples = random_samples(rng, 20)
    b = EventBatch.from_samples(samples, np.arange(20), (34, 34, 2), "r")
    idx = rng.integers(0, 20, 15)
    sub = b.subset(idx)
    for i, j in enumerate(idx):
        np.testing.assert_array_equal(sub.sample(i), samples[j])


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(offsets=np.array([0, 3, 2, 5])), "non-decreasing"),
        (dict(offsets=np.array([0, 3, 5])), "labels"),
        (dict(offsets=np.array([0, 3, 3, 4])), "end at the number of events"),
        (dict(offsets=np.array([1, 3, 3, 5])), "start at 0"),
        (dict(labels=np.array([1, 2])), "labels"),
        (dict(is_test=np.array([True, False])), "is_test"),
        (dict(sensor_size=(34, 34)), "sensor_size"),
        (dict(sensor_size=(20, 34, 2)), "'x'"),
        (dict(sensor_size=(34, 20, 2)), "'y'"),
    ],
)
def test_validation_errors(batch, change, message):
    fields = dict(
        events=batch.events, offsets=batch.offsets, labels=batch.labels,
        sensor_size=batch.sensor_size, is_test=batch.is_test, name="bad",
    )
    fields.update(change)
    with pytest.raises(DataError, match=message):
        EventBatch(**fields)


def test_missing_fields_is_data_error():
    events = np.zeros(2, dtype=[("x", int), ("t", int)])
    with pytest.raises(DataError, match="fields x, y, t, p"):
        EventBatch.from_samples([events], [0], (34, 34, 2), "bad")


# --- transforms ---------------------------------------------------------------------


def test_select_polarity(batch):
    assert SelectPolarity(None)(batch) is batch
    off = SelectPolarity(0)(batch)
    assert off.sensor_size == (34, 34, 1)
    assert off.counts().tolist() == [1, 0, 1]
    assert (off.events["p"] == 0).all()
    on = SelectPolarity(1)(batch)
    assert on.counts().tolist() == [2, 0, 1] and (on.events["p"] == 1).all()
    assert on.labels.tolist() == batch.labels.tolist()
    assert on.is_test.tolist() == batch.is_test.tolist()
    assert len(batch.events) == 5  # input untouched
    with pytest.raises(DataError, match="polarity"):
        SelectPolarity(2)(batch)


def test_center_crop(batch):
    c = CenterCrop(16)(batch)
    assert c.sensor_size == (16, 16, 2)
    # window x, y in [9, 25): (16, 17) -> (7, 8) and (17, 16) -> (8, 7)
    assert c.counts().tolist() == [0, 0, 2]
    assert list(zip(c.events["x"], c.events["y"])) == [(7, 8), (8, 7)]
    assert CenterCrop(0)(batch) is batch
    assert CenterCrop(34)(batch) is batch
    assert CenterCrop(50)(batch) is batch
    with pytest.raises(DataError, match="size"):
        CenterCrop(-1)(batch)


def test_transforms_match_per_sample_reference():
    rng = np.random.default_rng(7)
    samples = random_samples(rng, 30)
    b = EventBatch.from_samples(samples, np.zeros(30, int), (34, 34, 2), "r")
    out = CenterCrop(16)(SelectPolarity(1)(b))
    assert out.sensor_size == (16, 16, 1)
    for i, s in enumerate(samples):
        keep = (s["p"] == 1) & (s["x"] >= 9) & (s["x"] < 25) & (s["y"] >= 9) & (s["y"] < 25)
        expected = s[keep].copy()
        expected["x"] -= 9
        expected["y"] -= 9
        np.testing.assert_array_equal(out.sample(i), expected)


def test_transforms_are_frozen():
    t = CenterCrop(16)
    with pytest.raises(Exception):
        t.size = 3


# --- binning ------------------------------------------------------------------------


def test_channels():
    assert channels((34, 34, 2)) == 2312
    assert channels((16, 16, 1)) == 256


def test_bin_events_exact_raster():
    # sensor 2x2, two polarities -> channel = (p*2 + y)*2 + x, 8 channels
    s0 = make_events([(0, 0, 100, 0), (1, 0, 150, 1), (1, 1, 199, 0), (0, 1, 200, 1), (1, 1, 300, 1)])
    s1 = make_events([(1, 0, 7, 1)])  # one event: span 0 -> bin 0
    s2 = make_events([])
    b = EventBatch.from_samples([s0, s1, s2], [0, 1, 2], (2, 2, 2), "tiny")
    r = bin_events(b, 2)
    assert r.dtype == np.int32 and r.shape == (3, 2, 8)
    expected = np.zeros((3, 2, 8), np.int32)
    # sample 0 spans [100, 300]: bin = (t - 100) * 2 // 200 -> 0, 0, 0, 1, 1 (last clipped to 1)
    expected[0, 0, 0] = 1  # (0,0,p0) -> 0
    expected[0, 0, 5] = 1  # (1,0,p1) -> (1*2+0)*2+1 = 5
    expected[0, 0, 3] = 1  # (1,1,p0) -> (0+1)*2+1 = 3
    expected[0, 1, 6] = 1  # (0,1,p1) -> (2+1)*2+0 = 6
    expected[0, 1, 7] = 1  # (1,1,p1) -> 7
    expected[1, 0, 5] = 1
    np.testing.assert_array_equal(r, expected)


def test_bin_events_single_polarity_channels():
    s = make_events([(1, 0, 0, 1), (0, 1, 10, 1)])
    b = SelectPolarity(1)(EventBatch.from_samples([s], [0], (2, 2, 2), "tiny"))
    r = bin_events(b, 1)
    assert r.shape == (1, 1, 4)
    assert r[0, 0].tolist() == [0, 1, 1, 0]  # channel = y*W + x


def test_bin_events_keeps_every_event():
    rng = np.random.default_rng(3)
    b = EventBatch.from_samples(random_samples(rng, 40), np.zeros(40, int), (34, 34, 2), "r")
    for n_bins in (1, 7, 50):
        r = bin_events(b, n_bins)
        assert r.shape == (40, n_bins, 2312)
        assert r.sum() == len(b.events)
        np.testing.assert_array_equal(r.sum(axis=(1, 2)), b.counts())
        for i in np.flatnonzero(b.counts() > 1):
            s = b.sample(i)
            last = s[np.argmax(s["t"])]
            ch = (last["p"] * 34 + last["y"]) * 34 + last["x"]
            assert r[i, n_bins - 1, ch] >= 1  # the last event is in the last bin
            first = s[np.argmin(s["t"])]
            assert r[i, 0, (first["p"] * 34 + first["y"]) * 34 + first["x"]] >= 1


def test_bin_events_matches_reference_loop():
    rng = np.random.default_rng(11)
    samples = random_samples(rng, 25, sensor=(5, 4, 2))
    b = EventBatch.from_samples(samples, np.zeros(25, int), (5, 4, 2), "r")
    n_bins = 6
    r = bin_events(b, n_bins)
    for i, s in enumerate(samples):
        ref = np.zeros((n_bins, 40), np.int32)
        if len(s):
            t0, t1 = s["t"].min(), s["t"].max()
            for e in s:
                k = 0 if t1 == t0 else min(int((e["t"] - t0) * n_bins // (t1 - t0)), n_bins - 1)
                ref[k, (e["p"] * 4 + e["y"]) * 5 + e["x"]] += 1
        np.testing.assert_array_equal(r[i], ref)


def test_bin_counts_do_not_wrap():
    n = 40_000  # more than int16 can hold, all on one pixel
    s = np.zeros(n, dtype=VISION_DTYPE)
    s["t"] = np.arange(n)
    r = bin_events(EventBatch.from_samples([s], [0], (1, 1, 1), "many"), 1)
    assert r[0, 0, 0] == n


@pytest.mark.parametrize("n_bins", [0, -3, 2.5, True])
def test_bad_n_bins(batch, n_bins):
    with pytest.raises(DataError, match="n_bins"):
        bin_events(batch, n_bins)


def test_audio_events_share_the_batch_layout():
    from neurosim.events import AUDIO_DTYPE, CenterCrop, bin_events

    sample = np.zeros(3, dtype=AUDIO_DTYPE)
    sample["t"] = [0, 50, 100]
    sample["x"] = [3, 63, 3]
    sample["p"] = [0, 0, 0]
    batch = EventBatch.from_samples([sample], [4], (64, 1, 1), "audio-test", modality="audio")
    assert batch.events["y"].tolist() == [0, 0, 0]
    assert batch.sample(0).dtype == AUDIO_DTYPE
    np.testing.assert_array_equal(batch.sample(0), sample)
    assert CenterCrop(16)(batch) is batch
    raster = bin_events(batch, 2)
    assert raster.shape == (1, 2, 64) and raster[0, 0, 3] == 1 and raster[0, 1, 63] == 1
    with pytest.raises(DataError, match="audio events need sensor_size"):
        EventBatch.from_samples([sample], [4], (64, 2, 1), "bad", modality="audio")
