"""The analysis kinds and the HDF5 store pass the public conformance battery."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

import lazyephys as le
from lazyephys.analysis import bin_spikes, remove_invalid_times, smooth_spikes
from lazyephys.testing import RecordingCase, RecordingConformance, SortingCase, SortingConformance


class TestHdf5Recording(RecordingConformance):
    def make(self, tmp_path):
        rng = np.random.default_rng(0)
        arrays = [rng.integers(-3000, 3000, size=(n, 3)).astype("int16") for n in (300, 170)]
        saved = le.NumpyRecording(arrays, 2000.0, channel_ids=["a", "b", "c"]).save(
            folder=tmp_path / "rec.h5", format="hdf5")
        assert type(saved).__name__ == "Hdf5RecordingExtractor"
        return RecordingCase(saved, arrays)


class TestSmoothedSpikes(RecordingConformance):
    def make(self, tmp_path):
        sorting = le.generate_sorting(num_units=3, durations=[0.4, 0.3], firing_rates=30.0,
                                      seed=3)
        expected = []
        for index in range(2):  # the reference: scipy over the binned counts, in spikes/s
            counts = bin_spikes(sorting, 0.001, segment_index=index).counts.astype(float)
            expected.append((gaussian_filter1d(counts, 5.0, axis=0, mode="constant")
                             * 1000.0).astype(np.float32))
        return RecordingCase(smooth_spikes(sorting, sigma=0.005), expected)


class TestInvalidTimesRemoved(SortingConformance):
    def make(self, tmp_path):
        trains = [{"u": np.array([1, 50, 120, 400]), "v": np.array([60, 199])},
                  {"u": np.array([5, 300]), "v": np.array([], dtype=np.int64)}]
        sorting = le.NumpySorting.from_unit_dict(trains, 1000.0, num_samples=[500, 400])
        kept = [{"u": np.array([1, 400]), "v": np.array([], dtype=np.int64)},
                {"u": np.array([5, 300]), "v": np.array([], dtype=np.int64)}]
        view = remove_invalid_times(sorting, [[0.05, 0.2]], segment_index=0)
        return SortingCase(view, kept, [500, 400])
