"""One firing rate per unit: spike count over duration, or the mean inverse inter-spike
interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from ._clock import SegmentClock

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["firing_rates"]


def firing_rates(
    sorting: Sorting,
    method: Literal["count", "mean_inverse_isi"] = "count",
    segment_index: int | None = None,
) -> np.ndarray:
    """One firing rate per unit, in Hz (float64, aligned with the unit ids).

    Parameters
    ----------
    sorting : Sorting
    method : {"count", "mean_inverse_isi"}
        ``"count"``: spikes divided by the duration (the segment's, or the sum over segments).
        ``"mean_inverse_isi"``: the mean of ``1 / ISI`` over the unit's inter-spike intervals
        (in the sorting's times); a unit with fewer than 2 spikes has no interval and gets
        0. Two spikes of a unit at the same time raise, as their rate would be infinite.
    segment_index : int or None
        The segment; None pools every segment (intervals never span two segments).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import firing_rates
    >>> sorting = le.NumpySorting.from_unit_dict(
    ...     {"a": np.array([0, 10, 30]), "b": np.array([5])}, sampling_frequency=100.0)
    >>> firing_rates(sorting, method="mean_inverse_isi").tolist()
    [7.5, 0.0]
    """
    if method not in ("count", "mean_inverse_isi"):
        raise ValueError(f"method must be 'count' or 'mean_inverse_isi', got {method!r}")
    num_units = sorting.get_num_units()
    if segment_index is None and sorting.get_num_segments() != 1:
        segments = list(range(sorting.get_num_segments()))
    else:
        segments = [SegmentClock(sorting, segment_index).segment_index]
    if method == "count":
        spikes = np.zeros(num_units, dtype=np.float64)
        duration = 0.0
        for index in segments:
            clock = SegmentClock(sorting, index)
            spikes += sorting.get_segment(index).count_spikes(num_units)
            duration += clock.end_time - clock.start_time
        if duration <= 0:
            raise ValueError(f"the segments {segments} have no duration: no rate")
        return spikes / duration
    sums = np.zeros(num_units, dtype=np.float64)
    intervals = np.zeros(num_units, dtype=np.int64)
    for index in segments:
        _add_inverse_intervals(sorting, SegmentClock(sorting, index), sums, intervals)
    rates = np.zeros(num_units, dtype=np.float64)
    np.divide(sums, intervals, out=rates, where=intervals > 0)
    return rates


def _add_inverse_intervals(
    sorting: Sorting, clock: SegmentClock, sums: np.ndarray, intervals: np.ndarray
) -> None:
    """Add each unit's sum of ``1 / ISI`` and number of intervals in one segment."""
    vector = sorting.get_segment(clock.segment_index).get_spike_vector(None)
    if vector.size < 2:
        return
    units = vector["unit_index"]
    # group spikes by unit keeping time order: a stable sort by unit
    order = np.argsort(units, kind="stable")
    units_by_unit = units[order]
    times = clock.times(vector["sample_index"][order])
    del order
    same_unit = units_by_unit[1:] == units_by_unit[:-1]
    gaps = np.diff(times)[same_unit]
    owners = units_by_unit[1:][same_unit]
    if np.any(gaps <= 0):
        bad = int(owners[np.flatnonzero(gaps <= 0)[0]])
        raise ValueError(
            f"unit {sorting.get_unit_ids()[bad]!r} has two spikes at the same time in segment "
            f"{clock.segment_index}: its mean inverse ISI would be infinite"
        )
    sums += np.bincount(owners, weights=1.0 / gaps, minlength=sums.size)
    intervals += np.bincount(owners, minlength=intervals.size)
