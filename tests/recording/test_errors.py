"""Bad input raises errors that name the offending value and what was valid."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le


@pytest.fixture
def rec():
    data = np.arange(200 * 3, dtype="int16").reshape(200, 3)
    return le.NumpyRecording([data], 1000.0, channel_ids=["a", "b", "c"])


@pytest.fixture
def two_segments():
    return le.NumpyRecording([np.zeros((10, 2), "int16"), np.zeros((5, 2), "int16")], 1000.0)


def test_unknown_channel_id_names_it_and_the_valid_ones(rec):
    with pytest.raises(KeyError, match=r"'z'.*'a', 'b', 'c'"):
        rec.get_traces(channel_ids=["a", "z"])
    with pytest.raises(KeyError, match="'z'"):
        rec.select_channels(["z"])


def test_single_string_is_not_a_list_of_ids(rec):
    with pytest.raises(TypeError, match="'ab'"):
        rec.select_channels("ab")
    with pytest.raises(TypeError, match="'abc'"):
        rec.rename_channels("abc")


def test_duplicate_ids(rec):
    with pytest.raises(ValueError, match="duplicates.*'a'"):
        rec.select_channels(["a", "a"])
    with pytest.raises(ValueError, match="duplicates.*'x'"):
        rec.rename_channels(["x", "y", "x"])


def test_rename_of_wrong_length(rec):
    with pytest.raises(ValueError, match="2 new_channel_ids given for 3 channels"):
        rec.rename_channels(["x", "y"])


def test_mixed_id_types_refused():
    with pytest.raises(TypeError, match="all str or all int"):
        le.NumpyRecording([np.zeros((4, 2))], 10.0, channel_ids=["a", 1])


@pytest.mark.parametrize(
    ("start", "end", "pattern"),
    [(-1, 5, "start_frame -1 is negative"), (10, 5, "start_frame 10 is greater than end_frame 5"),
     (0, 201, "end_frame 201 is past the end of the segment \\(200 samples\\)")],
)
def test_frames_out_of_range(rec, start, end, pattern):
    with pytest.raises(IndexError, match=pattern):
        rec.get_traces(start_frame=start, end_frame=end)


def test_frame_slice_out_of_range(rec):
    with pytest.raises(IndexError, match="end_frame 300"):
        rec.frame_slice(0, 300)


def test_non_integer_frame(rec):
    with pytest.raises(ValueError, match="0.5"):
        rec.get_traces(start_frame=0.5, end_frame=10)
    assert rec.get_traces(start_frame=2.0, end_frame=4.0).shape == (2, 3)  # integral floats ok


def test_segment_index(two_segments):
    with pytest.raises(IndexError, match="segment_index is required.*2 segments"):
        two_segments.get_traces()
    with pytest.raises(IndexError, match="segment_index 2 is out of range.*0..1"):
        two_segments.get_traces(segment_index=2)
    with pytest.raises(IndexError, match="required"):
        two_segments.get_duration()
    assert two_segments.get_num_samples(1) == 5


@pytest.mark.parametrize("freq", [0, -30000.0, float("inf"), float("nan")])
def test_bad_sampling_frequency(freq):
    with pytest.raises(ValueError,
                       match="sampling_frequency must be (positive and finite|a finite number)"):
        le.NumpyRecording([np.zeros((4, 2))], freq)


def test_concatenate_mismatches_are_checked_at_build():
    a = le.NumpyRecording([np.zeros((4, 2), "int16")], 1000.0, channel_ids=["x", "y"])
    with pytest.raises(ValueError, match="2000.0 Hz, recording 0 has 1000.0 Hz"):
        le.concatenate_recordings([a, le.NumpyRecording([np.zeros((4, 2), "int16")], 2000.0,
                                                        channel_ids=["x", "y"])])
    with pytest.raises(ValueError, match="dtype float32, recording 0 has int16"):
        le.concatenate_recordings([a, le.NumpyRecording([np.zeros((4, 2), "float32")], 1000.0,
                                                        channel_ids=["x", "y"])])
    with pytest.raises(ValueError, match="3 channels, recording 0 has 2"):
        le.concatenate_recordings([a, le.NumpyRecording([np.zeros((4, 3), "int16")], 1000.0)])
    with pytest.raises(ValueError, match="channel id 'z' at position 1 where recording 0 has 'y'"):
        le.concatenate_recordings([a, a.rename_channels(["x", "z"])])


def test_aggregate_mismatches_are_checked_at_build():
    a = le.NumpyRecording([np.zeros((4, 2), "int16")], 1000.0, channel_ids=["x", "y"])
    with pytest.raises(ValueError, match="2000.0 Hz"):
        le.aggregate_channels([a, le.NumpyRecording([np.zeros((4, 1), "int16")], 2000.0)])
    with pytest.raises(ValueError, match="dtype float64"):
        le.aggregate_channels([a, le.NumpyRecording([np.zeros((4, 1))], 1000.0)])
    with pytest.raises(ValueError, match="2 segments, recording 0 has 1"):
        two = le.NumpyRecording([np.zeros((4, 1), "int16")] * 2, 1000.0)
        le.aggregate_channels([a, two])
    with pytest.raises(ValueError, match="5 samples in segment 0, recording 0 has 4"):
        le.aggregate_channels([a, le.NumpyRecording([np.zeros((5, 1), "int16")], 1000.0)])


def test_aggregate_id_collision_warns_and_renumbers_in_input_order():
    a = le.NumpyRecording([np.zeros((4, 2), "int16")], 1000.0, channel_ids=["x", "y"])
    b = le.NumpyRecording([np.ones((4, 2), "int16")], 1000.0, channel_ids=["y", "z"])
    with pytest.warns(UserWarning, match=r"\['y'\]"):
        agg = le.aggregate_channels([a, b])
    assert agg.get_channel_ids().tolist() == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(agg.get_traces(channel_ids=["2", "3"]), np.ones((4, 2)))
    with pytest.warns(UserWarning, match=r"\[0, 1\]"):
        agg = le.aggregate_channels({"p": le.NumpyRecording([np.zeros((4, 2))], 10.0),
                                     "q": le.NumpyRecording([np.zeros((4, 3))], 10.0)})
    assert agg.get_channel_ids().tolist() == [0, 1, 2, 3, 4]
    named = le.aggregate_channels([a, b], renamed_channel_ids=["p", "q", "r", "s"])
    assert named.get_channel_ids().tolist() == ["p", "q", "r", "s"]


def _raw(tmp_path, nbytes):
    path = tmp_path / "data.raw"
    path.write_bytes(b"\x01" * nbytes)
    return path


def test_truncated_binary_file_names_file_and_sizes(tmp_path):
    path = _raw(tmp_path, 4 * 2 * 10 + 3)
    with pytest.raises(ValueError, match=rf"{path.name}.*83 bytes.*frames of 8 bytes"):
        le.BinaryRecordingExtractor(path, 1000.0, "int16", 4)


def test_binary_num_channels_not_dividing_the_file(tmp_path):
    path = _raw(tmp_path, 2 * 10)  # 10 int16 values
    with pytest.raises(ValueError, match="frames of 6 bytes"):
        le.BinaryRecordingExtractor(path, 1000.0, "int16", 3)


def test_binary_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.raw"):
        le.BinaryRecordingExtractor(tmp_path / "nothing.raw", 1000.0, "int16", 3)


def test_probe_with_wrong_contact_count(rec):
    from probeinterface import generate_linear_probe

    probe = generate_linear_probe(num_elec=4)
    probe.set_device_channel_indices(np.arange(4))
    with pytest.raises(ValueError, match="4 contacts but the recording has 3 channels"):
        rec.set_probe(probe)


def test_time_slice_past_the_end_names_time_and_duration(rec):
    with pytest.raises(IndexError, match=r"end_time 0.5 s.*duration 0.2 s"):
        rec.time_slice(0.0, 0.5)


def test_get_traces_result_is_read_only_or_a_copy(rec, tmp_path):
    traces = rec.get_traces()  # in memory: a writable copy, as SpikeInterface gives
    traces[0, 0] = 1
    assert rec.get_traces()[0, 0] == 0
    mapped = rec.save(folder=tmp_path / "saved").get_traces()  # memory-mapped: read-only
    with pytest.raises(ValueError, match="read-only"):
        mapped[0, 0] = 1


@pytest.mark.parametrize("method", ["select_channels", "remove_channels"])
def test_selecting_channels_by_none_is_refused_naming_the_argument(method):
    rec = le.generate_recording(num_channels=3, durations=[0.1])
    with pytest.raises(TypeError, match="channel_ids must be a list of ids, got None"):
        getattr(rec, method)(None)
