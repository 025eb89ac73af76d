"""Sweep plots: the lines are the sweeps' traces, the markers the table's values, the targets
their means."""

import numpy as np
import pytest

from lazyephys.sweeps import FeatureTable, SweepRecording, TargetResult
from lazyephys.widgets import plot_feature_vs_amplitude, plot_sweeps

from .conftest import rendered_png


def make_sweeps():
    rng = np.random.default_rng(1)
    voltages = [rng.normal(-70, 1, 400) for _ in range(5)]
    return SweepRecording.from_arrays(voltages, None, 10000.0, ["a", "a", "a", "b", "b"],
                                      ["IDRest", "IDRest", "IDthresh", "IDRest", "IDRest"],
                                      [0.1, 0.2, 0.15, 0.3, 0.4], 10.0, 30.0)


def test_plot_sweeps_draws_each_sweep_by_protocol():
    sweeps = make_sweeps()
    axes = plot_sweeps(sweeps, "a")
    assert axes.shape == (2, 2)
    assert [ax.get_title() for ax in axes[0]] == ["a - IDRest", "a - IDthresh"]
    lines = axes[0, 0].get_lines()
    assert len(lines) == 2 and len(axes[0, 1].get_lines()) == 1
    np.testing.assert_array_equal(lines[1].get_ydata(), sweeps.get_traces(1)[:, 0])
    np.testing.assert_allclose(lines[1].get_xdata()[:3], [0.0, 0.1, 0.2])
    current = axes[1, 0].get_lines()[0].get_ydata()
    np.testing.assert_allclose(current[[99, 100, 299, 300]], [0.0, 0.1, 0.1, 0.0])
    assert rendered_png(axes[0, 0]).startswith(b"\x89PNG")
    with pytest.raises(KeyError, match=r"no sweep of \['APWaveform'\]"):
        plot_sweeps(sweeps, "a", protocols=["APWaveform"])
    with pytest.raises(KeyError, match="no sweep of the cell 'z'"):
        plot_sweeps(sweeps, "z")


def test_plot_feature_against_relative_amplitude_with_targets():
    columns = {
        "sweep": np.arange(4), "cell_id": np.array(["a", "a", "b", "b"]),
        "protocol": np.array(["IDRest"] * 4), "amplitude": np.array([0.2, 0.3, 0.4, 0.6]),
        "repetition": np.zeros(4, int), "stim_start": np.full(4, 10.0),
        "stim_end": np.full(4, 30.0), "duration": np.full(4, 40.0),
        "holding_current": np.zeros(4), "spikecount": np.array([1.0, 3, 2, 5]),
        "mean_frequency": np.array([5.0, 15.0, 10.0, 25.0]),
    }
    table = FeatureTable(columns, {})
    result = TargetResult(
        targets=[{"efeature": "mean_frequency", "efeature_name": "mean_frequency",
                  "protocol": "IDRest", "amplitude": 150, "tolerance": 10, "mean": 20.0,
                  "std": 5.0, "n": 2}],
        protocols={}, currents={}, rheobase={"a": 0.2, "b": 0.4})
    ax = plot_feature_vs_amplitude(table, "mean_frequency", result)
    markers = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    a_points, b_points = markers[0], markers[1]
    np.testing.assert_allclose(a_points.get_xdata(), [100.0, 150.0])
    np.testing.assert_allclose(b_points.get_ydata(), [10.0, 25.0])
    target = markers[2]
    assert target.get_xdata()[0] == 150 and target.get_ydata()[0] == 20.0
    assert ax.get_xlabel() == "amplitude (% of rheobase)"
    absolute = plot_feature_vs_amplitude(table, "mean_frequency")
    np.testing.assert_allclose(absolute.get_lines()[1].get_xdata(), [0.4, 0.6])
    with pytest.raises(KeyError, match=r"no column 'AP_width'.*\['mean_frequency'\]"):
        plot_feature_vs_amplitude(table, "AP_width")
