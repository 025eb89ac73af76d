"""Traces over time: lines for a few channels, an image over the probe for many."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._matplotlib import get_axes, label_rows, set_time_axis
from ._ranges import check_ids, check_time_range, resolve_segment_index

__all__ = ["plot_traces"]

#: ``mode="auto"`` draws lines up to this many channels and an image beyond.
MAX_LINE_CHANNELS = 64


def plot_traces(
    recording: Any,
    time_range: Any = None,
    channel_ids: Any = None,
    mode: str = "auto",
    order_channel_by_depth: bool = False,
    show_channel_ids: bool = False,
    segment_index: int | None = None,
    return_in_uV: bool = False,
    cmap: str = "RdBu_r",
    clim: tuple[float, float] | None = None,
    color: Any = None,
    ax: Any = None,
) -> Any:
    """Draw a window of a recording's traces.

    Only the window drawn is read (one ``get_traces`` call over ``time_range``), so a
    window of a day-long recording draws as fast as a window of a short one.

    Parameters
    ----------
    recording : Recording
    time_range : (float, float) or None
        The window in seconds, on the segment's times (its ``t_start`` or time vector).
        None draws the first second (or the whole segment if shorter). A window reaching
        outside the segment raises :class:`~lazyephys.errors.FrameRangeError`.
    channel_ids : list or None
        The channels to draw (all by default). Unknown ids raise
        :class:`~lazyephys.errors.UnknownIdError`.
    mode : {"auto", "line", "map"}
        ``"line"``: one line per channel, stacked; ``"map"``: an image, time by channel;
        ``"auto"``: lines up to 64 channels, an image beyond.
    order_channel_by_depth : bool
        Order channels by their location on the probe (by y, then x), shallow to deep
        from the bottom of the plot up; needs channel locations.
    show_channel_ids : bool
        Label the channel axis with the channel ids.
    segment_index : int or None
        Required on multi-segment recordings.
    return_in_uV : bool
        Draw traces scaled to microvolts (needs gains and offsets).
    cmap : str
        Colour map of ``mode="map"``.
    clim : (float, float) or None
        Colour limits of ``mode="map"``; None is symmetric around zero at the 99th
        percentile of the absolute values drawn.
    color : matplotlib colour or None
        Colour of the lines of ``mode="line"`` (matplotlib's cycle by default).
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lazyephys as le
    >>> from lazyephys.widgets import plot_traces
    >>> rec = le.generate_recording(num_channels=4, durations=[10.0], seed=0)
    >>> ax = plot_traces(rec, time_range=(2.0, 2.5), mode="line")
    >>> [float(limit) for limit in ax.get_xlim()]
    [2.0, 2.5]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    if mode not in ("auto", "line", "map"):
        raise ValueError(f"mode must be 'auto', 'line' or 'map', got {mode!r}")
    index = resolve_segment_index(segment_index, recording.get_num_segments())
    fs = recording.get_sampling_frequency()
    start = recording.get_start_time(index)
    end = recording.get_end_time(index) + 1.0 / fs  # the end of the last sample
    t0, t1 = check_time_range(time_range, start, end, default_length=1.0)

    all_ids = recording.get_channel_ids()
    positions = (np.arange(all_ids.size) if channel_ids is None
                 else check_ids(channel_ids, all_ids, "channel"))
    if order_channel_by_depth:
        locations = recording.get_channel_locations(all_ids[positions], axes="xy")
        positions = positions[np.lexsort((locations[:, 0], locations[:, 1]))]
    ids = all_ids[positions]

    num_samples = recording.get_num_samples(index)
    first = int(np.clip(recording.time_to_sample_index(t0, index), 0, num_samples - 1))
    last = int(np.clip(recording.time_to_sample_index(t1, index), first + 1, num_samples))
    traces = recording.get_traces(
        segment_index=index, start_frame=first, end_frame=last, channel_ids=ids,
        return_in_uV=return_in_uV,
    )
    times = np.asarray(recording.sample_index_to_time(np.arange(first, last), index))

    if mode == "auto":
        mode = "line" if ids.size <= MAX_LINE_CHANNELS else "map"
    ax = get_axes(ax)
    unit = "uV" if return_in_uV else "a.u."
    if mode == "line":
        _draw_lines(ax, times, np.asarray(traces, dtype=np.float64), color)
    else:
        _draw_map(ax, times, np.asarray(traces, dtype=np.float64), t0, t1, cmap, clim, unit)
    set_time_axis(ax, t0, t1)
    ax.set_ylim(-0.5, ids.size - 0.5)
    ax.set_ylabel("channel (by depth)" if order_channel_by_depth else "channel")
    if show_channel_ids:
        label_rows(ax, ids)
    else:
        ax.set_yticks([])
    return ax


def _draw_lines(ax: Any, times: np.ndarray, traces: np.ndarray, color: Any) -> None:
    """Stack the channels one unit apart, each scaled by one shared robust amplitude."""
    centred = traces - np.median(traces, axis=0)
    # one scale for every channel keeps amplitudes comparable between channels
    spread = float(np.percentile(np.abs(centred), 99.5)) if centred.size else 0.0
    scale = 0.5 / spread if spread > 0 else 1.0
    offsets = np.arange(traces.shape[1], dtype=np.float64)
    ax.plot(times, centred * scale + offsets, color=color, linewidth=0.6)


def _draw_map(
    ax: Any, times: np.ndarray, traces: np.ndarray, t0: float, t1: float, cmap: str,
    clim: tuple[float, float] | None, unit: str,
) -> None:
    if clim is None:
        limit = float(np.percentile(np.abs(traces), 99)) if traces.size else 1.0
        clim = (-limit, limit) if limit > 0 else (-1.0, 1.0)
    image = ax.imshow(
        traces.T, aspect="auto", origin="lower", interpolation="nearest", cmap=cmap,
        vmin=clim[0], vmax=clim[1], extent=(t0, t1, -0.5, traces.shape[1] - 0.5),
    )
    ax.figure.colorbar(image, ax=ax, label=f"amplitude ({unit})")
