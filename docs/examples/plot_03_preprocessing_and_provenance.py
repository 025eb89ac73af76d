"""
Preprocessing, and saving it with its provenance
================================================

Preprocessing steps are lazy recordings over their parent: a chain costs nothing until it
is read, reads only the window asked for (plus the margin a filter needs), and describes
itself as provenance — a small JSON file that rebuilds the chain anywhere the data goes.
"""

# %%
# A raw recording with slow drift and shared noise
# ------------------------------------------------
# Generated spikes on 16 channels, plus what raw data carries: a slow oscillation on each
# channel and a common noise on all of them (mains hum, movement).
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import lazyephys as le
from lazyephys.preprocessing import bandpass_filter, common_reference
from lazyephys.widgets import plot_traces

recording, sorting = le.generate_ground_truth_recording(
    durations=[8.0], num_channels=16, num_units=6, firing_rates=5.0, seed=3
)
fs = recording.get_sampling_frequency()
times = np.arange(recording.get_num_samples()) / fs
drift = 80.0 * np.sin(2 * np.pi * 1.5 * times)[:, None] * np.linspace(0.5, 1.5, 16)
common = 40.0 * np.sin(2 * np.pi * 50.0 * times)[:, None]
raw_traces = recording.get_traces() + drift.astype("float32") + common.astype("float32")

workdir = Path(tempfile.mkdtemp())
raw = le.NumpyRecording([raw_traces], sampling_frequency=fs).save(folder=workdir / "raw")
raw = raw.set_probe(recording.get_probe())
print(raw)

# %%
# A lazy chain
# ------------
# A band-pass filter removes the drift; a common median reference removes what every
# channel shares. Nothing is computed here.
filtered = bandpass_filter(raw, freq_min=300.0, freq_max=6000.0)
preprocessed = common_reference(filtered, reference="global", operator="median")
print(preprocessed)

fig, axes = plt.subplots(1, 3, figsize=(11, 4), sharey=True)
for ax, (name, step) in zip(axes, [("raw", raw), ("band-pass", filtered),
                                   ("+ common reference", preprocessed)], strict=True):
    plot_traces(step, time_range=(3.0, 3.2), channel_ids=step.get_channel_ids()[:8],
                mode="line", ax=ax)
    ax.set_title(name)
fig.tight_layout()

# %%
# Chunks give the same answer as the whole array
# ----------------------------------------------
# A filter reads each window with a margin, so reading in pieces matches reading at once.
whole = preprocessed.get_traces(start_frame=0, end_frame=100_000)
pieces = np.concatenate([preprocessed.get_traces(start_frame=s, end_frame=s + 10_000)
                         for s in range(0, 100_000, 10_000)])
rms = np.sqrt(np.mean(whole.astype(np.float64) ** 2))
print(f"largest difference: {np.abs(whole - pieces).max() / rms:.1e} of the signal's RMS")

# %%
# Saving computes the chain
# -------------------------
# ``save`` walks the chain in parallel chunks, writes under a temporary name and renames
# when complete; it returns the saved recording, memory-mapped.
saved = preprocessed.save(folder=workdir / "preprocessed", n_jobs=2, chunk_duration="2s")
print(saved)
print(sorted(p.name for p in (workdir / "preprocessed").iterdir()))

# %%
# Provenance: the chain as JSON
# -----------------------------
# The chain itself — not its output — written with paths relative to the file's folder.
preprocessed.dump_to_json(workdir / "pipeline.json", relative_to=True)
description = json.loads((workdir / "pipeline.json").read_text())
print(f"{(workdir / 'pipeline.json').stat().st_size:,} bytes")


def outline(node, depth=0):
    """Print each kind in the description and its plain arguments, one level per line."""
    kwargs = node["kwargs"]
    plain = {key: value for key, value in kwargs.items()
             if not isinstance(value, (dict, list))}
    print("  " * depth + node["kind"], plain)
    for value in kwargs.values():
        if isinstance(value, dict) and "__extractor__" in value:
            outline(value["__extractor__"], depth + 1)
        elif isinstance(value, dict) and "__path__" in value:
            print("  " * (depth + 1) + f"path {value['__path__']!r}")


outline(description)

# %%
# The whole folder moves; the pipeline still loads, and reads the same numbers.
moved = workdir.rename(workdir.with_name(workdir.name + "_elsewhere"))
rebuilt = le.load(moved / "pipeline.json")
print(type(rebuilt).__name__)
assert np.array_equal(rebuilt.get_traces(start_frame=0, end_frame=30_000),
                      preprocessed.get_traces(start_frame=0, end_frame=30_000))

# %%
# Loading is safe
# ---------------
# A provenance file names kinds from a registry, never a module to import, and its paths
# must stay inside its folder. A file that points elsewhere is refused, naming the path.
hostile = json.loads((moved / "pipeline.json").read_text())
hostile_text = json.dumps(hostile).replace('"raw"', '"../../../etc/passwd"')
(moved / "hostile.json").write_text(hostile_text)
try:
    le.load(moved / "hostile.json")
except le.UnsafePathError as error:
    print(f"refused: {error}")
