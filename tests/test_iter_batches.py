"""Reading a dataset in chunks of samples (what the pipeline streams through the reservoir)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from neurosim.data import load_dataset, sample_indices
from neurosim.data.stream import iter_batches
from neurosim.errors import DataError


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
        list(iter_batches(lambda indices: indices, np.arange(3), bad))


def test_chunks_of_dvs_digits_equal_one_shot_load():
    indices = sample_indices("dvs-digits", n_samples=60, seed=3)
    load = functools.partial(load_dataset, "dvs-digits", seed=3)
    chunks = list(iter_batches(load, indices, 16))
    whole = load_dataset("dvs-digits", n_samples=60, seed=3)
    assert [len(c) for c in chunks] == [16, 16, 16, 12]
    np.testing.assert_array_equal(np.concatenate([c.events for c in chunks]), whole.events)
    np.testing.assert_array_equal(np.concatenate([c.counts() for c in chunks]), whole.counts())
    np.testing.assert_array_equal(np.concatenate([c.labels for c in chunks]), whole.labels)
    assert all(c.is_test is None for c in chunks) and whole.is_test is None
