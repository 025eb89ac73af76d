# ruff: noqa
"""The seed tutorial (a SpikeInterface core tutorial notebook) as a plain script.

Every code cell in order, with only the import changed (``spikeinterface`` ->
``lazyephys``) and no ``if __name__ == "__main__":`` guard, as a user runs a notebook
exported to a script. Three cells are left out: the one that asks numpy for 7 TiB and the
two that print zarr's own tree of a store (``_root.tree()``).
"""

# cell 0
import warnings
warnings.filterwarnings('ignore', category=DeprecationWarning)

# cell 1
num_channels = 384
sampling_frequency = 30_000.0 # Hz

total_time_hours = 24 
total_time_seconds = total_time_hours * 60 * 60

num_samples = int(total_time_seconds * sampling_frequency)
num_channels, num_samples

# cell 2: left out (asks numpy for 7 TiB)

# cell 3
from lazyephys.core import generate_recording 

recording = generate_recording(num_channels=3, durations=[10])
recording

# cell 4
recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])  # This is not in-place
recording.get_channel_ids()

# cell 5
recording.get_traces(start_frame=0, end_frame=3, channel_ids=["a", "c"])

# cell 6
channel_sliced_recording = recording.select_channels(channel_ids=["a", "b"])
channel_sliced_recording

# cell 7
sliced_recording = recording.frame_slice(start_frame=0, end_frame=1000)
sliced_recording

# cell 8
from lazyephys.core import concatenate_recordings

recording1 = generate_recording(num_channels=3, durations=[10])
recording2 = generate_recording(num_channels=3, durations=[10])

concanted_recordings = concatenate_recordings([recording1, recording2])

assert concanted_recordings.get_duration() == recording1.get_duration()  + recording2.get_duration()

# cell 9
from lazyephys.core import aggregate_channels

recording1 = generate_recording(num_channels=3, durations=[10], set_probe=False)  # To avoid location check
recording1 = recording1.rename_channels(new_channel_ids=["a", "b", "c"])
recording2 = generate_recording(num_channels=2, durations=[10], set_probe=False)  
recording2 = recording2.rename_channels(new_channel_ids=["d", "e"])

aggregated_recording = aggregate_channels([recording1, recording2])  
assert aggregated_recording.get_num_channels() == 5
assert list(aggregated_recording.get_channel_ids()) == ['a', 'b', 'c', 'd', 'e']  # Failing right now

# cell 10
from lazyephys.core import generate_sorting 

sorting = generate_sorting(num_units=3, durations=[10])
sorting

# cell 11
sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])  # This is not in-place
sorting.get_unit_ids()

# cell 12
sorting.get_unit_spike_train(unit_id="unit2")

# cell 13
unit_selected_sorting = sorting.select_units(unit_ids=["unit1", "unit2"])
unit_selected_sorting

# cell 14
sliced_sorting = sorting.frame_slice(start_frame=0, end_frame=1000)
sliced_sorting

# cell 15
from lazyephys.core import generate_sorting, concatenate_sortings


duration = 1.0 # Seconds
sorting1 = generate_sorting(num_units=3, durations=[duration], seed=0)
sorting1 = sorting1.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
sorting2 = generate_sorting(num_units=3, durations=[duration], seed=1)
sorting2 = sorting2.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])

num_samples_sorting1 = sorting1.sampling_frequency * duration
num_samples_sorting2 = sorting2.sampling_frequency * duration

concatenated_sorting = concatenate_sortings(sorting_list=[sorting1, sorting2], total_samples_list=[num_samples_sorting1, num_samples_sorting2])

# cell 16
sorting1.get_unit_spike_train(unit_id="unit1", return_times=True)

# cell 17
sorting2.get_unit_spike_train(unit_id="unit1", return_times=True)

# cell 18
sorting2.get_unit_spike_train(unit_id="unit1", return_times=True) + duration

# cell 19
concatenated_sorting.get_unit_spike_train(unit_id="unit1", return_times=True)

# cell 20
from lazyephys.core import generate_sorting, aggregate_units


duration = 10.0 # Seconds
sorting1 = generate_sorting(num_units=3, durations=[duration])
sorting2 = generate_sorting(num_units=2, durations=[duration])


aggregated_sorting = aggregate_units([sorting1, sorting2])

# cell 21
from lazyephys.core import generate_recording, write_binary_recording
import tempfile

recording = generate_recording(num_channels=3, durations=[10])


job_kwargs = {"n_jobs":2, "chunk_duration": 5.0, "progress_bar": 1, 'progress_bar': True}


with tempfile.NamedTemporaryFile(suffix='.raw', delete=False) as temp_file:
    temporary_file_path = temp_file.name
    write_binary_recording(recording=recording, file_paths=[temporary_file_path], **job_kwargs)

# cell 22
from lazyephys import set_global_job_kwargs, get_global_job_kwargs
from lazyephys.core import generate_recording, write_binary_recording
import tempfile

recording = generate_recording(num_channels=3, durations=[10])


print(get_global_job_kwargs())

with tempfile.NamedTemporaryFile(suffix='.raw', delete=False) as temp_file:
    temporary_file_path = temp_file.name
    write_binary_recording(recording=recording, file_paths=[temporary_file_path])


set_global_job_kwargs(n_jobs=2, chunk_duration=5.0, progress_bar=True)

with tempfile.NamedTemporaryFile(suffix='.raw', delete=False) as temp_file:
    temporary_file_path = temp_file.name
    write_binary_recording(recording=recording, file_paths=[temporary_file_path])

# cell 23
from lazyephys.core import generate_sorting 

