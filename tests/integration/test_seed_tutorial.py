"""The seed tutorial (shared/seeds/001), cell by cell, with only the import changed.

Each test is one cell or a few consecutive cells, run in a temporary working directory
(the tutorial writes relative to the current directory).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def in_tmp_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_recording_cells():
    from lazyephys.core import generate_recording

    recording = generate_recording(num_channels=3, durations=[10])
    recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
    assert list(recording.get_channel_ids()) == ["a", "b", "c"]
    traces = recording.get_traces(start_frame=0, end_frame=3, channel_ids=["a", "c"])
    assert traces.shape == (3, 2)
    channel_sliced_recording = recording.select_channels(channel_ids=["a", "b"])
    assert channel_sliced_recording.get_num_channels() == 2
    sliced_recording = recording.frame_slice(start_frame=0, end_frame=1000)
    assert sliced_recording.get_num_samples() == 1000

    from lazyephys.core import concatenate_recordings

    recording1 = generate_recording(num_channels=3, durations=[10])
    recording2 = generate_recording(num_channels=3, durations=[10])
    concanted_recordings = concatenate_recordings([recording1, recording2])
    assert (concanted_recordings.get_duration()
            == recording1.get_duration() + recording2.get_duration())

    from lazyephys.core import aggregate_channels

    recording1 = generate_recording(num_channels=3, durations=[10], set_probe=False)
    recording1 = recording1.rename_channels(new_channel_ids=["a", "b", "c"])
    recording2 = generate_recording(num_channels=2, durations=[10], set_probe=False)
    recording2 = recording2.rename_channels(new_channel_ids=["d", "e"])
    aggregated_recording = aggregate_channels([recording1, recording2])
    assert aggregated_recording.get_num_channels() == 5
    assert list(aggregated_recording.get_channel_ids()) == ["a", "b", "c", "d", "e"]


def test_sorting_cells():
    from lazyephys.core import generate_sorting

    sorting = generate_sorting(num_units=3, durations=[10])
    sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    assert list(sorting.get_unit_ids()) == ["unit1", "unit2", "unit3"]
    train = sorting.get_unit_spike_train(unit_id="unit2")
    assert train.ndim == 1 and np.all(np.diff(train) >= 0)
    unit_selected_sorting = sorting.select_units(unit_ids=["unit1", "unit2"])
    assert unit_selected_sorting.get_num_units() == 2
    sliced_sorting = sorting.frame_slice(start_frame=0, end_frame=1000)
    assert np.all(sliced_sorting.get_unit_spike_train(unit_id="unit1") < 1000)

    from lazyephys.core import concatenate_sortings, generate_sorting

    duration = 1.0
    sorting1 = generate_sorting(num_units=3, durations=[duration], seed=0)
    sorting1 = sorting1.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    sorting2 = generate_sorting(num_units=3, durations=[duration], seed=1)
    sorting2 = sorting2.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    num_samples_sorting1 = sorting1.sampling_frequency * duration
    num_samples_sorting2 = sorting2.sampling_frequency * duration
    concatenated_sorting = concatenate_sortings(
        sorting_list=[sorting1, sorting2],
        total_samples_list=[num_samples_sorting1, num_samples_sorting2])
    first = sorting1.get_unit_spike_train(unit_id="unit1", return_times=True)
    second = sorting2.get_unit_spike_train(unit_id="unit1", return_times=True) + duration
    np.testing.assert_allclose(
        concatenated_sorting.get_unit_spike_train(unit_id="unit1", return_times=True),
        np.concatenate([first, second]))

    from lazyephys.core import aggregate_units, generate_sorting

    duration = 10.0
    sorting1 = generate_sorting(num_units=3, durations=[duration])
    sorting2 = generate_sorting(num_units=2, durations=[duration])
    with pytest.warns(UserWarning):
        aggregated_sorting = aggregate_units([sorting1, sorting2])
    assert aggregated_sorting.get_num_units() == 5

    sorting = generate_sorting(num_units=3, durations=[10])
    vector = sorting.to_spike_vector(concatenated=False)[0]
    assert vector.dtype.names == ("sample_index", "unit_index", "segment_index")


def test_parallel_processing_cells():
    from lazyephys.core import generate_recording, write_binary_recording

    recording = generate_recording(num_channels=3, durations=[10])
    job_kwargs = {"n_jobs": 2, "chunk_duration": 5.0, "progress_bar": 1, "progress_bar": True}  # noqa: F601
    with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
        temporary_file_path = temp_file.name
        write_binary_recording(recording=recording, file_paths=[temporary_file_path],
                               **job_kwargs)
    written = np.fromfile(temporary_file_path, dtype="float32").reshape(-1, 3)
    np.testing.assert_array_equal(written, recording.get_traces())
    os.remove(temporary_file_path)

    from lazyephys import get_global_job_kwargs, set_global_job_kwargs
    from lazyephys.core import generate_recording, write_binary_recording

    before = get_global_job_kwargs()
    try:
        recording = generate_recording(num_channels=3, durations=[10])
        print(get_global_job_kwargs())
        with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
            temporary_file_path = temp_file.name
            write_binary_recording(recording=recording, file_paths=[temporary_file_path])
        os.remove(temporary_file_path)
        set_global_job_kwargs(n_jobs=2, chunk_duration=5.0, progress_bar=True)
        with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as temp_file:
            temporary_file_path = temp_file.name
            write_binary_recording(recording=recording, file_paths=[temporary_file_path])
        written = np.fromfile(temporary_file_path, dtype="float32").reshape(-1, 3)
        np.testing.assert_array_equal(written, recording.get_traces())
        os.remove(temporary_file_path)
    finally:
        set_global_job_kwargs(**before)


def test_saving_cells():
    from lazyephys.core import generate_recording, generate_sorting

    recording = generate_recording(num_channels=3, durations=[10], set_probe=True)
    recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
    recording.set_property("a_property", ["value1", "value2", "value3"])
    job_kwargs = {"progress_bar": True, "verbose": True, "n_jobs": 2}
    folder_path = Path("./test_recording")
    binary_recording = recording.save_to_folder(folder=folder_path, overwrite=True, **job_kwargs)
    np.testing.assert_array_equal(binary_recording.get_traces(), recording.get_traces())
    assert list(binary_recording.get_property("a_property")) == ["value1", "value2", "value3"]

    sorting = generate_sorting(num_units=3, durations=[10])
    sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    sorting.set_property("a_property", ["value1", "value2", "value3"])
    folder_path = Path("./test_sorting")
    binary_sorting = sorting.save_to_folder(folder=folder_path, overwrite=True, **job_kwargs)
    np.testing.assert_array_equal(binary_sorting.to_spike_vector(), sorting.to_spike_vector())
    repr(sorting)

    recording = generate_recording(num_channels=3, durations=[10], set_probe=True)
    recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
    recording.set_property("a_property", ["value1", "value2", "value3"])
    folder_path = Path("./test_recording.zarr")
    zarr_recording = recording.save_to_zarr(folder=folder_path, overwrite=True, **job_kwargs)
    np.testing.assert_array_equal(zarr_recording.get_traces(), recording.get_traces())
    zarr_recording._root.tree()

    sorting = generate_sorting(num_units=3, durations=[10])
    sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    sorting.set_property("a_property", ["value1", "value2", "value3"])
    folder_path = Path("./test_sorting.zarr")
    zarr_sorting = sorting.save_to_zarr(folder=folder_path, overwrite=True, **job_kwargs)
    np.testing.assert_array_equal(zarr_sorting.to_spike_vector(), sorting.to_spike_vector())
    zarr_sorting._root.tree()


def test_saving_is_portable_cell():
    from lazyephys.core import generate_recording, load_extractor

    recording = generate_recording(num_channels=3, durations=[10], set_probe=True)
    base_folder = Path.cwd() / "saving_recording_and_moving"
    original_recording_folder = base_folder / "folderA" / "recording_folder"
    recording = recording.save_to_folder(folder=original_recording_folder, overwrite=True)
    another_folder = base_folder / "folderB"
    another_folder.mkdir(exist_ok=True)
    destination_folder = another_folder / "recording_folder"
    original_recording_folder.rename(destination_folder)
    moved = load_extractor(file_or_folder_or_dict=destination_folder)
    np.testing.assert_array_equal(moved.get_traces(), recording.get_traces())


def test_preprocessing_provenance_cell():
    from lazyephys.core import generate_recording, load_extractor
    from lazyephys.preprocessing import bandpass_filter, common_reference

    simulated_recording = generate_recording(num_channels=3, durations=[10])
    base_folder = Path.cwd() / "working_with_preprocessing_provenance"
    raw_data_location = base_folder / "raw_data_location_folder"
    raw_data_location.mkdir(parents=True, exist_ok=True)
    simulated_recording.save(folder=raw_data_location, overwrite=True)
    raw_data_recording = load_extractor(file_or_folder_or_dict=raw_data_location)
    recording_preprocessed = bandpass_filter(common_reference(raw_data_recording))

    json_file_path = base_folder / "analysis_folder" / "preprocessed_pipeline.json"
    recording_preprocessed.dump_to_json(file_path=json_file_path)
    json_file_path_relative = (
        base_folder / "analysis_folder" / "preprocessed_pipeline_relative.json")
    recording_preprocessed.dump_to_json(file_path=json_file_path_relative,
                                        relative_to=base_folder)
    recovered_pipeline = load_extractor(file_or_folder_or_dict=json_file_path)
    expected = recording_preprocessed.get_traces(start_frame=1000, end_frame=2000)
    np.testing.assert_array_equal(
        recovered_pipeline.get_traces(start_frame=1000, end_frame=2000), expected)

    new_base_folder = Path.cwd() / "new_working_with_preprocessing_provenance"
    new_base_folder.mkdir(exist_ok=True)
    base_folder.rename(new_base_folder)
    new_json_file_path = new_base_folder / "analysis_folder" / "preprocessed_pipeline.json"
    assert new_json_file_path.is_file()
    with pytest.raises(FileNotFoundError, match="base_folder"):
        load_extractor(file_or_folder_or_dict=new_json_file_path)
    new_json_file_path_with_relative = (
        new_base_folder / "analysis_folder" / "preprocessed_pipeline_relative.json")
    assert new_json_file_path_with_relative.is_file()
    recovered_pipeline = load_extractor(file_or_folder_or_dict=new_json_file_path_with_relative,
                                        base_folder=new_base_folder)
    np.testing.assert_array_equal(
        recovered_pipeline.get_traces(start_frame=1000, end_frame=2000), expected)
