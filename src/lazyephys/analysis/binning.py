"""Spike counts per time bin and unit: :func:`bin_spikes` and :class:`BinnedSpikes`."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._bin_ranges import run_over_bins
from ._clock import SegmentClock, check_positive_duration, count_bins
from ._counting import iter_bin_blocks
from ._optional import require
from ._units import UnitColumns, smallest_unsigned_dtype

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["BinnedSpikes", "bin_spikes", "binned_edges"]


@dataclass(frozen=True, eq=False)
class BinnedSpikes:
    """Spike counts per time bin and unit, with their labels.

    Attributes
    ----------
    counts : numpy.ndarray
        (bins, units), the smallest unsigned integer dtype that holds the counts (0/1 when
        binned with ``binary=True``).
    bin_edges : numpy.ndarray
        ``bins + 1`` edges in seconds; bin ``k`` is ``[bin_edges[k], bin_edges[k + 1])``, the
        last bin also holds a spike on its right edge (as :func:`numpy.histogram`).
    unit_ids : numpy.ndarray
        One id per column.
    bin_duration : float
        Seconds per bin (the last bin may be shorter, ending at ``end_time``).
    segment_index : int
        The segment counted.
    binary : bool
        True when ``counts`` says whether a unit fired at least once in a bin.
    unit_properties : dict
        The sorting's unit properties, aligned with ``unit_ids`` (xarray coordinates).
    """

    counts: np.ndarray
    bin_edges: np.ndarray
    unit_ids: np.ndarray
    bin_duration: float
    segment_index: int = 0
    binary: bool = False
    unit_properties: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.counts.ndim != 2 or self.counts.shape != (self.bin_edges.size - 1,
                                                           self.unit_ids.size):
            raise ValueError(
                f"counts of shape {self.counts.shape} do not match {self.bin_edges.size - 1} "
                f"bins and {self.unit_ids.size} units"
            )

    # ---------------------------------------------------------------- shape
    @property
    def num_bins(self) -> int:
        return int(self.counts.shape[0])

    @property
    def num_units(self) -> int:
        return int(self.counts.shape[1])

    @property
    def bin_starts(self) -> np.ndarray:
        """Start time of each bin (seconds)."""
        return self.bin_edges[:-1]

    def __repr__(self) -> str:
        kind = "binary " if self.binary else ""
        return (
            f"BinnedSpikes: {kind}{self.num_bins} bins of {self.bin_duration:g} s x "
            f"{self.num_units} units ({self.counts.dtype}) - "
            f"{self.bin_edges[0]:g} to {self.bin_edges[-1]:g} s"
        )

    # --------------------------------------------------------------- values
    def rates(self) -> np.ndarray:
        """Firing rates in Hz: counts divided by each bin's duration (float64, bins x units)."""
        widths = np.diff(self.bin_edges)
        return self.counts / widths[:, None]

    def zscore(self, axis: Literal["time", "unit"] = "time") -> np.ndarray:
        """Counts z-scored over time (each unit) or over units (each bin), as float64.

        A unit (or bin) whose counts do not vary has no z-score: its values are 0, never NaN,
        and a warning names it (:meth:`remove_constant_units` drops such units first).
        """
        if axis not in ("time", "unit"):
            raise ValueError(f"axis must be 'time' or 'unit', got {axis!r}")
        along = 0 if axis == "time" else 1
        values = self.counts.astype(np.float64)
        mean = values.mean(axis=along, keepdims=True)
        std = values.std(axis=along, keepdims=True)
        constant = std == 0
        values -= mean
        np.divide(values, std, out=values, where=~constant)
        flat = constant.ravel()
        if np.any(flat):
            labels = self.unit_ids[flat] if axis == "time" else np.flatnonzero(flat)
            what = "units" if axis == "time" else "bins"
            shown = ", ".join(repr(v) for v in labels[:10].tolist())
            warnings.warn(
                f"{int(flat.sum())} {what} have counts that do not vary and were given "
                f"z-score 0: {shown}{', ...' if flat.sum() > 10 else ''}",
                stacklevel=2,
            )
        return values

    # ------------------------------------------------------------ selection
    def select_units(self, unit_ids: Any) -> BinnedSpikes:
        """The counts of some units, in the order given."""
        ids = list(np.atleast_1d(np.asarray(unit_ids, dtype=object)).tolist())
        position = {uid: i for i, uid in enumerate(self.unit_ids.tolist())}
        missing = [uid for uid in ids if uid not in position]
        if missing:
            from ..errors import UnknownIdError

            raise UnknownIdError(
                f"unit ids {missing} are not among the binned units "
                f"{self.unit_ids.tolist()[:20]}"
            )
        return self._take(np.array([position[uid] for uid in ids], dtype=np.int64))

    def remove_silent_units(self) -> BinnedSpikes:
        """Without the units that have no spike in any bin."""
        return self._take(np.flatnonzero(self.counts.any(axis=0)))

    def remove_constant_units(self) -> BinnedSpikes:
        """Without the units whose counts are the same in every bin (zero variance)."""
        if self.num_bins == 0:
            return self._take(np.zeros(0, np.int64))
        varies = (self.counts != self.counts[:1]).any(axis=0)
        return self._take(np.flatnonzero(varies))

    def _take(self, columns: np.ndarray) -> BinnedSpikes:
        return BinnedSpikes(
            counts=np.ascontiguousarray(self.counts[:, columns]),
            bin_edges=self.bin_edges,
            unit_ids=self.unit_ids[columns],
            bin_duration=self.bin_duration,
            segment_index=self.segment_index,
            binary=self.binary,
            unit_properties={k: v[columns] for k, v in self.unit_properties.items()},
        )

    # -------------------------------------------------------------- exports
    def to_xarray(self) -> Any:
        """An ``xarray.DataArray`` with dims ``("time", "unit")``.

        Coordinates: ``time`` (bin starts), ``time_end`` (bin ends), ``unit`` (unit ids) and
        one unit coordinate per unit property.
        """
        xr = require("xarray", "BinnedSpikes.to_xarray")
        coords: dict[str, Any] = {
            "time": self.bin_edges[:-1],
            "time_end": ("time", self.bin_edges[1:]),
            "unit": self.unit_ids,
        }
        for key, values in self.unit_properties.items():
            if values.ndim == 1 and key not in coords:
                coords[key] = ("unit", values)
        return xr.DataArray(
            self.counts, dims=("time", "unit"), coords=coords, name="spike_count",
            attrs={"bin_duration": self.bin_duration, "segment_index": self.segment_index,
                   "binary": int(self.binary)},
        )

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``: one row per bin (indexed by its start), one column per unit."""
        pd = require("pandas", "BinnedSpikes.to_dataframe")
        index = pd.Index(self.bin_edges[:-1], name="time")
        columns = pd.Index(self.unit_ids, name="unit")
        return pd.DataFrame(self.counts, index=index, columns=columns)

    def save(self, path: Any, format: Literal["hdf5", "zarr"] = "hdf5",
             overwrite: bool = False) -> None:
        """Save to an HDF5 file or a zarr store, labels included (see :func:`save_counts`)."""
        from .store import save_counts

        save_counts(self, path, format=format, overwrite=overwrite)


def _count_range(vector: np.ndarray, edge_samples: np.ndarray, columns: UnitColumns,
                 uniform: int | None, binary: bool) -> np.ndarray:
    """Counts (bins, columns) of the bins between ``edge_samples``, in the smallest unsigned
    dtype that holds them (uint8 0/1 when ``binary``)."""
    num_bins = edge_samples.size - 1
    # every block fills its rows, so the array need not be zeroed first
    counts = np.empty((num_bins, columns.num_columns), dtype=np.uint8)
    limit = np.iinfo(counts.dtype).max
    for first, stop, block, bound in iter_bin_blocks(vector, edge_samples, columns, uniform):
        if binary:
            np.greater(block, 0, out=counts[first:stop])
            continue
        if bound > limit:
            top = int(block.max())
            if top > limit:
                counts = counts.astype(smallest_unsigned_dtype(top))
                limit = np.iinfo(counts.dtype).max
        counts[first:stop] = block
    return counts


def binned_edges(
    clock: SegmentClock, bin_duration: float, start_time: float | None, end_time: float | None
) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Bin edges in seconds and in samples, and the samples per bin when that is uniform.

    The last edge is ``end_time`` and includes a spike exactly on it.
    """
    start = clock.start_time if start_time is None else float(start_time)
    end = clock.end_time if end_time is None else float(end_time)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError(f"start_time and end_time must be finite, got {start!r} and {end!r}")
    if end <= start:
        raise ValueError(f"end_time ({end!r}) must be after start_time ({start!r})")
    num_bins = count_bins(end - start, bin_duration)
    times, samples = clock.grid_edges(start, bin_duration, 0, num_bins - 1)
    upper = clock.upper_sample()
    last_sample = clock.first_sample_at_or_after(np.array([np.nextafter(end, np.inf)]), upper)
    edge_times = np.append(times, end)
    edge_samples = np.append(samples, last_sample)
    np.minimum(edge_samples, edge_samples[-1], out=edge_samples)
    steps = np.diff(samples)
    uniform = int(steps[0]) if steps.size and np.all(steps == steps[0]) and steps[0] > 0 else None
    return edge_times, edge_samples, uniform


