"""plot_probe_map, and the error when matplotlib is not installed."""

import sys

import numpy as np
import pytest

import lazyephys as le
from lazyephys import widgets


def test_probe_map_labels_contacts_with_channel_ids_at_their_locations():
    rec = le.generate_recording(num_channels=6, durations=[1.0], seed=0)
    rec = rec.rename_channels(new_channel_ids=list("abcdef"))
    ax = widgets.plot_probe_map(rec, with_channel_ids=True)
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    locations = rec.get_channel_locations()
    assert sorted(texts) == list("abcdef")
    for channel_id, xy in zip("abcdef", locations, strict=True):
        np.testing.assert_allclose(texts[channel_id], xy)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (um)", "y (um)")
    low, high = ax.get_ylim()
    assert low <= locations[:, 1].min() and high >= locations[:, 1].max()


def test_probe_map_colours_contacts_by_a_property():
    rec = le.generate_recording(num_channels=4, durations=[1.0], seed=0)
    rec.set_property("noise", [1.0, 2.0, 3.0, 4.0])
    ax = widgets.plot_probe_map(rec, color_by="noise")
    assert ax.figure.axes[-1].get_ylabel() == "noise"
    with pytest.raises(KeyError, match="color_by='snr' is not a channel property"):
        widgets.plot_probe_map(rec, color_by="snr")


def test_probe_map_without_a_probe():
    rec = le.generate_recording(num_channels=2, durations=[1.0], set_probe=False)
    with pytest.raises(ValueError, match="no probe to draw"):
        widgets.plot_probe_map(rec)


@pytest.mark.parametrize("call", [
    lambda: widgets.plot_traces(le.generate_recording(num_channels=2, durations=[1.0])),
    lambda: widgets.plot_probe_map(le.generate_recording(num_channels=2, durations=[1.0])),
    lambda: widgets.plot_rasters(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_unit_presence(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_firing_rate(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_binned(np.ones((2, 2))),
    lambda: widgets.plot_recruitment(np.ones((2, 2)), np.zeros((2, 2))),
])
def test_without_matplotlib_the_error_names_the_extra(monkeypatch, call):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'lazyephys\[widgets\]'"):
        call()


def test_importing_lazyephys_does_not_import_matplotlib():
    import subprocess

    code = "import sys, lazyephys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_probe_map_axis_labels_use_the_default_label_size():
    import matplotlib.pyplot as plt

    rec = le.generate_recording(num_channels=4, durations=[1.0], seed=0)
    ax = widgets.plot_probe_map(rec)
    _, plain = plt.subplots()
    plain.set_xlabel("x")
    expected = plain.xaxis.label.get_fontsize()
    assert ax.xaxis.label.get_fontsize() == expected
    assert ax.yaxis.label.get_fontsize() == expected


@pytest.mark.parametrize("call", [
    lambda: widgets.plot_traces(le.generate_recording(num_channels=2, durations=[1.0])),
    lambda: widgets.plot_probe_map(le.generate_recording(num_channels=2, durations=[1.0])),
    lambda: widgets.plot_rasters(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_unit_presence(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_firing_rate(le.generate_sorting(num_units=2, durations=[1.0])),
    lambda: widgets.plot_binned(np.ones((2, 2))),
    lambda: widgets.plot_recruitment(np.ones((2, 2)), np.zeros((2, 2))),
])
def test_plots_return_their_axes_and_never_show(monkeypatch, call):
    import matplotlib.axes
    import matplotlib.pyplot as plt

    def refuse(*args, **kwargs):
        raise AssertionError("a plot called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    ax = call()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]
