"""plot_traces: the window read, the lines and image drawn, the labels and limits, errors."""

import numpy as np
import pytest

import lazyephys as le
from lazyephys.recording import Recording, RecordingSegment
from lazyephys.widgets import plot_traces

from .conftest import rendered_png

FS = 1000.0


class LoggingSegment(RecordingSegment):
    """A ramp (value = frame + 1000 * channel) that records each window read."""

    def __init__(self, num_samples, num_channels, log):
        super().__init__(num_samples)
        self.num_channels = num_channels
        self.log = log

    def get_traces(self, start_frame, end_frame, channel_selector):
        self.log.append((start_frame, end_frame))
        frames = np.arange(start_frame, end_frame, dtype=np.float64)[:, None]
        ramp = frames + 1000.0 * np.arange(self.num_channels)[None, :]
        return ramp[:, channel_selector]


class LoggingRecording(Recording):
    def __init__(self, num_samples, num_channels, log):
        super().__init__(FS, [f"c{i}" for i in range(num_channels)], "float64")
        self.add_segment(LoggingSegment(num_samples, num_channels, log))


def test_reads_only_the_window_of_a_day_long_recording():
    log = []
    day = LoggingRecording(int(24 * 3600 * FS), 3, log)
    ax = plot_traces(day, time_range=(3600.0, 3600.5), mode="map")
    assert log == [(3_600_000, 3_600_500)]
    image = ax.get_images()[0]
    expected = np.arange(3_600_000, 3_600_500)[None, :] + 1000.0 * np.arange(3)[:, None]
    np.testing.assert_array_equal(np.asarray(image.get_array()), expected)
    assert ax.get_xlim() == (3600.0, 3600.5)
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "channel"


def test_map_mode_matches_numpy_on_the_full_array():
    rng = np.random.default_rng(0)
    full = rng.normal(size=(2000, 6)).astype("float32")
    rec = le.NumpyRecording([full], sampling_frequency=FS)
    ids = rec.get_channel_ids()[[4, 1, 2]]
    ax = plot_traces(rec, time_range=(0.25, 0.75), channel_ids=ids, mode="map",
                     show_channel_ids=True)
    np.testing.assert_array_equal(np.asarray(ax.get_images()[0].get_array()),
                                  full[250:750][:, [4, 1, 2]].T)
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(i) for i in ids]
    assert ax.get_ylim() == (-0.5, 2.5)
    assert len(rendered_png(ax)) > 1000


def test_line_mode_one_line_per_channel_at_its_offset_with_sample_times():
    rng = np.random.default_rng(1)
    full = rng.normal(size=(1000, 4))
    rec = le.NumpyRecording([full], sampling_frequency=FS)
    rec.set_start_time(10.0)
    ax = plot_traces(rec, time_range=(10.1, 10.3), mode="line")
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_xdata(), 10.0 + np.arange(100, 300) / FS)
    for offset, line in enumerate(lines):
        # each channel is centred on its median and stacked one unit apart
        assert np.median(line.get_ydata()) == pytest.approx(offset, abs=1e-12)
        centred = full[100:300, offset] - np.median(full[100:300, offset])
        scale = (line.get_ydata() - offset) / np.where(centred == 0, 1, centred)
        np.testing.assert_allclose(scale[centred != 0], scale[centred != 0][0])
    assert ax.get_xlim() == (10.1, 10.3)


def test_auto_mode_lines_for_few_channels_image_for_many():
    few = le.generate_recording(num_channels=4, durations=[1.0], seed=0)
    many = le.generate_recording(num_channels=96, durations=[1.0], seed=0)
    assert len(plot_traces(few, time_range=(0.0, 0.01)).get_lines()) == 4
    assert len(plot_traces(many, time_range=(0.0, 0.01)).get_images()) == 1


def test_default_window_is_the_first_second():
    rec = le.generate_recording(num_channels=2, durations=[5.0], seed=0)
    assert plot_traces(rec).get_xlim() == (0.0, 1.0)
    short = le.generate_recording(num_channels=2, durations=[0.5], seed=0)
    assert plot_traces(short).get_xlim() == (0.0, 0.5)


