"""Neo readers: files neo reads, compared with what was written and with neo itself."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.extractors.buffers import MappedSegment
from lazyephys.extractors.neo_recording import NeoChunkSegment
from lazyephys.testing import RecordingCase, RecordingConformance, SortingCase, SortingConformance

neo = pytest.importorskip("neo")


def _raw_file(folder, num_samples=1200, num_channels=5, seed=0):
    traces = np.random.default_rng(seed).integers(-3000, 3000, (num_samples, num_channels))
    traces = traces.astype("int16")
    path = folder / "signal.raw"
    header = b"\x07" * 16
    path.write_bytes(header + traces.tobytes())
    return path, traces


def _open_raw(path, **kw):
    return le.read_neo_recording("rawbinarysignal", filename=path, dtype="int16",
                                 sampling_rate=2000.0, nb_channel=5, bytesoffset=16, **kw)


class TestRawBinaryConformance(RecordingConformance):
    def make(self, tmp_path):
        path, traces = _raw_file(tmp_path)
        return RecordingCase(_open_raw(path), [traces])


class TestExampleConformance(RecordingConformance):
    """neo's example reader has no buffer description: windows go through neo's chunks."""

    def make(self, tmp_path):
        rec = le.read_neo_recording("example", filename="x.fake", stream_id="0", block_index=1)
        reader = neo.rawio.ExampleRawIO(filename="x.fake")
        reader.parse_header()
        full = [reader.get_analogsignal_chunk(1, s, None, None, 0)
                for s in range(reader.segment_count(1))]
        return RecordingCase(rec, [np.asarray(a) for a in full])


def test_buffer_description_maps_the_file(tmp_path):
    path, traces = _raw_file(tmp_path)
    rec = _open_raw(path, signal_gain=0.5, signal_offset=-3.0)
    assert isinstance(rec.get_segment(0), MappedSegment)
    np.testing.assert_array_equal(rec.get_traces(start_frame=10, end_frame=20), traces[10:20])
    # rawbinarysignal declares no unit: the physical scaling is kept, no gain to uV invented
    np.testing.assert_allclose(rec.get_property("gain_to_physical_unit"), 0.5)
    np.testing.assert_allclose(rec.get_property("offset_to_physical_unit"), -3.0)
    assert not rec.has_scaleable_traces()
    assert rec.get_sampling_frequency() == 2000.0
    assert rec.get_channel_ids().tolist() == ["0", "1", "2", "3", "4"]


def test_example_streams_blocks_segments_and_gains():
    names, ids = le.get_neo_streams("example", filename="x.fake")
    assert (names, ids) == (["stream 0", "stream 1"], ["0", "1"])
    assert le.get_neo_num_blocks("example", filename="x.fake") == 2
    rec = le.read_neo_recording("example", filename="x.fake", stream_name="stream 0",
                                block_index=0)
    assert isinstance(rec.get_segment(0), NeoChunkSegment)
    reader = neo.rawio.ExampleRawIO(filename="x.fake")
    reader.parse_header()
    channels = reader.header["signal_channels"]
    channels = channels[channels["stream_id"] == "0"]
    assert rec.get_num_segments() == reader.segment_count(0)
    # neo's units are uV here: gains to uV are neo's gains
    np.testing.assert_allclose(rec.get_channel_gains(), channels["gain"])
    np.testing.assert_allclose(rec.get_channel_offsets(), channels["offset"])
    for seg in range(rec.get_num_segments()):
        assert rec.get_start_time(seg) == pytest.approx(reader.get_signal_t_start(0, seg, 0))
    named = le.read_neo_recording("example", filename="x.fake", stream_id="0", block_index=0,
                                  use_names_as_ids=True)
    assert named.get_channel_ids().tolist() == [str(n) for n in channels["name"]]
    scaled = rec.get_traces(segment_index=0, start_frame=5, end_frame=9, return_in_uV=True)
    raw = reader.get_analogsignal_chunk(0, 0, 5, 9, 0)
    np.testing.assert_allclose(
        scaled, reader.rescale_signal_raw_to_float(raw, dtype="float32", stream_index=0),
        rtol=1e-6)


def test_bad_input_names_the_value(tmp_path):
    with pytest.raises(le.UnknownFormatError, match="'nosuch'.*spikeglx"):
        le.read_neo_recording("nosuch", filename="x")
    with pytest.raises(KeyError, match=r"'7'.*'0' \(stream 0\)"):
        le.read_neo_recording("example", filename="x.fake", stream_id="7", block_index=0)
    with pytest.raises(ValueError, match="several streams"):
        le.read_neo_recording("example", filename="x.fake", block_index=0)
    with pytest.raises(ValueError, match="2 neo blocks"):
        le.read_neo_recording("example", filename="x.fake", stream_id="0")
    with pytest.raises(FileNotFoundError, match="missing.raw"):
        le.read_neo_recording("rawbinarysignal", filename=tmp_path / "missing.raw")


def test_chain_round_trips_json_pickle_and_workers(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path, traces = _raw_file(data)
    chain = _open_raw(path).select_channels(["3", "1"]).frame_slice(100, 900)
    chain.dump_to_json(data / "chain.json", relative_to=True)
    moved = tmp_path / "moved"
    shutil.move(data, moved)
    reloaded = le.load(moved / "chain.json")
    np.testing.assert_array_equal(reloaded.get_traces(), traces[100:900][:, [3, 1]])
    again = pickle.loads(pickle.dumps(reloaded))
    np.testing.assert_array_equal(again.get_traces(), traces[100:900][:, [3, 1]])
    saved = reloaded.save(folder=tmp_path / "saved", n_jobs=2, chunk_size=100)
    np.testing.assert_array_equal(saved.get_traces(), traces[100:900][:, [3, 1]])


def _phy_folder(folder, seed=3):
    rng = np.random.default_rng(seed)
    folder.mkdir()
    times = np.sort(rng.integers(0, 90000, 400)).astype("int64")
    clusters = rng.integers(0, 4, 400).astype("int64")
    np.save(folder / "spike_times.npy", times)
    np.save(folder / "spike_clusters.npy", clusters)
    np.save(folder / "spike_templates.npy", clusters)
    (folder / "params.py").write_text(
        "dat_path = 'x.bin'\nn_channels_dat = 4\ndtype = 'int16'\noffset = 0\n"
        "sample_rate = 30000.0\nhp_filtered = False\n")
    return times, clusters


class TestPhySorting(SortingConformance):
    def make(self, tmp_path):
        times, clusters = _phy_folder(tmp_path / "phy")
        sorting = le.read_neo_sorting("phy", sampling_frequency=30000.0,
                                      dirname=tmp_path / "phy")
        # phy's spike channel ids are the cluster numbers
        trains = {str(c): np.sort(times[clusters == c]) for c in range(4)}
        return SortingCase(sorting, [trains], [None], unit_ids=["0", "1", "2", "3"])


def test_sorting_frames_against_neo_times():
    sorting = le.read_neo_sorting("example", filename="x.fake", block_index=0)
    reader = neo.rawio.ExampleRawIO(filename="x.fake")
    reader.parse_header()
    fs = float(reader.get_signal_sampling_rate(0))
    assert sorting.get_sampling_frequency() == fs
    for seg in range(reader.segment_count(0)):
        t0 = reader.segment_t_start(0, seg)
        for unit_index, uid in enumerate(sorting.get_unit_ids()):
            stamps = reader.get_spike_timestamps(0, seg, unit_index, None, None)
            times = reader.rescale_spike_timestamp(stamps, "float64")
            expected = np.rint((times - t0) * fs).astype(np.int64)
            got = sorting.get_unit_spike_train(uid, segment_index=seg)
            np.testing.assert_array_equal(got, np.sort(expected))
