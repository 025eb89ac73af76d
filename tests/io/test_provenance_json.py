"""JSON provenance: path semantics when data moves, and what a file may make the loader do."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.io.formats import FormatError, FormatVersionError


@pytest.fixture
def saved(tmp_path):
    rec = le.generate_recording(num_channels=3, durations=[0.2], seed=7, dtype="int16")
    return rec.save(folder=tmp_path / "project" / "raw")


def _chain(rec):
    return rec.select_channels(["2", "0"]).frame_slice(10, 3000).rename_channels(["x", "y"])


def test_absolute_paths_load_from_anywhere(tmp_path, saved):
    chain = _chain(saved)
    path = tmp_path / "elsewhere" / "chain.json"
    chain.dump_to_json(path)
    description = json.loads(path.read_text())
    assert description["paths"] == "absolute"
    loaded = le.load(path)
    np.testing.assert_array_equal(loaded.get_traces(), chain.get_traces())


def test_moved_absolute_file_names_missing_path_and_suggests_base_folder(tmp_path, saved):
    path = tmp_path / "project" / "chain.json"
    _chain(saved).dump_to_json(path)
    shutil.move(tmp_path / "project", tmp_path / "moved")
    with pytest.raises(FileNotFoundError) as info:
        le.load(tmp_path / "moved" / "chain.json")
    message = str(info.value)
    assert str(tmp_path / "project" / "raw") in message
    assert "base_folder" in message


def test_relative_to_true_moves_with_its_folder(tmp_path, saved):
    chain = _chain(saved)
    path = tmp_path / "project" / "chain.json"
    chain.dump_to_json(path, relative_to=True)
    description = json.loads(path.read_text())
    assert description["paths"] == "relative-to-file"
    markers = json.dumps(description)
    assert str(tmp_path) not in markers  # every path relative
    shutil.move(tmp_path / "project", tmp_path / "moved")
    loaded = le.load(tmp_path / "moved" / "chain.json")
    np.testing.assert_array_equal(loaded.get_traces(), chain.get_traces())


def test_relative_to_another_folder_needs_base_folder(tmp_path, saved):
    chain = _chain(saved)
    path = tmp_path / "project" / "analysis" / "chain.json"
    chain.dump_to_json(path, relative_to=tmp_path / "project")
    description = json.loads(path.read_text())
    assert description["paths"] == "relative-to-base-folder"
    assert "raw" in json.dumps(description["kwargs"])
    shutil.move(tmp_path / "project", tmp_path / "moved")
    with pytest.raises(ValueError, match="base_folder"):
        le.load(tmp_path / "moved" / "analysis" / "chain.json")
    loaded = le.load(tmp_path / "moved" / "analysis" / "chain.json",
                     base_folder=tmp_path / "moved")
    np.testing.assert_array_equal(loaded.get_traces(), chain.get_traces())


def test_relative_paths_never_resolve_against_the_working_directory(tmp_path, saved,
                                                                      monkeypatch):
    chain = _chain(saved)
    description = chain.to_dict(relative_to=tmp_path / "project")
    # a decoy at the same relative place under the working directory must never be opened
    decoy_root = tmp_path / "decoy"
    le.generate_recording(num_channels=3, durations=[0.2], seed=99, dtype="int16").save(
        folder=decoy_root / "raw")
    monkeypatch.chdir(decoy_root)
    with pytest.raises(ValueError, match="base_folder"):
        le.load(description)
    loaded = le.load(description, base_folder=tmp_path / "project")
    np.testing.assert_array_equal(loaded.get_traces(), chain.get_traces())


def test_relative_json_does_not_open_a_decoy_beside_the_file(tmp_path, saved):
    chain = _chain(saved)
    path = tmp_path / "analysis" / "chain.json"
    chain.dump_to_json(path, relative_to=tmp_path / "project")
    # "raw" relative to the JSON's folder exists too, but is a different recording
    le.generate_recording(num_channels=3, durations=[0.2], seed=99, dtype="int16").save(
        folder=tmp_path / "analysis" / "raw")
    with pytest.raises(ValueError, match="base_folder"):
        le.load(path)


def test_relative_path_missing_under_base_folder_is_named(tmp_path, saved):
    path = tmp_path / "project" / "chain.json"
    _chain(saved).dump_to_json(path, relative_to=True)
    shutil.rmtree(tmp_path / "project" / "raw")
    with pytest.raises(FileNotFoundError, match="raw"):
        le.load(path)


def test_saved_folder_is_self_contained_after_moving(tmp_path, saved):
    shutil.move(tmp_path / "project" / "raw", tmp_path / "alone")
    loaded = le.load(tmp_path / "alone")
    assert loaded.get_num_channels() == 3


def test_in_memory_objects_cannot_be_dumped(tmp_path):
    rec = le.NumpyRecording([np.zeros((10, 2))], 1000.0)
    with pytest.raises(ValueError, match="memory"):
        rec.dump_to_json(tmp_path / "x.json")


def test_load_builds_only_registered_kinds(tmp_path, saved):
    description = saved.to_dict()
    for bad in ("os.system", "spikeinterface.core.BinaryFolderRecording", "NotAKind",
                "subprocess.Popen"):
        description["kind"] = bad
        with pytest.raises(ValueError) as info:
            le.load(description)
        assert "BinaryFolderRecording" in str(info.value)  # lists the known kinds
        assert "NumpyRecording" in str(info.value)


def test_nested_unknown_kind_refused(tmp_path, saved):
    description = _chain(saved).to_dict()
    text = json.dumps(description).replace('"BinaryFolderRecording"', '"builtins.eval"')
    with pytest.raises(ValueError, match="not a registered kind"):
        le.load(json.loads(text))


def test_newer_provenance_version_refused(saved):
    description = saved.to_dict()
    description["version"] = 99
    with pytest.raises(ValueError, match="newer"):
        le.load(description)


def test_json_that_is_not_ours(tmp_path, fixtures_dir):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(FormatError, match="format"):
        le.load(path)
    with pytest.raises(FormatError, match="SpikeInterface"):
        le.load(fixtures_dir / "recording_binary" / "provenance.json")
    path.write_text("[1, 2")
    with pytest.raises(FormatError, match="not valid JSON"):
        le.load(path)
    path.write_text(json.dumps({"format": "lazyephys.extractor", "version": 1}))
    with pytest.raises(ValueError, match="kind"):
        le.load(path)


def test_pickle_files_are_refused(tmp_path):
    path = tmp_path / "x.pkl"
    path.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(FormatError, match="pickle"):
        le.load(path)


@pytest.mark.parametrize("fmt", ["binary", "zarr"])
def test_newer_folder_version_refused(tmp_path, saved, fmt):
    if fmt == "binary":
        meta_path = tmp_path / "project" / "raw" / "lazyephys.json"
        meta = json.loads(meta_path.read_text())
        meta["version"] = 7
        meta_path.write_text(json.dumps(meta))
        with pytest.raises(FormatVersionError, match="upgrade"):
            le.load(saved.to_dict()["kwargs"]["folder_path"]["__path__"])
    else:
        import zarr

        store = saved.save(folder=tmp_path / "z", format="zarr")
        root = zarr.open_group(str(tmp_path / "z.zarr"), mode="r+")
        root.attrs["version"] = 7
        del store
        with pytest.raises(FormatVersionError, match="version 7"):
            le.load(tmp_path / "z.zarr")


def test_dump_creates_parent_folders_and_replaces_atomically(tmp_path, saved):
    path = tmp_path / "a" / "b" / "c.json"
    saved.dump_to_json(path)
    saved.dump_to_json(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.json"]


def test_load_extractor_is_load():
    assert le.load_extractor is le.load
    from lazyephys import load, load_extractor

    assert load is load_extractor
