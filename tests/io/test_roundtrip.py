"""Round trips of recordings and sortings through every format: nothing is lost.

Reference: the source object itself, read in full with numpy (traces, spike vectors), and its
ids, properties, annotations, probe and times.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys.recording.combine import (
    aggregate_channels,
    append_recordings,
    concatenate_recordings,
)

from .conftest import make_sorting

FORMATS = ["binary", "zarr", "memory"]


def _base_recording(seed: int = 0):
    rec = le.generate_recording(num_channels=4, durations=[0.5, 0.3], seed=seed, dtype="int16",
                                set_probe=True)
    return rec


def _recordings():
    base = _base_recording()
    labelled = base.rename_channels(["a", "b", "c", "d"])
    labelled.set_property("quality", ["good", "bad", "good", "mua"])
    labelled.set_property("depth", np.array([1.5, 2.5, 3.5, 4.5]))
    labelled.set_property("count", np.array([1, 2, 3, 4], dtype=np.int32))
    labelled.set_property("flag", np.array([True, False, True, True]))
    labelled.annotate(experiment="fixture", nested={"a": [1, 2], "b": None})
    labelled.set_channel_gains(0.195)
    labelled.set_channel_offsets(-3.0)
    timed = base.select_segments([1])
    timed.set_times(10.0 + np.cumsum(np.full(timed.get_num_samples(0), 1 / 30_000.0)), 0)
    started = base.frame_slice(100, 5000) if base.get_num_segments() == 1 else \
        base.select_segments([0]).frame_slice(100, 5000)
    started.set_start_time(3.25)
    other = _base_recording(seed=1)
    return {
        "noise": base,
        "labelled_view": labelled,
        "channel_subset": labelled.select_channels(["d", "b"]),
        "time_vector": timed,
        "t_start": started,
        "concatenated": concatenate_recordings([base, other]),
        "appended": append_recordings([base, other]),
        "aggregated": aggregate_channels([base.rename_channels(["a", "b", "c", "d"]),
                                          other.rename_channels(["e", "f", "g", "h"])]),
        "float32": le.generate_recording(num_channels=3, durations=[0.2], seed=3,
                                         set_probe=False),
        "numpy": le.NumpyRecording([np.arange(600, dtype="float64").reshape(200, 3)], 1000.0,
                                   channel_ids=[10, 20, 30]),
    }


RECORDINGS = _recordings()


def assert_same_recording(actual, expected):
    assert actual.get_num_segments() == expected.get_num_segments()
    assert actual.get_sampling_frequency() == expected.get_sampling_frequency()
    assert actual.get_dtype() == expected.get_dtype()
    np.testing.assert_array_equal(actual.get_channel_ids(), expected.get_channel_ids())
    assert actual.get_channel_ids().dtype.kind == expected.get_channel_ids().dtype.kind
    for index in range(expected.get_num_segments()):
        np.testing.assert_array_equal(actual.get_traces(segment_index=index),
                                      expected.get_traces(segment_index=index))
        assert actual.has_time_vector(index) == expected.has_time_vector(index)
        np.testing.assert_array_equal(actual.get_times(index), expected.get_times(index))
        assert actual.get_start_time(index) == expected.get_start_time(index)
    assert sorted(actual.get_property_keys()) == sorted(expected.get_property_keys())
    for key in expected.get_property_keys():
        got, want = actual.get_property(key), expected.get_property(key)
        assert got.dtype == want.dtype, key
        np.testing.assert_array_equal(got, want)
    assert {k: actual.get_annotation(k) for k in actual.get_annotation_keys()} == {
        k: expected.get_annotation(k) for k in expected.get_annotation_keys()
    }
    assert actual.has_probe() == expected.has_probe()
    if expected.has_probe():
        np.testing.assert_array_equal(actual.get_channel_locations(),
                                      expected.get_channel_locations())
        got, want = actual.get_probegroup().to_numpy(), expected.get_probegroup().to_numpy()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(RECORDINGS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_recording_round_trip(tmp_path, name, fmt):
    rec = RECORDINGS[name]
    folder = None if fmt == "memory" else tmp_path / "saved"
    saved = rec.save(folder=folder, format=fmt, chunk_size=4000)
    assert_same_recording(saved, rec)
    if fmt != "memory":
        reloaded = le.load(saved.to_dict()["kwargs"]["folder_path"]["__path__"])
        assert_same_recording(reloaded, rec)


def test_save_returns_memmap_and_zarr_kinds(tmp_path):
    rec = RECORDINGS["labelled_view"]
    binary = rec.save(folder=tmp_path / "b")
    assert isinstance(binary, le.BinaryFolderRecording)
    zarr_rec = rec.save_to_zarr(folder=tmp_path / "z")
    assert isinstance(zarr_rec, le.ZarrRecordingExtractor)
    assert (tmp_path / "z.zarr").is_dir()
    memory = rec.save_to_memory()
    assert isinstance(memory, le.NumpyRecording)
    assert isinstance(rec.save_to_folder(folder=tmp_path / "c"), le.BinaryFolderRecording)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_parallel_saves_write_the_same_bytes(tmp_path, n_jobs):
    rec = RECORDINGS["concatenated"]
    for fmt in ("binary", "zarr"):
        saved = rec.save(folder=tmp_path / f"{fmt}{n_jobs}", format=fmt, n_jobs=n_jobs,
                         chunk_size=3000)
        assert_same_recording(saved, rec)


def test_zarr_options(tmp_path):
    import numcodecs
    import zarr

    rec = RECORDINGS["labelled_view"]
    saved = rec.save(folder=tmp_path / "opts", format="zarr", chunk_size=1000,
                     channel_chunk_size=3, chunks_per_shard=4,
                     compressor=numcodecs.Blosc(cname="lz4", clevel=3, shuffle=2))
    assert_same_recording(saved, rec)
    array = saved._root["traces_seg0"]
    assert array.chunks == (1000, 3)
    assert array.shards == (4000, 6)
    assert saved._root.metadata.zarr_format == 3
    raw = rec.save(folder=tmp_path / "raw", format="zarr", compressor=None, chunk_size=1000)
    assert_same_recording(raw, rec)
    assert zarr.open_array(str(tmp_path / "raw.zarr"), path="traces_seg0").compressors == ()


def test_zarr_channel_selection_reads_only_needed(tmp_path):
    rec = RECORDINGS["labelled_view"]
    saved = rec.save(folder=tmp_path / "c", format="zarr", channel_chunk_size=1)
    np.testing.assert_array_equal(
        saved.get_traces(segment_index=0, start_frame=10, end_frame=50, channel_ids=["d", "a"]),
        rec.get_traces(segment_index=0, start_frame=10, end_frame=50, channel_ids=["d", "a"]),
    )


def test_save_with_dtype(tmp_path):
    rec = RECORDINGS["float32"]
    saved = rec.save(folder=tmp_path / "i", dtype="int16")
    assert saved.get_dtype() == np.dtype("int16")
    expected = np.rint(rec.get_traces()).astype("int16")
    np.testing.assert_array_equal(saved.get_traces(), expected)


@pytest.mark.parametrize("name", ["labelled_view", "time_vector", "t_start", "aggregated"])
def test_json_and_pickle_round_trip(tmp_path, name):
    rec = RECORDINGS[name]
    path = tmp_path / "rec.json"
    rec.dump_to_json(path)
    assert_same_recording(le.load(path), rec)
    assert_same_recording(pickle.loads(pickle.dumps(rec)), rec)
    assert_same_recording(le.load(rec.to_dict()), rec)


def test_state_set_on_a_view_of_a_loaded_folder_survives(tmp_path):
    saved = RECORDINGS["noise"].save(folder=tmp_path / "raw")
    view = saved.select_channels(["2", "0"])
    view.set_property("quality", ["x", "y"])
    view.annotate(stage="sliced")
    path = tmp_path / "view.json"
    view.dump_to_json(path, relative_to=True)
    for loaded in (le.load(path), pickle.loads(pickle.dumps(view))):
        assert loaded.get_property("quality").tolist() == ["x", "y"]
        assert loaded.get_property("quality").dtype.kind == "U"
        assert loaded.get_annotation("stage") == "sliced"
        np.testing.assert_array_equal(loaded.get_traces(segment_index=1),
                                      view.get_traces(segment_index=1))


def test_property_dtype_kinds_survive_every_format(tmp_path):
    rec = le.NumpyRecording([np.zeros((10, 3), "int16")], 1000.0)
    rec.set_property("s", ["a", "bb", "ccc"])
    rec.set_property("i", np.array([1, 2, 3], dtype=np.int64))
    rec.set_property("f", np.array([0.5, np.nan, 2.0]))
    rec.set_property("b", np.array([True, False, True]))
    rec.set_property("o", np.array([{"k": 1}, [1, 2], None], dtype=object))
    rec.set_property("xy", np.arange(6.0).reshape(3, 2))
    for fmt in FORMATS:
        saved = rec.save(folder=None if fmt == "memory" else tmp_path / fmt, format=fmt)
        for key, kind in (("s", "U"), ("i", "i"), ("f", "f"), ("b", "b"), ("o", "O"),
                          ("xy", "f")):
            assert saved.get_property(key).dtype.kind == kind, (fmt, key)
        np.testing.assert_array_equal(saved.get_property("f"), rec.get_property("f"))
        assert saved.get_property("o").tolist() == [{"k": 1}, [1, 2], None]
        assert saved.get_property("xy").shape == (3, 2)


def test_property_keys_that_are_not_file_names(tmp_path):
    rec = le.NumpyRecording([np.zeros((10, 2), "int16")], 1000.0)
    rec.set_property("a/b c", [1, 2])
    rec.set_property("Group", [1, 2])
    rec.set_property("group", [3, 4])
    for fmt in ("binary", "zarr"):
        saved = rec.save(folder=tmp_path / fmt, format=fmt)
        assert saved.get_property("a/b c").tolist() == [1, 2]
        assert saved.get_property("Group").tolist() == [1, 2]
        assert saved.get_property("group").tolist() == [3, 4]


# ------------------------------------------------------------------ sortings
def _sortings():
    base = make_sorting()
    labelled = base.select_units(["u2", "u0"])
    labelled.set_property("firing_class", ["a", "b"])
    labelled.set_property("snr", [1.5, 2.5])
    labelled.annotate(curated=True)
    return {
        "numpy": base,
        "labelled_view": labelled,
        "renamed": base.rename_units(["x", "y", "z"]),
        "sliced": base.select_segments([1]).frame_slice(1000, 100_000),
        "int_ids": make_sorting(seed=3).rename_units([5, 7, 9]),
    }


SORTINGS = _sortings()


def assert_same_sorting(actual, expected):
    np.testing.assert_array_equal(actual.get_unit_ids(), expected.get_unit_ids())
    assert actual.get_unit_ids().dtype.kind == expected.get_unit_ids().dtype.kind
    assert actual.get_sampling_frequency() == expected.get_sampling_frequency()
    assert actual.get_num_segments() == expected.get_num_segments()
    np.testing.assert_array_equal(actual.to_spike_vector(), expected.to_spike_vector())
    for index in range(expected.get_num_segments()):
        assert actual.get_num_samples(index) == expected.get_num_samples(index)
        for unit in expected.get_unit_ids():
            np.testing.assert_array_equal(
                actual.get_unit_spike_train(unit, segment_index=index),
                expected.get_unit_spike_train(unit, segment_index=index),
            )
    assert sorted(actual.get_property_keys()) == sorted(expected.get_property_keys())
    for key in expected.get_property_keys():
        assert actual.get_property(key).dtype == expected.get_property(key).dtype
        np.testing.assert_array_equal(actual.get_property(key), expected.get_property(key))
    assert {k: actual.get_annotation(k) for k in actual.get_annotation_keys()} == {
        k: expected.get_annotation(k) for k in expected.get_annotation_keys()
    }


@pytest.mark.parametrize("name", list(SORTINGS))
@pytest.mark.parametrize("fmt", [*FORMATS, "numpy_folder"])
def test_sorting_round_trip(tmp_path, name, fmt):
    sorting = SORTINGS[name]
    folder = None if fmt == "memory" else tmp_path / "saved"
    saved = sorting.save(folder=folder, format=fmt, n_jobs=2, progress_bar=False)
    assert_same_sorting(saved, sorting)
    if fmt != "memory":
        assert not saved.is_in_memory()
        path = tmp_path / "sorting.json"
        saved.dump_to_json(path)
        assert_same_sorting(le.load(path), sorting)
        assert_same_sorting(pickle.loads(pickle.dumps(saved)), sorting)


def test_sorting_folder_is_memory_mapped(tmp_path):
    saved = SORTINGS["numpy"].save(folder=tmp_path / "s")
    assert isinstance(saved, le.NumpyFolderSorting)
    vector = saved.to_spike_vector()
    assert isinstance(vector.base, np.memmap) or isinstance(vector, np.memmap) or \
        not vector.flags.owndata
