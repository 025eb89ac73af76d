"""firing_rates, recruitment, group_by_grid, select_units_by and remove_invalid_times against
the seeds' per-neuron recipes and values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lazyephys as le
from lazyephys.analysis import (
    bin_spikes,
    firing_rates,
    group_by_grid,
    recruitment,
    remove_invalid_times,
    select_units_by,
)
from lazyephys.errors import UnknownPropertyError


def test_rates_match_the_per_neuron_loop():
    sorting = le.generate_sorting(num_units=6, durations=[5.0], firing_rates=[0.1, 1, 5, 10,
                                                                               20, 40], seed=2)
    expected = []
    for uid in sorting.get_unit_ids():  # the seed's loop: mean of 1 / ISI per neuron
        times = sorting.get_unit_spike_train(uid, return_times=True)
        expected.append(np.mean(1.0 / np.diff(times)) if times.size > 1 else 0.0)
    np.testing.assert_allclose(firing_rates(sorting, method="mean_inverse_isi"), expected)
    counts = sorting.count_num_spikes_per_unit(outputs="array")
    np.testing.assert_allclose(firing_rates(sorting), counts / 5.0)


def test_rates_single_spike_units_and_segments():
    sorting = le.NumpySorting.from_unit_dict(
        [{"a": np.array([0, 50]), "b": np.array([10])}, {"a": np.array([0, 25])}], 100.0,
        num_samples=[100, 100])
    np.testing.assert_allclose(firing_rates(sorting, "mean_inverse_isi"), [3.0, 0.0])
    np.testing.assert_allclose(firing_rates(sorting, "count", segment_index=0), [2.0, 1.0])
    np.testing.assert_allclose(firing_rates(sorting, "count"), [2.0, 0.5])
    with pytest.raises(ValueError, match="method"):
        firing_rates(sorting, method="mean")


def test_recruitment_matches_the_pandas_recipe():
    sorting = le.generate_sorting(num_units=12, durations=[2.0], firing_rates=8.0, seed=9)
    groups = np.array(["h1", "h2", "h3"] * 4)
    sorting.set_property("hex", groups)
    result = recruitment(sorting, bin_duration=0.01, by="hex", percent=True)
    # the seed's recipe: spikes as (neuron, bin), duplicates dropped, histogram per group
    bins = np.arange(0, 2.0 + 0.01, 0.01)
    rows = []
    for index, uid in enumerate(sorting.get_unit_ids()):
        times = sorting.get_unit_spike_train(uid, return_times=True)
        rows += [(groups[index], uid, b) for b in np.digitize(times, bins) - 1]
    spikes = pd.DataFrame(rows, columns=["group", "unit", "tbin"]).drop_duplicates()
    sizes = pd.Series(groups).value_counts()
    expected = np.stack([np.histogram(spikes.tbin[spikes.group == g], np.arange(201))[0]
                         / sizes[g] * 100 for g in ["h1", "h2", "h3"]], axis=1)
    np.testing.assert_allclose(result.values, expected)
    assert result.groups.tolist() == ["h1", "h2", "h3"] and result.group_sizes.tolist() == [4] * 3


def test_recruitment_unknown_property_lists_properties():
    sorting = le.generate_sorting(num_units=2, durations=[1.0], seed=0)
    sorting.set_property("depth", [1.0, 2.0])
    with pytest.raises(UnknownPropertyError, match="depth"):
        recruitment(sorting, 0.01, by="shank")


def test_hex_groups_are_the_nearest_centres():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-200, 200, 500), rng.uniform(-200, 200, 500)
    labels, centers = group_by_grid(x, y, 50.0, kind="hex", return_centers=True)
    # every lattice point near the data; each position must sit in its nearest one's cell
    i, j = np.meshgrid(np.arange(-8, 9), np.arange(-8, 9))
    lattice = np.stack([(i + j / 2) * 50.0, j * 50.0 * np.sqrt(3) / 2], -1).reshape(-1, 2)
    distances = np.hypot(x[:, None] - lattice[None, :, 0], y[:, None] - lattice[None, :, 1])
    nearest = lattice[np.argmin(distances, axis=1)]
    np.testing.assert_allclose(centers[labels], nearest, atol=1e-9)
    square = group_by_grid([0.0, 49.0, 51.0], [0.0, 10.0, 10.0], 50.0, kind="square")
    assert square.tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="spacing"):
        group_by_grid([0.0], [0.0], 0.0)


def test_select_units_by_thresholds():
    sorting = le.generate_sorting(num_units=5, durations=[1.0], seed=0)
    sorting.set_property("isi_violations", [0.1, 0.9, 0.2, np.nan, 0.0])
    sorting.set_property("quality", ["good", "good", "mua", "good", "noise"])
    kept = select_units_by(sorting, isi_violations__lt=0.5, quality__in=["good", "mua"])
    assert kept.get_unit_ids().tolist() == ["0", "2"]
    assert select_units_by(sorting, quality="noise").get_unit_ids().tolist() == ["4"]
    with pytest.raises(UnknownPropertyError, match="isi_violations"):
        select_units_by(sorting, presence_ratio__gt=0.9)
    with pytest.raises(ValueError, match="between"):
        select_units_by(sorting, quality__between=1)


def test_remove_invalid_times():
    sorting = le.generate_sorting(num_units=3, durations=[10.0], firing_rates=30.0, seed=4)
    invalid = pd.DataFrame({"start_time": [2.0, 1.0, 7.5], "stop_time": [3.0, 2.5, 8.0]})
    valid = remove_invalid_times(sorting, invalid)
    for uid in sorting.get_unit_ids():
        times = sorting.get_unit_spike_train(uid, return_times=True)
        keep = ~(((times >= 1.0) & (times < 3.0)) | ((times >= 7.5) & (times < 8.0)))
        np.testing.assert_array_equal(valid.get_unit_spike_train(uid, return_times=True),
                                      times[keep])
    assert bin_spikes(valid, 0.5).counts[2:6].sum() == 0
    rebuilt = le.load(valid.to_dict())
    assert rebuilt.count_total_num_spikes() == valid.count_total_num_spikes()


def test_remove_invalid_times_keeps_the_recording_times():
    sorting = le.generate_sorting(num_units=2, durations=[4.0], firing_rates=40.0, seed=6)
    recording = le.generate_recording(num_channels=1, durations=[4.0], seed=0)
    recording.set_start_time(100.0)
    sorting.register_recording(recording)
    valid = remove_invalid_times(sorting, np.array([[101.0, 102.0]]))
    assert valid.get_registered_recording() is recording
    times = valid.get_unit_spike_train("0", return_times=True)
    assert times.min() >= 100.0 and not np.any((times >= 101.0) & (times < 102.0))
    original = sorting.get_unit_spike_train("0", return_times=True)
    assert times.size == np.sum((original < 101.0) | (original >= 102.0))
