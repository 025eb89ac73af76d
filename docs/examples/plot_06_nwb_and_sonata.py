"""
NWB and SONATA files
====================

Two HDF5 formats: NWB, in which labs share sessions (electrical series, a Units table,
epochs), and SONATA, in which network simulations write their spikes. Both open as lazy
objects read through h5py; this example writes small files of each and reads them back.
"""

# %%
# Writing and reading NWB
# -----------------------
# ``write_nwb`` writes a recording as an electrical series (chunk by chunk, into a
# temporary file renamed when complete) and a sorting as the Units table; channel
# properties become columns of the electrodes table.
import tempfile
from pathlib import Path

import h5py
import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le
from lazyephys.widgets import plot_rasters, plot_traces

workdir = Path(tempfile.mkdtemp())
recording, sorting = le.generate_ground_truth_recording(
    durations=[10.0], num_channels=16, num_units=8, seed=2, dtype="int16"
)
recording.set_channel_gains(0.195)
recording.set_channel_offsets(0.0)
recording.set_property("brain_area", ["CA1"] * 8 + ["DG"] * 8)
le.write_nwb(workdir / "session.nwb", recording=recording, sorting=sorting)

print(le.get_nwb_electrical_series(workdir / "session.nwb"))
nwb_recording = le.read_nwb_recording(workdir / "session.nwb")
nwb_sorting = le.read_nwb_sorting(workdir / "session.nwb")
print(nwb_recording)
print(nwb_sorting)

# %%
# What was written reads back: the same samples, gains to microvolts, the probe's
# positions, and every spike.
assert np.array_equal(nwb_recording.get_traces(start_frame=0, end_frame=1000),
                      recording.get_traces(start_frame=0, end_frame=1000))
print(nwb_recording.get_channel_gains()[:2], nwb_recording.get_property("brain_area")[::8])
for unit_id in sorting.get_unit_ids()[:3]:
    assert np.array_equal(nwb_sorting.get_unit_spike_train(unit_id=unit_id),
                          sorting.get_unit_spike_train(unit_id=unit_id))

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
plot_traces(nwb_recording, time_range=(2.0, 2.5), return_in_uV=True, mode="line",
            order_channel_by_depth=True, ax=top)
plot_rasters(nwb_sorting, time_range=(2.0, 2.5), ax=bottom)
top.set_xlabel("")
fig.tight_layout()

# %%
# SONATA spikes
# -------------
# A SONATA spikes file holds, for each node population, the spike ``timestamps`` (in
# milliseconds) and the ``node_ids`` that fired. A simulation has no sampling rate: the
# reader is told which one to count frames in (here the simulation's 0.1 ms step).
rng = np.random.default_rng(0)
num_spikes = 2000
timestamps_ms = np.sort(rng.uniform(0, 5000.0, num_spikes))
node_ids = rng.integers(0, 50, num_spikes)
with h5py.File(workdir / "spikes.h5", "w") as file:
    population = file.create_group("spikes/cortex")
    population.attrs["sorting"] = "by_time"
    population.create_dataset("timestamps", data=timestamps_ms).attrs["units"] = "ms"
    population.create_dataset("node_ids", data=node_ids.astype(np.uint64))

print(le.get_sonata_populations(workdir / "spikes.h5"))
simulated = le.read_sonata_sorting(workdir / "spikes.h5", sampling_frequency=10_000.0)
print(simulated)
node = simulated.get_unit_ids()[0]
expected = timestamps_ms[node_ids == int(node)] / 1000.0
got = simulated.get_unit_spike_train(unit_id=node, return_times=True)
assert np.allclose(got, expected, rtol=0, atol=0.5 / 10_000.0)  # within half a step
ax = plot_rasters(simulated, time_range=(0.0, 1.0))
ax.set_title("a simulated population")
