"""plot_binned and plot_recruitment over arrays and labelled objects."""

from types import SimpleNamespace

import numpy as np
import pytest

import lazyephys as le
from lazyephys.widgets import plot_binned, plot_recruitment

from .conftest import rendered_png


def mesh_values(ax, shape):
    return np.asarray(ax.collections[0].get_array()).reshape(shape)


def test_binned_array_is_drawn_time_across_units_up():
    counts = np.arange(12).reshape(4, 3)  # 4 bins, 3 units
    edges = [1.0, 1.5, 2.0, 2.5, 3.0]
    ax = plot_binned(counts, bin_edges=edges, labels=["u1", "u2", "u3"])
    np.testing.assert_array_equal(mesh_values(ax, (3, 4)), counts.T)
    assert ax.get_xlim() == (1.0, 3.0)
    assert ax.get_ylim() == (-0.5, 2.5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["u1", "u2", "u3"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s)", "unit")
    assert ax.figure.axes[-1].get_ylabel() == "count"
    assert len(rendered_png(ax)) > 1000


def test_binned_without_edges_counts_bins():
    ax = plot_binned(np.ones((5, 2)), label_name="group", value_name="fraction")
    assert ax.get_xlim() == (-0.5, 4.5)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("bin", "group")
    assert ax.figure.axes[-1].get_ylabel() == "fraction"


def test_binned_reads_a_labelled_object():
    binned = SimpleNamespace(counts=np.array([[1, 0], [0, 2]], dtype=np.uint8),
                             bin_edges=np.array([0.0, 0.01, 0.02]),
                             unit_ids=np.array(["x", "y"]))
    ax = plot_binned(binned)
    np.testing.assert_array_equal(mesh_values(ax, (2, 2)), [[1, 0], [0, 2]])
    assert ax.get_xlim() == (0.0, 0.02)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]


def test_epoch_counts_mean_or_one_epoch():
    counts = np.random.default_rng(0).integers(0, 5, size=(6, 4, 3))  # epochs, bins, units
    ax = plot_binned(counts)
    np.testing.assert_allclose(mesh_values(ax, (3, 4)), counts.mean(axis=0).T)
    assert ax.figure.axes[-1].get_ylabel() == "mean count over epochs"
    ax = plot_binned(counts, epoch_index=-1)
    np.testing.assert_array_equal(mesh_values(ax, (3, 4)), counts[5].T)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"binned": np.ones(3)}, ValueError, r"shape \(bins, units\).*got shape \(3,\)"),
    ({"binned": np.ones((3, 2)), "bin_edges": [0, 1, 2]}, ValueError, "4 edges for 3 bins"),
    ({"binned": np.ones((2, 2)), "bin_edges": [0, 2, 1]}, ValueError, "strictly increasing"),
    ({"binned": np.ones((3, 2)), "labels": ["a"]}, ValueError, "2 labels"),
    ({"binned": np.ones((2, 3, 2)), "epoch_index": 2}, IndexError, "there are 2 epochs"),
    ({"binned": np.ones((3, 2)), "epoch_index": 0}, ValueError, "3 dimensions"),
    ({"binned": "counts"}, TypeError, "array of numbers"),
])
def test_binned_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plot_binned(**kwargs)


XY = np.array([[0.0, 0.0], [50.0, 0.0], [25.0, 43.3], [75.0, 43.3]])
FRACTIONS = np.array([[0.0, 0.5, 1.0, 0.25], [0.5, 0.0, 0.25, 0.75], [0.0, 0.0, 0.0, 0.0]])


def test_recruitment_frame_puts_each_group_at_its_position():
    ax = plot_recruitment(FRACTIONS, XY, bin_index=1, bin_edges=[0.0, 0.01, 0.02, 0.03])
    points = ax.collections[0]
    np.testing.assert_allclose(points.get_offsets(), XY)
    np.testing.assert_allclose(points.get_array(), FRACTIONS[1])
    assert points.get_clim() == (0.0, 1.0)  # the largest value of every bin: frames compare
    assert ax.get_title() == "t = 0.010 s"
    assert ax.figure.axes[-1].get_ylabel() == "fraction recruited"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (um)", "y (um)")
    assert len(rendered_png(ax)) > 1000


