"""The assert helpers pass on equal objects and fail, saying where, on each difference."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys.testing import assert_recordings_equal, assert_sortings_equal, reference_spike_vector


def _rec(values=None):
    traces = np.arange(40, dtype="float32").reshape(10, 4) if values is None else values
    return le.NumpyRecording([traces], 100.0, channel_ids=["a", "b", "c", "d"])


def test_equal_recordings_pass_in_small_chunks():
    assert_recordings_equal(_rec(), _rec(), chunk_size=3)


def test_a_changed_sample_fails_naming_the_frames():
    changed = np.arange(40, dtype="float32").reshape(10, 4)
    changed[7, 2] += 1
    with pytest.raises(AssertionError, match="frames 6-9"):
        assert_recordings_equal(_rec(), _rec(changed), chunk_size=3)


def test_recording_metadata_differences_fail():
    other = _rec()
    other.set_property("gain", np.ones(4))
    with pytest.raises(AssertionError, match="property keys"):
        assert_recordings_equal(_rec(), other)
    assert_recordings_equal(_rec(), other, check_properties=False)
    with pytest.raises(AssertionError, match="channel ids"):
        assert_recordings_equal(_rec(), _rec().rename_channels(["w", "x", "y", "z"]))
    with pytest.raises(AssertionError, match="dtypes"):
        assert_recordings_equal(_rec(), _rec(np.arange(40, dtype="float64").reshape(10, 4)))


def test_sortings():
    sorting = le.NumpySorting.from_unit_dict([{"a": np.array([1, 5]), "b": np.array([2])}], 100.0)
    assert_sortings_equal(sorting, sorting.select_units(["a", "b"]))
    with pytest.raises(AssertionError, match="unit ids"):
        assert_sortings_equal(sorting, sorting.select_units(["b", "a"]))
    with pytest.raises(AssertionError, match="spike vectors"):
        assert_sortings_equal(sorting, sorting.frame_slice(2, 6).rename_units(["a", "b"]))


def test_reference_spike_vector_orders_by_segment_frame_unit():
    vector = reference_spike_vector([{"x": [4, 1]}, {"y": [0], "x": [0]}], ["x", "y"])
    assert vector.tolist() == [(1, 0, 0), (4, 0, 0), (0, 0, 1), (0, 1, 1)]
