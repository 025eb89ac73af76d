"""plot_rasters, plot_unit_presence, plot_firing_rate against numpy on the spike vector."""

import numpy as np
import pytest

import lazyephys as le
from lazyephys.widgets import plot_firing_rate, plot_rasters, plot_unit_presence

from .conftest import rendered_png

FS = 1000.0


def small_sorting():
    # unit a: 0.1, 0.2, ..., 1.9 s; unit b: 0.5 s and 1.5 s; unit c: silent
    samples = np.concatenate([np.arange(100, 2000, 100), [500, 1500]])
    labels = np.array(["a"] * 19 + ["b", "b"])
    sorting = le.NumpySorting.from_samples_and_labels(
        [samples], [labels], FS, unit_ids=["a", "b", "c"]
    )
    return sorting


def test_rasters_draw_exactly_the_spikes_in_the_window():
    sorting = le.generate_sorting(num_units=4, durations=[10.0], seed=3)
    ax = plot_rasters(sorting, time_range=(2.0, 4.5))
    offsets = ax.collections[0].get_offsets()
    vector = sorting.to_spike_vector()
    times = vector["sample_index"] / sorting.get_sampling_frequency()
    keep = (times >= 2.0) & (times < 4.5)
    expected = sorted(zip(times[keep], vector["unit_index"][keep].astype(float), strict=True))
    drawn = sorted(map(tuple, np.asarray(offsets)))
    np.testing.assert_allclose(drawn, expected)
    assert ax.get_xlim() == (2.0, 4.5)
    assert ax.get_ylim() == (-0.5, 3.5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s)", "unit")
    assert len(rendered_png(ax)) > 1000


def test_rasters_select_units_in_the_order_given():
    sorting = small_sorting()
    ax = plot_rasters(sorting, unit_ids=["b", "a"])
    offsets = np.asarray(ax.collections[0].get_offsets())
    np.testing.assert_allclose(offsets[offsets[:, 1] == 0, 0], [0.5, 1.5])
    assert np.sum(offsets[:, 1] == 1) == 19
    assert ax.get_xlim() == (0.0, 1.901)  # no known length: up to the last spike's sample


def test_rasters_colour_by_a_numeric_or_a_categorical_property():
    sorting = small_sorting()
    sorting.set_property("snr", [1.0, 2.0, 3.0])
    ax = plot_rasters(sorting, color_by="snr")
    assert ax.figure.axes[-1].get_ylabel() == "snr"  # the colour bar
    sorting.set_property("kind", ["good", "mua", "good"])
    ax = plot_rasters(sorting, color_by="kind")
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["good", "mua"]
    with pytest.raises(KeyError, match="color_by='depth' is not a unit property"):
        plot_rasters(sorting, color_by="depth")


def test_rasters_bad_input():
    sorting = le.generate_sorting(num_units=2, durations=[5.0], seed=0)
    with pytest.raises(le.FrameRangeError, match=r"\[0, 5\] s"):
        plot_rasters(sorting, time_range=(4.0, 6.0))
    with pytest.raises(le.UnknownIdError, match=r"unknown unit ids \['9'\]"):
        plot_rasters(sorting, unit_ids=["0", "9"])
    two = le.generate_sorting(num_units=2, durations=[1.0, 1.0], seed=0)
    with pytest.raises(le.SegmentIndexError):
        plot_rasters(two)


def test_unit_presence_is_the_histogram_of_each_train():
    sorting = le.generate_sorting(num_units=3, durations=[6.0], seed=2)
    ax = plot_unit_presence(sorting, time_range=(1.0, 5.0), bin_duration_s=0.5,
                            smooth_sigma=0)
    mesh = ax.collections[0]
    edges = np.arange(1.0, 5.01, 0.5)
    expected = []
    for unit_id in sorting.get_unit_ids():
        times = sorting.get_unit_spike_train(unit_id, return_times=True)
        expected.append(np.histogram(times[times < 5.0], bins=edges)[0] / 0.5)
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(3, 8), expected)
    assert ax.get_xlim() == (1.0, 5.0)
    assert ax.figure.axes[-1].get_ylabel() == "firing rate (Hz)"


