"""
Spike-train analytics: bins, epochs, recruitment, smoothing
===========================================================

From a sorting to the tables analyses start from — without a loop over neurons. Spikes
are counted in time bins and inside stimulus epochs, units are grouped by their position
on a map to see how a population is recruited bin by bin, and spike trains become
smoothed signals: a lazy recording, saved in parallel chunks like any other.
"""

# %%
# A population that answers a stimulus
# ------------------------------------
# 300 units at random positions on a 1 mm flat map fire at 0.2 to 3 Hz; a stimulus flashed
# every 2 s for 0.5 s drives the units near the map's centre, the nearest ones first.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le
from lazyephys.analysis import (
    bin_spikes,
    epoch_counts,
    firing_rates,
    group_by_grid,
    load_counts,
    peri_event_counts,
    recruitment,
    save_counts,
    select_units_by,
    smooth_spikes,
)
from lazyephys.widgets import plot_binned, plot_rasters, plot_recruitment, plot_traces

rng = np.random.default_rng(0)
fs, duration, num_units = 30_000.0, 60.0, 300
x, y = rng.uniform(0, 1000, num_units), rng.uniform(0, 1000, num_units)
distance = np.hypot(x - 500, y - 500)
onsets = np.arange(1.0, duration - 1.0, 2.0)
background_rates = rng.uniform(0.2, 3.0, num_units)

trains = {}
for unit in range(num_units):
    spikes = rng.uniform(0, duration, rng.poisson(background_rates[unit] * duration))
    # units within 300 um answer, with a latency growing with distance
    if distance[unit] < 300:
        latency = 0.02 + distance[unit] / 300 * 0.15
        evoked = [onset + latency + rng.exponential(0.05, rng.poisson(6)) for onset in onsets]
        spikes = np.concatenate([spikes, *evoked])
    samples = np.unique(np.round(spikes * fs).astype(np.int64))  # sorted, one per sample
    trains[unit] = samples[samples < duration * fs]
sorting = le.NumpySorting.from_unit_dict(trains, sampling_frequency=fs,
                                         num_samples=[int(duration * fs)])
sorting.set_property("x", x)
sorting.set_property("y", y)
print(sorting)

ax = plot_rasters(sorting, time_range=(0.5, 6.5),
                  unit_ids=sorting.get_unit_ids()[np.argsort(distance)])
ax.vlines(onsets[onsets < 6.5], -0.5, num_units - 0.5, color="tab:red", linewidth=0.8)
ax.set_ylabel("unit (nearest the centre at the bottom)")
ax.set_yticks([])

# %%
# Binned counts
# -------------
# Counts of each unit in 10 ms bins: a (bins, units) table with its bin edges and unit ids.
binned = bin_spikes(sorting, bin_duration=0.01)
print(binned.counts.shape, binned.counts.dtype, binned.bin_edges[:3])
order = np.argsort(distance)
ax = plot_binned(bin_spikes(sorting, bin_duration=0.05, start_time=0.5, end_time=6.5,
                            unit_ids=sorting.get_unit_ids()[order]))
ax.set_yticks([])
ax.set_title("counts in 50 ms bins, units by distance")

# %%
# Keeping the units that matter
# -----------------------------
# Properties computed on the whole population filter it, lazily: here the units firing
# at 1 Hz or more. Rates come as spikes over duration, or as the mean inverse
# inter-spike interval.
sorting.set_property("rate", firing_rates(sorting))
sorting.set_property("isi_rate", firing_rates(sorting, method="mean_inverse_isi"))
active = select_units_by(sorting, rate__ge=1.0)
print(f"{active.get_num_units()} of {sorting.get_num_units()} units fire at 1 Hz or more")

# %%
# Epoch-aligned counts
# --------------------
# A stimulus table (start and stop times, plus any labels) gives counts per epoch, bin and
# unit — the tensor a decoder or a sequence model trains on.
stimuli = {"start_time": onsets, "stop_time": onsets + 0.5,
           "contrast": np.resize([0.25, 1.0], onsets.size)}
per_epoch = epoch_counts(active, stimuli, num_bins=10)
print(per_epoch.counts.shape, "(epochs, bins, units)")
print({key: value[:4] for key, value in per_epoch.epochs.items()})

# %%
# For a model, the epochs split in time order (no shuffling, so no future leaks into the
# training set), and counts become z-scored rates or a labelled xarray.
train, validation, test = per_epoch.split((0.6, 0.2, 0.2))
print(len(train), len(validation), len(test), "epochs; test starts at",
      per_epoch.epochs["start_time"][test[0]], "s")
tensor = per_epoch.to_xarray()
print(tensor.dims, dict(tensor.sizes))
zscored = bin_spikes(active, bin_duration=0.1).zscore(axis="time")
print(f"z-scored 100 ms counts: mean {zscored.mean():.1e}, std {zscored.std():.2f}")

# %%
# Around each onset, 10 ms bins from 0.2 s before to 0.6 s after: the mean over
# presentations is a peri-stimulus time histogram per unit.
around = peri_event_counts(active, onsets, window=(-0.2, 0.6), bin_duration=0.01)
near_first = active.get_unit_ids()[np.argsort(distance[active.get_unit_ids().astype(int)])]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot_binned(around.select_units(near_first), ax=left)
left.set_yticks([])
left.set_ylabel("unit (nearest the centre at the bottom)")
plot_binned(around.select_units(near_first), epoch_index=0, ax=right)
right.set_yticks([])
right.set_title("the first presentation")
fig.tight_layout()

# %%
# Recruitment over the map
# ------------------------
# Units are grouped by the hexagon of a 200 um grid they sit in; in each 20 ms bin, the
# fraction of each group's units that fired at least once. One frame per bin shows the
# wave spreading from the centre after an onset.
groups, centers = group_by_grid(x, y, spacing=200.0, kind="hex", return_centers=True)
sorting.set_property("hexagon", groups)
recruited = recruitment(sorting, bin_duration=0.02, by="hexagon",
                        start_time=onsets[3] - 0.02, end_time=onsets[3] + 0.2)
positions = centers[recruited.groups]
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for ax, bin_index in zip(axes, [1, 4, 7, 10], strict=True):
    plot_recruitment(recruited, positions, bin_index=bin_index, ax=ax, marker_size=300)
fig.tight_layout()

# %%
# Smoothed spike signals
# ----------------------
# Each train convolved with a Gaussian of 20 ms, sampled at 1 kHz: a lazy Recording whose
# channels are units (spikes/s). A window is computed from the spikes near it.
smoothed = smooth_spikes(active, sigma=0.02)
print(smoothed)
ax = plot_traces(smoothed, time_range=(6.5, 9.5), channel_ids=near_first[:6], mode="line",
                 show_channel_ids=True)
ax.set_ylabel("unit")

# %%
# Like any recording, it is saved chunk by chunk in parallel workers — here into one HDF5
# file — and its mean over time is its unit's rate. Binned and epoch-aligned counts are
# saved with their labels beside it.
workdir = Path(tempfile.mkdtemp())
saved = smoothed.save(folder=workdir / "smoothed.h5", format="hdf5", n_jobs=2,
                      chunk_duration="10s")
print(saved)
mean_rate = saved.get_traces().mean(axis=0)
counted = firing_rates(active)
print("mean of the signal:", np.round(mean_rate[:5], 2))
print("spikes / duration: ", np.round(counted[:5], 2))
save_counts(per_epoch, workdir / "epoch_counts.h5")
again = load_counts(workdir / "epoch_counts.h5")
assert np.array_equal(again.counts, per_epoch.counts)
print(sorted(path.name for path in workdir.iterdir()))
