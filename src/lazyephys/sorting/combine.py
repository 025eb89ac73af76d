"""Combining sortings: concatenation in time, segments side by side, unit aggregation.

Compatibility (sampling frequency, unit ids, segments, sample counts) is checked when the
combined sorting is built, never at the first read. Spike vectors of the results are made
by vectorised shifts, offsets and merges of the inputs' spike vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.combine import (
    aggregated_ids,
    as_extractor_list,
    check_same_ids,
    check_same_sampling_frequency,
    merge_properties,
)
from ..base.provenance import register_kind
from ..base.validation import as_frame
from ..errors import FrameRangeError, IncompatibleExtractorsError
from .base import Sorting, SortingSegment, empty_spike_vector

__all__ = [
    "ConcatenateSegmentSorting",
    "AppendSegmentSorting",
    "UnitsAggregationSorting",
    "concatenate_sortings",
    "append_sortings",
    "aggregate_units",
]


class ConcatenatedSortingSegment(SortingSegment):
    """Several parent segments joined end to end, each shifted by the samples before it."""

    __slots__ = ("boundaries", "parents")

    def __init__(self, parents: list[SortingSegment], lengths: list[int]) -> None:
        self.parents = parents
        self.boundaries = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        parts = [parent.get_spike_vector(None) for parent in self.parents]
        out = empty_spike_vector(sum(part.size for part in parts))
        position = 0
        for part, offset in zip(parts, self.boundaries[:-1].tolist(), strict=True):
            piece = out[position : position + part.size]
            piece[:] = part
            if offset:
                piece["sample_index"] += offset
            position += part.size
        del parts
        out["segment_index"] = 0 if segment_index is None else segment_index
        return out

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        bounds = self.boundaries.tolist()
        end = bounds[-1] if end_frame is None else end_frame
        pieces = []
        for i, parent in enumerate(self.parents):
            lo, hi = bounds[i], bounds[i + 1]
            if hi <= start_frame or lo >= end or hi == lo:
                continue
            local = parent.get_unit_spike_train(
                unit_index, max(start_frame - lo, 0), min(end, hi) - lo
            )
            pieces.append(local + lo if lo else local)
        if not pieces:
            return np.zeros(0, dtype=np.int64)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def count_spikes(self, num_units: int) -> np.ndarray:
        counts = np.zeros(num_units, dtype=np.int64)
        for parent in self.parents:
            counts += parent.count_spikes(num_units)
        return counts

    def num_spikes(self) -> int:
        return sum(parent.num_spikes() for parent in self.parents)

    def last_spike_sample(self) -> int:
        for i in range(len(self.parents) - 1, -1, -1):
            last = self.parents[i].last_spike_sample()
            if last >= 0:
                return last + int(self.boundaries[i])
        return -1


def _piece_lengths(
    sortings: list[Sorting], total_samples_list: Any
) -> tuple[list[int], list[int]]:
    """Samples of every segment of every sorting, in order, and the validated totals."""
    if total_samples_list is not None:
        totals_in = list(total_samples_list)
        if len(totals_in) != len(sortings):
            raise ValueError(
                f"total_samples_list has {len(totals_in)} values for {len(sortings)} sortings"
            )
        totals: list[int | None] = [as_frame(v, "total_samples_list value") for v in totals_in]
    else:
        totals = [None] * len(sortings)
    lengths: list[int] = []
    for i, (sorting, total) in enumerate(zip(sortings, totals, strict=True)):
        n_seg = sorting.get_num_segments()
        known = [sorting._known_num_samples(s) for s in range(n_seg)]
        if total is not None:
            earlier = known[:-1]
            if any(k is None for k in earlier):
                raise ValueError(
                    f"concatenate_sortings: sorting {i} has {n_seg} segments whose sample "
                    "counts are not known; register a recording, or concatenate "
                    "single-segment sortings (select_segments)"
                )
            last = total - sum(earlier)  # type: ignore[arg-type]
            if last < 0:
                raise ValueError(
                    f"total_samples_list[{i}] = {total} is smaller than the samples of the "
                    f"first {n_seg - 1} segment(s) of sorting {i} ({sum(earlier)})"  # type: ignore[arg-type]
                )
            known = [*earlier, last]
        elif any(k is None for k in known):
            raise ValueError(
                f"concatenate_sortings: the number of samples of sorting {i} is not known; "
                "pass total_samples_list=[...] (one total per sorting) or register recordings"
            )
        for s, num in enumerate(known):
            last_spike = sorting.get_segment(s).last_spike_sample()
            if last_spike >= num:  # type: ignore[operator]
                where = f"total_samples_list[{i}] = {total}" if total is not None else (
                    f"segment {s} of sorting {i} ({num} samples)"
                )
                raise FrameRangeError(
                    f"concatenate_sortings: {where} is too small: sorting {i} has a spike at "
                    f"sample {last_spike} of segment {s}"
                )
            lengths.append(int(num))  # type: ignore[arg-type]
    return lengths, [int(t) for t in totals if t is not None]


@register_kind
class ConcatenateSegmentSorting(Sorting):
    """All segments of all sortings, in order, joined into one segment.

    Parameters
    ----------
    sorting_list : list of Sorting
        Same sampling frequency and unit ids.
    total_samples_list : list of int or None
        Samples of each sorting (a whole number; ``30000.0`` is accepted). When None, the
        counts come from registered recordings or the sortings themselves.
    """

    def __init__(self, sorting_list: Any, total_samples_list: Any = None) -> None:
        sortings = as_extractor_list(sorting_list, Sorting, "concatenate_sortings")
        self._record_argument("sorting_list", sortings)
        check_same_sampling_frequency(sortings, "concatenate_sortings")
        check_same_ids(sortings, "concatenate_sortings")
        lengths, totals = _piece_lengths(sortings, total_samples_list)
        if total_samples_list is not None:
            self._record_argument("total_samples_list", totals)
        first = sortings[0]
        super().__init__(first.get_sampling_frequency(), first.get_unit_ids())
        parents = [seg for sorting in sortings for seg in sorting.get_segments()]
        self.add_segment(ConcatenatedSortingSegment(parents, lengths), sum(lengths))
        self._copy_metadata_from(first)


def concatenate_sortings(sorting_list: Any, total_samples_list: Any = None) -> Sorting:
    """Join the segments of several sortings end to end into one segment (lazy).

    Each sorting's spikes are shifted by the samples of everything before it.

    Examples
    --------
    >>> import lazyephys as le
    >>> a = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> b = le.generate_sorting(num_units=3, durations=[1.0], seed=1)
    >>> both = le.concatenate_sortings([a, b], total_samples_list=[30000.0, 30000.0])
    >>> both.get_num_samples()
    60000
    """
    return ConcatenateSegmentSorting(sorting_list, total_samples_list)


@register_kind
class AppendSegmentSorting(Sorting):
    """The segments of several sortings side by side, as one multi-segment sorting.

    Parameters
    ----------
    sorting_list : list of Sorting
        Same sampling frequency and unit ids.
    """

    def __init__(self, sorting_list: Any) -> None:
        sortings = as_extractor_list(sorting_list, Sorting, "append_sortings")
        self._record_argument("sorting_list", sortings)
        check_same_sampling_frequency(sortings, "append_sortings")
        check_same_ids(sortings, "append_sortings")
        first = sortings[0]
        super().__init__(first.get_sampling_frequency(), first.get_unit_ids())
        for sorting in sortings:
            for index, segment in enumerate(sorting.get_segments()):
                self.add_segment(segment, sorting.known_num_samples(index))
        self._copy_metadata_from(first)


def append_sortings(sorting_list: Any) -> Sorting:
    """Put the segments of several sortings side by side (lazy).

    Examples
    --------
    >>> import lazyephys as le
    >>> a = le.generate_sorting(num_units=2, durations=[1.0], seed=0)
    >>> le.append_sortings([a, a]).get_num_segments()
    2
    """
    return AppendSegmentSorting(sorting_list)


class AggregatedSortingSegment(SortingSegment):
    """The units of one segment of each of several sortings, side by side."""

    __slots__ = ("parents", "unit_offsets", "widths")

    def __init__(self, parents: list[SortingSegment], widths: list[int]) -> None:
        self.parents = parents
        self.widths = widths
        self.unit_offsets = np.concatenate([[0], np.cumsum(widths, dtype=np.int64)])

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        parts = [parent.get_spike_vector(None) for parent in self.parents]
        total = sum(part.size for part in parts)
        samples = np.empty(total, dtype=np.int64)
        units = np.empty(total, dtype=np.int64)
        position = 0
        for part, offset in zip(parts, self.unit_offsets[:-1].tolist(), strict=True):
            samples[position : position + part.size] = part["sample_index"]
            np.add(part["unit_index"], offset, out=units[position : position + part.size])
            position += part.size
        del parts
        # inputs come in ascending unit blocks, each sorted by (sample, unit): a stable sort
        # by sample gives (sample, unit) order; timsort merges the sorted runs
        order = np.argsort(samples, kind="stable")
        out = empty_spike_vector(total)
        out["sample_index"] = samples[order]
        del samples
        out["unit_index"] = units[order]
        out["segment_index"] = 0 if segment_index is None else segment_index
        return out

    def _owner(self, unit_index: int) -> int:
        return int(np.searchsorted(self.unit_offsets, unit_index, side="right")) - 1

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        owner = self._owner(unit_index)
        local = unit_index - int(self.unit_offsets[owner])
        return self.parents[owner].get_unit_spike_train(local, start_frame, end_frame)

    def count_spikes(self, num_units: int) -> np.ndarray:
        counts = [parent.count_spikes(w) for parent, w in zip(self.parents, self.widths,
                                                               strict=True)]
        return np.concatenate(counts).astype(np.int64, copy=False)

    def num_spikes(self) -> int:
        return sum(parent.num_spikes() for parent in self.parents)

    def last_spike_sample(self) -> int:
        return max(parent.last_spike_sample() for parent in self.parents)


@register_kind
class UnitsAggregationSorting(Sorting):
    """The units of several sortings side by side, as one sorting.

    Parameters
    ----------
    sorting_list : list or dict of Sorting
        Same sampling frequency and number of segments.
    renamed_unit_ids : list or None
        New ids for all units. When None, the inputs' ids are kept if they are unique across
        inputs; if they clash, new ids ``0..n-1`` (of the inputs' id type, in input order)
        are given with a warning naming the clashing ids.
    """

    def __init__(self, sorting_list: Any, renamed_unit_ids: Any = None) -> None:
        sortings = as_extractor_list(sorting_list, Sorting, "aggregate_units")
        self._record_argument("sorting_list", sortings)
        check_same_sampling_frequency(sortings, "aggregate_units")
        first = sortings[0]
        n_seg = first.get_num_segments()
        for i, sorting in enumerate(sortings[1:], start=1):
            if sorting.get_num_segments() != n_seg:
                raise IncompatibleExtractorsError(
                    f"aggregate_units: sorting {i} has {sorting.get_num_segments()} segments, "
                    f"sorting 0 has {n_seg}"
                )
        known: list[int | None] = []
        for s in range(n_seg):
            values = {sorting._known_num_samples(s) for sorting in sortings} - {None}
            if len(values) > 1:
                raise IncompatibleExtractorsError(
                    f"aggregate_units: the sortings have different sample counts in segment "
                    f"{s}: {sorted(values)}"  # type: ignore[type-var]
                )
            known.append(values.pop() if values else None)
        ids = aggregated_ids(sortings, renamed_unit_ids, "aggregate_units")
        super().__init__(first.get_sampling_frequency(), ids)
        widths = [sorting.get_num_units() for sorting in sortings]
        for s in range(n_seg):
            segment = AggregatedSortingSegment([sorting.get_segment(s) for sorting in sortings],
                                               widths)
            self.add_segment(segment, known[s])
        self._recording = next((s._recording for s in sortings if s._recording is not None),
                               None)
        merge_properties(self, sortings, "aggregate_units")
        self.annotate(**{key: first.get_annotation(key, copy_value=False)
                         for key in first.get_annotation_keys()})


def aggregate_units(sorting_list: Any, renamed_unit_ids: Any = None) -> Sorting:
    """Put the units of several sortings side by side (lazy).

    Examples
    --------
    >>> import warnings, lazyephys as le
    >>> a = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> b = le.generate_sorting(num_units=2, durations=[1.0], seed=1)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     le.aggregate_units([a, b]).get_unit_ids().tolist()
    ['0', '1', '2', '3', '4']
    """
    return UnitsAggregationSorting(sorting_list, renamed_unit_ids)