def test_unit_presence_smoothing_is_a_gaussian_over_bins():
    from scipy.ndimage import gaussian_filter1d

    sorting = le.generate_sorting(num_units=2, durations=[4.0], seed=5)
    ax = plot_unit_presence(sorting, bin_duration_s=0.25, smooth_sigma=2.0)
    edges = np.arange(0.0, 4.01, 0.25)
    counts = [np.histogram(sorting.get_unit_spike_train(u, return_times=True), bins=edges)[0]
              for u in sorting.get_unit_ids()]
    expected = gaussian_filter1d(np.array(counts) / 0.25, 2.0, axis=1, mode="nearest")
    np.testing.assert_allclose(np.asarray(ax.collections[0].get_array()).reshape(2, 16),
                               expected)


def test_a_last_bin_cut_by_the_window_is_a_rate_over_its_width():
    sorting = small_sorting()  # unit a fires every 0.1 s
    ax = plot_unit_presence(sorting, time_range=(0.05, 1.0), bin_duration_s=0.4,
                            smooth_sigma=0, unit_ids=["a"])
    rates = np.asarray(ax.collections[0].get_array()).ravel()
    # bins [0.05, 0.45), [0.45, 0.85), [0.85, 1.0): 4, 4 and 1 spikes (0.9)
    np.testing.assert_allclose(rates, [4 / 0.4, 4 / 0.4, 1 / 0.15])


def test_firing_rate_lines():
    sorting = small_sorting()
    ax = plot_firing_rate(sorting, unit_ids=["a", "b"], bin_duration_s=0.5,
                          time_range=(0.0, 1.5))
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_xdata(), [0.25, 0.75, 1.25])
    np.testing.assert_allclose(lines[0].get_ydata(), [8.0, 10.0, 10.0])  # 4, 5, 5 spikes
    np.testing.assert_allclose(lines[1].get_ydata(), [0.0, 2.0, 0.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


@pytest.mark.parametrize("kwargs, message", [
    ({"bin_duration_s": 0}, "bin_duration_s must be positive, got 0"),
    ({"smooth_sigma": -1}, "smooth_sigma must be zero or positive, got -1"),
    ({"time_range": (0.0, 9.0)}, "reaches outside"),
])
def test_presence_bad_input(kwargs, message):
    sorting = le.generate_sorting(num_units=2, durations=[5.0], seed=0)
    with pytest.raises((ValueError, IndexError), match=message):
        plot_unit_presence(sorting, **kwargs)


def test_rasters_late_in_a_long_sorting_label_times_in_full():
    hour = 3600 * FS
    sorting = le.NumpySorting.from_samples_and_labels(
        [np.array([hour - 500, hour - 100])], [np.array(["a", "a"])], FS
    )
    ax = plot_rasters(sorting, time_range=(3599.4, 3599.9))
    ax.figure.canvas.draw()
    labels = [float(t.get_text().replace("\u2212", "-")) for t in ax.get_xticklabels()
              if t.get_text()]
    assert labels and min(labels) >= 3599.4 and max(labels) <= 3599.9
    assert ax.xaxis.get_major_formatter().get_offset() == ""


def test_many_rows_are_labelled_with_their_ids_never_positions():
    # 200 units in reverse order: a tick at row r must read the id drawn on row r
    sorting = le.generate_sorting(num_units=200, durations=[2.0], seed=1)
    order = sorting.get_unit_ids()[::-1]
    ax = plot_rasters(sorting, unit_ids=order)
    ticks = ax.get_yticks()
    texts = [t.get_text() for t in ax.get_yticklabels()]
    assert 1 < len(ticks) < 200
    assert texts == [str(order[int(row)]) for row in ticks]
    # the labels fit the axes' height: no two closer than a label's font size
    ax.figure.canvas.draw()
    spacing = np.diff(ax.transData.transform([(0, row) for row in ticks])[:, 1])
    assert spacing.min() * 72 / ax.figure.dpi >= ax.get_yticklabels()[0].get_fontsize()
    ax = plot_unit_presence(sorting, unit_ids=order, bin_duration_s=0.5, smooth_sigma=0)
    texts = [t.get_text() for t in ax.get_yticklabels()]
    assert texts == [str(order[int(row)]) for row in ax.get_yticks()]


def test_few_rows_are_all_labelled():
    sorting = le.generate_sorting(num_units=5, durations=[1.0], seed=1)
    ax = plot_rasters(sorting)
    assert [t.get_text() for t in ax.get_yticklabels()] == sorting.get_unit_ids().tolist()
