from __future__ import annotations

import numpy as np
import pytest

from lazyephys.sweeps import SweepRecording, concatenate_sweeps

from .lif import simulate

FS = 20000.0
STIM_START, STIM_END, DURATION = 100.0, 500.0, 600.0
#: per cell: its spike threshold (mV), hence its rheobase (nA) = (threshold + 70) / 100
CELL_THRESHOLDS = {"cell_a": -50.0, "cell_b": -45.0}
THRESH_AMPLITUDES = [0.10, 0.15, 0.18, 0.22, 0.26, 0.28]
REST_AMPLITUDES = [0.30, 0.35, 0.40, 0.45, 0.50]


def simulate_cell(cell: str, threshold_mv: float) -> tuple[SweepRecording, list[np.ndarray]]:
    amplitudes = THRESH_AMPLITUDES + REST_AMPLITUDES
    sims = [simulate(a, threshold_mv, FS, DURATION, STIM_START, STIM_END) for a in amplitudes]
    protocols = ["IDthresh"] * len(THRESH_AMPLITUDES) + ["IDRest"] * len(REST_AMPLITUDES)
    sweeps = SweepRecording.from_arrays(
        [s[0] for s in sims], [s[1] for s in sims], FS, cell, protocols, amplitudes,
        STIM_START, STIM_END,
    )
    return sweeps, [s[2] for s in sims]


@pytest.fixture(scope="session")
def cells() -> dict[str, tuple[SweepRecording, list[np.ndarray]]]:
    return {cell: simulate_cell(cell, threshold) for cell, threshold in CELL_THRESHOLDS.items()}


@pytest.fixture(scope="session")
def sweeps(cells: dict) -> SweepRecording:
    return concatenate_sweeps([one for one, _ in cells.values()])


@pytest.fixture(scope="session")
def spike_samples(cells: dict) -> list[np.ndarray]:
    return [spikes for _, cell_spikes in cells.values() for spikes in cell_spikes]
