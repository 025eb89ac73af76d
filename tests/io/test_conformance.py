"""Saved and loaded kinds pass the public conformance battery against the arrays written."""

from __future__ import annotations

import numpy as np

import lazyephys as le
from lazyephys.testing import (
    RecordingCase,
    RecordingConformance,
    SortingCase,
    SortingConformance,
)


def _arrays(seed=0, lengths=(300, 170), channels=4):
    rng = np.random.default_rng(seed)
    return [rng.integers(-3000, 3000, size=(n, channels)).astype("int16") for n in lengths]


def _trains(seed=1, ids=("u1", "u2", "u3"), lengths=(2000, 900)):
    rng = np.random.default_rng(seed)
    return [{uid: np.unique(rng.integers(0, n, size=int(rng.integers(0, 30)))).astype(np.int64)
             for uid in ids} for n in lengths]


class TestBinaryFolderRecording(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays()
        saved = le.NumpyRecording(arrays, 2000.0, channel_ids=["a", "b", "c", "d"]).save(
            folder=tmp_path / "rec")
        assert type(saved).__name__ == "BinaryFolderRecording"
        return RecordingCase(saved, arrays)


class TestZarrRecording(RecordingConformance):
    def make(self, tmp_path):
        arrays = _arrays(seed=2)
        saved = le.NumpyRecording(arrays, 2000.0).save(folder=tmp_path / "rec", format="zarr")
        assert type(saved).__name__ == "ZarrRecordingExtractor"
        return RecordingCase(saved, arrays)


class TestSortingFolder(SortingConformance):
    def make(self, tmp_path):
        trains = _trains()
        sorting = le.NumpySorting.from_unit_dict(trains, 1000.0, num_samples=[2000, 900])
        saved = sorting.save(folder=tmp_path / "sorting")
        assert type(saved).__name__ == "NumpyFolderSorting"
        return SortingCase(saved, trains, [2000, 900])


class TestZarrSorting(SortingConformance):
    def make(self, tmp_path):
        trains = _trains(seed=4)
        sorting = le.NumpySorting.from_unit_dict(trains, 1000.0, num_samples=[2000, 900])
        saved = sorting.save(folder=tmp_path / "sorting", format="zarr")
        assert type(saved).__name__ == "ZarrSortingExtractor"
        return SortingCase(saved, trains, [2000, 900])
