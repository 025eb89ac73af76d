"""
Reading acquisition files
=========================

Readers open the files acquisition systems write as lazy recordings and sortings, memory-
mapped where the format allows. This example writes small files in three formats — a
SpikeGLX Neuropixels 1.0 recording, an Open Ephys binary folder and a phy sorting folder —
and reads them back, so it runs anywhere; with your own data, only the paths change.
"""

# %%
# A SpikeGLX recording
# --------------------
# SpikeGLX writes each stream as a ``.bin`` file of interleaved int16 samples (time by
# channel, the last channel a sync word) beside a ``.meta`` text file of ``key=value``
# lines: sampling rate, channel counts, gains, and the probe's channel table ("imro").
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le
from lazyephys.widgets import plot_probe_map, plot_rasters, plot_traces

workdir = Path(tempfile.mkdtemp())
folder = workdir / "session_g0"
folder.mkdir()
num_samples, num_neural = 15_000, 384
rng = np.random.default_rng(0)
traces = rng.normal(0, 20, (num_samples, num_neural + 1)).astype(np.float32)
# a slow wave travelling up the probe, to see in the plots
wave = 200 * np.sin(2 * np.pi * (np.arange(num_samples)[:, None] / 30_000.0 * 8
                                 - np.arange(num_neural + 1)[None, :] / 96))
traces = (traces + wave).astype("int16")
traces[:, -1] = (np.arange(num_samples) // 3750) % 2  # the sync channel: a 4 Hz square
traces.tofile(folder / "session_g0_t0.imec0.ap.bin")

imro = "(0,384)" + "".join(f"({c} 0 0 500 250 1)" for c in range(num_neural))
channel_map = "(384,0,1)" + "".join(f"(AP{c};{c}:{c})" for c in range(num_neural))
meta = {
    "imAiRangeMax": 0.6, "imAiRangeMin": -0.6, "imMaxInt": 512, "imDatPrb_type": 0,
    "imDatPrb_pn": "NP1000", "imSampRate": 30000.0, "nSavedChans": 385,
    "snsApLfSy": "384,0,1", "snsSaveChanSubset": "all", "typeThis": "imec",
    "fileSizeBytes": traces.nbytes, "firstSample": 0,
    "~imroTbl": imro, "~snsChanMap": channel_map,
}
(folder / "session_g0_t0.imec0.ap.meta").write_text(
    "".join(f"{key}={value}\n" for key, value in meta.items()))

print(le.get_spikeglx_streams(folder))

# %%
# Opening a stream gives a lazy recording with the probe attached and gains in microvolts
# (a 1.0 probe: 0.6 V over 512 steps at a gain of 500, 2.34 uV per step).
recording = le.read_spikeglx(folder, stream_id="imec0.ap")
print(recording)
print(recording.get_channel_gains()[:3], recording.get_probe())
assert np.array_equal(recording.get_traces(start_frame=0, end_frame=100),
                      traces[:100, :num_neural])

# %%
# The probe, and half a second in microvolts over it.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5), width_ratios=[1, 3])
plot_probe_map(recording.select_channels(recording.get_channel_ids()[:48]), ax=left)
tip = recording.get_channel_locations()[:48]
left.set_ylim(tip[:, 1].min() - 40, tip[:, 1].max() + 40)  # the shank is 10 mm long
left.set_xlim(tip[:, 0].min() - 40, tip[:, 0].max() + 40)
left.set_title("the tip (48 contacts)")
plot_traces(recording, time_range=(0.0, 0.5), mode="map", order_channel_by_depth=True,
            return_in_uV=True, ax=right)
right.set_title("AP band, by depth")
fig.tight_layout()

# %%
# The sync channel is a stream of its own.
sync = le.read_spikeglx(folder, stream_id="imec0.ap-SYNC")
print(sync.get_channel_ids(), np.unique(sync.get_traces()))

# %%
# An Open Ephys binary folder
# ---------------------------
# The Open Ephys GUI (0.6 and later) writes, per recording of an experiment, a
# ``structure.oebin`` JSON file describing its streams, and per stream a
# ``continuous.dat`` of interleaved int16 samples with ``sample_numbers.npy``. Two
# recordings become two segments.
session = workdir / "2024-05-01_10-00-00"
stream = "Acquisition_Board-100.Rhythm Data"
channels = [{"channel_name": f"CH{c + 1}", "description": "", "identifier": "",
             "history": "", "bit_volts": 0.195, "units": "uV"} for c in range(8)]
open_ephys_traces = []
for number, (first_sample, length) in enumerate([(0, 20_000), (90_000, 10_000)], start=1):
    recording_folder = session / "Record Node 101" / "experiment1" / f"recording{number}"
    data_folder = recording_folder / "continuous" / stream
    data_folder.mkdir(parents=True)
    samples = rng.normal(0, 300, (length, 8)).astype("<i2")
    open_ephys_traces.append(samples)
    (data_folder / "continuous.dat").write_bytes(samples.tobytes())
    np.save(data_folder / "sample_numbers.npy",
            np.arange(first_sample, first_sample + length, dtype=np.int64))
    structure = {
        "GUI version": "0.6.7",
        "continuous": [{
            "folder_name": stream + "/", "sample_rate": 20_000.0,
            "source_processor_name": "Acquisition Board", "source_processor_id": 100,
            "stream_name": "Rhythm Data", "recorded_processor": "Record Node",
            "recorded_processor_id": 101, "num_channels": 8, "channels": channels,
        }],
        "events": [], "spikes": [],
    }
    (recording_folder / "structure.oebin").write_text(json.dumps(structure))

open_ephys = le.read_openephys(session)
print(open_ephys)
print(open_ephys.get_channel_ids(), open_ephys.get_channel_gains()[:2])
print("segments start at", [open_ephys.get_start_time(i) for i in range(2)], "s")
for segment_index, samples in enumerate(open_ephys_traces):
    assert np.array_equal(open_ephys.get_traces(segment_index=segment_index), samples)

# %%
# A phy sorting folder
# --------------------
# phy (and Kilosort) keep a sorting as numpy files: ``spike_times.npy`` (samples),
# ``spike_clusters.npy`` (a unit per spike) and ``params.py`` (the sampling rate). neo's
# phy reader opens it; the sorting is a lazy object like any other.
phy = workdir / "phy"
phy.mkdir()
spike_times = np.sort(rng.integers(0, num_samples, 600)).astype("int64")
spike_clusters = rng.choice([3, 7, 12, 20], size=600).astype("int64")
np.save(phy / "spike_times.npy", spike_times)
np.save(phy / "spike_clusters.npy", spike_clusters)
np.save(phy / "spike_templates.npy", spike_clusters)
(phy / "params.py").write_text(
    "dat_path = 'session.bin'\nn_channels_dat = 384\ndtype = 'int16'\noffset = 0\n"
    "sample_rate = 30000.0\nhp_filtered = False\n")

sorting = le.read_neo_sorting("phy", dirname=phy, sampling_frequency=30000.0)
print(sorting)
for unit_id in sorting.get_unit_ids():
    train = sorting.get_unit_spike_train(unit_id=unit_id)
    assert np.array_equal(train, spike_times[spike_clusters == int(unit_id)])
ax = plot_rasters(sorting)
ax.set_title("phy units")

# %%
# Both open from provenance too: a pipeline over them saved as JSON reloads with the
# files, wherever the folder goes.
chain = recording.select_channels(recording.get_channel_ids()[:8]).frame_slice(0, 3000)
chain.dump_to_json(workdir / "chain.json", relative_to=True)
print(le.load(workdir / "chain.json"))
