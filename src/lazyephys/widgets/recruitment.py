"""Recruitment over a map: each group at its position, coloured by the fraction that fired."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._labelled import check_bin_edges, check_labels, table_values
from ._matplotlib import get_axes, require_pyplot

__all__ = ["plot_recruitment"]


def _group_positions(positions: Any, groups: np.ndarray) -> np.ndarray:
    """Positions aligned with the groups: an (n, 2) array, or a mapping group -> (x, y)."""
    if isinstance(positions, dict):
        missing = [g for g in groups.tolist() if g not in positions]
        if missing:
            raise KeyError(f"positions has no entry for the groups {missing}")
        array = np.array([positions[g] for g in groups.tolist()], dtype=np.float64)
    else:
        array = np.asarray(positions, dtype=np.float64)
    if array.shape != (groups.size, 2):
        raise ValueError(
            f"positions must be ({groups.size}, 2): one (x, y) per group, got shape "
            f"{array.shape}"
        )
    return array


def plot_recruitment(
    recruitment: Any,
    positions: Any,
    bin_index: int = 0,
    groups: Any = None,
    bin_edges: Any = None,
    clim: tuple[float, float] | None = None,
    value_name: str = "fraction recruited",
    marker: str = "h",
    marker_size: float = 80.0,
    cmap: str = "viridis",
    ax: Any = None,
) -> Any:
    """Draw one frame of recruitment: every group at its position, coloured by its value.

    Draw one frame per bin (``bin_index = 0, 1, ...``) to make a movie of how a population
    is recruited over time; frames share the colour scale (``clim``, by default from 0 to
    the largest value of every bin), so they compare.

    Parameters
    ----------
    recruitment : array or object
        ``(bins, groups)``: the fraction (or percentage) of each group's units that fired in
        each bin; an object with ``values`` (and ``groups``, ``bin_edges``) is read too.
    positions : array or dict
        ``(groups, 2)`` positions aligned with the columns, or a mapping group -> (x, y).
    bin_index : int
        The bin to draw.
    groups : array or None
        One label per column (needed with a mapping of positions).
    bin_edges : array or None
        ``bins + 1`` edges in seconds; the title then gives the bin's start time.
    clim : (float, float) or None
        Colour limits (0 to the largest value over all bins by default).
    value_name : str
        The colour bar's label.
    marker, marker_size : str, float
        The marker of a group (hexagons, as groups on a hexagonal grid).
    cmap : str
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from lazyephys.widgets import plot_recruitment
    >>> fractions = np.array([[0.0, 0.5, 1.0], [0.25, 0.0, 0.5]])    # 2 bins, 3 groups
    >>> xy = np.array([[0.0, 0.0], [50.0, 0.0], [25.0, 43.3]])
    >>> ax = plot_recruitment(fractions, xy, bin_index=1, bin_edges=[0.0, 0.01, 0.02])
    >>> ax.get_title()
    't = 0.010 s'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    values = table_values(recruitment, ("values",)).astype(np.float64)
    if values.ndim != 2:
        raise ValueError(f"recruitment must be (bins, groups), got shape {values.shape}")
    if groups is None:
        groups = getattr(recruitment, "groups", None)
    if bin_edges is None:
        bin_edges = getattr(recruitment, "bin_edges", None)
    num_bins, num_groups = values.shape
    if not -num_bins <= int(bin_index) < num_bins:
        raise IndexError(f"bin_index {bin_index} is out of range: there are {num_bins} bins")
    bin_index = int(bin_index) % num_bins
    labels = check_labels(groups, num_groups, "groups")
    xy = _group_positions(positions, labels)
    edges = check_bin_edges(bin_edges, num_bins)
    if clim is None:
        top = float(np.nanmax(values)) if values.size else 1.0
        clim = (0.0, top if top > 0 else 1.0)

    plt = require_pyplot()
    ax = get_axes(ax, figsize=(5.0, 4.0))
    points = ax.scatter(xy[:, 0], xy[:, 1], c=values[bin_index], marker=marker,
                        s=marker_size, cmap=cmap, vmin=clim[0], vmax=clim[1])
    plt.colorbar(points, ax=ax, shrink=0.7, label=value_name)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(f"t = {edges[bin_index]:.3f} s" if edges is not None else f"bin {bin_index}")
    ax.set_xlabel("x (um)")
    ax.set_ylabel("y (um)")
    return ax
