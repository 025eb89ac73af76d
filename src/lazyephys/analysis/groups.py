"""Groups of units: recruitment per group over time, and groups from positions on a grid."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import UnknownPropertyError
from ._bin_ranges import run_over_bins
from ._clock import SegmentClock, check_positive_duration
from ._counting import iter_bin_blocks
from ._optional import require
from ._units import UnitColumns
from .binning import binned_edges

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["Recruitment", "recruitment", "group_by_grid"]


@dataclass(frozen=True, eq=False)
class Recruitment:
    """The fraction of each group's units that fired at least once, per time bin.

    Attributes
    ----------
    values : numpy.ndarray
        (bins, groups) float64: fractions in [0, 1], or percentages with ``percent=True``.
    groups : numpy.ndarray
        The groups (values of the property), one per column, sorted.
    group_sizes : numpy.ndarray
        Units per group (the denominators; silent units included).
    bin_edges : numpy.ndarray
        ``bins + 1`` edges in seconds.
    by : str
        The unit property that defines the groups.
    """

    values: np.ndarray
    groups: np.ndarray
    group_sizes: np.ndarray
    bin_edges: np.ndarray
    by: str

    def to_xarray(self) -> Any:
        """An ``xarray.DataArray`` with dims ``("time", <by>)``."""
        xr = require("xarray", "Recruitment.to_xarray")
        return xr.DataArray(
            self.values, dims=("time", self.by),
            coords={"time": self.bin_edges[:-1], "time_end": ("time", self.bin_edges[1:]),
                    self.by: self.groups, "group_size": (self.by, self.group_sizes)},
            name="recruitment",
        )

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``: one row per bin (indexed by its start), one column per group."""
        pd = require("pandas", "Recruitment.to_dataframe")
        return pd.DataFrame(self.values, index=pd.Index(self.bin_edges[:-1], name="time"),
                            columns=pd.Index(self.groups, name=self.by))


def unit_property(sorting: Sorting, key: str) -> np.ndarray:
    """A unit property, or :class:`UnknownPropertyError` listing those the sorting has."""
    keys = sorting.get_property_keys()
    if key not in keys:
        raise UnknownPropertyError(
            f"the sorting has no unit property {key!r}; its properties are {sorted(keys)}"
        )
    return np.asarray(sorting.get_property(key))


def recruitment(
    sorting: Sorting,
    bin_duration: float,
    by: str = "group",
    percent: bool = False,
    start_time: float | None = None,
    end_time: float | None = None,
    segment_index: int | None = None,
    **job_kwargs: Any,
) -> Recruitment:
    """The fraction of each group's units that fire at least once in each time bin.

    Parameters
    ----------
    sorting : Sorting
    bin_duration : float
        Seconds per bin (bins as :func:`bin_spikes`).
    by : str
        The unit property whose values are the groups (e.g. the labels of
        :func:`group_by_grid` set with ``sorting.set_property``).
    percent : bool
        Percentages (0-100) instead of fractions.
    start_time, end_time, segment_index, **job_kwargs
        As :func:`bin_spikes` (ranges of bins in threads with ``n_jobs``).

    Returns
    -------
    Recruitment
        Silent units count in their group's denominator.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import recruitment
    >>> sorting = le.NumpySorting.from_unit_dict(
    ...     {"a": np.array([0, 1]), "b": np.array([12]), "c": np.array([], dtype=int)},
    ...     sampling_frequency=10.0)
    >>> sorting.set_property("group", ["x", "x", "y"])
    >>> result = recruitment(sorting, bin_duration=1.0, end_time=2.0)
    >>> result.groups.tolist(), result.values.tolist()
    (['x', 'y'], [[0.5, 0.0], [0.5, 0.0]])
    """
    bin_duration = check_positive_duration(bin_duration, "bin_duration")
    labels = unit_property(sorting, by)
    groups, group_of_unit = np.unique(labels, return_inverse=True)
    group_of_unit = group_of_unit.ravel()
    sizes = np.bincount(group_of_unit, minlength=groups.size)
    clock = SegmentClock(sorting, segment_index)
    columns = UnitColumns(sorting)
    edge_times, edge_samples, uniform = binned_edges(clock, bin_duration, start_time, end_time)
    vector = sorting.get_segment(clock.segment_index).get_spike_vector(None)
    # columns ordered by group: the fired units of each group are one run of columns,
    # summed with one reduceat (no BLAS product, whose threads a loaded machine slows 8x)
    order = np.argsort(group_of_unit, kind="stable")
    starts = np.searchsorted(group_of_unit[order], np.arange(groups.size))

    def count(first_bin: int, stop_bin: int) -> np.ndarray:
        values = np.zeros((stop_bin - first_bin, groups.size), dtype=np.float64)
        edges = edge_samples[first_bin:stop_bin + 1]
        for first, stop, block, _ in iter_bin_blocks(vector, edges, columns, uniform):
            if columns.num_columns:
                values[first:stop] = np.add.reduceat((block > 0)[:, order], starts, axis=1,
                                                     dtype=np.float64)
        return values

    parts = run_over_bins(edge_times.size - 1, bin_duration, 8 * max(groups.size, 1), count,
                          job_kwargs, "recruitment")
    values = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
    values /= sizes[None, :]
    if percent:
        values *= 100.0
    return Recruitment(values=values, groups=groups, group_sizes=sizes.astype(np.int64),
                       bin_edges=edge_times, by=by)


