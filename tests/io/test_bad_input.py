"""Clear errors for damaged, foreign or incomplete saved data, and for unsafe saves."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.io.formats import FormatError

from .conftest import make_sorting


@pytest.fixture
def rec():
    rec = le.generate_recording(num_channels=3, durations=[0.2, 0.1], seed=1, dtype="int16")
    rec.set_property("quality", ["a", "b", "c"])
    return rec


def test_missing_raw_file(tmp_path, rec):
    saved = rec.save(folder=tmp_path / "r")
    del saved
    (tmp_path / "r" / "traces_seg1.raw").unlink()
    with pytest.raises(FileNotFoundError, match="traces_seg1.raw"):
        le.load(tmp_path / "r")


def test_truncated_raw_file(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    path = tmp_path / "r" / "traces_seg0.raw"
    path.write_bytes(path.read_bytes()[:-6])  # one whole frame short
    with pytest.raises(FormatError, match="truncated"):
        le.load(tmp_path / "r")
    path.write_bytes(path.read_bytes()[:-1])  # not even whole frames
    with pytest.raises(ValueError, match="truncated"):
        le.load(tmp_path / "r")


def test_missing_key(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    meta_path = tmp_path / "r" / "lazyephys.json"
    meta = json.loads(meta_path.read_text())
    del meta["sampling_frequency"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(FormatError, match="sampling_frequency"):
        le.load(tmp_path / "r")


def test_metadata_of_another_format(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    meta_path = tmp_path / "r" / "lazyephys.json"
    meta_path.write_text(json.dumps({"format": "something.else", "version": 1}))
    with pytest.raises(FormatError, match="something.else"):
        le.load(tmp_path / "r")


def test_property_of_wrong_length(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    np.save(tmp_path / "r" / "properties" / "quality.npy", np.array(["a", "b"]))
    with pytest.raises(FormatError, match="quality"):
        le.load(tmp_path / "r")


def test_property_file_needing_pickle_refused(tmp_path, rec):
    rec.save(folder=tmp_path / "r")
    np.save(tmp_path / "r" / "properties" / "quality.npy",
            np.array([{}, {}, {}], dtype=object), allow_pickle=True)
    with pytest.raises(FormatError, match="unpickl"):
        le.load(tmp_path / "r")


def test_zarr_store_without_expected_arrays(tmp_path, rec):
    import zarr

    rec.save(folder=tmp_path / "z", format="zarr")
    shutil.rmtree(tmp_path / "z.zarr" / "traces_seg1")
    with pytest.raises(FormatError, match="traces_seg1"):
        le.load(tmp_path / "z.zarr")
    zarr.open_group(str(tmp_path / "empty.zarr"), mode="w")
    with pytest.raises(FormatError, match="format"):
        le.load(tmp_path / "empty.zarr")


def test_sorting_folder_damage(tmp_path):
    make_sorting().save(folder=tmp_path / "s")
    spikes = np.load(tmp_path / "s" / "spikes.npy")
    np.save(tmp_path / "s" / "spikes.npy", spikes[:-3])
    with pytest.raises(FormatError, match="spikes"):
        le.load(tmp_path / "s")
    np.save(tmp_path / "s" / "spikes.npy", np.zeros(5))
    with pytest.raises(FormatError, match="spike vector"):
        le.load(tmp_path / "s")


def test_folder_exists_without_overwrite(tmp_path, rec):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "keep.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        rec.save(folder=tmp_path / "r")
    assert (tmp_path / "r" / "keep.txt").read_text() == "precious"
    (tmp_path / "z.zarr").mkdir()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        rec.save(folder=tmp_path / "z", format="zarr")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        rec.save(folder=tmp_path / "file", overwrite=True)


def test_overwrite_replaces_only_after_success(tmp_path, rec):
    first = rec.save(folder=tmp_path / "r")
    del first
    other = le.generate_recording(num_channels=2, durations=[0.1], seed=5, dtype="int16")
    second = other.save(folder=tmp_path / "r", overwrite=True)
    assert second.get_num_channels() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


@pytest.mark.parametrize("fmt", ["binary", "zarr"])
def test_overwrite_refused_when_reading_from_target(tmp_path, rec, fmt):
    saved = rec.save(folder=tmp_path / "r", format=fmt)
    chain = saved.select_channels(["0"]).select_segments([0]).frame_slice(0, 100)
    with pytest.raises(ValueError, match="reads from"):
        chain.save(folder=tmp_path / "r", format=fmt, overwrite=True)
    # the folder is intact
    np.testing.assert_array_equal(le.load(saved.to_dict()["kwargs"]["folder_path"]["__path__"])
                                  .get_traces(segment_index=0), rec.get_traces(segment_index=0))
    # a folder holding the source is refused too
    parent = saved.select_segments([0])
    with pytest.raises(ValueError, match="reads from"):
        parent.save(folder=tmp_path, format="binary", overwrite=True)


def test_unknown_format_and_options(tmp_path, rec):
    with pytest.raises(ValueError, match="format"):
        rec.save(folder=tmp_path / "x", format="parquet")
    with pytest.raises(TypeError, match="bogus"):
        rec.save(folder=tmp_path / "x", format="zarr", bogus=1)
    with pytest.raises(ValueError, match="local"):
        rec.save(folder="s3://bucket/x.zarr", format="zarr")
    with pytest.raises(ValueError, match="channel_chunk_size"):
        rec.save(folder=tmp_path / "y", channel_chunk_size=2)
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.zarr").exists()


def test_load_of_things_that_are_not_saved_objects(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        le.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="not a saved"):
        le.load(tmp_path / "empty")
    (tmp_path / "data.csv").write_text("1,2")
    with pytest.raises(FormatError):
        le.load(tmp_path / "data.csv")
    with pytest.raises(TypeError):
        le.load(42)
