"""Heat maps of binned spike counts: bins by units, and epoch-aligned counts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._labelled import check_bin_edges, check_labels, table_values
from ._matplotlib import get_axes, label_rows, require_pyplot

__all__ = ["plot_binned"]


def plot_binned(
    binned: Any,
    bin_edges: Any = None,
    labels: Any = None,
    epoch_index: int | None = None,
    label_name: str = "unit",
    value_name: str | None = None,
    cmap: str = "viridis",
    clim: tuple[float, float] | None = None,
    ax: Any = None,
) -> Any:
    """Draw binned counts as a heat map: time (or bin) across, units (or groups) up.

    Parameters
    ----------
    binned : BinnedSpikes, EpochCounts or array
        An object with ``counts`` (and ``bin_edges``, ``unit_ids`` when it has them), or
        an array: ``(bins, units)``, or ``(epochs, bins, units)`` for epoch-aligned counts.
    bin_edges : array or None
        ``bins + 1`` increasing edges in seconds (taken from ``binned`` when it has them);
        without them the horizontal axis counts bins. Epoch-aligned counts may give one row
        of edges per epoch, ``(epochs, bins + 1)``: one epoch is drawn on its own times; the
        mean over epochs on times in the epoch, relative to each epoch's start or event
        (``binned.bin_offsets``), or on bin numbers when epochs have no common offsets.
    labels : array or None
        One label per column (taken from ``binned.unit_ids`` when present).
    epoch_index : int or None
        For epoch-aligned counts: draw this epoch, or (None) the mean over epochs.
    label_name : str
        What a column is (the vertical axis' label): ``"unit"``, ``"group"``...
    value_name : str or None
        The colour bar's label (``"count"`` or ``"mean count"`` by default).
    cmap : str
    clim : (float, float) or None
        Colour limits (the data's range by default).
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
    >>> from lazyephys.widgets import plot_binned
    >>> counts = np.array([[0, 1], [2, 3], [1, 0]])          # 3 bins, 2 units
    >>> ax = plot_binned(counts, bin_edges=[0.0, 0.01, 0.02, 0.03], labels=["a", "b"])
    >>> [float(limit) for limit in ax.get_xlim()], ax.get_xlabel()
    ([0.0, 0.03], 'time (s)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    values = table_values(binned, ("counts",))
    if bin_edges is None:
        bin_edges = getattr(binned, "bin_edges", None)
    if labels is None:
        labels = getattr(binned, "unit_ids", None)
    default_name = "count"
    time_label = "time (s)"
    if values.ndim == 3:
        edges_by_epoch = bin_edges is not None and np.ndim(bin_edges) == 2
        if epoch_index is None:
            values = values.mean(axis=0)
            default_name = "mean count over epochs"
            if edges_by_epoch:
                # epochs lie at different times: draw them on the times relative to each
                # epoch's start (or its event) when they share them, else on bin numbers
                bin_edges = getattr(binned, "bin_offsets", None)
                time_label = "time in epoch (s)"
        else:
            num_epochs = values.shape[0]
            if not -num_epochs <= int(epoch_index) < num_epochs:
                raise IndexError(f"epoch_index {epoch_index} is out of range: there are "
                                 f"{num_epochs} epochs")
            values = values[int(epoch_index)]
            if edges_by_epoch:
                edges_table = np.asarray(bin_edges)
                if edges_table.shape[0] != num_epochs:
                    raise ValueError(
                        f"bin_edges has {edges_table.shape[0]} rows of edges for "
                        f"{num_epochs} epochs"
                    )
                bin_edges = edges_table[int(epoch_index)]
    elif epoch_index is not None:
        raise ValueError("epoch_index applies to epoch-aligned counts (3 dimensions); got "
                         f"{values.ndim} dimensions")
    if values.ndim != 2:
        raise ValueError(
            f"expected counts of shape (bins, units) or (epochs, bins, units), got shape "
            f"{values.shape}"
        )
    num_bins, num_columns = values.shape
    edges = check_bin_edges(np.asarray(bin_edges) if bin_edges is not None else None,
                            num_bins)
    names = check_labels(labels, num_columns, "labels")
    x = edges if edges is not None else np.arange(num_bins + 1) - 0.5

    plt = require_pyplot()
    ax = get_axes(ax)
    vmin, vmax = clim if clim is not None else (None, None)
    mesh = ax.pcolormesh(x, np.arange(num_columns + 1) - 0.5, values.T.astype(np.float64),
                         cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
    plt.colorbar(mesh, ax=ax, label=value_name or default_name)
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.set_ylim(-0.5, num_columns - 0.5)
    label_rows(ax, names)
    ax.set_xlabel(time_label if edges is not None else "bin")
    ax.set_ylabel(label_name)
    return ax
