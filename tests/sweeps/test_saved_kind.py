"""A saved sweep recording loads back as a SweepRecording through ``lazyephys.load``, from a
binary folder, a zarr store, an HDF5 file and a provenance JSON file; the kind is named in
the saved metadata and found through the registry of kinds."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import FormatError, SavedKindWarning
from lazyephys.io.binary_folder import BinaryFolderRecording
from lazyephys.sweeps import SweepRecording, concatenate_sweeps

from .test_recording import small_sweeps

FORMATS = {"binary": "sweeps", "zarr": "sweeps.zarr", "hdf5": "sweeps.h5"}


def two_cells() -> SweepRecording:
    return concatenate_sweeps([small_sweeps(cell="a"), small_sweeps(currents=False, cell="b")])


def assert_same_sweeps(loaded, expected: SweepRecording) -> None:
    assert type(loaded) is SweepRecording
    table, wanted = loaded.get_sweep_table(), expected.get_sweep_table()
    assert set(table) == set(wanted)
    for key, values in wanted.items():
        np.testing.assert_array_equal(table[key], values, err_msg=key)
    assert loaded.get_num_segments() == expected.get_num_segments()
    for index in range(expected.get_num_segments()):
        np.testing.assert_array_equal(loaded.get_traces(index), expected.get_traces(index))


@pytest.mark.parametrize("format", sorted(FORMATS))
def test_load_gives_sweeps_for_every_format(tmp_path, format):
    if format == "hdf5":
        pytest.importorskip("h5py")
    if format == "zarr":
        pytest.importorskip("zarr")
    sweeps = two_cells()
    saved = sweeps.save(folder=tmp_path / FORMATS[format], format=format)
    assert_same_sweeps(saved, sweeps)  # save returns what load gives
    loaded = le.load(tmp_path / FORMATS[format])
    assert_same_sweeps(loaded, sweeps)
    # the sweeps read the saved data, with its metadata (not a copy held in memory)
    assert not loaded.is_in_memory()
    assert loaded.get_sweep_info(4) == sweeps.get_sweep_info(4)
    # and what was loaded describes itself as sweeps: its JSON loads as sweeps again
    loaded.dump_to_json(tmp_path / "loaded.json", relative_to=tmp_path)
    assert_same_sweeps(le.load(tmp_path / "loaded.json"), sweeps)
    assert_same_sweeps(le.load(loaded.to_dict()), sweeps)


def test_a_save_to_memory_gives_sweeps():
    sweeps = two_cells()
    in_memory = sweeps.save(format="memory")
    assert_same_sweeps(in_memory, sweeps)
    assert in_memory.is_in_memory()


def test_json_of_sweeps_over_a_saved_recording(tmp_path):
    raw = le.save(small_sweeps(), folder=tmp_path / "raw")
    sweeps = SweepRecording(raw, "c9", ["IDRest", "IDthresh", "IDRest"], [0.1, 0.2, 0.3],
                            20.0, 80.0)
    sweeps.dump_to_json(tmp_path / "sweeps.json", relative_to=True)
    assert_same_sweeps(le.load(tmp_path / "sweeps.json"), sweeps)


def test_the_binary_metadata_names_the_kind(tmp_path):
    two_cells().save(folder=tmp_path / "sweeps")
    metadata = json.loads((tmp_path / "sweeps" / "lazyephys.json").read_text())
    assert metadata["saved_kind"] == "SweepRecording"
    # a plain recording saved from the sweeps (one channel of them) is a plain recording
    voltage = le.load(tmp_path / "sweeps").select_channels(["voltage"])
    plain = voltage.save(folder=tmp_path / "voltage")
    assert type(plain) is BinaryFolderRecording
    metadata = json.loads((tmp_path / "voltage" / "lazyephys.json").read_text())
    assert "saved_kind" not in metadata


def _rewrite_kind(folder, value) -> None:
    path = folder / "lazyephys.json"
    metadata = json.loads(path.read_text())
    metadata["saved_kind"] = value
    path.write_text(json.dumps(metadata))


def test_an_unknown_saved_kind_loads_plain_with_a_warning(tmp_path):
    two_cells().save(folder=tmp_path / "sweeps")
    _rewrite_kind(tmp_path / "sweeps", "SomePluginRecording")
    with pytest.warns(SavedKindWarning, match="SomePluginRecording, which is not a registered"):
        loaded = le.load(tmp_path / "sweeps")
    assert type(loaded) is BinaryFolderRecording
    # the sweeps are still there for whoever knows them
    assert_same_sweeps(SweepRecording.from_recording(loaded), two_cells())


def test_a_kind_that_is_not_rebuilt_over_its_folder_is_not_applied(tmp_path):
    two_cells().save(folder=tmp_path / "sweeps")
    _rewrite_kind(tmp_path / "sweeps", "NumpyRecording")
    with pytest.warns(SavedKindWarning, match="NumpyRecording, which is not rebuilt"):
        assert type(le.load(tmp_path / "sweeps")) is BinaryFolderRecording


def test_a_saved_kind_that_is_not_a_name_is_refused(tmp_path):
    two_cells().save(folder=tmp_path / "sweeps")
    _rewrite_kind(tmp_path / "sweeps", {"module": "os"})
    with pytest.raises(FormatError, match="'saved_kind' must be a kind's name"):
        le.load(tmp_path / "sweeps")
