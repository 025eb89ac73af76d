"""The conformance battery every Recording kind and view passes.

Each check compares the recording with the reference arrays of its :class:`RecordingCase`:
shapes and dtype, random windows and channel subsets, read-only results, range and id errors,
times, properties, and pickle and provenance round trips.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ..base.extractor import BaseExtractor
from ..recording.base import Recording

__all__ = ["RecordingCase", "RecordingConformance"]


@dataclass
class RecordingCase:
    """A recording under test and its reference: one full (time, channel) array per segment."""

    recording: Recording
    traces: list[np.ndarray]

    def __iter__(self) -> Iterator[object]:
        # unpacks as ``rec, full = case``, the form the checks use
        return iter((self.recording, self.traces))


class RecordingConformance:
    """The checks every Recording kind passes; subclass it and implement ``make``.

    ``make(tmp_path)`` returns a :class:`RecordingCase` (or a ``(recording, traces)`` tuple):
    the recording under test and, per segment, the full (time, channel) array it must hold,
    computed independently of the code under test. ``tmp_path`` is pytest's temporary folder,
    for kinds that read files.
    """

    def make(self, tmp_path: Path) -> RecordingCase | tuple[Recording, list[np.ndarray]]:
        """Build the recording under test and its reference."""
        raise TypeError("conformance subclasses implement make(tmp_path)")

    @pytest.fixture
    def case(self, tmp_path: Path) -> RecordingCase:
        made = self.make(tmp_path)
        if isinstance(made, RecordingCase):
            return made
        recording, traces = made
        return RecordingCase(recording, list(traces))

    def test_shapes_and_dtype(self, case):
        rec, full = case
        assert rec.get_num_segments() == len(full)
        assert rec.get_num_channels() == full[0].shape[1] == len(rec.get_channel_ids())
        for s, arr in enumerate(full):
            assert rec.get_num_samples(s) == arr.shape[0]
            assert rec.get_duration(s) == pytest.approx(arr.shape[0] / rec.get_sampling_frequency())
            traces = rec.get_traces(segment_index=s)
            assert traces.dtype == rec.get_dtype()
            assert traces.shape == arr.shape
        assert rec.get_total_samples() == sum(a.shape[0] for a in full)

    def test_windows_match_full_array(self, case):
        rec, full = case
        rng = np.random.default_rng(0)
        ids = rec.get_channel_ids()
        for s, arr in enumerate(full):
            n = arr.shape[0]
            np.testing.assert_array_equal(rec.get_traces(segment_index=s), arr)
            for _ in range(5):
                start = int(rng.integers(0, n + 1))
                end = int(rng.integers(start, n + 1))
                k = int(rng.integers(1, len(ids) + 1))
                chosen = rng.permutation(len(ids))[:k]
                got = rec.get_traces(segment_index=s, start_frame=start, end_frame=end,
                                     channel_ids=ids[chosen])
                np.testing.assert_array_equal(got, arr[start:end][:, chosen])
            got = rec.get_traces(segment_index=s, start_frame=n, end_frame=n)
            assert got.shape == (0, len(ids))

    def test_result_cannot_change_the_recording(self, case):
        rec, full = case
        traces = rec.get_traces(segment_index=0, start_frame=0, end_frame=min(5, full[0].shape[0]))
        if traces.flags.writeable:
            traces[...] = 0
        np.testing.assert_array_equal(rec.get_traces(segment_index=0), full[0])

    def test_out_of_range_frames_raise(self, case):
        rec, full = case
        n = full[0].shape[0]
        with pytest.raises(IndexError, match=str(n + 1)):
            rec.get_traces(segment_index=0, start_frame=0, end_frame=n + 1)
        with pytest.raises(IndexError, match="-1"):
            rec.get_traces(segment_index=0, start_frame=-1, end_frame=1)
        with pytest.raises(IndexError, match=str(rec.get_num_segments())):
            rec.get_traces(segment_index=rec.get_num_segments())

    def test_unknown_channel_raises(self, case):
        rec, _ = case
        bogus = "no-such-channel" if rec.get_channel_ids().dtype.kind == "U" else 10**9
        with pytest.raises(KeyError, match=str(bogus)):
            rec.get_traces(segment_index=0, start_frame=0, end_frame=1, channel_ids=[bogus])

    def test_times(self, case):
        rec, full = case
        fs = rec.get_sampling_frequency()
        for s, arr in enumerate(full):
            times = rec.get_times(s)
            assert times.shape == (arr.shape[0],)
            if arr.shape[0] > 1 and not rec.has_time_vector(s):
                np.testing.assert_allclose(np.diff(times), 1 / fs)
            if arr.shape[0]:
                assert rec.get_start_time(s) == pytest.approx(times[0])
                assert rec.get_end_time(s) == pytest.approx(times[-1])
                assert rec.time_to_sample_index(times[arr.shape[0] // 2], s) == arr.shape[0] // 2

    def test_properties(self, case):
        rec, _ = case
        n = rec.get_num_channels()
        rec.set_property("conformance_quality", np.arange(n) * 2.0)
        np.testing.assert_array_equal(rec.get_property("conformance_quality"), np.arange(n) * 2.0)
        assert "conformance_quality" in rec.get_property_keys()
        rec.delete_property("conformance_quality")
        assert "conformance_quality" not in rec.get_property_keys()

    def test_pickle_and_dict_round_trip(self, case):
        rec, full = case
        rec.set_property("round_trip", np.arange(rec.get_num_channels()))
        rec.annotate(note="kept")
        rebuilt = [pickle.loads(pickle.dumps(rec))]
        if not rec.is_in_memory():
            rebuilt.append(BaseExtractor.from_dict(rec.to_dict()))
        for copy in rebuilt:
            assert type(copy) is type(rec)
            np.testing.assert_array_equal(copy.get_channel_ids(), rec.get_channel_ids())
            np.testing.assert_array_equal(copy.get_property("round_trip"),
                                          np.arange(rec.get_num_channels()))
            assert copy.get_annotation("note") == "kept"
            for s, arr in enumerate(full):
                np.testing.assert_array_equal(copy.get_traces(segment_index=s), arr)
                np.testing.assert_array_equal(copy.get_times(s), rec.get_times(s))
