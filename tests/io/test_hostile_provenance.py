"""Provenance written by a hostile author: no path leads outside where it may.

Every case builds the file by hand, as an attacker would, next to a "secret" file outside the
folder the description is confined to, and checks that loading refuses it with an error naming
the path and where it points, and reads it only when the caller opts in
(``allow_paths_outside=True``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import FormatError, UnsafePathError

from .conftest import FIXTURES, make_sorting

SECRET = b"top secret bytes\n"


@pytest.fixture
def layout(tmp_path):
    """``tmp/secret.raw`` outside, ``tmp/project/`` the folder descriptions are confined to."""
    (tmp_path / "secret.raw").write_bytes(SECRET)
    project = tmp_path / "project"
    project.mkdir()
    (project / "inside.raw").write_bytes(b"inside!!")
    return tmp_path, project


def _binary(path_value, mode="relative-to-file"):
    """A BinaryRecordingExtractor description reading uint8, 1 channel from ``path_value``."""
    return {
        "format": "lazyephys.extractor", "version": 1, "paths": mode,
        "kind": "BinaryRecordingExtractor",
        "kwargs": {"file_paths": path_value, "sampling_frequency": 1000.0,
                   "dtype": "|u1", "num_channels": 1},
    }


def _write(folder: Path, description, name="hostile.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(description))
    return path


def _bytes_of(rec) -> bytes:
    return rec.get_traces().tobytes()


def test_dotdot_escape_in_relative_to_file_refused(layout):
    tmp, project = layout
    depth = len(project.parts)
    hostile = "../" * depth + "etc/passwd"
    path = _write(project, _binary([{"__path__": hostile, "relative": True}]))
    with pytest.raises(UnsafePathError) as info:
        le.load(path)
    assert hostile in str(info.value) and "/etc/passwd" in str(info.value)
    near = _write(project, _binary([{"__path__": "../secret.raw", "relative": True}]), "n.json")
    with pytest.raises(UnsafePathError, match="secret.raw"):
        le.load(near)
    # the same escape through base_folder=, for a file relative to a base folder or a dict
    description = _binary([{"__path__": "../secret.raw", "relative": True}],
                          "relative-to-base-folder")
    with pytest.raises(UnsafePathError, match=str(tmp / "secret.raw")):
        le.load(_write(project, description, "b.json"), base_folder=project)
    description.pop("paths")
    with pytest.raises(UnsafePathError):
        le.load(description, base_folder=project)
    # opting in reads it (and only then)
    assert _bytes_of(le.load(near, allow_paths_outside=True)) == SECRET


def test_paths_inside_the_folder_still_load(layout):
    _, project = layout
    path = _write(project, _binary([{"__path__": "inside.raw", "relative": True}]))
    assert _bytes_of(le.load(path)) == b"inside!!"
    sub = project / "sub"
    sub.mkdir()
    path = _write(project, _binary([{"__path__": "sub/../inside.raw", "relative": True}]))
    assert _bytes_of(le.load(path)) == b"inside!!"


@pytest.mark.parametrize("marker_relative", [True, False])
def test_absolute_path_in_relative_file_refused(layout, marker_relative):
    tmp, project = layout
    secret = str(tmp / "secret.raw")
    path = _write(project, _binary([{"__path__": secret, "relative": marker_relative}]))
    with pytest.raises(UnsafePathError, match="absolute path") as info:
        le.load(path)
    assert secret in str(info.value)
    assert _bytes_of(le.load(path, allow_paths_outside=True)) == SECRET


def test_absolute_paths_load_in_an_absolute_file(layout):
    tmp, project = layout
    path = _write(project, _binary([{"__path__": str(tmp / "secret.raw"), "relative": False}],
                                   "absolute"))
    assert _bytes_of(le.load(path)) == SECRET


@pytest.mark.parametrize("mode", ["relative-to-file", "absolute", None])
def test_plain_string_never_resolves_against_the_working_directory(layout, monkeypatch, mode):
    tmp, project = layout
    monkeypatch.chdir(tmp)  # secret.raw is right here in the working directory
    description = _binary("secret.raw", mode or "absolute")
    if mode is None:
        description.pop("paths")
        target: object = description
    else:
        target = _write(project, description)
    with pytest.raises(UnsafePathError, match="working directory") as info:
        le.load(target)
    assert "secret.raw" in str(info.value)


def test_plain_folder_string_refused(layout, monkeypatch):
    tmp, project = layout
    rec = le.generate_recording(num_channels=1, durations=[0.01], seed=0)
    rec.save(folder=tmp / "secret_rec")
    monkeypatch.chdir(tmp)
    description = {"format": "lazyephys.extractor", "version": 1, "paths": "relative-to-file",
                   "kind": "BinaryFolderRecording", "kwargs": {"folder_path": "secret_rec"}}
    with pytest.raises(UnsafePathError, match="secret_rec"):
        le.load(_write(project, description))


def test_urls_in_a_relative_file_refused(layout):
    tmp, project = layout
    url = (tmp / "secret.raw").as_uri()
    path = _write(project, _binary([url]))
    with pytest.raises(UnsafePathError, match="secret.raw"):
        le.load(path)
    marker = _write(project, _binary([{"__path__": url, "relative": True}]), "m.json")
    with pytest.raises(UnsafePathError):
        le.load(marker)
    remote = _write(project, {"format": "lazyephys.extractor", "version": 1,
                              "paths": "relative-to-file", "kind": "ZarrRecordingExtractor",
                              "kwargs": {"folder_path": "s3://bucket/x.zarr"}}, "s3.json")
    with pytest.raises(UnsafePathError, match="URL"):
        le.load(remote)
    # a file:// URL in an absolute file is the path it names
    absolute = _write(project, _binary([url], "absolute"), "abs.json")
    assert _bytes_of(le.load(absolute)) == SECRET


def test_symlink_in_the_json_folder_pointing_out_refused(layout):
    tmp, project = layout
    (project / "link.raw").symlink_to(tmp / "secret.raw")
    path = _write(project, _binary([{"__path__": "link.raw", "relative": True}]))
    with pytest.raises(UnsafePathError) as info:
        le.load(path)
    assert "link.raw" in str(info.value) and str(tmp / "secret.raw") in str(info.value)


def _replace_by_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def test_saved_folder_raw_file_symlinked_out_refused(tmp_path):
    rec = le.generate_recording(num_channels=2, durations=[0.01], seed=0, dtype="int16")
    rec.save(folder=tmp_path / "saved")
    outside = tmp_path / "outside.raw"
    shutil.copy(tmp_path / "saved" / "traces_seg0.raw", outside)
    _replace_by_link(tmp_path / "saved" / "traces_seg0.raw", outside)
    with pytest.raises(UnsafePathError) as info:
        le.load(tmp_path / "saved")
    assert "traces_seg0.raw" in str(info.value) and str(outside) in str(info.value)


def test_saved_folder_property_symlinked_out_refused(tmp_path):
    rec = le.generate_recording(num_channels=2, durations=[0.01], seed=0)
    rec.set_property("depth", np.array([1.0, 2.0]))
    rec.save(folder=tmp_path / "saved")
    outside = tmp_path / "depth.npy"
    np.save(outside, np.array([5.0, 6.0]))
    _replace_by_link(tmp_path / "saved" / "properties" / "depth.npy", outside)
    with pytest.raises(UnsafePathError, match="depth.npy"):
        le.load(tmp_path / "saved")


def test_sorting_spikes_symlinked_out_refused(tmp_path):
    make_sorting().save(folder=tmp_path / "sorting")
    outside = tmp_path / "spikes_elsewhere.npy"
    shutil.copy(tmp_path / "sorting" / "spikes.npy", outside)
    _replace_by_link(tmp_path / "sorting" / "spikes.npy", outside)
    with pytest.raises(UnsafePathError, match="spikes"):
        le.load(tmp_path / "sorting")


def test_spikeinterface_folders_symlinked_out_refused(tmp_path):
    for name, member in (("recording_binary", "traces_cached_seg0.raw"),
                         ("sorting_numpy_folder", "spikes.npy")):
        folder = tmp_path / name
        shutil.copytree(FIXTURES / name, folder)
        outside = tmp_path / f"out_{member}"
        shutil.copy(folder / member, outside)
        _replace_by_link(folder / member, outside)
        with pytest.raises(UnsafePathError, match=member):
            le.load(folder)


def test_dump_refuses_paths_it_could_not_load_back(tmp_path):
    rec = le.generate_recording(num_channels=2, durations=[0.01], seed=0)
    saved = rec.save(folder=tmp_path / "data" / "raw")
    with pytest.raises(ValueError, match="outside"):
        saved.dump_to_json(tmp_path / "analysis" / "chain.json", relative_to=True)
    assert not (tmp_path / "analysis" / "chain.json").exists()
    saved.dump_to_json(tmp_path / "chain.json", relative_to=True)
    np.testing.assert_array_equal(le.load(tmp_path / "chain.json").get_traces(),
                                  rec.get_traces())


def test_file_written_before_confinement_still_loads(tmp_path):
    # the exact text dump_to_json(relative_to=True) wrote before paths were confined
    rec = le.generate_recording(num_channels=2, durations=[0.01], seed=3, dtype="int16")
    rec.save(folder=tmp_path / "raw")
    text = ('{"format": "lazyephys.extractor", "version": 1, "kind": "RecordingView", "kwargs":'
            ' {"parent": {"__extractor__": {"kind": "BinaryFolderRecording", "kwargs":'
            ' {"folder_path": {"__path__": "raw", "relative": true}}}}, "channel_indices":'
            ' {"__ndarray__": [1], "dtype": "<i8", "shape": [1]}, "channel_ids": null,'
            ' "start_frame": 2, "end_frame": 50}, "paths": "relative-to-file"}')
    (tmp_path / "old.json").write_text(text)
    loaded = le.load(tmp_path / "old.json")
    np.testing.assert_array_equal(loaded.get_traces(), rec.get_traces()[2:50, [1]])


def test_unknown_paths_mode_named(tmp_path):
    path = _write(tmp_path, _binary([{"__path__": "x.raw", "relative": True}], "sideways"))
    with pytest.raises(FormatError, match="sideways"):
        le.load(path)


@pytest.mark.parametrize("version", [True, -1, 0, "1", 1.5])
def test_bad_versions_refused(tmp_path, version):
    description = _binary([{"__path__": "x.raw", "relative": True}])
    description["version"] = version
    with pytest.raises(FormatError, match="version"):
        le.load(description, base_folder=tmp_path)


def test_empty_or_nul_path_refused(layout):
    _, project = layout
    for bad in ("", "a\x00b", 3):
        path = _write(project, _binary([{"__path__": bad, "relative": True}]))
        with pytest.raises(UnsafePathError):
            le.load(path)


def test_error_is_a_permission_error():
    assert issubclass(UnsafePathError, PermissionError)
    assert issubclass(UnsafePathError, le.LazyEphysError)
    assert os.path.realpath  # the rule compares resolved paths
