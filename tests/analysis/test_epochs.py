"""epoch_counts and peri_event_counts against a direct loop over epochs with searchsorted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lazyephys as le
from lazyephys.analysis import epoch_counts, peri_event_counts, split_epochs
from lazyephys.errors import InvalidEpochsError


def loop_reference(sorting, bin_edges, unit_ids=None):
    """For each epoch and unit: searchsorted of the bin edges in the unit's spike times."""
    unit_ids = sorting.get_unit_ids() if unit_ids is None else unit_ids
    out = np.zeros((bin_edges.shape[0], bin_edges.shape[1] - 1, len(unit_ids)), np.int64)
    for u, uid in enumerate(unit_ids):
        times = sorting.get_unit_spike_train(uid, return_times=True)
        for e, edges in enumerate(bin_edges):
            out[e, :, u] = np.diff(np.searchsorted(times, edges, side="left"))
    return out


@pytest.fixture
def sorting():
    return le.generate_sorting(num_units=5, durations=[20.0], firing_rates=20.0, seed=7)


def test_unsorted_overlapping_epochs_of_different_lengths(sorting):
    rng = np.random.default_rng(0)
    starts = rng.uniform(-1.0, 19.0, 40)
    stops = starts + rng.uniform(0.05, 2.0, 40)
    table = pd.DataFrame({"start_time": starts, "stop_time": stops,
                          "image": [f"im{i % 3}" for i in range(40)]})
    with pytest.warns(UserWarning, match="outside"):  # some epochs end before 0 or after 20
        table.loc[0, ["start_time", "stop_time"]] = [25.0, 26.0]
        counts = epoch_counts(sorting, table, num_bins=4, unit_ids=["3", "1"])
    assert counts.counts.shape == (40, 4, 2)
    np.testing.assert_array_equal(counts.counts,
                                  loop_reference(sorting, counts.bin_edges, ["3", "1"]))
    assert counts.counts[0].sum() == 0
    assert counts.epochs["image"][5] == "im2"
    array = counts.to_xarray()
    assert array.dims == ("epoch", "bin", "unit")
    assert array.coords["image"].values[5] == "im2"
    assert counts.to_dataframe().shape == (160, 2)
    allen = table.rename_axis("stimulus_presentation_id")
    labelled = epoch_counts(sorting, allen.iloc[1:3], num_bins=2)
    assert labelled.epochs["stimulus_presentation_id"].tolist() == [1, 2]


def test_bin_duration_and_adjacent_epochs_count_a_boundary_spike_once():
    sorting = le.NumpySorting.from_unit_dict({"a": np.array([0, 10, 20, 25, 30])}, 100.0)
    epochs = np.array([[0.0, 0.1], [0.1, 0.2], [0.2, 0.3]])
    counts = epoch_counts(sorting, epochs, bin_duration=0.05)
    assert counts.counts[:, :, 0].tolist() == [[1, 0], [1, 0], [1, 1]]
    assert counts.counts.sum() == 4  # the spike at 0.3 ends the last epoch: not counted
    both = epoch_counts(sorting, epochs[:1], bin_duration=0.1, num_bins=3)
    assert both.counts[0, :, 0].tolist() == [1, 1, 2]
    np.testing.assert_allclose(both.bin_offsets, [0.0, 0.1, 0.2, 0.3])


def test_one_bin_per_epoch_by_default_and_dict_input(sorting):
    epochs = {"start_time": np.array([1.0, 3.0]), "stop_time": np.array([2.5, 3.1])}
    counts = epoch_counts(sorting, epochs)
    np.testing.assert_array_equal(counts.counts, loop_reference(sorting, counts.bin_edges))
    assert counts.counts.shape == (2, 1, 5)


def test_peri_event_counts(sorting):
    events = np.array([2.0, 5.5, 5.6, 19.9])
    around = peri_event_counts(sorting, events, window=(-0.3, 0.5), bin_duration=0.1)
    assert around.counts.shape == (4, 8, 5)
    np.testing.assert_allclose(around.bin_offsets, np.round(np.arange(-0.3, 0.55, 0.1), 12))
    np.testing.assert_array_equal(around.counts, loop_reference(sorting, around.bin_edges))
    assert around.epochs["event_time"].tolist() == events.tolist()


def test_bad_epochs_are_named(sorting):
    with pytest.raises(InvalidEpochsError, match=r"'start'"):
        epoch_counts(sorting, {"start": [0.0], "stop_time": [1.0]})
    with pytest.raises(InvalidEpochsError, match="stop before"):
        epoch_counts(sorting, {"start_time": [0.0, 2.0], "stop_time": [1.0, 1.5]})
    with pytest.raises(InvalidEpochsError, match="zero length"):
        epoch_counts(sorting, np.array([[1.0, 1.0]]))
    with pytest.raises(InvalidEpochsError, match="different numbers of bins"):
        epoch_counts(sorting, np.array([[0.0, 1.0], [2.0, 2.5]]), bin_duration=0.1)
    with pytest.raises(ValueError, match="bin_duration"):
        epoch_counts(sorting, np.array([[0.0, 1.0]]), bin_duration=-1.0)


def test_time_ordered_split(sorting):
    table = {"start_time": np.array([5.0, 1.0, 3.0, 2.0, 4.0]),
             "stop_time": np.array([5.5, 1.5, 3.5, 2.5, 4.5])}
    counts = epoch_counts(sorting, table)
    train, validation, test = counts.split((0.6, 0.2, 0.2))
    assert train.tolist() == [1, 3, 2] and validation.tolist() == [4] and test.tolist() == [0]
    with pytest.raises(ValueError, match="sum to 1"):
        split_epochs(10, (0.5, 0.2))


def test_no_events_give_empty_counts(sorting):
    around = peri_event_counts(sorting, [], window=(-0.1, 0.1), bin_duration=0.05)
    assert around.counts.shape == (0, 4, 5)
