"""SpikeInterface's sorting methods: each against a numpy reference or a value by hand."""

from __future__ import annotations

import gc
import pickle

import numpy as np
import pytest

import lazyephys as le

from .conftest import run_spikeinterface

FS = 1000.0


@pytest.fixture
def sorting():
    return le.NumpySorting.from_unit_dict(
        [{"a": [1, 5, 9, 400], "b": [2, 6], "c": []}, {"a": [3], "b": [], "c": []}],
        sampling_frequency=FS, num_samples=[500, 100],
    )


def test_empty_and_non_empty_units(sorting):
    assert sorting.get_non_empty_unit_ids().tolist() == ["a", "b"]
    assert sorting.get_empty_unit_ids().tolist() == ["c"]


def test_unit_property(sorting):
    sorting.set_property("snr", [1.5, 2.5, 3.5])
    assert sorting.get_unit_property("b", "snr") == 2.5


def test_spike_train_in_seconds(sorting):
    frames = np.array([1, 5, 9, 400])
    np.testing.assert_allclose(sorting.get_unit_spike_train_in_seconds("a", 0), frames / FS)
    kept = sorting.get_unit_spike_train_in_seconds("a", 0, start_time=0.005, end_time=0.009)
    np.testing.assert_allclose(kept, [0.005])  # bounds as samples, the end excluded
    rec = le.generate_recording(num_channels=1, sampling_frequency=FS, durations=[0.5, 0.1])
    rec.set_start_time(10.0, 0)
    sorting.register_recording(rec)
    np.testing.assert_allclose(sorting.get_unit_spike_train_in_seconds("a", 0),
                               10.0 + frames / FS)
    kept = sorting.get_unit_spike_train_in_seconds("a", 0, start_time=10.005, end_time=10.009)
    np.testing.assert_allclose(kept, [10.005, 10.009])  # recording times: both ends included


def test_times_without_and_with_recording(sorting):
    assert sorting.get_times(0) is None and not sorting.has_time_vector(0)
    assert sorting.sample_index_to_time(250, 0) == 0.25
    assert sorting.time_to_sample_index(0.25, 0) == 250
    np.testing.assert_array_equal(sorting.time_to_sample_index(np.array([0.0011, 0.0029]), 1),
                                  [1, 3])
    assert sorting.get_start_time(0) == 0.0
    assert sorting.get_end_time(0) == 0.499  # from the known 500 samples
    unknown = le.NumpySorting.from_unit_dict({"a": [10, 30]}, sampling_frequency=FS)
    assert unknown.get_end_time() == 0.03  # no recording, no length: the last spike
    rec = le.generate_recording(num_channels=1, sampling_frequency=FS, durations=[0.5, 0.1])
    times = 100.0 + np.arange(100) / FS * 2
    rec.set_times(times, 1)
    sorting.register_recording(rec)
    assert sorting.has_time_vector(1) and not sorting.has_time_vector(0)
    np.testing.assert_array_equal(sorting.get_times(1), times)
    assert sorting.sample_index_to_time(3, 1) == times[3]
    assert sorting.time_to_sample_index(times[7], 1) == 7
    assert sorting.get_start_time(1) == 100.0 and sorting.get_end_time(1) == times[-1]


def test_select_periods_against_a_mask(sorting):
    periods = np.zeros(3, dtype=[("segment_index", "i8"), ("start_sample_index", "i8"),
                                 ("end_sample_index", "i8"), ("unit_index", "i8")])
    periods[0] = (0, 4, 10, 0)      # unit a, segment 0: keeps 5, 9
    periods[1] = (0, 0, 6, 0)       # overlapping period of a: adds 1, 5 again
    periods[2] = (1, 0, 3, 0)       # segment 1: excludes 3 (end is exclusive)
    kept = sorting.select_periods(periods)
    assert kept.get_unit_spike_train("a", 0).tolist() == [1, 5, 9]
    assert kept.get_unit_spike_train("a", 1).tolist() == []
    assert kept.get_unit_spike_train("b", 0).tolist() == []  # no period: nothing kept
    assert kept.get_unit_ids().tolist() == ["a", "b", "c"]
    as_columns = np.array([[0, 4, 10, 0], [0, 0, 6, 0], [1, 0, 4, 0]])
    assert sorting.select_periods(as_columns).get_unit_spike_train("a", 1).tolist() == [3]
    with pytest.raises(ValueError, match="unit_index"):
        sorting.select_periods(np.array([[0, 0, 5, 7]]))
    with pytest.raises(ValueError, match="ends before it starts"):
        sorting.select_periods(np.array([[0, 5, 1, 0]]))


