"""Spike counts inside epochs (stimulus presentations, trials) and around events.

:func:`epoch_counts` cuts each epoch into bins and counts every unit's spikes in each: one
search of all bin edges in the sorted spike vector, then one ``numpy.bincount`` per block of
epochs over the spikes they cover. Bins are half-open ``[a, b)`` -- the last one too -- so a
spike on the boundary of two adjacent epochs counts once, in the later one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InvalidEpochsError
from ._clock import SegmentClock, check_positive_duration, count_bins
from ._epochs_table import read_epochs_table
from ._optional import require
from ._units import UnitColumns, smallest_unsigned_dtype

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["EpochCounts", "epoch_counts", "peri_event_counts", "split_epochs"]

#: epochs x bins x units counted per bincount: keeps the int64 block in cache
_BLOCK_CELLS = 1 << 19


@dataclass(frozen=True, eq=False)
class EpochCounts:
    """Spike counts per epoch, bin and unit, with the epochs' table.

    Attributes
    ----------
    counts : numpy.ndarray
        (epochs, bins, units), the smallest unsigned integer dtype that holds the counts.
    bin_edges : numpy.ndarray
        (epochs, bins + 1) edges in seconds: bin ``b`` of epoch ``e`` is
        ``[bin_edges[e, b], bin_edges[e, b + 1])``.
    unit_ids : numpy.ndarray
    epochs : dict of numpy.ndarray
        ``start_time``, ``stop_time`` and every other column of the table given (labels).
    segment_index : int
    bin_offsets : numpy.ndarray or None
        ``bins + 1`` edges relative to each epoch's reference (its start, or the event for
        :func:`peri_event_counts`) when all epochs share them; None otherwise.
    unit_properties : dict
        The sorting's unit properties aligned with ``unit_ids``.
    """

    counts: np.ndarray
    bin_edges: np.ndarray
    unit_ids: np.ndarray
    epochs: dict[str, np.ndarray]
    segment_index: int = 0
    bin_offsets: np.ndarray | None = None
    unit_properties: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def num_epochs(self) -> int:
        return int(self.counts.shape[0])

    @property
    def num_bins(self) -> int:
        return int(self.counts.shape[1])

    @property
    def num_units(self) -> int:
        return int(self.counts.shape[2])

    def __repr__(self) -> str:
        return (f"EpochCounts: {self.num_epochs} epochs x {self.num_bins} bins x "
                f"{self.num_units} units ({self.counts.dtype})")

    def rates(self) -> np.ndarray:
        """Firing rates in Hz: counts over each bin's duration (float64)."""
        widths = np.diff(self.bin_edges, axis=1)
        return self.counts / widths[:, :, None]

    def select_units(self, unit_ids: Any) -> EpochCounts:
        """The counts of some units, in the order given."""
        ids = list(np.atleast_1d(np.asarray(unit_ids, dtype=object)).tolist())
        position = {uid: i for i, uid in enumerate(self.unit_ids.tolist())}
        missing = [uid for uid in ids if uid not in position]
        if missing:
            from ..errors import UnknownIdError

            raise UnknownIdError(f"unit ids {missing} are not among the counted units")
        columns = np.array([position[uid] for uid in ids], dtype=np.int64)
        return EpochCounts(
            counts=np.ascontiguousarray(self.counts[:, :, columns]),
            bin_edges=self.bin_edges, unit_ids=self.unit_ids[columns], epochs=self.epochs,
            segment_index=self.segment_index, bin_offsets=self.bin_offsets,
            unit_properties={k: v[columns] for k, v in self.unit_properties.items()},
        )

    def split(self, fractions: Any = (0.7, 0.15, 0.15)) -> tuple[np.ndarray, ...]:
        """Time-ordered epoch index arrays, see :func:`split_epochs`."""
        return split_epochs(self, fractions)

    def to_xarray(self) -> Any:
        """An ``xarray.DataArray`` with dims ``("epoch", "bin", "unit")``.

        Epoch coordinates: ``start_time``, ``stop_time`` and the table's label columns; bin
        coordinate ``bin_start`` (relative to each epoch's reference) when the epochs share
        their bins; unit coordinates: the unit ids and properties.
        """
        xr = require("xarray", "EpochCounts.to_xarray")
        coords: dict[str, Any] = {
            "epoch": np.arange(self.num_epochs),
            "bin": np.arange(self.num_bins),
            "unit": self.unit_ids,
        }
        for key, values in self.epochs.items():
            if values.ndim == 1 and key not in coords:
                coords[key] = ("epoch", values)
        if self.bin_offsets is not None:
            coords["bin_start"] = ("bin", self.bin_offsets[:-1])
            coords["bin_end"] = ("bin", self.bin_offsets[1:])
        for key, values in self.unit_properties.items():
            if values.ndim == 1 and key not in coords:
                coords[key] = ("unit", values)
        return xr.DataArray(self.counts, dims=("epoch", "bin", "unit"), coords=coords,
                            name="spike_count", attrs={"segment_index": self.segment_index})

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``: one row per (epoch, bin), one column per unit."""
        pd = require("pandas", "EpochCounts.to_dataframe")
        index = pd.MultiIndex.from_product(
            [np.arange(self.num_epochs), np.arange(self.num_bins)], names=["epoch", "bin"]
        )
        flat = self.counts.reshape(self.num_epochs * self.num_bins, self.num_units)
        return pd.DataFrame(flat, index=index, columns=pd.Index(self.unit_ids, name="unit"))

    def save(self, path: Any, format: Literal["hdf5", "zarr"] = "hdf5",
             overwrite: bool = False) -> None:
        """Save to an HDF5 file or a zarr store, labels included (see :func:`save_counts`)."""
        from .store import save_counts

        save_counts(self, path, format=format, overwrite=overwrite)


def _epoch_edges(starts: np.ndarray, stops: np.ndarray, num_bins: int | None,
                 bin_duration: float | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(epochs, bins + 1) edges in seconds, and the shared relative edges when there are."""
    durations = stops - starts
    if bin_duration is None:
        bins = 1 if num_bins is None else num_bins
        fractions = np.arange(bins + 1) / bins
        edges = starts[:, None] + durations[:, None] * fractions[None, :]
        edges[:, -1] = stops
        shared = None
        if durations.size and np.all(durations == durations[0]):
            shared = durations[0] * fractions
            shared[-1] = durations[0]
        return edges, shared
    if num_bins is None:
        per_epoch = np.array([count_bins(d, bin_duration) for d in durations.tolist()])
        if per_epoch.size and np.any(per_epoch != per_epoch[0]):
            rows = np.flatnonzero(per_epoch != per_epoch[0])[:5].tolist()
            raise InvalidEpochsError(
                f"with bin_duration={bin_duration!r} the epochs need different numbers of bins "
                f"({per_epoch[0]} for row 0, {per_epoch[rows[0]]} for row {rows[0]}): give "
                "num_bins too (bins of bin_duration from each start), or num_bins alone (each "
                "epoch cut into equal bins)"
            )
        bins = int(per_epoch[0]) if per_epoch.size else 1
        offsets = _relative_edges(bins, bin_duration, 0.0)
        edges = starts[:, None] + offsets[None, :]
        edges[:, -1] = stops  # the last bin ends with its epoch
        return edges, None
    offsets = _relative_edges(num_bins, bin_duration, 0.0)
    return starts[:, None] + offsets[None, :], offsets