def test_recruitment_positions_by_group_label():
    positions = {"h2": (50.0, 0.0), "h1": (0.0, 0.0), "h3": (25.0, 43.3), "h4": (75.0, 43.3)}
    ax = plot_recruitment(FRACTIONS, positions, groups=["h1", "h2", "h3", "h4"],
                          bin_index=2, clim=(0, 50))
    np.testing.assert_allclose(ax.collections[0].get_offsets(), XY)
    assert ax.collections[0].get_clim() == (0, 50)
    assert ax.get_title() == "bin 2"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"positions": XY[:3]}, ValueError, r"positions must be \(4, 2\)"),
    ({"positions": {"h1": (0, 0)}, "groups": ["h1", "h2", "h3", "h4"]}, KeyError,
     r"no entry for the groups \['h2', 'h3', 'h4'\]"),
    ({"positions": XY, "bin_index": 3}, IndexError, "there are 3 bins"),
    ({"positions": XY, "groups": ["a"]}, ValueError, "4 labels"),
])
def test_recruitment_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plot_recruitment(FRACTIONS, **kwargs)


def _epoch_counts():
    # 3 epochs of 4 bins of 0.25 s starting at 10, 20 and 30 s, 2 units
    counts = np.random.default_rng(1).integers(0, 6, size=(3, 4, 2)).astype(np.uint8)
    starts = np.array([10.0, 20.0, 30.0])
    offsets = np.arange(5) * 0.25
    return SimpleNamespace(counts=counts, bin_edges=starts[:, None] + offsets[None, :],
                           bin_offsets=offsets, unit_ids=np.array(["u", "v"]))


def test_epoch_counts_with_edges_per_epoch_draw_one_epoch_on_its_own_times():
    epochs = _epoch_counts()
    ax = plot_binned(epochs, epoch_index=1)
    np.testing.assert_array_equal(mesh_values(ax, (2, 4)), epochs.counts[1].T)
    assert ax.get_xlim() == (20.0, 21.0)
    assert ax.get_xlabel() == "time (s)"


def test_epoch_counts_mean_is_drawn_on_times_from_each_epoch_start():
    epochs = _epoch_counts()
    ax = plot_binned(epochs)
    np.testing.assert_allclose(mesh_values(ax, (2, 4)), epochs.counts.mean(axis=0).T)
    assert ax.get_xlim() == (0.0, 1.0)
    assert ax.get_xlabel() == "time in epoch (s)"
    # epochs of different lengths share no offsets: the mean is drawn over bin numbers
    epochs.bin_offsets = None
    ax = plot_binned(epochs)
    assert ax.get_xlim() == (-0.5, 3.5) and ax.get_xlabel() == "bin"


def test_epoch_edges_must_match_the_epochs():
    epochs = _epoch_counts()
    with pytest.raises(ValueError, match="2 rows of edges for 3 epochs"):
        plot_binned(epochs.counts, bin_edges=epochs.bin_edges[:2], epoch_index=0)


def test_analytics_outputs_draw_with_their_labels():
    # a unit firing at 0.05 s and 0.25 s after each of two events, another silent
    from lazyephys.analysis import bin_spikes, peri_event_counts, recruitment

    events = np.array([1.0, 3.0])
    fs = 1000.0
    spikes = np.sort(np.concatenate([events + 0.05, events + 0.25])) * fs
    sorting = le.NumpySorting.from_unit_dict(
        {"a": spikes.astype(np.int64), "b": np.array([], dtype=np.int64)}, fs,
        num_samples=[4000])
    around = peri_event_counts(sorting, events, window=(-0.1, 0.3), bin_duration=0.1)
    ax = plot_binned(around)
    # mean over events: unit a has one spike in the bins [0, 0.1) and [0.2, 0.3)
    np.testing.assert_allclose(mesh_values(ax, (2, 4)), [[0, 1, 0, 1], [0, 0, 0, 0]])
    np.testing.assert_allclose(ax.get_xlim(), (-0.1, 0.3))
    assert ax.get_xlabel() == "time in epoch (s)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    ax = plot_binned(around, epoch_index=1)
    np.testing.assert_allclose(ax.get_xlim(), (2.9, 3.3))

    binned = bin_spikes(sorting, bin_duration=1.0)
    ax = plot_binned(binned)
    np.testing.assert_array_equal(mesh_values(ax, (2, 4)), binned.counts.T)
    assert ax.get_xlim() == (0.0, 4.0)

    sorting.set_property("group", ["x", "y"])
    recruited = recruitment(sorting, bin_duration=1.0, by="group")
    ax = plot_recruitment(recruited, {"x": (0.0, 0.0), "y": (10.0, 0.0)}, bin_index=1)
    np.testing.assert_array_equal(ax.collections[0].get_array(), [1.0, 0.0])
    assert ax.get_title() == "t = 1.000 s"