def test_select_periods_random_against_numpy():
    rng = np.random.default_rng(0)
    big = le.generate_sorting(num_units=5, durations=[20.0], seed=1)
    periods = np.column_stack([np.zeros(12, int), rng.integers(0, 500_000, 12), np.zeros(12, int),
                               rng.integers(0, 5, 12)])
    periods[:, 2] = periods[:, 1] + rng.integers(0, 100_000, 12)
    kept = big.select_periods(periods)
    vector = big.to_spike_vector()
    inside = np.zeros(vector.size, bool)
    for _, start, end, unit in periods:
        inside |= (vector["unit_index"] == unit) & (vector["sample_index"] >= start) & (
            vector["sample_index"] < end)
    np.testing.assert_array_equal(kept.to_spike_vector(), vector[inside])


def test_precompute_and_shared_memory(sorting):
    sorting.precompute_spike_trains()
    shared = sorting.to_shared_memory_sorting()
    np.testing.assert_array_equal(shared.to_spike_vector(), sorting.to_spike_vector())
    assert shared.get_unit_ids().tolist() == ["a", "b", "c"]
    payload = pickle.dumps(shared)
    assert len(payload) < 2000  # the block's name travels, not the spikes
    copy = pickle.loads(payload)
    np.testing.assert_array_equal(copy.to_spike_vector(), sorting.to_spike_vector())
    name = shared._kwargs["shm_name"]
    del shared, copy
    gc.collect()
    with pytest.raises(FileNotFoundError, match=name):
        le.SharedMemorySorting(name, (7,), FS, ["a", "b", "c"])


def test_from_peaks():
    peaks = np.zeros(5, dtype=[("sample_index", "i8"), ("channel_index", "i8"),
                               ("amplitude", "f8"), ("segment_index", "i8")])
    peaks["sample_index"] = [50, 10, 30, 10, 5]
    peaks["channel_index"] = [0, 2, 0, 0, 1]
    peaks["segment_index"] = [0, 0, 0, 0, 1]
    sorting = le.NumpySorting.from_peaks(peaks, FS, unit_ids=["ch0", "ch1", "ch2"])
    for unit, channel in (("ch0", 0), ("ch1", 1), ("ch2", 2)):
        for segment in (0, 1):
            mine = (peaks["channel_index"] == channel) & (peaks["segment_index"] == segment)
            assert sorting.get_unit_spike_train(unit, segment).tolist() == sorted(
                peaks["sample_index"][mine].tolist())
    with pytest.raises(ValueError, match="channel_index"):
        le.NumpySorting.from_peaks(np.zeros(2, dtype=[("sample_index", "i8")]), FS, ["a"])


SI_SORTING = """
import json, numpy as np
import spikeinterface.core as sc
s = sc.NumpySorting.from_unit_dict(
    [{"a": np.array([1, 5, 9, 400]), "b": np.array([2, 6]), "c": np.array([], dtype=int)},
     {"a": np.array([3]), "b": np.array([], dtype=int), "c": np.array([], dtype=int)}], 1000.0)
periods = np.array([[0, 4, 10, 0], [0, 0, 6, 0], [1, 0, 4, 0]])
import warnings; warnings.simplefilter("ignore")
kept = s.select_periods(periods)
peaks = np.zeros(3, dtype=[("sample_index", "i8"), ("channel_index", "i8"), ("amplitude", "f8"),
                           ("segment_index", "i8")])
peaks["sample_index"] = [50, 10, 30]; peaks["channel_index"] = [0, 1, 0]
fp = sc.NumpySorting.from_peaks(peaks, 1000.0, ["x", "y"])
print(json.dumps({
    "empty": [str(u) for u in s.get_empty_unit_ids()],
    "non_empty": [str(u) for u in s.get_non_empty_unit_ids()],
    "seconds": s.get_unit_spike_train_in_seconds("a", 0, start_time=0.005, end_time=0.009).tolist(),
    "t": float(s.sample_index_to_time(250, 0)), "i": int(s.time_to_sample_index(0.25, 0)),
    "kept": [kept.get_unit_spike_train(u, i).tolist() for u in "abc" for i in (0, 1)],
    "peaks": [fp.get_unit_spike_train(u).tolist() for u in "xy"],
    "trains": {str(k): v.tolist() for k, v in sc.spike_vector_to_spike_trains(
        s.to_spike_vector(concatenated=False), s.unit_ids)[0].items()},
}))
"""