def group_by_grid(
    x: Any, y: Any, spacing: float, kind: Literal["hex", "square"] = "hex",
    return_centers: bool = False,
) -> Any:
    """Group 2-D positions by the cell of a grid they fall in.

    Parameters
    ----------
    x, y : array of float
        Positions (e.g. of units on a flat map, in um).
    spacing : float
        ``"square"``: the side of a cell. ``"hex"``: the distance between the centres of
        neighbouring hexagons (their width across flats); a position belongs to the hexagon
        whose centre is nearest. Hexagons have a vertex up; one centre is at the origin.
    kind : {"hex", "square"}
    return_centers : bool
        Also return the centre of each group.

    Returns
    -------
    labels : numpy.ndarray
        int64 group of each position, ``0..groups-1`` ordered by cell (row, then column).
    centers : numpy.ndarray
        (groups, 2) cell centres, with ``return_centers=True``.

    Examples
    --------
    >>> from lazyephys.analysis import group_by_grid
    >>> group_by_grid([0.0, 4.0, 30.0, 34.0], [0.0, 3.0, 0.0, 2.0], 10.0, kind="square").tolist()
    [0, 0, 1, 1]
    """
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in length: {xs.size} and {ys.size}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("x and y must be finite")
    spacing = check_positive_duration(spacing, "spacing")
    if kind == "square":
        cells = np.stack([np.floor(ys / spacing), np.floor(xs / spacing)], axis=1)
        cell_centers = np.stack([(cells[:, 1] + 0.5) * spacing,
                                 (cells[:, 0] + 0.5) * spacing], axis=1)
    elif kind == "hex":
        # lattice basis (spacing, 0) and (spacing / 2, spacing * sqrt(3) / 2): fractional
        # axial coordinates, rounded to the nearest lattice point through cube coordinates
        row = ys / (spacing * math.sqrt(3) / 2)
        col = xs / spacing - row / 2
        third = -col - row
        rc, rr, rt = np.rint(col), np.rint(row), np.rint(third)
        dc, dr, dt = np.abs(rc - col), np.abs(rr - row), np.abs(rt - third)
        fix_col = (dc > dr) & (dc > dt)
        fix_row = ~fix_col & (dr > dt)
        rc = np.where(fix_col, -rr - rt, rc)
        rr = np.where(fix_row, -rc - rt, rr)
        cells = np.stack([rr, rc], axis=1)
        cell_centers = np.stack([(rc + rr / 2) * spacing, rr * spacing * math.sqrt(3) / 2],
                                axis=1)
    else:
        raise ValueError(f"kind must be 'hex' or 'square', got {kind!r}")
    _, first, labels = np.unique(cells, axis=0, return_index=True,
                                            return_inverse=True)
    labels = labels.ravel().astype(np.int64)
    if return_centers:
        return labels, cell_centers[first]
    return labels
