"""
Chunked, parallel export: progress and memory
=============================================

Exports walk a recording chunk by chunk, in parallel workers. The memory they use is set
by the chunk size, the number of channels and the number of jobs — not by the length of
the recording. This example measures it.
"""

# %%
# A recording larger than what we will let the export use
# --------------------------------------------------------
import contextlib
import sys
import tempfile
import tracemalloc
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le

recording = le.generate_recording(num_channels=64, durations=[30.0], dtype="int16", seed=0)
size_mb = recording.get_memory_size() / 1e6
print(recording)
print(f"{size_mb:.0f} MB if it were loaded at once")

# %%
# The plan, before running anything
# ---------------------------------
# The job kwargs turn into a plan: chunks of ``(segment_index, start_frame, end_frame)``.
plan = le.make_chunk_plan(recording, chunk_duration="0.5s")
print(plan)

# %%
# A progress bar
# --------------
# ``progress_bar=True`` shows a tqdm bar over the chunks (on standard error; this page
# shows it by sending it to the output).
workdir = Path(tempfile.mkdtemp())
with contextlib.redirect_stderr(sys.stdout):
    le.write_binary_recording(recording, file_paths=[workdir / "traces.raw"], n_jobs=2,
                              pool_engine="thread", chunk_duration="1s", progress_bar=True)
print(f"{(workdir / 'traces.raw').stat().st_size / 1e6:.0f} MB written")


# %%
# Measuring the memory an export takes
# ------------------------------------
# Python's ``tracemalloc`` counts every array numpy allocates, in every thread; its peak
# during an export is the most the export held at once. (Pages of the file being written
# belong to the operating system's cache, not to the process.)
chunk_durations = [0.1, 0.25, 0.5, 1.0, 2.0]
peaks = []
for chunk_duration in chunk_durations:
    tracemalloc.start()
    le.write_binary_recording(recording, file_paths=[workdir / "traces.raw"], n_jobs=2,
                              pool_engine="thread", chunk_duration=chunk_duration)
    peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
    tracemalloc.stop()

frame_mb = recording.get_num_channels() * recording.get_dtype().itemsize / 1e6
fs = recording.get_sampling_frequency()
for chunk_duration, peak in zip(chunk_durations, peaks, strict=True):
    chunk_mb = chunk_duration * fs * frame_mb
    print(f"chunks of {chunk_duration:4} s ({chunk_mb:5.1f} MB): peak {peak:5.1f} MB")

# %%
# The peak is one chunk per worker — here two — and stays far below the recording's
# size, whatever the recording's length: chunk size x channels x n_jobs.
chunk_mb = np.array(chunk_durations) * fs * frame_mb
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(chunk_mb, peaks, "o-", label="measured peak")
ax.plot(chunk_mb, 2 * chunk_mb, "--", label="n_jobs x chunk size")
ax.axhline(size_mb, color="k", linestyle=":", label="the whole recording")
ax.set_xlabel("chunk size (MB)")
ax.set_ylabel("memory (MB)")
ax.set_yscale("log")
ax.set_xscale("log")
ax.legend()
ax.set_title("export memory, 2 workers")
fig.tight_layout()

# %%
# The written file equals the recording, read back memory-mapped.
raw = le.BinaryRecordingExtractor(workdir / "traces.raw", sampling_frequency=fs,
                                  dtype="int16", num_channels=64)
some = slice(600_000, 600_500)
assert np.array_equal(raw.get_traces(start_frame=some.start, end_frame=some.stop),
                      recording.get_traces(start_frame=some.start, end_frame=some.stop))
