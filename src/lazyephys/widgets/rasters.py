"""Spike rasters: one row per unit, one tick per spike."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._matplotlib import get_axes, label_rows, require_pyplot, set_time_axis
from ._ranges import sorting_window, unit_positions

__all__ = ["plot_rasters"]


def plot_rasters(
    sorting: Any,
    time_range: Any = None,
    unit_ids: Any = None,
    color_by: str | None = None,
    segment_index: int | None = None,
    color: Any = "k",
    cmap: str = "viridis",
    marker_size: float = 20.0,
    ax: Any = None,
) -> Any:
    """Draw the spikes of units as a raster, one row per unit.

    Only the spikes inside ``time_range`` are read (each unit's train is cut by frames).

    Parameters
    ----------
    sorting : Sorting
    time_range : (float, float) or None
        The window in seconds (the whole segment by default); a window reaching outside
        the segment raises :class:`~lazyephys.errors.FrameRangeError`.
    unit_ids : list or None
        Units to draw, bottom to top (all by default).
    color_by : str or None
        A unit property that colours the rows: numbers through ``cmap`` with a colour bar,
        anything else one colour per value with a legend.
    segment_index : int or None
        Required on multi-segment sortings.
    color : matplotlib colour
        The colour of every spike when ``color_by`` is None.
    cmap : str
        Colour map for a numeric ``color_by``.
    marker_size : float
        Size of the tick marks.
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lazyephys as le
    >>> from lazyephys.widgets import plot_rasters
    >>> sorting = le.generate_sorting(num_units=5, durations=[10.0], seed=0)
    >>> ax = plot_rasters(sorting, time_range=(1.0, 3.0))
    >>> [float(limit) for limit in ax.get_xlim()], ax.get_ylabel()
    ([1.0, 3.0], 'unit')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    index, t0, t1, first, last = sorting_window(sorting, time_range, segment_index)
    ids, _ = unit_positions(sorting, unit_ids)
    values = None
    if color_by is not None:
        keys = sorting.get_property_keys()
        if color_by not in keys:
            raise KeyError(f"color_by={color_by!r} is not a unit property; the properties "
                           f"are {sorted(keys)}")
        values = np.asarray(sorting.get_property(color_by, ids))

    times, rows = [], []
    for row, unit_id in enumerate(ids):
        train = sorting.get_unit_spike_train(
            unit_id=unit_id, segment_index=index, start_frame=first, end_frame=last,
            return_times=True,
        )
        train = train[(train >= t0) & (train < t1)]
        times.append(train)
        rows.append(np.full(train.size, row, dtype=np.float64))
    x = np.concatenate(times) if times else np.empty(0)
    y = np.concatenate(rows) if rows else np.empty(0)

    ax = get_axes(ax)
    style = {"marker": "|", "s": marker_size, "linewidths": 1.0}
    if values is None:
        ax.scatter(x, y, color=color, **style)
    elif np.issubdtype(values.dtype, np.number) and values.dtype != np.bool_:
        plt = require_pyplot()
        points = ax.scatter(x, y, c=values[y.astype(np.int64)], cmap=cmap,
                            vmin=float(np.nanmin(values)), vmax=float(np.nanmax(values)),
                            **style)
        plt.colorbar(points, ax=ax, label=color_by)
    else:
        plt = require_pyplot()
        palette = plt.get_cmap("tab10")
        for number, value in enumerate(np.unique(values.astype(str))):
            keep = values.astype(str)[y.astype(np.int64)] == value
            ax.scatter(x[keep], y[keep], color=palette(number % 10), label=str(value),
                       **style)
        ax.legend(title=color_by, loc="upper right", fontsize="small")
    set_time_axis(ax, t0, t1)
    ax.set_ylim(-0.5, ids.size - 0.5)
    label_rows(ax, ids)
    ax.set_ylabel("unit")
    return ax
