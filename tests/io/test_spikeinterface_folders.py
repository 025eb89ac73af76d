"""Folders and zarr stores written by SpikeInterface load, with their properties and probe.

References: the traces and spike vector SpikeInterface wrote beside the fixtures (.npy) and
the values in expected.json.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import lazyephys as le


@pytest.fixture
def expected(fixtures_dir):
    return json.loads((fixtures_dir / "expected.json").read_text())


@pytest.mark.parametrize("name", ["recording_binary", "recording_zarr.zarr"])
def test_recordings_load(fixtures_dir, expected, name):
    rec = le.load(fixtures_dir / name)
    assert rec.get_channel_ids().tolist() == expected["channel_ids"]
    assert rec.get_sampling_frequency() == expected["sampling_frequency"]
    assert rec.get_dtype() == np.dtype(expected["dtype"])
    assert [rec.get_num_samples(i) for i in range(2)] == expected["num_samples"]
    for index in range(2):
        reference = np.load(fixtures_dir / f"recording_traces_seg{index}.npy")
        np.testing.assert_array_equal(rec.get_traces(segment_index=index), reference)
    for key, values in expected["properties"].items():
        np.testing.assert_array_equal(rec.get_property(key), values)
    assert rec.get_property("quality").dtype.kind == "U"
    assert rec.get_property("depth_um").dtype.kind == "f"
    np.testing.assert_allclose(rec.get_channel_gains(), 0.195)
    assert rec.has_scaleable_traces()
    assert rec.get_annotation("experiment") == "fixture"
    probe = rec.get_probe()
    assert probe.get_contact_count() == 4
    np.testing.assert_array_equal(rec.get_channel_locations(), probe.contact_positions)


@pytest.mark.parametrize("name", ["sorting_numpy_folder", "sorting_zarr.zarr"])
def test_sortings_load(fixtures_dir, expected, name):
    sorting = le.load(fixtures_dir / name)
    assert sorting.get_unit_ids().tolist() == expected["unit_ids"]
    assert sorting.get_sampling_frequency() == expected["sampling_frequency"]
    assert sorting.get_num_segments() == 2
    reference = np.load(fixtures_dir / "sorting_spike_vector.npy")
    np.testing.assert_array_equal(sorting.to_spike_vector(), reference)
    for key, values in expected["sorting_properties"].items():
        np.testing.assert_array_equal(sorting.get_property(key), values)
    assert sorting.get_property("firing_class").dtype.kind == "U"
    assert sorting.get_property("snr").dtype.kind == "f"
    first = reference[reference["segment_index"] == 1]
    unit = expected["unit_ids"][int(first["unit_index"][0])]
    np.testing.assert_array_equal(
        sorting.get_unit_spike_train(unit, segment_index=1),
        first["sample_index"][first["unit_index"] == first["unit_index"][0]],
    )


def test_loaded_folder_reloads_from_its_provenance_after_moving(fixtures_dir, tmp_path):
    shutil.copytree(fixtures_dir / "recording_binary", tmp_path / "a" / "rec")
    rec = le.load(tmp_path / "a" / "rec")
    path = tmp_path / "a" / "view.json"
    rec.select_channels(["ch3", "ch1"]).dump_to_json(path, relative_to=True)
    shutil.move(tmp_path / "a", tmp_path / "b")
    view = le.load(tmp_path / "b" / "view.json")
    reference = np.load(fixtures_dir / "recording_traces_seg0.npy")[:, [3, 1]]
    np.testing.assert_array_equal(view.get_traces(segment_index=0), reference)


def test_spikeinterface_folder_resaved_as_ours(fixtures_dir, tmp_path):
    rec = le.load(fixtures_dir / "recording_binary")
    for fmt in ("binary", "zarr"):
        saved = rec.save(folder=tmp_path / fmt, format=fmt)
        np.testing.assert_array_equal(saved.get_traces(segment_index=1),
                                      rec.get_traces(segment_index=1))
        assert saved.get_property("quality").tolist() == ["good", "bad", "good", "mua"]
        assert saved.get_probe().get_contact_count() == 4


def test_older_binary_json_keys(fixtures_dir, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(fixtures_dir / "recording_binary", folder)
    (folder / "si_folder.json").unlink()
    description = json.loads((folder / "binary.json").read_text())
    kwargs = description["kwargs"]
    kwargs["files_path"] = [str(folder / "elsewhere" / n) for n in kwargs.pop("file_paths")]
    kwargs["num_chan"] = kwargs.pop("num_channels")
    (folder / "binary.json").write_text(json.dumps(description))
    rec = le.load(folder)
    np.testing.assert_array_equal(rec.get_traces(segment_index=0),
                                  np.load(fixtures_dir / "recording_traces_seg0.npy"))


def test_pickled_property_skipped_with_warning(fixtures_dir, tmp_path):
    folder = tmp_path / "rec"
    shutil.copytree(fixtures_dir / "recording_binary", folder)
    np.save(folder / "properties" / "objects.npy", np.array([{}, {}, {}, {}], dtype=object),
            allow_pickle=True)
    with pytest.warns(UserWarning, match="objects"):
        rec = le.load(folder)
    assert "objects" not in rec.get_property_keys()


def test_spikeinterface_written_here_when_installed(tmp_path):
    si = pytest.importorskip("spikeinterface.core")
    rec = si.generate_recording(num_channels=3, durations=[0.3, 0.2])
    rec.set_property("quality", ["a", "b", "c"])
    sorting = si.generate_sorting(num_units=4, durations=[0.3, 0.2])
    rec.save(folder=tmp_path / "b", format="binary")
    rec.save(folder=tmp_path / "z.zarr", format="zarr")
    sorting.save(folder=tmp_path / "s", format="numpy_folder")
    sorting.save(folder=tmp_path / "sz.zarr", format="zarr")
    for name in ("b", "z.zarr"):
        loaded = le.load(tmp_path / name)
        for index in range(2):
            np.testing.assert_array_equal(loaded.get_traces(segment_index=index),
                                          rec.get_traces(segment_index=index))
        assert loaded.get_property("quality").tolist() == ["a", "b", "c"]
    for name in ("s", "sz.zarr"):
        loaded = le.load(tmp_path / name)
        np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())