sorting = generate_sorting(num_units=3, durations=[10])
sorting.to_spike_vector(concatenated=False)[0]

# cell 24
from pathlib import Path
from lazyephys.core import generate_recording

recording = generate_recording(num_channels=3, durations=[10], set_probe=True)
recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])  # This is not in-place
recording.set_property("a_property", ["value1", "value2", "value3"])  # This is in place



job_kwargs={'progress_bar': True, "verbose":True, "n_jobs":2}

folder_path = Path("./test_recording")


binary_recording = recording.save_to_folder(folder=folder_path,  overwrite=True, **job_kwargs)   
binary_recording

# cell 25
from pathlib import Path
from lazyephys.core import generate_sorting

sorting = generate_sorting(num_units=3, durations=[10])
sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])  # This is not in-place

sorting.set_property("a_property", ["value1", "value2", "value3"])  # This is in place


folder_path = Path("./test_sorting")

job_kwargs={'progress_bar': True, "verbose":True, "n_jobs":2}
binary_sorting = sorting.save_to_folder(folder=folder_path,  overwrite=True, **job_kwargs)   
binary_sorting

# cell 26
sorting

# cell 27
from pathlib import Path
from lazyephys.core import generate_recording

recording = generate_recording(num_channels=3, durations=[10], set_probe=True)
recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])  # This is not in-place
recording.set_property("a_property", ["value1", "value2", "value3"])  # This is in place

folder_path = Path("./test_recording.zarr")

job_kwargs={'progress_bar': True, "verbose":True, "n_jobs":2}
zarr_recording = recording.save_to_zarr(folder=folder_path,  overwrite=True, **job_kwargs)   
zarr_recording

# cell 28: left out (prints zarr's own tree of the store)

# cell 29
from pathlib import Path
from lazyephys.core import generate_sorting

sorting = generate_sorting(num_units=3, durations=[10])
sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])  # This is not in-place

sorting.set_property("a_property", ["value1", "value2", "value3"])  # This is in place


folder_path = Path("./test_sorting.zarr")

job_kwargs={'progress_bar': True, "verbose":True, "n_jobs":2}
zarr_sorting = sorting.save_to_zarr(folder=folder_path,  overwrite=True, **job_kwargs)   
zarr_sorting

# cell 30: left out (prints zarr's own tree of the store)

# cell 31
from pathlib import Path
from lazyephys.core import generate_recording
from lazyephys.core import load_extractor  

recording = generate_recording(num_channels=3, durations=[10], set_probe=True)


# Save a recording within a nested folder
base_folder = Path.cwd() / "saving_recording_and_moving" 
original_recording_folder = base_folder / "folderA" / "recording_folder"  

recording = recording.save_to_folder(folder=original_recording_folder, overwrite=True)


# We move the folder from its original location one level up to the current folder
another_folder = base_folder / "folderB"
another_folder.mkdir(exist_ok=True)
destination_folder = another_folder / "recording_folder"

original_recording_folder.rename(destination_folder)



load_extractor(file_or_folder_or_dict=destination_folder)

# cell 32
from pathlib import Path

from lazyephys.core import generate_recording, load_extractor
from lazyephys.preprocessing import bandpass_filter, common_reference

# First we simulate having raw data (can be large!) in a folder 
simulated_recording = generate_recording(num_channels=3, durations=[10])
base_folder = Path.cwd() / "working_with_preprocessing_provenance"

raw_data_location = base_folder/ "raw_data_location_folder"
raw_data_location.mkdir(parents=True, exist_ok=True)
recording_saved = simulated_recording.save(folder=raw_data_location, overwrite=True)


# Now our common analysis pipeline starts by loading the raw data
raw_data_recording = load_extractor(file_or_folder_or_dict=raw_data_location)
# And then we apply some preprocessing steps
recording_preprocessed = bandpass_filter(common_reference(raw_data_recording))

# Note that we can save our preprocessed data for faster access afterwards:
# recording_preprocessed.save(folder=Path.cwd() / "preprocessed_data_folder")
# But maybe we only want to save our provenance data, that is, our pre-processing pipeline and parameters
# For this we can save oure preprocessing pipeline as a json file

# dump_to_json without relative_to

json_file_path = base_folder / "analysis_folder" / "preprocessed_pipeline.json"
recording_preprocessed.dump_to_json(file_path=json_file_path)


json_file_path_relative = base_folder / "analysis_folder" / "preprocessed_pipeline_relative.json"
recording_preprocessed.dump_to_json(file_path=json_file_path_relative, relative_to=base_folder)


# This then can be loaded again to recover the pipeline
recovered_pipeline = load_extractor(file_or_folder_or_dict=json_file_path)

# We move the json to a new folder
new_base_folder = Path.cwd() / "new_working_with_preprocessing_provenance"
new_base_folder.mkdir(exist_ok=True)

base_folder.rename(new_base_folder)

new_json_file_path = new_base_folder / "analysis_folder" / "preprocessed_pipeline.json"
assert new_json_file_path.is_file(), "The json file was not moved correctly" 

# Try to load it
try:
    recovered_pipeline = load_extractor(file_or_folder_or_dict=new_json_file_path)
except:
    print("This generated an error because the references to the raw data were absolute")
    
# We can solve this by saving the json file with relative paths

new_json_file_path_with_relative = new_base_folder / "analysis_folder" / "preprocessed_pipeline_relative.json"
assert new_json_file_path_with_relative.is_file(), "The json file with relative was not moved correctly"
recovered_pipeline = load_extractor(file_or_folder_or_dict=new_json_file_path_with_relative, base_folder=new_base_folder)
recovered_pipeline
