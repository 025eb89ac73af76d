"""Firing rate over time: a heat map of every unit, or lines for a few."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._matplotlib import get_axes, label_rows, require_pyplot, set_time_axis
from ._ranges import sorting_window, unit_positions

__all__ = ["plot_unit_presence", "plot_firing_rate"]


def _rates_over_time(
    sorting: Any, time_range: Any, unit_ids: Any, segment_index: int | None,
    bin_duration_s: float, smooth_sigma: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Rates in Hz, shape (units, bins), with the bin edges, ids and the window drawn."""
    if not bin_duration_s > 0:
        raise ValueError(f"bin_duration_s must be positive, got {bin_duration_s!r}")
    if not smooth_sigma >= 0:
        raise ValueError(f"smooth_sigma must be zero or positive, got {smooth_sigma!r}")
    index, t0, t1, first, last = sorting_window(sorting, time_range, segment_index)
    ids, _ = unit_positions(sorting, unit_ids)
    num_bins = max(1, int(np.ceil((t1 - t0) / bin_duration_s - 1e-9)))
    edges = t0 + bin_duration_s * np.arange(num_bins + 1)
    rates = np.zeros((ids.size, num_bins), dtype=np.float64)
    for row, unit_id in enumerate(ids):
        train = sorting.get_unit_spike_train(
            unit_id=unit_id, segment_index=index, start_frame=first, end_frame=last,
            return_times=True,
        )
        bins = np.floor((train[(train >= t0) & (train < t1)] - t0) / bin_duration_s)
        rates[row] = np.bincount(bins.astype(np.int64), minlength=num_bins)[:num_bins]
    # the last bin may be cut by t1: divide by the time it really covers
    widths = np.minimum(edges[1:], t1) - edges[:-1]
    rates /= widths
    if smooth_sigma > 0:
        from scipy.ndimage import gaussian_filter1d

        rates = gaussian_filter1d(rates, smooth_sigma, axis=1, mode="nearest")
    return rates, np.minimum(edges, t1), ids, t0, t1


def plot_unit_presence(
    sorting: Any,
    segment_index: int | None = None,
    time_range: Any = None,
    bin_duration_s: float = 0.05,
    smooth_sigma: float = 4.5,
    unit_ids: Any = None,
    cmap: str = "viridis",
    ax: Any = None,
) -> Any:
    """Draw each unit's firing rate over time as a heat map (units by time).

    Parameters
    ----------
    sorting : Sorting
    segment_index : int or None
        Required on multi-segment sortings.
    time_range : (float, float) or None
        The window in seconds (the whole segment by default).
    bin_duration_s : float
        Width of a time bin in seconds.
    smooth_sigma : float
        Standard deviation, in bins, of the gaussian that smooths the rates over time
        (0: no smoothing).
    unit_ids : list or None
        Units to draw, bottom to top (all by default).
    cmap : str
        Colour map of the rates.
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
    >>> from lazyephys.widgets import plot_unit_presence
    >>> sorting = le.generate_sorting(num_units=4, durations=[10.0], seed=0)
    >>> ax = plot_unit_presence(sorting, bin_duration_s=0.5, smooth_sigma=0)
    >>> [float(limit) for limit in ax.get_xlim()]
    [0.0, 10.0]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    rates, edges, ids, t0, t1 = _rates_over_time(
        sorting, time_range, unit_ids, segment_index, bin_duration_s, smooth_sigma
    )
    plt = require_pyplot()
    ax = get_axes(ax)
    mesh = ax.pcolormesh(edges, np.arange(ids.size + 1) - 0.5, rates, cmap=cmap,
                         shading="flat")
    plt.colorbar(mesh, ax=ax, label="firing rate (Hz)")
    set_time_axis(ax, t0, t1)
    ax.set_ylim(-0.5, ids.size - 0.5)
    label_rows(ax, ids)
    ax.set_ylabel("unit")
    return ax


def plot_firing_rate(
    sorting: Any,
    unit_ids: Any = None,
    segment_index: int | None = None,
    time_range: Any = None,
    bin_duration_s: float = 1.0,
    smooth_sigma: float = 0.0,
    ax: Any = None,
) -> Any:
    """Draw the firing rate over time of a few units, one line each.

    Parameters
    ----------
    sorting : Sorting
    unit_ids : list or None
        Units to draw (all by default; a legend names them up to 20 units).
    segment_index : int or None
        Required on multi-segment sortings.
    time_range : (float, float) or None
        The window in seconds (the whole segment by default).
    bin_duration_s : float
        Width of a time bin in seconds.
    smooth_sigma : float
        Standard deviation, in bins, of a gaussian smoothing over time (0: none).
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
    >>> from lazyephys.widgets import plot_firing_rate
    >>> sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
    >>> ax = plot_firing_rate(sorting, unit_ids=["0", "2"])
    >>> ax.get_ylabel()
    'firing rate (Hz)'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    rates, edges, ids, t0, t1 = _rates_over_time(
        sorting, time_range, unit_ids, segment_index, bin_duration_s, smooth_sigma
    )
    ax = get_axes(ax)
    centres = (edges[:-1] + edges[1:]) / 2
    for unit_id, rate in zip(ids, rates, strict=True):
        ax.plot(centres, rate, label=str(unit_id))
    if ids.size <= 20:
        ax.legend(title="unit", fontsize="small")
    set_time_axis(ax, t0, t1)
    ax.set_ylabel("firing rate (Hz)")
    return ax
