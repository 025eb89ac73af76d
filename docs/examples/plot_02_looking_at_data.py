"""
Looking at the data
===================

Before trusting a number, look at the data it came from: traces over the probe, the probe
itself, spike rasters, and rates over time. Every plot of :mod:`lazyephys.widgets` reads
only the window it draws, draws on the axes it is given (or a new figure), and returns
them.
"""

# %%
# A recording with known spikes
# -----------------------------
# A generated ground-truth recording: noise on a 32-contact linear probe plus the
# waveforms of 12 units at their spike times, and the sorting of those spikes.
import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le
from lazyephys.widgets import (
    plot_firing_rate,
    plot_probe_map,
    plot_rasters,
    plot_traces,
    plot_unit_presence,
)

recording, sorting = le.generate_ground_truth_recording(
    durations=[60.0], num_channels=32, num_units=12, firing_rates=4.0, seed=7
)
print(recording)
print(sorting)

# %%
# Traces: lines for a few channels
# --------------------------------
# ``mode="line"`` stacks one line per channel; channels are ordered by their depth on the
# probe and labelled with their ids.
ax = plot_traces(recording, time_range=(10.0, 10.25),
                 channel_ids=recording.get_channel_ids()[:12], mode="line",
                 order_channel_by_depth=True, show_channel_ids=True)
ax.set_title("12 channels, 250 ms")

# %%
# Traces: an image for many
# -------------------------
# ``mode="map"`` draws time by channel as an image; spikes show as short bands over the
# contacts near each unit. The colour scale is set so that they stand out of the noise.
ax = plot_traces(recording, time_range=(10.05, 10.07), mode="map",
                 order_channel_by_depth=True, clim=(-40.0, 40.0))
ax.set_title("all 32 channels by depth, 20 ms")

# %%
# A window of a day, instantly
# ----------------------------
# Only the window drawn is read, so the last second of a day-long recording of 384
# channels draws as fast as the first second of a short one.
day = le.generate_recording(num_channels=384, durations=[24 * 3600.0], seed=0)
ax = plot_traces(day, time_range=(86_399.0, 86_399.05), mode="map")
ax.set_title("the last 50 ms of a day")

# %%
# The probe
# ---------
# Contacts at their positions (drawn by probeinterface), labelled with the channel ids or
# coloured by a channel property — here each channel's noise level, measured on a few
# seconds.
noise = np.std(recording.get_traces(start_frame=0, end_frame=30_000), axis=0)
recording.set_property("noise_level", noise)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 6))
plot_probe_map(recording, with_channel_ids=True, ax=left)
plot_probe_map(recording, color_by="noise_level", ax=right)
right.set_ylabel("")
fig.tight_layout()

# %%
# Spike rasters
# -------------
# One row per unit. ``color_by`` colours the rows with a unit property: here the depth at
# which each unit was generated.
depth = sorting.get_property("gt_unit_locations")[:, 1]
sorting.set_property("depth_um", depth)
order = sorting.get_unit_ids()[np.argsort(depth)]
ax = plot_rasters(sorting, time_range=(10.0, 15.0), unit_ids=order, color_by="depth_um")
ax.set_title("units ordered by depth")

# %%
# Rates over time
# ---------------
# ``plot_unit_presence`` draws every unit's rate as a heat map (smoothed over bins);
# ``plot_firing_rate`` draws a few units' rates as lines.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
plot_unit_presence(sorting, bin_duration_s=1.0, smooth_sigma=1.0, ax=top)
plot_firing_rate(sorting, unit_ids=order[:3], bin_duration_s=5.0, ax=bottom)
top.set_xlabel("")
fig.tight_layout()
