"""Pairing two datasets by label (zero-shot across modalities)."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.data import pair_by_label
from neurosim.errors import DataError


def test_pairs_share_labels_and_cover_a():
    a = np.array([3, 1, 1, 2, 3, 3, 1])
    b = np.array([1, 2, 3, 3, 1, 2, 1, 3, 3])
    ia, ib = pair_by_label(a, b, np.random.default_rng(0))
    assert ia.dtype == ib.dtype == np.int64 and len(ia) == len(ib) == len(a)
    assert ia.tolist() == list(range(len(a)))
    assert np.array_equal(a[ia], b[ib])


def test_b_samples_used_once_while_they_last():
    a = np.zeros(4, dtype=np.int64)
    b = np.array([0, 0, 0, 0, 0, 0])
    _, ib = pair_by_label(a, b, np.random.default_rng(1))
    assert len(set(ib.tolist())) == 4  # enough in B: no repeats
    a = np.zeros(7, dtype=np.int64)
    b = np.array([5, 0, 5, 0, 0])
    _, ib = pair_by_label(a, b, np.random.default_rng(1))
    assert set(ib.tolist()) == {1, 3, 4}  # fewer in B: all used, then resampled


def test_deterministic_from_the_generator():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 4, 50), rng.integers(0, 4, 30)
    first = pair_by_label(a, b, np.random.default_rng(9))
    again = pair_by_label(a, b, np.random.default_rng(9))
    other = pair_by_label(a, b, np.random.default_rng(10))
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    assert not np.array_equal(first[1], other[1])


def test_classes_restrict_the_pairs():
    a = np.array([0, 1, 2, 1, 0, 2])
    b = np.array([2, 1, 0])
    ia, ib = pair_by_label(a, b, np.random.default_rng(0), classes=[1, 2])
    assert ia.tolist() == [1, 2, 3, 5] and b[ib].tolist() == [1, 2, 1, 2]


def test_a_class_missing_in_b_is_an_error():
    with pytest.raises(DataError, match=r"class\(es\) \[2\] have no sample in dataset B"):
        pair_by_label(np.array([0, 1, 2]), np.array([0, 1]), np.random.default_rng(0))
    with pytest.raises(DataError, match="no sample in dataset A"):
        pair_by_label(np.array([0, 1]), np.array([0, 1, 2]), np.random.default_rng(0), classes=[2])


def test_bad_inputs_are_errors():
    with pytest.raises(DataError, match="1-D integer"):
        pair_by_label(np.array([0.5]), np.array([0]), np.random.default_rng(0))
    with pytest.raises(DataError, match="numpy.random.Generator"):
        pair_by_label(np.array([0]), np.array([0]), 0)
