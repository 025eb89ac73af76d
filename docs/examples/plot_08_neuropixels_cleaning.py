"""
Cleaning a high-density probe: bad channels and stripes
=======================================================

Raw data of dense probes carries two problems a band-pass filter does not fix: channels
that are dead or far noisier than their neighbours, and "stripes" — noise shared by many
channels at once. Bad channels are detected from statistics on random chunks and replaced
by their neighbours (kriging); stripes are removed by a high-pass filter across channels.
Every step is lazy and saves as provenance like any other.
"""

# %%
# A recording with a dead channel, a noisy one, and stripes
# ---------------------------------------------------------
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from probeinterface import generate_multi_columns_probe

import lazyephys as le
from lazyephys.preprocessing import (
    bandpass_filter,
    detect_bad_channels,
    highpass_spatial_filter,
    interpolate_bad_channels,
)
from lazyephys.widgets import plot_traces

num_channels, duration = 96, 5.0
recording, _ = le.generate_ground_truth_recording(
    durations=[duration], num_channels=num_channels, num_units=20, seed=11
)
fs = recording.get_sampling_frequency()
probe = generate_multi_columns_probe(num_columns=2, num_contact_per_column=48,
                                     xpitch=32, ypitch=20, y_shift_per_column=[0, 10])
probe.set_device_channel_indices(np.arange(num_channels))

rng = np.random.default_rng(1)
traces = recording.get_traces().copy()
# stripes: bursts of noise shared by every channel, as a reference picks them up
burst = np.zeros(traces.shape[0], dtype=np.float32)
for start in rng.integers(0, traces.shape[0] - 600, 40):
    burst[start:start + 600] += rng.normal(0, 25, 600).astype(np.float32)
traces += burst[:, None]
traces[:, 30] *= 0.01            # a dead channel
traces[:, 61] *= 12.0            # a noisy one
in_memory = le.NumpyRecording([traces], sampling_frequency=fs).set_probe(probe)
in_memory.set_channel_gains(1.0)  # the generated traces are in microvolts
in_memory.set_channel_offsets(0.0)
# raw data lives in files: save it, and work on the memory-mapped copy
raw = in_memory.save(folder=Path(tempfile.mkdtemp()) / "raw")
print(raw)

# %%
# Finding the bad channels
# ------------------------
# The default method compares each channel with its neighbours along the probe (coherence)
# and looks at its high-frequency power; a label says why a channel is bad.
filtered = bandpass_filter(raw, freq_min=300.0, freq_max=6000.0)
bad_channel_ids, labels = detect_bad_channels(filtered, num_random_chunks=20, seed=0)
print("bad:", bad_channel_ids, "labels:", {str(label): int((labels == label).sum())
                                          for label in np.unique(labels)})

# %%
# Interpolating them, then destriping
# -----------------------------------
repaired = interpolate_bad_channels(filtered, bad_channel_ids)
destriped = highpass_spatial_filter(repaired)
print(destriped)

fig, axes = plt.subplots(1, 3, figsize=(12, 4.5), sharey=True)
window = (1.0, 1.1)
for ax, (name, step) in zip(axes, [("band-pass", filtered), ("bad channels interpolated",
                                   repaired), ("destriped", destriped)], strict=True):
    plot_traces(step, time_range=window, mode="map", order_channel_by_depth=True,
                clim=(-60, 60), ax=ax)
    ax.set_title(name)
    if ax is not axes[0]:
        ax.set_ylabel("")
fig.tight_layout()

# %%
# The noise each channel carries, before and after: the dead and noisy channels take
# their neighbours' level, and what the channels shared is gone.
def noise_level(step):
    chunk = step.get_traces(start_frame=0, end_frame=int(fs))
    return np.median(np.abs(chunk - np.median(chunk, axis=0)), axis=0) / 0.6745


fig, ax = plt.subplots(figsize=(8, 3.5))
for name, step in [("band-pass", filtered), ("interpolated", repaired),
                   ("destriped", destriped)]:
    ax.plot(noise_level(step), label=name)
ax.set_yscale("log")
ax.set_xlabel("channel")
ax.set_ylabel("noise (MAD, a.u.)")
ax.legend()
fig.tight_layout()

# %%
# The chain is provenance: the detected channels are part of its description, so the
# cleaning rebuilds exactly from a small JSON file.
description = destriped.to_dict()
interpolation = description["kwargs"]["recording"]["__extractor__"]
print(description["kind"], "<-", interpolation["kind"])
print(f"{len(json.dumps(description)):,} characters of JSON")
rebuilt = le.load(description)
assert np.array_equal(rebuilt.get_traces(start_frame=0, end_frame=2000),
                      destriped.get_traces(start_frame=0, end_frame=2000))