def test_order_channel_by_depth_and_channel_id_labels():
    full = np.tile(np.arange(4, dtype="float32"), (100, 1))
    rec = le.NumpyRecording([full], sampling_frequency=FS, channel_ids=["a", "b", "c", "d"])
    rec.set_channel_locations([[0, 30], [0, 10], [0, 40], [0, 20]])
    ax = plot_traces(rec, mode="map", order_channel_by_depth=True, show_channel_ids=True)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "d", "a", "c"]
    np.testing.assert_array_equal(np.asarray(ax.get_images()[0].get_array())[:, 0],
                                  [1, 3, 0, 2])
    assert ax.get_ylabel() == "channel (by depth)"


def test_multi_segment_needs_a_segment_index():
    rec = le.generate_recording(num_channels=2, durations=[1.0, 2.0], seed=0)
    with pytest.raises(le.SegmentIndexError, match="segment_index is required"):
        plot_traces(rec)
    ax = plot_traces(rec, segment_index=1, time_range=(1.5, 2.0))
    assert ax.get_xlim() == (1.5, 2.0)


@pytest.mark.parametrize("time_range", [(-0.1, 0.5), (0.5, 1.5), (2.0, 3.0)])
def test_time_range_outside_the_recording(time_range):
    rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    with pytest.raises(le.FrameRangeError, match=r"reaches outside.*\[0, 1\] s") as info:
        plot_traces(rec, time_range=time_range)
    assert isinstance(info.value, IndexError)


@pytest.mark.parametrize("time_range", [(0.5, 0.5), (0.6, 0.5)])
def test_empty_or_reversed_time_range(time_range):
    rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    with pytest.raises(le.FrameRangeError, match="empty or reversed"):
        plot_traces(rec, time_range=time_range)


def test_time_range_that_is_not_a_pair():
    rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    with pytest.raises(TypeError, match="pair"):
        plot_traces(rec, time_range=0.5)


def test_unknown_channel_ids_are_named():
    rec = le.generate_recording(num_channels=3, durations=[1.0], seed=0)
    with pytest.raises(le.UnknownIdError, match=r"unknown channel ids \['x'\]") as info:
        plot_traces(rec, channel_ids=["0", "x"])
    assert isinstance(info.value, KeyError)
    assert "'0', '1', '2'" in str(info.value)
    with pytest.raises(le.UnknownIdError, match=r"unknown channel ids \[0\]"):
        plot_traces(rec, channel_ids=[0])  # the ids are strings
    with pytest.raises(ValueError, match="channel_ids is empty"):
        plot_traces(rec, channel_ids=[])


def test_bad_mode():
    rec = le.generate_recording(num_channels=3, durations=[1.0], seed=0)
    with pytest.raises(ValueError, match="mode must be 'auto', 'line' or 'map', got 'lines'"):
        plot_traces(rec, mode="lines")


def test_depth_order_without_locations():
    rec = le.generate_recording(num_channels=3, durations=[1.0], seed=0, set_probe=False)
    with pytest.raises(ValueError, match="no channel locations"):
        plot_traces(rec, order_channel_by_depth=True)


def test_draws_on_the_given_axes():
    import matplotlib.pyplot as plt

    _fig, (left, right) = plt.subplots(1, 2)
    rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    assert plot_traces(rec, ax=right) is right
    assert not left.get_lines()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_traces(rec, ax="left")


def test_late_window_ticks_are_written_in_full_seconds():
    # matplotlib would label 86399.00..86399.05 as 0.00..0.05 plus an offset of 8.6399e4
    log = []
    day = LoggingRecording(int(24 * 3600 * FS), 2, log)
    ax = plot_traces(day, time_range=(86_399.0, 86_399.05), mode="line")
    ax.figure.canvas.draw()
    labels = [float(t.get_text().replace("\u2212", "-")) for t in ax.get_xticklabels()
              if t.get_text()]
    assert labels and min(labels) >= 86_399.0 and max(labels) <= 86_399.05
    assert ax.xaxis.get_major_formatter().get_offset() == ""
