"""Probes, times, scaling, properties, splitting and provenance of recordings."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from probeinterface import generate_multi_shank

import lazyephys as le


def _rec(n=100, c=8, ids=None):
    data = np.arange(n * c, dtype="int16").reshape(n, c)
    return le.NumpyRecording([data], 1000.0, channel_ids=ids), data


def _two_shank_probe(c=8):
    probe = generate_multi_shank(num_shank=2, num_columns=1, num_contact_per_column=c // 2)
    probe.set_device_channel_indices(np.arange(c)[::-1])  # contact i wired to channel c-1-i
    return probe


def test_probe_is_aligned_with_channels_through_views():
    rec, _ = _rec()
    probe = _two_shank_probe()
    with_probe = rec.set_probe(probe, group_mode="by_shank")
    assert not rec.has_probe() and with_probe.has_probe()
    positions = probe.contact_positions
    # channel k is wired to contact c-1-k
    np.testing.assert_array_equal(with_probe.get_channel_locations(), positions[::-1])
    np.testing.assert_array_equal(with_probe.get_channel_groups(), [1, 1, 1, 1, 0, 0, 0, 0])
    view = with_probe.select_channels([6, 1]).rename_channels(["p", "q"])
    np.testing.assert_array_equal(view.get_channel_locations(), positions[[1, 6]])
    sub_probe = view.get_probe()
    np.testing.assert_array_equal(sub_probe.contact_positions, positions[[1, 6]])
    np.testing.assert_array_equal(sub_probe.device_channel_indices, [0, 1])
    assert view.get_probegroup().get_contact_count() == 2


def test_split_by_group_gives_one_recording_per_shank():
    rec, data = _rec()
    rec = rec.set_probe(_two_shank_probe(), group_mode="by_shank")
    parts = rec.split_by("group")
    assert sorted(parts) == [0, 1]
    np.testing.assert_array_equal(parts[0].get_traces(), data[:, 4:])
    np.testing.assert_array_equal(parts[1].get_traces(), data[:, :4])
    assert len(rec.split_by("group", outputs="list")) == 2


def test_set_probe_in_place_and_unwired_probe():
    rec, _ = _rec()
    probe = _two_shank_probe()
    assert rec.set_probe(probe, in_place=True) is rec and rec.has_probe()
    unwired = generate_multi_shank(num_shank=2, num_columns=1, num_contact_per_column=4)
    with pytest.raises(ValueError, match="not all wired"):
        _rec()[0].set_probe(unwired)


def test_channel_locations_without_probe():
    rec, _ = _rec(c=3)
    with pytest.raises(ValueError, match="no channel locations"):
        rec.get_channel_locations()
    rec.set_channel_locations([[0, 0], [0, 10], [0, 20]])
    np.testing.assert_array_equal(rec.get_channel_locations(axes="y"), [[0], [10], [20]])
    assert not rec.has_probe()


def test_return_in_uV():
    rec, data = _rec(c=2)
    with pytest.raises(ValueError, match="gain_to_uV"):
        rec.get_traces(return_in_uV=True)
    rec.set_channel_gains([0.5, 2.0])
    rec.set_channel_offsets(-1.0)
    assert rec.has_scaleable_traces()
    scaled = rec.get_traces(channel_ids=[1], return_in_uV=True)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[:, 0], data[:, 1] * 2.0 - 1.0)


def test_times_t_start_and_time_vector():
    rec = le.NumpyRecording([np.zeros((1000, 1))], 1000.0, t_starts=[5.0])
    assert rec.get_start_time() == 5.0
    assert rec.get_end_time() == pytest.approx(5.999)
    assert rec.sample_index_to_time(500) == pytest.approx(5.5)
    assert rec.time_to_sample_index(5.5) == 500
    sliced = rec.time_slice(start_time=5.25, end_time=None)
    assert sliced.get_num_samples() == 750
    assert sliced.get_start_time() == pytest.approx(5.25)
    times = 100.0 + np.sort(np.random.default_rng(0).uniform(0, 1, 1000))
    rec.set_times(times)
    assert rec.has_time_vector()
    np.testing.assert_array_equal(rec.get_times(), times)
    view = rec.frame_slice(100, 200)
    np.testing.assert_array_equal(view.get_times(), times[100:200])
    assert view.time_to_sample_index(times[150]) == 50
    with pytest.raises(ValueError, match="strictly increasing"):
        rec.set_times(times[::-1])
    with pytest.raises(ValueError, match="shape"):
        rec.set_times(times[:10])


def test_properties_with_ids_and_missing_values():
    rec, _ = _rec(c=4, ids=["a", "b", "c", "d"])
    rec.set_property("quality", ["good", "bad"], ids=["c", "a"])
    assert rec.get_property("quality").tolist() == ["bad", "", "good", ""]
    rec.set_property("snr", [1.5], ids=["b"])
    assert np.isnan(rec.get_property("snr")[[0, 2, 3]]).all()
    with pytest.raises(ValueError, match="missing_value"):
        rec.set_property("count", [3], ids=["b"])
    rec.set_property("count", [3], ids=["b"], missing_value=-1)
    assert rec.get_property("count").tolist() == [-1, 3, -1, -1]
    assert rec.get_property("count", ids=["b", "a"]).tolist() == [3, -1]
    with pytest.raises(ValueError, match="3 values but there are 4 channels"):
        rec.set_property("bad", [1, 2, 3])
    with pytest.raises(KeyError, match="nope"):
        rec.delete_property("nope")


def test_state_set_on_a_view_survives_a_round_trip(tmp_path):
    path = tmp_path / "data.raw"
    data = np.arange(60, dtype="int16").reshape(20, 3)
    path.write_bytes(data.tobytes())
    base = le.BinaryRecordingExtractor(path, 100.0, "int16", 3)
    view = base.frame_slice(2, 18).rename_channels(["x", "y", "z"])
    view.set_property("depth", [1.0, 2.0, 3.0])
    view.annotate(session="s1")
    view.set_times(np.linspace(0, 1, 16))
    deeper = view.select_channels(["z", "x"])
    for copy in (le.BaseExtractor.from_dict(json.loads(json.dumps(deeper.to_dict()))),
                 pickle.loads(pickle.dumps(deeper))):
        np.testing.assert_array_equal(copy.get_traces(), data[2:18][:, [2, 0]])
        assert copy.get_property("depth").tolist() == [3.0, 1.0]
        assert copy.get_annotation("session") == "s1"
        np.testing.assert_allclose(copy.get_times(), np.linspace(0, 1, 16))


def test_to_dict_is_json_safe_and_relative_paths(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.raw").write_bytes(np.zeros((10, 2), "int16").tobytes())
    rec = le.BinaryRecordingExtractor(folder / "a.raw", 100.0, "int16", 2)
    chain = rec.frame_slice(1, 9).select_channels([1])
    relative = chain.to_dict(relative_to=tmp_path)
    text = json.dumps(relative)
    assert str(tmp_path) not in text and "data/a.raw" in text
    with pytest.raises(ValueError, match="no base_folder"):
        le.BaseExtractor.from_dict(relative)
    moved = tmp_path / "elsewhere"
    (tmp_path / "data").rename(tmp_path / "tmpname")
    moved.mkdir()
    (tmp_path / "tmpname").rename(moved / "data")
    again = le.BaseExtractor.from_dict(relative, base_folder=moved)
    assert again.get_num_samples() == 8
    with pytest.raises(FileNotFoundError, match="a.raw"):
        le.BaseExtractor.from_dict(chain.to_dict())  # absolute path, now missing


def test_loading_refuses_unregistered_kinds():
    rec, _ = _rec()
    description = json.loads(json.dumps(rec.frame_slice(0, 5).to_dict()))
    description["kind"] = "os.system"
    with pytest.raises(ValueError, match="not a registered kind.*NumpyRecording"):
        le.BaseExtractor.from_dict(description)
    description["kind"] = "RecordingView"
    description["version"] = 99
    with pytest.raises(ValueError, match="newer"):
        le.BaseExtractor.from_dict(description)


def test_generated_recording_is_deterministic_and_window_independent():
    rec = le.generate_recording(num_channels=4, durations=[3.0], seed=7)
    full = rec.get_traces()
    parts = [rec.get_traces(start_frame=s, end_frame=min(s + 7919, 90000))
             for s in range(0, 90000, 7919)]
    np.testing.assert_array_equal(np.concatenate(parts), full)
    again = le.generate_recording(num_channels=4, durations=[3.0], seed=7)
    np.testing.assert_array_equal(again.get_traces(start_frame=12345, end_frame=12400),
                                  full[12345:12400])
    assert rec.get_channel_ids().tolist() == ["0", "1", "2", "3"]
    assert rec.get_dtype() == np.float32 and rec.get_sampling_frequency() == 30000.0
    unseeded = le.generate_recording(num_channels=2, durations=[0.01])
    rebuilt = le.BaseExtractor.from_dict(unseeded.to_dict())
    np.testing.assert_array_equal(rebuilt.get_traces(), unseeded.get_traces())


def test_a_day_of_neuropixels_is_created_instantly():
    rec = le.generate_recording(num_channels=384, durations=[24 * 3600.0], set_probe=True)
    assert rec.get_num_samples() == 24 * 3600 * 30000
    window = rec.get_traces(start_frame=2_000_000_000, end_frame=2_000_000_100)
    assert window.shape == (100, 384)


def test_repr_is_readable():
    rec, _ = _rec()
    text = repr(rec)
    assert "NumpyRecording" in text and "8 channels" in text and "1 kHz" in text


def test_urls_in_path_arguments_are_kept_as_written(tmp_path):
    from lazyephys.base.provenance import PathEncoder, encode_value

    encoder = PathEncoder(relative_to=tmp_path)
    assert encode_value("s3://bucket/rec.zarr", encoder, True, is_path=True) == \
        "s3://bucket/rec.zarr"
    local = encode_value(str(tmp_path / "a.raw"), encoder, True, is_path=True)
    assert local == {"__path__": "a.raw", "relative": True}
