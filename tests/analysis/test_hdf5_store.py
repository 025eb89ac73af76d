"""HDF5 recording stores: save(format="hdf5") and load, chunked, atomic, labelled."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import lazyephys as le
from lazyephys.analysis import smooth_spikes


def test_recording_round_trip_with_metadata(tmp_path):
    recording = le.generate_recording(num_channels=3, durations=[1.0, 0.5], seed=0)
    recording = recording.rename_channels(["a", "b", "c"])
    recording.set_property("quality", ["good", "bad", "good"])
    recording.annotate(subject="m1")
    recording.set_start_time(10.0, segment_index=1)
    saved = recording.save(folder=tmp_path / "store", format="hdf5", chunk_size=7000, n_jobs=2)
    assert (tmp_path / "store.h5").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    for index in range(2):
        np.testing.assert_array_equal(saved.get_traces(segment_index=index),
                                      recording.get_traces(segment_index=index))
    assert saved.get_channel_ids().tolist() == ["a", "b", "c"]
    assert saved.get_property("quality").tolist() == ["good", "bad", "good"]
    assert saved.get_annotation("subject") == "m1"
    assert saved.get_start_time(1) == 10.0
    with h5py.File(tmp_path / "store.h5") as handle:  # one dataset per segment
        assert sorted(handle["traces"]) == ["segment_0", "segment_1"]
        assert handle.attrs["sampling_frequency"] == recording.get_sampling_frequency()
    again = le.load(tmp_path / "store.h5")
    assert np.array_equal(again.get_traces(segment_index=1, channel_ids=["c", "a"]),
                          recording.get_traces(segment_index=1, channel_ids=["c", "a"]))
    rebuilt = le.load(saved.to_dict())
    assert np.array_equal(rebuilt.get_traces(segment_index=0), saved.get_traces(segment_index=0))


def test_smoothed_simulations_into_one_store(tmp_path):
    simulations = [le.generate_sorting(num_units=4, durations=[1.0], firing_rates=20.0, seed=s)
                   for s in range(3)]
    sorting = le.append_sortings(simulations)  # one segment per simulation
    signal = smooth_spikes(sorting, sigma=0.01)
    saved = signal.save(folder=tmp_path / "signals.h5", format="hdf5", n_jobs=2)
    assert saved.get_num_segments() == 3
    for index in range(3):
        np.testing.assert_array_equal(saved.get_traces(segment_index=index),
                                      signal.get_traces(segment_index=index))


def test_failed_save_leaves_nothing_and_existing_needs_overwrite(tmp_path):
    recording = le.NumpyRecording([np.full((500, 2), 1000, dtype=np.int16)], 1000.0)
    recording.save(folder=tmp_path / "x.h5", format="hdf5")
    with pytest.raises(FileExistsError, match="overwrite"):
        recording.save(folder=tmp_path / "x.h5", format="hdf5")
    with pytest.raises(le.JobChunkError, match="overflow"):
        recording.save(folder=tmp_path / "x.h5", format="hdf5", dtype="int8", overwrite=True)
    np.testing.assert_array_equal(le.load(tmp_path / "x.h5").get_traces(),
                                  recording.get_traces())  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.h5"]


def test_other_hdf5_files_are_not_claimed(tmp_path):
    with h5py.File(tmp_path / "other.h5", "w") as handle:
        handle.create_dataset("data", data=np.arange(3))
    with pytest.raises(le.FormatError, match="no registered format"):
        le.load(tmp_path / "other.h5")
