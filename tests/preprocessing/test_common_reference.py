"""Common reference against numpy on the full array, and its conformance as a Recording."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lazyephys as le
from lazyephys.preprocessing import common_reference
from lazyephys.preprocessing.common_reference import median_over_channels
from lazyephys.testing import RecordingConformance


def _rec(num_channels=6, seconds=0.2, dtype="float32", seed=3):
    return le.generate_recording(num_channels=num_channels, durations=[seconds, 0.1], seed=seed,
                                 dtype=dtype)


def _full(rec, segment):
    return rec.get_traces(segment_index=segment).astype(np.float32)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(1, 17)),
                  elements=st.floats(-1e4, 1e4, width=32)))
def test_fast_median_equals_numpy(values):
    np.testing.assert_array_equal(median_over_channels(values), np.median(values, axis=1))
    copy = values.copy()
    np.testing.assert_array_equal(median_over_channels(copy, overwrite=True),
                                  np.median(values, axis=1))


class TestGlobalMedianConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec()
        full = [_full(rec, s) for s in range(2)]
        return common_reference(rec), [f - np.median(f, axis=1, keepdims=True) for f in full]


class TestGroupedAverageConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec()
        groups = [["0", "2", "4"], ["1", "3", "5"]]
        expected = []
        for s in range(2):
            f = _full(rec, s)
            out = np.empty_like(f)
            for cols in ([0, 2, 4], [1, 3, 5]):
                ref = f[:, cols].mean(axis=1, dtype=np.float64).astype(np.float32)
                out[:, cols] = f[:, cols] - ref[:, None]
            expected.append(out)
        return common_reference(rec, operator="average", groups=groups), expected


class TestSingleConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec()
        groups = [["0", "1", "2"], ["3", "4", "5"]]
        expected = []
        for s in range(2):
            f = _full(rec, s)
            out = f.copy()
            out[:, :3] -= f[:, [1]]
            out[:, 3:] -= f[:, [5]]
            expected.append(out)
        rec_ref = common_reference(rec, reference="single", groups=groups,
                                   ref_channel_ids=["1", "5"])
        return rec_ref, expected


class TestLocalConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = _rec(num_channels=8)  # linear probe, 20 um pitch
        expected = []
        for s in range(2):
            f = _full(rec, s)
            out = np.empty_like(f)
            for c in range(8):
                # annulus (15, 45] um: neighbours at 20 and 40 um
                ring = [j for j in range(8) if 15 < abs(j - c) * 20 <= 45]
                out[:, c] = f[:, c] - np.median(f[:, ring], axis=1)
            expected.append(out)
        return common_reference(rec, reference="local", local_radius=(15, 45)), expected


def test_int16_input_stays_int16_rounded_and_float32_on_request():
    rec = _rec(dtype="int16")
    f = rec.get_traces(segment_index=0)
    expected = f.astype(np.float32) - np.median(f.astype(np.float32), axis=1, keepdims=True)
    as_float = common_reference(rec, dtype="float32")
    assert as_float.get_dtype() == np.float32
    np.testing.assert_array_equal(as_float.get_traces(segment_index=0), expected)
    kept = common_reference(rec)  # SpikeInterface's default: the input's dtype
    assert kept.get_dtype() == np.int16
    np.testing.assert_array_equal(kept.get_traces(segment_index=0),
                                  np.rint(expected).astype(np.int16))
    unsigned = le.NumpyRecording(np.zeros((10, 3), "uint16"), 1000.0)
    with pytest.raises(ValueError, match="uint16"):
        common_reference(unsigned)
    assert common_reference(unsigned, dtype="float32").get_dtype() == np.float32


def test_bad_references_name_the_values():
    rec = _rec()
    with pytest.raises(KeyError, match="nope"):
        common_reference(rec, reference="single", ref_channel_ids=["nope"])
    with pytest.raises(ValueError, match="ref_channel_ids"):
        common_reference(rec, reference="single")
    with pytest.raises(ValueError, match=r"\['5'\]"):
        common_reference(rec, groups=[["0", "1", "2"], ["3", "4"]])
    with pytest.raises(ValueError, match="exactly one group"):
        common_reference(rec, groups=[["0", "1", "2"], ["2", "3", "4", "5"]])
    with pytest.raises(KeyError, match="x9"):
        common_reference(rec, groups=[["0", "1", "2"], ["3", "4", "5", "x9"]])
    with pytest.raises(ValueError, match="2 groups"):
        common_reference(rec, reference="single", groups=[["0", "1", "2"], ["3", "4", "5"]],
                         ref_channel_ids=["0", "1", "2"])
    with pytest.raises(ValueError, match="'mode'"):
        common_reference(rec, operator="mode")
    with pytest.raises(ValueError, match="widen"):
        common_reference(rec, reference="local", local_radius=(100, 200))
    no_probe = le.generate_recording(num_channels=3, durations=[0.1], set_probe=False)
    with pytest.raises(ValueError, match="locations"):
        common_reference(no_probe, reference="local")
