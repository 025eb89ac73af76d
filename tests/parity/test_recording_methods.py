"""SpikeInterface's recording methods: each against a numpy reference or a value by hand."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le

from .conftest import run_spikeinterface


@pytest.fixture
def rec():
    return le.generate_recording(num_channels=4, durations=[1.0, 0.5], seed=3)


def test_shape_frames_memory(rec):
    assert rec.get_num_frames(1) == 15000 == rec.get_num_samples(1)
    assert rec.get_shape(0) == (30000, 4)
    assert rec.get_total_memory_size() == (30000 + 15000) * 4 * 4


def test_get_data_is_get_traces(rec):
    np.testing.assert_array_equal(
        rec.get_data(10, 50, segment_index=1, channel_ids=["2", "0"]),
        rec.get_traces(segment_index=1, start_frame=10, end_frame=50)[:, [2, 0]],
    )


def test_channel_property_and_filtered_and_name(rec):
    rec.set_property("quality", np.array(["a", "b", "c", "d"]))
    assert rec.get_channel_property("2", "quality") == "c"
    with pytest.raises(KeyError):
        rec.get_channel_property("2", "missing")
    assert rec.is_filtered() is False
    rec.annotate(is_filtered=True)
    assert rec.is_filtered() is True
    assert rec.name == "NoiseGeneratorRecording"
    rec.name = "probe A"
    assert rec.name == "probe A" and rec.get_annotation("name") == "probe A"
    rec.name = None
    assert rec.name == "NoiseGeneratorRecording"


def test_ids_to_indices(rec):
    assert rec.id_to_index("3") == 3
    np.testing.assert_array_equal(rec.ids_to_indices(["3", "1"]), [3, 1])
    np.testing.assert_array_equal(rec.ids_to_indices(), np.arange(4))
    assert rec.ids_to_indices(prefer_slice=True) == slice(None)
    assert rec.ids_to_indices(["1", "2"], prefer_slice=True) == slice(1, 3)
    np.testing.assert_array_equal(rec.ids_to_indices(["2", "1"], prefer_slice=True), [2, 1])
    with pytest.raises(KeyError, match="'9'"):
        rec.id_to_index("9")


def test_parent_and_clone(rec):
    view = rec.select_channels(["1", "2"])
    assert view.get_parent() is rec
    assert le.concatenate_recordings([rec, rec]).get_parent() is None
    assert rec.get_parent() is None
    twin = view.clone()
    assert twin is not view and type(twin) is type(view)
    np.testing.assert_array_equal(twin.get_traces(segment_index=0),
                                  view.get_traces(segment_index=0))
    memory = le.NumpyRecording([np.arange(12, dtype="int16").reshape(6, 2)], 100.0)
    copy = memory.clone()
    np.testing.assert_array_equal(copy.get_traces(), memory.get_traces())


def test_astype_rounds_and_keeps_values(rec):
    cast = rec.astype("int16")
    assert cast.get_dtype() == np.int16
    reference = np.rint(rec.get_traces(segment_index=0)).astype(np.int16)
    np.testing.assert_array_equal(cast.get_traces(segment_index=0), reference)
    truncated = rec.astype("int16", round=False).get_traces(segment_index=0)
    np.testing.assert_array_equal(truncated, rec.get_traces(segment_index=0).astype(np.int16))


def test_dump_writes_json_only(rec, tmp_path):
    rec.dump(tmp_path / "rec.json")
    again = le.load(tmp_path / "rec.json")
    np.testing.assert_array_equal(again.get_traces(segment_index=1),
                                  rec.get_traces(segment_index=1))
    with pytest.raises(ValueError, match=r"\.json"):
        rec.dump(tmp_path / "rec.pkl")


def test_probes_and_dummy_probe(rec):
    assert len(rec.get_probes()) == 1
    bare = le.generate_recording(num_channels=3, durations=[0.1], set_probe=False)
    locations = np.array([[0.0, 40.0], [10.0, 0.0], [0.0, 20.0]])
    bare.set_dummy_probe_from_locations(locations)
    np.testing.assert_array_equal(bare.get_channel_locations(), locations)
    assert bare.get_probe().contact_shapes.tolist() == ["circle"] * 3
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        bare.set_dummy_probe_from_locations(locations[:2])


def test_reset_and_shift_times(rec):
    rec.shift_times(2.0)
    assert rec.get_start_time(0) == 2.0 and rec.get_start_time(1) == 2.0
    rec.shift_times(-0.5, segment_index=1)
    assert rec.get_start_time(1) == 1.5
    np.testing.assert_allclose(rec.get_times(1), 1.5 + np.arange(15000) / 30000.0)
    times = np.arange(15000) / 30000.0 + 7.0
    rec.set_times(times, segment_index=1)
    rec.shift_times(1.0, segment_index=1)
    np.testing.assert_allclose(rec.get_times(1), times + 1.0)
    info = rec.get_time_info(1)
    assert info["t_start"] is None and info["sampling_frequency"] == 30000.0
    np.testing.assert_allclose(info["time_vector"], times + 1.0)
    assert rec.get_time_info(0) == {"sampling_frequency": 30000.0, "t_start": 2.0,
                                    "time_vector": None}
    rec.reset_times()
    assert not rec.has_time_vector(1)
    assert rec.get_start_time(0) == 0.0 == rec.get_start_time(1)
    # times set after construction are provenance state: a rebuilt object has them
    rec.shift_times(3.0)
    assert rec.clone().get_start_time(1) == 3.0


def test_binary_compatibility(tmp_path):
    data = np.arange(60, dtype="int16").reshape(20, 3)
    data.tofile(tmp_path / "a.raw")
    raw = le.read_binary(tmp_path / "a.raw", 1000.0, "int16", num_channels=3, file_offset=0)
    assert raw.is_binary_compatible()
    assert raw.get_binary_description() == {
        "file_paths": [str(tmp_path / "a.raw")], "dtype": "<i2", "num_channels": 3,
        "time_axis": 0, "file_offset": 0,
    }
    assert not raw.select_channels([0, 1]).is_binary_compatible()
    transposed = le.read_binary(tmp_path / "a.raw", 1000.0, "int16", num_channels=3,
                                time_axis=1)
    assert not transposed.is_binary_compatible()
    generated = le.generate_recording(durations=[0.1])
    assert not generated.is_binary_compatible()
    with pytest.raises(ValueError, match="not binary compatible"):
        generated.get_binary_description()
    saved = raw.save(folder=tmp_path / "saved")
    assert saved.is_binary_compatible()
    np.testing.assert_array_equal(
        np.fromfile(saved.get_binary_description()["file_paths"][0], "int16").reshape(20, 3),
        data)


def test_aliases_of_the_bases():
    rec = le.generate_recording(durations=[0.1])
    sorting = le.generate_sorting(durations=[0.1])
    assert isinstance(rec, le.BaseRecording) and isinstance(sorting, le.BaseSorting)
    assert isinstance(rec.get_segment(0), le.BaseRecordingSegment)
    assert isinstance(sorting.get_segment(0), le.BaseSortingSegment)
    from lazyephys.core import BaseRecording, BaseSorting

    assert BaseRecording is le.Recording and BaseSorting is le.Sorting


SI_RECORDING = """
import json, numpy as np
import spikeinterface.core as sc
rec = sc.NumpyRecording([np.arange(40, dtype="float32").reshape(10, 4)], 1000.0,
                        channel_ids=["a", "b", "c", "d"])
