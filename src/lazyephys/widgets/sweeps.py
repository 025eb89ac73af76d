"""Plots of intracellular sweeps: a cell's sweeps by protocol, and a feature against the
stimulus amplitude with the targets it was averaged into."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._matplotlib import get_axes, require_pyplot

__all__ = ["plot_sweeps", "plot_feature_vs_amplitude"]


def plot_sweeps(sweeps: Any, cell_id: Any, protocols: Any = None, cmap: str = "viridis",
                figsize: tuple[float, float] | None = None) -> np.ndarray:
    """Draw the sweeps of one cell: voltage above, current below, one column per protocol.

    Parameters
    ----------
    sweeps : SweepRecording
    cell_id : str
        The cell to draw.
    protocols : list of str or None
        The protocols (columns), in order; None draws every protocol the cell has.
    cmap : str
        Sweeps are coloured by amplitude with this colour map.
    figsize : (float, float) or None
        The figure size; None scales with the number of protocols.

    Returns
    -------
    numpy.ndarray of Axes
        Shape (2, protocols): voltage on the first row, current on the second.

    Examples
    --------
    >>> axes = plot_sweeps(sweeps, "cell0", protocols=["IDRest"])  # doctest: +SKIP
    """
    table = sweeps.get_sweep_table()
    mine = table["cell_id"] == str(cell_id)
    if not mine.any():
        raise KeyError(f"no sweep of the cell {cell_id!r}; the cells are "
                       f"{sweeps.get_cell_ids()}")
    have = list(dict.fromkeys(table["protocol"][mine].tolist()))
    wanted = have if protocols is None else (
        [protocols] if isinstance(protocols, str) else list(protocols))
    unknown = [p for p in wanted if p not in have]
    if unknown:
        raise KeyError(f"the cell {cell_id!r} has no sweep of {unknown}; it has {have}")
    plt = require_pyplot()
    size = figsize or (4.0 * len(wanted), 5.0)
    figure, axes = plt.subplots(2, len(wanted), figsize=size, sharex="col", squeeze=False,
                                gridspec_kw={"height_ratios": [3, 1]})
    colours = plt.get_cmap(cmap)
    fs = sweeps.get_sampling_frequency()
    for column, protocol in enumerate(wanted):
        indices = np.flatnonzero(mine & (table["protocol"] == protocol))
        amplitudes = table["amplitude"][indices]
        low, high = float(amplitudes.min()), float(amplitudes.max())
        for index, amplitude in zip(indices, amplitudes, strict=True):
            traces = sweeps.get_traces(int(index))
            time_ms = np.arange(traces.shape[0]) * (1000.0 / fs)
            colour = colours(0.5 if high == low else (amplitude - low) / (high - low))
            axes[0, column].plot(time_ms, traces[:, 0], color=colour, lw=0.8,
                                 label=f"{amplitude:g} nA")
            axes[1, column].plot(time_ms, traces[:, 1], color=colour, lw=0.8)
        axes[0, column].set_title(f"{cell_id} - {protocol}")
        axes[1, column].set_xlabel("time (ms)")
    axes[0, 0].set_ylabel("voltage (mV)")
    axes[1, 0].set_ylabel("current (nA)")
    figure.tight_layout()
    return axes


def plot_feature_vs_amplitude(
    features: Any,
    feature: str,
    result: Any = None,
    protocol: str | None = None,
    rheobase: Any = None,
    ax: Any = None,
) -> Any:
    """Draw a feature of every sweep against its amplitude, with the targets on top.

    Parameters
    ----------
    features : feature table
        From :func:`~lazyephys.sweeps.extract_features` (a DataFrame or a dict of arrays).
    feature : str
        A feature column of the table.
    result : TargetResult or None
        From :func:`~lazyephys.sweeps.group_by_targets`: its targets for ``feature`` are
        drawn as mean +- std at their amplitude, the tolerance as a shaded band; its
        rheobases put the amplitudes in % of each cell's rheobase.
    protocol : str or None
        Only the sweeps (and targets) of this protocol.
    rheobase : dict or None
        ``{cell_id: nA}``: amplitudes in % of each cell's rheobase (overrides the result's).
    ax : matplotlib Axes or None

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_feature_vs_amplitude(table, "mean_frequency", result)  # doctest: +SKIP
    """
    from ..sweeps.extract import METADATA_COLUMNS, table_columns

    columns, _ = table_columns(features)
    if feature not in columns:
        raise KeyError(f"the table has no column {feature!r}; its feature columns are "
                       f"{[c for c in columns if c not in METADATA_COLUMNS]}")
    scale: dict[str, float] = dict(
        rheobase if rheobase is not None else (result.rheobase if result else {}))
    relative = bool(scale)
    mask = np.ones(columns["sweep"].size, dtype=bool)
    if protocol is not None:
        mask &= columns["protocol"] == protocol
    ax = get_axes(ax)
    for cell in dict.fromkeys(columns["cell_id"][mask].tolist()):
        rows = mask & (columns["cell_id"] == cell)
        x = columns["amplitude"][rows].astype(np.float64)
        if relative:
            cell_rheobase = float(scale.get(cell, np.nan))
            x = 100.0 * x / cell_rheobase
        ax.plot(x, columns[feature][rows].astype(np.float64), "o", ms=4, alpha=0.7,
                label=str(cell))
    if result is not None:
        for target in result.targets:
            if target["efeature"] != feature and target["efeature_name"] != feature:
                continue
            if protocol is not None and target["protocol"] != protocol:
                continue
            centre, tolerance = float(target["amplitude"]), float(target["tolerance"])
            ax.axvspan(centre - tolerance, centre + tolerance, color="0.85", zorder=0)
            ax.errorbar([centre], [target["mean"]], yerr=[target["std"]], fmt="s", color="k",
                        capsize=4, zorder=3)
    ax.set_xlabel("amplitude (% of rheobase)" if relative else "amplitude (nA)")
    ax.set_ylabel(feature)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    return ax