def test_sorting_methods_as_spikeinterface(sorting):
    theirs = run_spikeinterface(SI_SORTING)
    assert sorting.get_empty_unit_ids().tolist() == theirs["empty"]
    assert sorting.get_non_empty_unit_ids().tolist() == theirs["non_empty"]
    np.testing.assert_allclose(
        sorting.get_unit_spike_train_in_seconds("a", 0, start_time=0.005, end_time=0.009),
        theirs["seconds"])
    assert sorting.sample_index_to_time(250, 0) == theirs["t"]
    assert sorting.time_to_sample_index(0.25, 0) == theirs["i"]
    kept = sorting.select_periods(np.array([[0, 4, 10, 0], [0, 0, 6, 0], [1, 0, 4, 0]]))
    assert [kept.get_unit_spike_train(u, i).tolist() for u in "abc" for i in (0, 1)] == \
        theirs["kept"]
    peaks = np.zeros(3, dtype=[("sample_index", "i8"), ("channel_index", "i8"),
                               ("amplitude", "f8"), ("segment_index", "i8")])
    peaks["sample_index"] = [50, 10, 30]
    peaks["channel_index"] = [0, 1, 0]
    fp = le.NumpySorting.from_peaks(peaks, 1000.0, ["x", "y"])
    assert [fp.get_unit_spike_train(u).tolist() for u in "xy"] == theirs["peaks"]
    trains = le.spike_vector_to_spike_trains(sorting.to_spike_vector(concatenated=False),
                                             sorting.unit_ids)
    assert {k: v.tolist() for k, v in trains[0].items()} == theirs["trains"]


def test_a_sorting_written_the_spikeinterface_way_works():
    """A subclass as SpikeInterface users write them: BaseSortingSegment with
    get_unit_spike_train(unit_id, start_frame, end_frame), added with add_sorting_segment."""
    trains = {"a": np.array([5, 50, 500]), "b": np.array([7, 70])}

    class MySegment(le.BaseSortingSegment):
        def __init__(self, trains):
            le.BaseSortingSegment.__init__(self)
            self._trains = trains

        def get_unit_spike_train(self, unit_id, start_frame, end_frame):
            frames = self._trains[unit_id]
            if start_frame is not None:
                frames = frames[frames >= start_frame]
            if end_frame is not None:
                frames = frames[frames < end_frame]
            return frames

    class MySorting(le.BaseSorting):
        def __init__(self, trains):
            le.BaseSorting.__init__(self, 1000.0, list(trains))
            self.add_sorting_segment(MySegment(trains))

    sorting = MySorting(trains)
    assert sorting.get_unit_spike_train("a", start_frame=10).tolist() == [50, 500]
    assert sorting.count_num_spikes_per_unit() == {"a": 3, "b": 2}
    vector = sorting.to_spike_vector()
    assert vector["sample_index"].tolist() == [5, 7, 50, 70, 500]
    assert vector["unit_index"].tolist() == [0, 1, 0, 1, 0]
    np.testing.assert_array_equal(sorting.select_units(["b"]).get_unit_spike_train("b"),
                                  [7, 70])

    class Bare(le.BaseSortingSegment):
        pass

    plain = le.NumpySorting.from_unit_dict({"a": [1]}, 1000.0)
    with pytest.raises(NotImplementedError, match="add_sorting_segment"):
        plain.add_segment(Bare())
        plain.to_spike_vector(concatenated=False)[1]
