"""
The data model in ten minutes
=============================

Recordings and sortings are lazy: they describe data without holding it. This tour
builds them, names their channels and units, cuts and combines them, runs a chunked job,
and saves and moves them — every step on generated data, every step lazy until asked.
"""

# %%
# Why not just numpy?
# -------------------
# A day of a 384-channel probe at 30 kHz is 2.6 billion samples per channel: 2 TB as
# int16, 4 TB as float32. numpy would have to hold it; a lazy recording only describes it.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le

num_channels, sampling_frequency = 384, 30_000.0
day = le.generate_recording(num_channels=num_channels, durations=[24 * 3600.0], seed=0)
print(day)
print(f"{day.get_total_samples():,} samples, "
      f"{day.get_memory_size() / 1e9:.0f} GB if it were loaded")

# %%
# Channel names and reading a window
# ----------------------------------
# Renaming returns a new recording (the original is unchanged); reading asks for a window
# of frames and the channels by their ids.
recording = le.generate_recording(num_channels=3, durations=[10.0], seed=1)
recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
print(recording.get_channel_ids())
print(recording.get_traces(start_frame=0, end_frame=3, channel_ids=["a", "c"]))

# %%
# Lazy selections
# ---------------
# Selecting channels or cutting frames builds a view; no sample is read until asked.
two_channels = recording.select_channels(channel_ids=["a", "b"])
first_second = recording.frame_slice(start_frame=0, end_frame=30_000)
print(two_channels.get_num_channels(), first_second.get_duration())

# %%
# Combining recordings
# --------------------
# Concatenating joins recordings in time; aggregating puts channels side by side and
# keeps their ids.
recording1 = le.generate_recording(num_channels=3, durations=[10.0], seed=2)
recording2 = le.generate_recording(num_channels=3, durations=[10.0], seed=3)
joined = le.concatenate_recordings([recording1, recording2])
assert joined.get_duration() == recording1.get_duration() + recording2.get_duration()

left = le.generate_recording(num_channels=3, durations=[10.0], set_probe=False, seed=4)
right = le.generate_recording(num_channels=2, durations=[10.0], set_probe=False, seed=5)
side_by_side = le.aggregate_channels([left.rename_channels(["a", "b", "c"]),
                                      right.rename_channels(["d", "e"])])
print(side_by_side.get_channel_ids())

# %%
# Sortings
# --------
# A sorting holds spike trains as frames. Its native form is the spike vector: one array
# of (sample_index, unit_index, segment_index) sorted in time.
sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
print(sorting.get_unit_spike_train(unit_id="unit2")[:10])
print(sorting.to_spike_vector()[:5])

# %%
# Concatenating sortings shifts the second one's spikes by the first one's duration.
duration = 1.0
sorting1 = le.generate_sorting(num_units=3, durations=[duration], seed=0)
sorting1 = sorting1.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
sorting2 = le.generate_sorting(num_units=3, durations=[duration], seed=1)
sorting2 = sorting2.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
samples = int(sorting1.sampling_frequency * duration)
both = le.concatenate_sortings([sorting1, sorting2], total_samples_list=[samples, samples])
expected = np.concatenate([
    sorting1.get_unit_spike_train(unit_id="unit1", return_times=True),
    sorting2.get_unit_spike_train(unit_id="unit1", return_times=True) + duration,
])
assert np.allclose(both.get_unit_spike_train(unit_id="unit1", return_times=True), expected)

fig, ax = plt.subplots(figsize=(8, 2.5))
for row, part in enumerate([sorting1, sorting2, both]):
    times = part.get_unit_spike_train(unit_id="unit1", return_times=True)
    ax.vlines(times, row - 0.4, row + 0.4)
ax.set_yticks([0, 1, 2], ["sorting1", "sorting2", "concatenated"])
ax.set_xlabel("time (s)")
ax.set_title("unit1: the second sorting's spikes follow the first's")
fig.tight_layout()

# %%
# Parallel, chunked work
# ----------------------
# Writing a raw file walks the recording chunk by chunk; the job kwargs say how big the
# chunks are and how many workers run them. Memory stays at chunk size x channels x jobs.
workdir = Path(tempfile.mkdtemp())
job_kwargs = {"n_jobs": 2, "chunk_duration": "2s", "progress_bar": False}
le.write_binary_recording(recording, file_paths=[workdir / "traces.raw"], **job_kwargs)
raw = le.BinaryRecordingExtractor(workdir / "traces.raw", sampling_frequency=30_000.0,
                                  dtype=recording.get_dtype(), num_channels=3)
assert np.array_equal(raw.get_traces(), recording.get_traces())
print(le.make_chunk_plan(recording, chunk_duration="2s"))

# %%
# Defaults for every later job are set once:
le.set_global_job_kwargs(n_jobs=2, chunk_duration="2s")
print(le.get_global_job_kwargs())
le.reset_global_job_kwargs()

# %%
# Saving, and moving what was saved
# ---------------------------------
# A saved folder is self-contained: move it and it still loads.
recording.set_property("a_property", ["value1", "value2", "value3"])
saved = recording.save_to_folder(folder=workdir / "folderA" / "recording")
zarr_saved = recording.save_to_zarr(folder=workdir / "recording.zarr")
sorting.set_property("a_property", ["value1", "value2", "value3"])
saved_sorting = sorting.save_to_folder(folder=workdir / "sorting")
print(type(saved).__name__, type(zarr_saved).__name__, type(saved_sorting).__name__)

(workdir / "folderB").mkdir()
moved = (workdir / "folderA" / "recording").rename(workdir / "folderB" / "recording")
reloaded = le.load_extractor(moved)
print(reloaded.get_property("a_property"))
assert np.array_equal(reloaded.get_traces(), recording.get_traces())

# %%
# A lazy chain over saved data is saved as provenance: a small JSON file that rebuilds it.
chain = reloaded.select_channels(["a", "c"]).frame_slice(0, 1000)
chain.dump_to_json(workdir / "folderB" / "chain.json", relative_to=True)
print((workdir / "folderB" / "chain.json").read_text()[:300], "...")
print(le.load(workdir / "folderB" / "chain.json"))
