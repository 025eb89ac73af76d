"""bin_spikes against numpy.histogram over the same edges and the sorting's spike times."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.analysis import bin_spikes


def histogram_reference(sorting, edges, unit_ids=None, segment_index=None):
    """Per unit, numpy.histogram of its spike times over ``edges``."""
    unit_ids = sorting.get_unit_ids() if unit_ids is None else unit_ids
    columns = []
    for uid in unit_ids:
        times = sorting.get_unit_spike_train(uid, segment_index=segment_index, return_times=True)
        columns.append(np.histogram(times, bins=edges)[0])
    return np.stack(columns, axis=1) if columns else np.zeros((len(edges) - 1, 0))


def small_sorting(fs=1000.0):
    return le.NumpySorting.from_unit_dict(
        {"a": np.array([0, 10, 10, 20, 29, 30, 99]), "b": np.array([5]),
         "c": np.array([], dtype=np.int64)},
        sampling_frequency=fs,
    )


def test_counts_match_histogram_and_edges_fall_on_samples():
    sorting = le.generate_sorting(num_units=7, durations=[3.0], firing_rates=20.0, seed=3)
    binned = bin_spikes(sorting, bin_duration=0.01)
    assert binned.counts.shape == (300, 7)
    assert binned.bin_edges[3] == 900 / 30000.0  # the time of sample 900, not 3 * 0.01
    np.testing.assert_array_equal(binned.counts, histogram_reference(sorting, binned.bin_edges))
    assert binned.counts.dtype == np.uint8
    assert binned.counts.sum() == sorting.count_total_num_spikes()


def test_spikes_on_edges_count_once_in_the_upper_bin():
    sorting = small_sorting()
    binned = bin_spikes(sorting, bin_duration=0.01, end_time=0.1)
    # unit a: 0 | 10, 10 | 20, 29 | 30 | ... | 99 (last bin)
    assert binned.counts[:, 0].tolist() == [1, 2, 2, 1, 0, 0, 0, 0, 0, 1]
    assert binned.counts[:, 1].tolist() == [1] + [0] * 9
    assert binned.counts[:, 2].tolist() == [0] * 10  # an empty unit is a column of zeros


def test_spike_on_end_time_counts_in_the_last_bin_as_histogram():
    sorting = small_sorting()
    binned = bin_spikes(sorting, bin_duration=0.01, start_time=0.0, end_time=0.03)
    assert binned.counts[:, 0].tolist() == [1, 2, 3]  # 20, 29 and 30 (on end_time)
    np.testing.assert_array_equal(binned.counts, histogram_reference(sorting, binned.bin_edges))


def test_last_bin_is_shorter_and_ends_at_end_time():
    binned = bin_spikes(small_sorting(), bin_duration=0.03, end_time=0.1)
    np.testing.assert_allclose(binned.bin_edges, [0.0, 0.03, 0.06, 0.09, 0.1])
    assert binned.counts[:, 0].tolist() == [5, 1, 0, 1]
    np.testing.assert_allclose(binned.rates()[-1, 0], 1 / 0.01)


def test_binary_units_and_dtype():
    sorting = small_sorting()
    binary = bin_spikes(sorting, bin_duration=0.01, end_time=0.1, binary=True, unit_ids=["c", "a"])
    assert binary.unit_ids.tolist() == ["c", "a"]
    assert binary.counts[:, 1].tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
    assert binary.counts.max() == 1
    many = le.NumpySorting.from_unit_dict({"x": np.zeros(300, dtype=np.int64)}, 1000.0)
    wide = bin_spikes(many, bin_duration=0.01, end_time=0.02)
    assert wide.counts.dtype == np.uint16 and wide.counts[0, 0] == 300


def test_times_come_from_the_registered_recording():
    sorting = le.generate_sorting(num_units=3, durations=[2.0], firing_rates=30.0, seed=1)
    recording = le.generate_recording(num_channels=1, durations=[2.0], seed=0)
    recording.set_start_time(100.0)
    sorting.register_recording(recording)
    binned = bin_spikes(sorting, bin_duration=0.05)
    assert binned.bin_edges[0] == 100.0 and binned.bin_edges[-1] == pytest.approx(102.0)
    np.testing.assert_array_equal(binned.counts, histogram_reference(sorting, binned.bin_edges))
    # an irregular time vector: edges stay nominal, and counts still match the histogram
    times = 5.0 + np.cumsum(np.full(recording.get_num_samples(), 1 / 30000.0))
    times[30000:] += 0.0123
    recording.set_times(times)
    binned = bin_spikes(sorting, bin_duration=0.05, start_time=5.0, end_time=7.0)
    np.testing.assert_array_equal(binned.counts, histogram_reference(sorting, binned.bin_edges))


def test_multi_segment_works_per_segment():
    sorting = le.generate_sorting(num_units=4, durations=[1.0, 2.0], firing_rates=15.0, seed=5)
    with pytest.raises(IndexError):
        bin_spikes(sorting, bin_duration=0.1)
    second = bin_spikes(sorting, bin_duration=0.1, segment_index=1)
    assert second.segment_index == 1 and second.num_bins == 20
    np.testing.assert_array_equal(
        second.counts, histogram_reference(sorting, second.bin_edges, segment_index=1)
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    bin_duration=st.floats(0.0007, 0.2),
    start=st.floats(-0.1, 0.5),
    span=st.floats(0.01, 1.2),
)
def test_any_grid_matches_histogram(seed, bin_duration, start, span):
    sorting = le.generate_sorting(num_units=3, sampling_frequency=1000.0, durations=[1.0],
                                  firing_rates=40.0, seed=seed)
    binned = bin_spikes(sorting, bin_duration=bin_duration, start_time=start,
                        end_time=start + span)
    np.testing.assert_array_equal(binned.counts, histogram_reference(sorting, binned.bin_edges))


def test_zscore_selection_and_constant_units():
    sorting = small_sorting()
    binned = bin_spikes(sorting, bin_duration=0.01, end_time=0.1)
    with pytest.warns(UserWarning, match="'c'"):
        z = binned.zscore()
    assert not np.any(np.isnan(z))
    column = binned.counts[:, 0].astype(float)
    np.testing.assert_allclose(z[:, 0], (column - column.mean()) / column.std())
    assert np.all(z[:, 2] == 0)
    assert binned.remove_silent_units().unit_ids.tolist() == ["a", "b"]
    assert binned.remove_constant_units().unit_ids.tolist() == ["a", "b"]
    assert binned.select_units(["b"]).counts[:, 0].tolist() == [1] + [0] * 9
    with pytest.raises(KeyError, match="zz"):
        binned.select_units(["zz"])


def test_labelled_exports():
    sorting = small_sorting()
    sorting.set_property("quality", ["good", "mua", "good"])
    binned = bin_spikes(sorting, bin_duration=0.01, end_time=0.1)
    array = binned.to_xarray()
    assert array.dims == ("time", "unit")
    assert array.sel(unit="a").values.tolist() == binned.counts[:, 0].tolist()
    assert array.coords["quality"].values.tolist() == ["good", "mua", "good"]
    frame = binned.to_dataframe()
    assert frame.loc[0.01, "a"] == 2


@pytest.mark.parametrize("bad", [0, -0.01, float("nan"), float("inf")])
def test_bad_bin_duration_is_named(bad):
    with pytest.raises(ValueError, match="bin_duration"):
        bin_spikes(small_sorting(), bin_duration=bad, end_time=0.1)


def test_end_before_start_and_unknown_end():
    with pytest.raises(ValueError, match="end_time"):
        bin_spikes(small_sorting(), bin_duration=0.01, start_time=0.5, end_time=0.2)
    with pytest.raises(ValueError, match="end_time"):
        bin_spikes(small_sorting(), bin_duration=0.01)  # no num_samples: the end is unknown


def test_aggregated_and_concatenated_sortings_feed_it():
    first = le.generate_sorting(num_units=2, durations=[1.0], firing_rates=20.0, seed=1)
    second = le.generate_sorting(num_units=3, durations=[1.0], firing_rates=20.0, seed=2)
    both = le.aggregate_units([first, second], renamed_unit_ids=list("abcde"))
    np.testing.assert_array_equal(
        bin_spikes(both, 0.02).counts,
        np.hstack([bin_spikes(first, 0.02).counts, bin_spikes(second, 0.02).counts]),
    )
    joined = le.concatenate_sortings([first, first])
    counts = bin_spikes(joined, 0.02).counts
    np.testing.assert_array_equal(counts[:50], counts[50:])
