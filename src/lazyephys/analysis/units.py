"""Choosing units by their properties, and removing spikes from invalid time intervals."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..base.validation import as_number_array
from ..sorting.base import Sorting, SortingSegment
from ._clock import SegmentClock
from ._epochs_table import read_epochs_table
from .groups import unit_property

__all__ = ["select_units_by", "remove_invalid_times", "InvalidTimesRemovedSorting"]

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
    "in": lambda values, allowed: np.isin(values, np.asarray(list(allowed), dtype=object)
                                          if not isinstance(allowed, np.ndarray) else allowed),
}


def select_units_by(sorting: Sorting, **thresholds: Any) -> Sorting:
    """A lazy view of the units whose properties pass every threshold.

    Parameters
    ----------
    sorting : Sorting
    **thresholds
        ``<property>__<op>=value`` with ``op`` one of ``lt``, ``le``, ``gt``, ``ge``, ``eq``,
        ``ne``, ``in`` (a list of allowed values); a bare ``<property>=value`` means ``eq``.
        A unit whose value is NaN fails every comparison but ``ne``.

    Returns
    -------
    Sorting
        ``sorting.select_units(...)`` of the units that pass, in the sorting's order.

    Raises
    ------
    UnknownPropertyError
        A threshold on a property the sorting does not have (the message lists those it has).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import select_units_by
    >>> sorting = le.generate_sorting(num_units=4, durations=[1.0], seed=0)
    >>> sorting.set_property("isi_violations", [0.1, 0.9, 0.2, 0.0])
    >>> sorting.set_property("presence_ratio", [0.95, 0.99, 0.5, 0.97])
    >>> good = select_units_by(sorting, isi_violations__lt=0.5, presence_ratio__gt=0.9)
    >>> good.get_unit_ids().tolist()
    ['0', '3']
    """
    if not thresholds:
        raise TypeError("select_units_by needs at least one threshold, e.g. firing_rate__gt=0.1")
    keep = np.ones(sorting.get_num_units(), dtype=bool)
    for name, value in thresholds.items():
        key, _, op = name.rpartition("__")
        if not key:
            key, op = name, "eq"
        if op not in _OPERATORS:
            raise ValueError(
                f"unknown comparison {op!r} in {name!r}; use <property>__<op> with op one of "
                f"{sorted(_OPERATORS)}"
            )
        values = unit_property(sorting, key)
        with np.errstate(invalid="ignore"):
            passed = np.asarray(_OPERATORS[op](values, value), dtype=bool)
        if passed.shape != keep.shape:
            raise ValueError(f"the threshold {name}={value!r} does not compare unit by unit")
        keep &= passed
    return sorting.select_units(sorting.get_unit_ids()[keep])


class _IntervalsRemovedSegment(SortingSegment):
    """A parent segment without the spikes inside some sample intervals."""

    __slots__ = ("parent", "starts", "stops")

    def __init__(self, parent: SortingSegment, starts: np.ndarray, stops: np.ndarray) -> None:
        self.parent = parent
        self.starts = starts
        self.stops = stops

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        vector = self.parent.get_spike_vector(segment_index)
        if self.starts.size == 0 or vector.size == 0:
            return vector
        samples = vector["sample_index"]
        # the last interval starting at or before each spike; inside if it has not stopped
        last = np.searchsorted(self.starts, samples, side="right") - 1
        inside = last >= 0
        inside[inside] = samples[inside] < self.stops[last[inside]]
        return vector[~inside]


def _merged(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, non-overlapping intervals covering the same samples."""
    order = np.argsort(starts, kind="stable")
    starts, stops = starts[order], stops[order]
    reach = np.maximum.accumulate(stops) if stops.size else stops
    new_run = np.ones(starts.size, dtype=bool)
    new_run[1:] = starts[1:] > reach[:-1]
    firsts = np.flatnonzero(new_run)
    lasts = np.append(firsts[1:], starts.size) - 1
    return starts[firsts], reach[lasts]


@register_kind
class InvalidTimesRemovedSorting(Sorting):
    """A lazy view of a sorting without the spikes in invalid time intervals.

    Parameters
    ----------
    sorting : Sorting
    intervals : list of [start, stop]
        Seconds, in the sorting's times; spikes with ``start <= time < stop`` are removed.
    segment_index : int or None
        The segment the intervals apply to; None applies them to every segment.
    """

    def __init__(self, sorting: Sorting, intervals: Any, segment_index: int | None = None
                 ) -> None:
        pairs = as_number_array(intervals, "intervals", finite=False)
        if pairs.size and (pairs.ndim != 2 or pairs.shape[1] != 2):
            raise ValueError(f"intervals must be [start, stop] pairs in seconds, got {intervals!r}")
        pairs = pairs.reshape(-1, 2)
        super().__init__(sorting.get_sampling_frequency(), sorting.get_unit_ids())
        self._copy_metadata_from(sorting)
        segments = (range(sorting.get_num_segments()) if segment_index is None
                    else [SegmentClock(sorting, segment_index).segment_index])
        for index in range(sorting.get_num_segments()):
            parent = sorting.get_segment(index)
            if index in segments and pairs.size:
                clock = SegmentClock(sorting, index)
                upper = clock.upper_sample()
                starts = clock.first_sample_at_or_after(pairs[:, 0], upper)
                stops = clock.first_sample_at_or_after(pairs[:, 1], upper)
                segment: SortingSegment = _IntervalsRemovedSegment(parent, *_merged(starts, stops))
            else:
                segment = parent
            self.add_segment(segment, sorting.known_num_samples(index))
        recording = sorting.get_registered_recording()
        if recording is not None:
            self.register_recording(recording, check_spike_frames=False)


def remove_invalid_times(sorting: Sorting, intervals: Any, segment_index: int | None = None
                         ) -> Sorting:
    """A lazy view of ``sorting`` without the spikes inside invalid time intervals.

    Parameters
    ----------
    sorting : Sorting
    intervals : pandas.DataFrame, dict of arrays, or (n, 2) array
        ``start_time``/``stop_time`` in seconds (an NWB file's ``invalid_times``); spikes with
        ``start_time <= time < stop_time`` are removed. Intervals may overlap.
    segment_index : int or None
        The segment the intervals apply to; None applies them to every segment.

    Returns
    -------
    Sorting

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import remove_invalid_times
    >>> sorting = le.NumpySorting.from_unit_dict({"a": np.array([1, 5, 9])}, 10.0)
    >>> remove_invalid_times(sorting, [[0.4, 0.9]]).get_unit_spike_train("a").tolist()
    [1, 9]
    """
    table = read_epochs_table(intervals, allow_empty=True, what="invalid_times",
                              allow_zero_length=True)
    starts, stops = table["start_time"], table["stop_time"]
    pairs = np.stack([starts, stops], axis=1).tolist()
    return InvalidTimesRemovedSorting(sorting, pairs, segment_index)