def bin_spikes(
    sorting: Sorting,
    bin_duration: float,
    start_time: float | None = None,
    end_time: float | None = None,
    segment_index: int | None = None,
    binary: bool = False,
    unit_ids: Any = None,
    **job_kwargs: Any,
) -> BinnedSpikes:
    """Count each unit's spikes in consecutive time bins.

    Parameters
    ----------
    sorting : Sorting
    bin_duration : float
        Seconds per bin (> 0).
    start_time, end_time : float or None
        The binned span in the sorting's times (None: the segment's start and end). Bins are
        ``[start_time + k * bin_duration, ...)``; the last one ends at ``end_time`` and holds a
        spike exactly on it, as :func:`numpy.histogram` over ``bin_edges``. Spikes outside are
        ignored.
    segment_index : int or None
        Required on multi-segment sortings.
    binary : bool
        Count 1 when a unit fired at least once in a bin, else 0.
    unit_ids : list or None
        The units (columns), in order; all by default.
    **job_kwargs
        ``n_jobs``, ``chunk_size`` (bins per range), ``chunk_duration``, ``progress_bar``:
        with more than one job (or a chunk size), the span is cut into ranges of whole bins
        counted in threads through the executor, and the ranges' counts are joined (the
        result is the same; joining needs the counts' memory once more). Only kwargs given
        here apply (not the global job kwargs): one pass is usually fastest.

    Returns
    -------
    BinnedSpikes

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import bin_spikes
    >>> sorting = le.NumpySorting.from_unit_dict(
    ...     {"a": np.array([0, 5, 10, 25]), "b": np.array([12])}, sampling_frequency=100.0)
    >>> binned = bin_spikes(sorting, bin_duration=0.1, end_time=0.3)
    >>> binned.counts.tolist(), binned.bin_edges.tolist()
    ([[2, 0], [1, 1], [1, 0]], [0.0, 0.1, 0.2, 0.3])
    """
    bin_duration = check_positive_duration(bin_duration, "bin_duration")
    clock = SegmentClock(sorting, segment_index)
    columns = UnitColumns(sorting, unit_ids)
    edge_times, edge_samples, uniform = binned_edges(clock, bin_duration, start_time, end_time)
    vector = sorting.get_segment(clock.segment_index).get_spike_vector(None)
    num_bins = edge_times.size - 1

    def count(first_bin: int, stop_bin: int) -> np.ndarray:
        return _count_range(vector, edge_samples[first_bin:stop_bin + 1], columns, uniform,
                            bool(binary))

    parts = run_over_bins(num_bins, bin_duration, max(columns.num_columns, 1), count,
                          job_kwargs, "bin_spikes")
    # ranges of different dtypes join in the widest (numpy's promotion of unsigned ints)
    counts = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
    return BinnedSpikes(
        counts=counts,
        bin_edges=edge_times,
        unit_ids=columns.unit_ids,
        bin_duration=bin_duration,
        segment_index=clock.segment_index,
        binary=bool(binary),
        unit_properties=columns.properties,
    )
