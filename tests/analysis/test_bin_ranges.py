"""bin_spikes and recruitment cut into ranges of bins through the executor (threads) equal the
single pass, and numpy.histogram."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.analysis import bin_spikes, recruitment
from lazyephys.errors import UnknownJobKwargError

from .test_binning import histogram_reference


def sorting_of(seed: int, units: int = 6) -> le.NumpySorting:
    sorting = le.generate_sorting(num_units=units, durations=[4.0], firing_rates=30.0,
                                  seed=seed)
    sorting.set_property("group", [f"g{i % 3}" for i in range(units)])
    return sorting


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 500), bin_duration=st.sampled_from([0.001, 0.0037, 0.01, 0.25]),
       chunk=st.integers(1, 700), n_jobs=st.sampled_from([1, 2]), binary=st.booleans(),
       start=st.floats(0.0, 1.0), span=st.floats(0.01, 3.0))
def test_ranges_of_bins_equal_one_pass(seed, bin_duration, chunk, n_jobs, binary, start, span):
    sorting = sorting_of(seed)
    window = {"start_time": start, "end_time": start + span}
    whole = bin_spikes(sorting, bin_duration, binary=binary, unit_ids=["4", "1", "2"],
                       **window)
    ranged = bin_spikes(sorting, bin_duration, binary=binary, unit_ids=["4", "1", "2"],
                        chunk_size=chunk, n_jobs=n_jobs, **window)
    np.testing.assert_array_equal(ranged.counts, whole.counts)
    assert ranged.counts.dtype == whole.counts.dtype
    np.testing.assert_array_equal(ranged.bin_edges, whole.bin_edges)
    if not binary:
        expected = histogram_reference(sorting, whole.bin_edges, unit_ids=["4", "1", "2"])
        np.testing.assert_array_equal(ranged.counts, expected)
    fractions = recruitment(sorting, bin_duration, by="group", chunk_size=chunk,
                            n_jobs=n_jobs, **window)
    np.testing.assert_array_equal(fractions.values,
                                  recruitment(sorting, bin_duration, by="group",
                                              **window).values)


def test_counts_past_255_in_one_range_widen_the_whole_result():
    # 300 spikes of unit "a" in the last bin only: the other ranges fit uint8
    train = np.concatenate([np.arange(0, 9000, 50), np.full(300, 9500)])
    sorting = le.NumpySorting.from_unit_dict({"a": train, "b": np.array([10, 20])},
                                             sampling_frequency=1000.0, num_samples=[10_000])
    whole = bin_spikes(sorting, 1.0)
    ranged = bin_spikes(sorting, 1.0, chunk_size=3, n_jobs=2)
    assert whole.counts.dtype == ranged.counts.dtype == np.uint16
    np.testing.assert_array_equal(ranged.counts, whole.counts)
    assert int(ranged.counts[9, 0]) == 300


def test_ranges_over_an_irregular_time_vector():
    sorting = le.generate_sorting(num_units=3, durations=[2.0], firing_rates=30.0, seed=1)
    recording = le.generate_recording(num_channels=1, durations=[2.0], seed=0)
    times = 5.0 + np.cumsum(np.full(recording.get_num_samples(), 1 / 30000.0))
    times[30000:] += 0.0123  # bins are no longer a whole number of samples each
    recording.set_times(times)
    sorting.register_recording(recording)
    whole = bin_spikes(sorting, bin_duration=0.05, start_time=5.0, end_time=7.0)
    for chunk in (1, 7, 13):
        ranged = bin_spikes(sorting, bin_duration=0.05, start_time=5.0, end_time=7.0,
                            chunk_size=chunk, n_jobs=2)
        np.testing.assert_array_equal(ranged.counts, whole.counts)
    np.testing.assert_array_equal(whole.counts, histogram_reference(sorting, whole.bin_edges))


def test_many_jobs_without_a_chunk_size_cut_the_span_for_every_worker():
    sorting = sorting_of(3)
    ranged = bin_spikes(sorting, 0.001, n_jobs=2, chunk_duration="0.5s")
    np.testing.assert_array_equal(ranged.counts, bin_spikes(sorting, 0.001).counts)
    ranged = bin_spikes(sorting, 0.001, n_jobs=2)
    np.testing.assert_array_equal(ranged.counts, bin_spikes(sorting, 0.001).counts)


def test_bad_job_kwargs_are_named():
    sorting = sorting_of(0)
    with pytest.raises(UnknownJobKwargError, match="n_job"):
        bin_spikes(sorting, 0.01, n_job=2)
    with pytest.raises(ValueError, match=r"counts in threads.*pool_engine='process'"):
        bin_spikes(sorting, 0.01, n_jobs=2, pool_engine="process")


def test_global_job_kwargs_leave_the_single_pass(monkeypatch):
    from lazyephys.analysis import _bin_ranges

    calls = []
    real = _bin_ranges.run_chunked_job

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(_bin_ranges, "run_chunked_job", counted)
    sorting = sorting_of(2)
    before = le.get_global_job_kwargs()
    le.set_global_job_kwargs(n_jobs=2)
    try:
        bin_spikes(sorting, 0.01)
    finally:
        le.reset_global_job_kwargs()
        le.set_global_job_kwargs(**before)
    assert calls == []
    bin_spikes(sorting, 0.01, n_jobs=2)
    assert len(calls) == 1 and calls[0]["pool_engine"] == "thread"