def _relative_edges(num_bins: int, bin_duration: float, first: float) -> np.ndarray:
    """``first + k * bin_duration`` for ``k = 0..num_bins``, rounded to 1e-12 s so that edges
    meant to be round numbers (``-0.2 + 3 * 0.1``) are."""
    return np.round(first + np.arange(num_bins + 1) * bin_duration, 12)


def _check_num_bins(num_bins: Any) -> int | None:
    if num_bins is None:
        return None
    if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
        raise ValueError(f"num_bins must be an int >= 1, got {num_bins!r}")
    return int(num_bins)


def count_in_epochs(
    sorting: Sorting, edges: np.ndarray, segment_index: int | None, columns: UnitColumns
) -> tuple[np.ndarray, int]:
    """Counts (epochs, bins, columns) of spikes in ``[edges[e, b], edges[e, b + 1])``."""
    clock = SegmentClock(sorting, segment_index)
    num_epochs, num_bins = edges.shape[0], edges.shape[1] - 1
    upper = clock.upper_sample()
    edge_samples = clock.first_sample_at_or_after(edges.ravel(), upper).reshape(edges.shape)
    np.maximum.accumulate(edge_samples, axis=1, out=edge_samples)
    vector = sorting.get_segment(clock.segment_index).get_spike_vector(None)
    samples = np.ascontiguousarray(vector["sample_index"])
    units = vector["unit_index"]
    positions = np.searchsorted(samples, edge_samples, side="left")
    del samples
    width = columns.num_columns
    counts = np.zeros((num_epochs, num_bins, width), dtype=np.uint8)
    per_block = max(1, _BLOCK_CELLS // max(1, num_bins * width))
    for first in range(0, num_epochs, per_block):
        stop = min(first + per_block, num_epochs)
        block = positions[first:stop]
        lengths = np.diff(block, axis=1).ravel()
        total = int(lengths.sum())
        if total == 0 or width == 0:
            continue
        interval = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
        # position of each covered spike: its interval's first spike plus its rank inside
        run_starts = np.cumsum(lengths) - lengths
        spike_pos = np.arange(total, dtype=np.int64)
        spike_pos += np.repeat(block[:, :-1].ravel() - run_starts, lengths)
        cols = columns.columns_of(units[spike_pos])
        keys = interval * width
        keys += cols
        if columns.lookup is not None:
            keys = keys[cols >= 0]
        block_counts = np.bincount(keys, minlength=lengths.size * width)
        top = int(block_counts.max()) if block_counts.size else 0
        if top > np.iinfo(counts.dtype).max:
            counts = counts.astype(smallest_unsigned_dtype(top))
        counts[first:stop] = block_counts.reshape(stop - first, num_bins, width)
    start, end = clock.start_time, (clock.end_time if clock.num_samples is not None else None)
    outside = edges[:, -1] <= start
    if end is not None:
        outside |= edges[:, 0] >= end
    if np.any(outside):
        rows = np.flatnonzero(outside)
        warnings.warn(
            f"{rows.size} epochs lie outside segment {clock.segment_index} "
            f"({start:g} to {end if end is not None else '?'} s) and count no spike: rows "
            f"{rows[:10].tolist()}",
            stacklevel=3,
        )
    return counts, clock.segment_index


def epoch_counts(
    sorting: Sorting,
    epochs: Any,
    num_bins: int | None = None,
    bin_duration: float | None = None,
    unit_ids: Any = None,
    segment_index: int | None = None,
) -> EpochCounts:
    """Count each unit's spikes in bins of each epoch.

    Parameters
    ----------
    sorting : Sorting
    epochs : pandas.DataFrame, dict of arrays, or (n, 2) array
        ``start_time`` and ``stop_time`` columns in seconds (what ``read_nwb_epochs`` and an
        Allen stimulus table give); other columns are kept as labels. Epochs may overlap,
        be unsorted, and reach beyond the segment (no spikes are counted there).
    num_bins, bin_duration : int, float or None
        ``num_bins`` alone: each epoch cut into that many equal bins (epochs may differ in
        length). ``bin_duration`` alone: bins of that duration from each start, the last
        ending at the epoch's stop (every epoch must need the same number of bins).
        Both: ``num_bins`` bins of ``bin_duration`` from each start, whatever the stop.
        Neither: one bin per epoch.
    unit_ids : list or None
        The units counted, in order; all by default.
    segment_index : int or None
        Required on multi-segment sortings.

    Returns
    -------
    EpochCounts

    Raises
    ------
    InvalidEpochsError
        An epochs table without ``start_time``/``stop_time`` (naming its columns), a stop
        before its start, a zero-length epoch.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import epoch_counts
    >>> sorting = le.NumpySorting.from_unit_dict({"a": np.array([1, 4, 5, 12])},
    ...                                          sampling_frequency=10.0)
    >>> epochs = {"start_time": [0.0, 1.0], "stop_time": [0.6, 1.4], "image": ["x", "y"]}
    >>> counts = epoch_counts(sorting, epochs, num_bins=2)
    >>> counts.counts[:, :, 0].tolist(), counts.epochs["image"].tolist()
    ([[1, 2], [0, 1]], ['x', 'y'])
    """
    num_bins = _check_num_bins(num_bins)
    if bin_duration is not None:
        bin_duration = check_positive_duration(bin_duration, "bin_duration")
    table = read_epochs_table(epochs)
    edges, shared = _epoch_edges(table["start_time"], table["stop_time"], num_bins, bin_duration)
    columns = UnitColumns(sorting, unit_ids)
    counts, index = count_in_epochs(sorting, edges, segment_index, columns)
    return EpochCounts(counts=counts, bin_edges=edges, unit_ids=columns.unit_ids, epochs=table,
                       segment_index=index, bin_offsets=shared,
                       unit_properties=columns.properties)


def peri_event_counts(
    sorting: Sorting,
    event_times: Any,
    window: tuple[float, float] = (-0.5, 1.0),
    bin_duration: float = 0.01,
    unit_ids: Any = None,
    segment_index: int | None = None,
) -> EpochCounts:
    """Count each unit's spikes in bins around events (a peri-event time histogram per event).

    Parameters
    ----------
    sorting : Sorting
    event_times : array of float
        Event times in seconds.
    window : (float, float)
        Seconds before (negative) and after each event; bins of ``bin_duration`` from
        ``event + window[0]``, the last ending at ``event + window[1]``.
    bin_duration : float
    unit_ids, segment_index
        As :func:`epoch_counts`.

    Returns
    -------
    EpochCounts
        One epoch per event, with an ``event_time`` column; ``bin_offsets`` relative to the
        event.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import peri_event_counts
    >>> sorting = le.NumpySorting.from_unit_dict({"a": np.array([9, 10, 11, 30])},
    ...                                          sampling_frequency=10.0)
    >>> around = peri_event_counts(sorting, [1.0, 3.0], window=(-0.2, 0.2), bin_duration=0.1)
    >>> around.counts[:, :, 0].tolist(), around.bin_offsets.round(3).tolist()
    ([[0, 1, 1, 1], [0, 0, 1, 0]], [-0.2, -0.1, 0.0, 0.1, 0.2])
    """
    bin_duration = check_positive_duration(bin_duration, "bin_duration")
    events = np.asarray(event_times, dtype=np.float64).ravel()
    if len(window) != 2:
        raise ValueError(f"window must be (before, after) in seconds, got {window!r}")
    before, after = float(window[0]), float(window[1])
    if not after > before:
        raise ValueError(f"window must end after it starts, got {window!r}")
    num_bins = count_bins(after - before, bin_duration)
    offsets = _relative_edges(num_bins, bin_duration, before)
    offsets[-1] = after
    table = read_epochs_table({"start_time": events + before, "stop_time": events + after,
                               "event_time": events}, allow_empty=True)
    edges = events[:, None] + offsets[None, :]
    columns = UnitColumns(sorting, unit_ids)
    counts, index = count_in_epochs(sorting, edges, segment_index, columns)
    return EpochCounts(counts=counts, bin_edges=edges, unit_ids=columns.unit_ids, epochs=table,
                       segment_index=index, bin_offsets=offsets,
                       unit_properties=columns.properties)


def split_epochs(epochs: Any, fractions: Any = (0.7, 0.15, 0.15)) -> tuple[np.ndarray, ...]:
    """Split epochs in time order (no shuffling) into consecutive parts.

    Parameters
    ----------
    epochs : EpochCounts, epochs table, or int
        What to split: epochs ordered by their start time (an int ``n``: ``0..n-1`` in order).
    fractions : sequence of float
        The share of each part (train, validation, test...), each >= 0, summing to 1.

    Returns
    -------
    tuple of numpy.ndarray
        One int64 array of epoch indices per fraction; the earliest epochs come first.

    Examples
    --------
    >>> from lazyephys.analysis import split_epochs
    >>> train, validation, test = split_epochs(10, (0.6, 0.2, 0.2))
    >>> train.tolist(), validation.tolist(), test.tolist()
    ([0, 1, 2, 3, 4, 5], [6, 7], [8, 9])
    """
    shares = np.asarray(fractions, dtype=np.float64).ravel()
    if shares.size == 0 or np.any(~np.isfinite(shares)) or np.any(shares < 0):
        raise ValueError(f"fractions must be numbers >= 0, got {fractions!r}")
    if abs(float(shares.sum()) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {fractions!r} (sum {shares.sum()!r})")
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool):
        if epochs < 0:
            raise ValueError(f"the number of epochs must be >= 0, got {epochs!r}")
        order = np.arange(int(epochs), dtype=np.int64)
    else:
        table = epochs.epochs if isinstance(epochs, EpochCounts) else read_epochs_table(epochs)
        order = np.argsort(table["start_time"], kind="stable").astype(np.int64)
    bounds = np.rint(np.cumsum(shares) * order.size).astype(np.int64)
    bounds[-1] = order.size
    starts = np.concatenate([[0], bounds[:-1]])
    return tuple(order[a:b] for a, b in zip(starts.tolist(), bounds.tolist(), strict=True))
