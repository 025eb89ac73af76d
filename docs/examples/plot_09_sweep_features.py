"""
Intracellular sweeps and their features
=======================================

Current-clamp sweeps are the segments of a lazy :class:`~lazyephys.sweeps.SweepRecording`
(channels ``voltage`` in mV and ``current`` in nA, and what each sweep was: cell,
protocol, step amplitude). eFEL features of every sweep are extracted in parallel by the
same executor as everything else; rheobases, targets and the feature files that model
fitting reads come from that table.
"""

# %%
# Sweeps of three model cells
# ---------------------------
# Leaky integrate-and-fire cells (a spike drawn as a 1 ms peak at +30 mV) receive 700 ms
# steps of increasing current: a threshold protocol (``IDthresh``) in small steps, and a
# firing protocol (``IDRest``) in larger ones.
import tempfile
from pathlib import Path

import numpy as np

from lazyephys.sweeps import (
    SweepRecording,
    compute_rheobase,
    extract_features,
    group_by_targets,
    write_feature_files,
)
from lazyephys.widgets import plot_feature_vs_amplitude, plot_sweeps

fs = 20_000.0
dt_ms = 1000.0 / fs
stim_start, stim_end, length_ms = 100.0, 800.0, 1000.0


def lif_sweeps(amplitudes_na, resistances_mohm, taus_ms, thresholds_mv, seed=0):
    """Membrane potentials (mV) of noisy LIF cells, one per step, simulated side by side."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, length_ms, dt_ms)
    stimulated = (times >= stim_start) & (times < stim_end)
    v = np.full(len(amplitudes_na), -70.0)
    refractory = np.zeros(len(amplitudes_na), dtype=int)
    voltages = np.empty((times.size, len(amplitudes_na)))
    spike_samples, dead_samples = int(1 / dt_ms), int(3 / dt_ms)
    for i in range(times.size):
        current = amplitudes_na if stimulated[i] else 0.0
        free = refractory == 0
        v = np.where(free, v + dt_ms / taus_ms * (-70.0 - v + resistances_mohm * current)
                     + rng.normal(0.0, 0.05, v.size), -75.0)
        fired = free & (v >= thresholds_mv)
        refractory = np.where(fired, dead_samples, np.maximum(refractory - 1, 0))
        # the first millisecond after threshold draws the spike's peak
        peak = refractory > dead_samples - spike_samples
        voltages[i] = np.where(peak | fired, 30.0, v)
    return voltages.T


cells = {"cell_a": (100.0, 15.0, -52.0), "cell_b": (150.0, 20.0, -50.0),
         "cell_c": (80.0, 10.0, -55.0)}
protocols = {"IDthresh": np.arange(0.05, 0.301, 0.025),
             "IDRest": np.array([0.25, 0.3, 0.35, 0.4, 0.5])}
cell_ids, protocol_names, amplitudes, parameters = [], [], [], []
for cell, cell_parameters in cells.items():
    for protocol, steps in protocols.items():
        for amplitude in steps:
            cell_ids.append(cell)
            protocol_names.append(protocol)
            amplitudes.append(round(float(amplitude), 3))
            parameters.append(cell_parameters)
resistances, taus, thresholds = np.array(parameters).T
voltages = lif_sweeps(np.array(amplitudes), resistances, taus, thresholds)

sweeps = SweepRecording.from_arrays(
    list(voltages), None, sampling_frequency=fs, cell_ids=cell_ids, protocols=protocol_names,
    amplitudes=amplitudes, stim_start=stim_start, stim_end=stim_end,
)
print(sweeps)

# %%
# Each sweep is a segment; its current is built from the step it was given.
# ``plot_sweeps`` draws one cell's sweeps by protocol, coloured by amplitude.
axes = plot_sweeps(sweeps, "cell_a")
times = sweeps.get_times(segment_index=4)
print(f"sweep 4: {times.size} samples, {amplitudes[4]} nA from {stim_start:g} to "
      f"{stim_end:g} ms")

# %%
# Features of every sweep
# -----------------------
# One row per sweep, one column per feature; a sweep is a chunk, and chunks run in
# parallel workers.
features = extract_features(
    sweeps, ["spike_count", "mean_frequency", "AP_amplitude", "time_to_first_spike"],
    n_jobs=2,
)
print(features[["cell_id", "protocol", "amplitude", "spike_count", "mean_frequency"]]
      .head(12).to_string())

# %%
# The f-I curve of each cell, from the table.
ax = plot_feature_vs_amplitude(features, "mean_frequency")
ax.set_title("mean frequency against the step")

# %%
# Rheobase, targets and feature files
# -----------------------------------
# The rheobase of each cell is the smallest step that made it spike in ``IDthresh``.
# Targets name a feature at an amplitude in % of each cell's rheobase; the sweeps that
# match are averaged across cells, and written as the feature files a model fit reads.
rheobase = compute_rheobase(features, protocols=["IDthresh"])
print({cell: round(value, 3) for cell, value in rheobase.items()})

targets = [
    {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 200, "tolerance": 40},
    {"efeature": "AP_amplitude", "protocol": "IDRest", "amplitude": 200, "tolerance": 40},
]
result = group_by_targets(features, targets, rheobase=dict(rheobase))
for target in result.targets:
    print(target["efeature"], target["protocol"], target["amplitude"],
          f"mean {target['mean']:.2f} std {target['std']:.2f} over {target['n']} sweeps")
paths = write_feature_files(result, Path(tempfile.mkdtemp()) / "features")
print(sorted(path.name for path in paths.values()))

# %%
# The targets over the sweeps they average, in % of each cell's rheobase.
ax = plot_feature_vs_amplitude(features, "mean_frequency", result, protocol="IDRest")
