"""Pieces of the classify task: durations, splits, input rasters."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import DataError
from neurosim.events import VISION_DTYPE, EventBatch, to_raster
from neurosim.tasks.classify import split_indices
from neurosim.tasks.pipeline import sample_durations


def events(ts, xs=None):
    out = np.zeros(len(ts), dtype=VISION_DTYPE)
    out["t"] = ts
    out["x"] = xs if xs is not None else 0
    out["y"] = 17  # inside the default 16x16 centre crop of a 34x34 sensor
    return out


def test_sample_durations_handle_empty_and_unsorted_samples():
    batch = EventBatch.from_samples([events([5, 1000, 300]), events([]), events([7])],
                                    labels=[0, 1, 0], sensor_size=(34, 34, 2), name="t")
    assert sample_durations(batch).tolist() == [995e-6, 0.0, 0.0]


def test_split_uses_the_official_split_when_present():
    samples = [events([1, 2])] * 4
    batch = EventBatch.from_samples(samples, labels=[0, 1, 0, 1], sensor_size=(34, 34, 2),
                                    name="t", is_test=np.array([False, True, False, False]))
    train, test = split_indices(batch, load_config())
    assert train.tolist() == [0, 2, 3] and test.tolist() == [1]


def test_random_split_is_stratified_and_seeded():
    labels = np.repeat(np.arange(4), 10)
    batch = EventBatch.from_samples([events([1, 2])] * 40, labels=labels,
                                    sensor_size=(34, 34, 2), name="t")
    config = load_config(overrides=["run.test_fraction=0.25"])
    train, test = split_indices(batch, config)
    assert len(test) == 10 and sorted(np.bincount(labels[test])) == [2, 2, 3, 3]
    again = split_indices(batch, config)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    other = split_indices(batch, load_config(overrides=["run.test_fraction=0.25", "run.seed=1"]))
    assert not np.array_equal(test, other[1])


def test_too_few_samples_to_split():
    batch = EventBatch.from_samples([events([1, 2])] * 3, labels=[0, 1, 1],
                                    sensor_size=(34, 34, 2), name="t")
    with pytest.raises(DataError, match="too few to split"):
        split_indices(batch, load_config())


def test_to_raster_binarises_counts():
    # Two events on the same pixel and bin → one input spike.
    batch = EventBatch.from_samples([events([0, 1, 99], xs=[17, 17, 17])], labels=[0],
                                    sensor_size=(34, 34, 2), name="t")
    raster = to_raster(batch, load_config(overrides=["input.n_bins=2"]).input)
    assert raster.dtype == bool and raster.shape == (1, 2, 256)
    assert raster.sum() == 2