rec.shift_times(2.0)
piece = rec.ids_to_indices(["b", "c"], prefer_slice=True)
print(json.dumps({
    "shape": list(rec.get_shape()), "frames": rec.get_num_frames(),
    "memory": rec.get_total_memory_size(), "name": rec.name,
    "filtered": rec.is_filtered(), "slice": [int(piece.start), int(piece.stop)],
    "time_info": {k: v for k, v in rec.get_time_info().items() if k != "time_vector"},
    "data": rec.get_data(2, 5).tolist(),
}))
"""


def test_recording_methods_as_spikeinterface():
    theirs = run_spikeinterface(SI_RECORDING)
    rec = le.NumpyRecording([np.arange(40, dtype="float32").reshape(10, 4)], 1000.0,
                            channel_ids=["a", "b", "c", "d"])
    rec.shift_times(2.0)
    assert list(rec.get_shape()) == theirs["shape"]
    assert rec.get_num_frames() == theirs["frames"]
    assert rec.get_total_memory_size() == theirs["memory"]
    assert rec.is_filtered() == theirs["filtered"]
    ours = rec.ids_to_indices(["b", "c"], prefer_slice=True)
    assert [ours.start, ours.stop] == theirs["slice"]
    assert rec.get_time_info()["t_start"] == theirs["time_info"]["t_start"]
    assert rec.get_data(2, 5).tolist() == theirs["data"]


SI_TIME_INFO = """
import json
import spikeinterface.core as sc
rec = sc.generate_recording(num_channels=2, durations=[2.0])
cases = {"fresh": rec, "slice": rec.frame_slice(100, 2000)}
shifted = sc.generate_recording(num_channels=2, durations=[2.0])
shifted.shift_times(1.5)
cases["shifted"] = shifted
cases["shifted slice"] = shifted.frame_slice(100, 2000)
cases["channels"] = rec.select_channels([rec.channel_ids[0]])
cases["concatenated"] = sc.concatenate_recordings([rec, rec])
reset = sc.generate_recording(num_channels=2, durations=[2.0])
reset.shift_times(2.0)
reset.reset_times()
cases["reset"] = reset
print(json.dumps({name: r.get_time_info()["t_start"] for name, r in cases.items()}))
"""


def test_time_info_t_start_as_spikeinterface():
    theirs = run_spikeinterface(SI_TIME_INFO)
    rec = le.generate_recording(num_channels=2, durations=[2.0])
    shifted = le.generate_recording(num_channels=2, durations=[2.0])
    shifted.shift_times(1.5)
    reset = le.generate_recording(num_channels=2, durations=[2.0])
    reset.shift_times(2.0)
    reset.reset_times()
    ours = {
        "fresh": rec, "slice": rec.frame_slice(100, 2000), "shifted": shifted,
        "shifted slice": shifted.frame_slice(100, 2000),
        "channels": rec.select_channels([rec.channel_ids[0]]),
        "concatenated": le.concatenate_recordings([rec, rec]), "reset": reset,
    }
    for name, recording in ours.items():
        expected = theirs[name]
        got = recording.get_time_info()["t_start"]
        assert (got is None) == (expected is None), name
        if expected is not None:
            assert got == pytest.approx(expected), name


def test_time_info_round_trips_as_constructor_arguments():
    rec = le.generate_recording(num_channels=2, durations=[1.0, 1.0])
    rec.shift_times(0.25, segment_index=1)
    assert rec.get_time_info(0)["t_start"] is None  # starts at 0 s: SpikeInterface's "unset"
    assert rec.get_time_info(1)["t_start"] == 0.25
    one = le.generate_recording(num_channels=2, durations=[1.0], sampling_frequency=30000.0)
    assert one.frame_slice(300, 600).get_time_info()["t_start"] == pytest.approx(0.01)


def test_in_memory_traces_are_writable_copies_shared_memory_read_only():
    data = np.arange(20, dtype="float32").reshape(10, 2)
    rec = le.NumpyRecording([data], 100.0)
    traces = rec.get_traces(start_frame=2, end_frame=6)
    assert traces.flags.writeable  # as SpikeInterface's NumpyRecording
    traces[:] = -1  # changing it never changes the recording
    np.testing.assert_array_equal(rec.get_traces(), data)
    assert rec.get_traces(channel_ids=[1]).flags.writeable
    shared = rec.save_to_memory(sharedmem=True)
    assert not shared.get_traces().flags.writeable  # as SpikeInterface's shared memory


def test_a_recording_written_the_spikeinterface_way_works():
    """A subclass as SpikeInterface users write them: BaseRecordingSegment.__init__ with
    sampling_frequency/t_start, get_num_samples(), add_recording_segment."""

    class MySegment(le.BaseRecordingSegment):
        def __init__(self, data, sampling_frequency, t_start=None):
            le.BaseRecordingSegment.__init__(self, sampling_frequency=sampling_frequency,
                                             t_start=t_start)
            self._data = data

        def get_num_samples(self):
            return self._data.shape[0]

        def get_traces(self, start_frame, end_frame, channel_indices):
            return self._data[start_frame:end_frame, channel_indices]

    class MyRecording(le.BaseRecording):
        def __init__(self, data, sampling_frequency):
            le.BaseRecording.__init__(self, sampling_frequency,
                                      [f"c{i}" for i in range(data.shape[1])], data.dtype)
            self.add_recording_segment(MySegment(data, sampling_frequency, t_start=3.0))

    data = np.arange(40, dtype="int16").reshape(10, 4)
    rec = MyRecording(data, 100.0)
    assert rec.get_num_samples() == 10 and rec.get_start_time() == 3.0
    np.testing.assert_array_equal(rec.get_traces(channel_ids=["c2", "c0"]), data[:, [2, 0]])
    np.testing.assert_array_equal(rec.frame_slice(2, 5).get_traces(), data[2:5])
    np.testing.assert_array_equal(rec.save_to_memory().get_traces(), data)

    class Incomplete(le.BaseRecordingSegment):
        def get_traces(self, start_frame, end_frame, channel_indices):
            raise AssertionError("never read")

    with pytest.raises(NotImplementedError, match="get_num_samples"):
        MyRecording(data, 100.0).add_recording_segment(Incomplete())
