"""Lazy views of a sorting: unit selection, renaming, frame slices, segment selection.

A view is a unit map (parent unit index per view unit, possibly renamed) and a frame range.
Views flatten when stacked: a view of a view (whose own state was not changed since it was
built) is one view of the original sorting, with composed unit indices and frame offsets. A
spike train of a view is the parent's spike train (shifted); a spike vector of a view is a
vectorised mask, remap and shift of the parent's.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.ids import as_id_array
from ..base.provenance import register_kind
from ..base.validation import resolve_open_frame_range
from ..base.views import (
    ViewKey,
    resolve_segment_indices,
    resolve_view_ids,
    split_by_property,
)
from ..errors import FrameRangeError
from .base import (
    Sorting,
    SortingSegment,
    cut_spike_vector,
    order_ties_by_unit,
)

__all__ = [
    "SortingView",
    "SegmentSelectionSorting",
    "rename_units",
    "select_units",
    "remove_units",
    "remove_empty_units",
    "frame_slice",
    "time_slice",
    "select_segments",
    "split_by",
]


class SortingViewSegment(SortingSegment):
    """Spikes of a parent segment: some units (remapped) inside a frame range, shifted."""

    __slots__ = ("end", "lut", "num_parent_units", "parent", "reorders", "start", "unit_indices")

    def __init__(
        self,
        parent: SortingSegment,
        num_parent_units: int,
        unit_indices: np.ndarray | None,
        start: int,
        end: int | None,
    ) -> None:
        self.parent = parent
        self.num_parent_units = num_parent_units
        self.unit_indices = unit_indices
        self.start = start
        self.end = end
        self.lut: np.ndarray | None = None
        self.reorders = False
        if unit_indices is not None:
            lut = np.full(num_parent_units, -1, dtype=np.int64)
            lut[unit_indices] = np.arange(unit_indices.size, dtype=np.int64)
            self.lut = lut
            # a new unit order changes the order of spikes that share a sample
            self.reorders = bool(np.any(np.diff(unit_indices) < 0))

    @property
    def _is_cut(self) -> bool:
        return self.start > 0 or self.end is not None

    def _parent_vector(self) -> np.ndarray:
        vector = self.parent.get_spike_vector(None)
        return cut_spike_vector(vector, self.start, self.end) if self._is_cut else vector

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        if self.lut is None and not self.start:
            # only an end bound: a view of the parent's vector, no copy
            vector = self.parent.get_spike_vector(segment_index)
            return cut_spike_vector(vector, 0, self.end) if self.end is not None else vector
        vector = self._parent_vector()
        owned = vector.flags.writeable
        if self.lut is None:
            out = vector if owned else vector.copy()
        else:
            new_units = self.lut[vector["unit_index"]]
            if self.unit_indices.size == self.num_parent_units:  # type: ignore[union-attr]
                out = vector if owned else vector.copy()
                out["unit_index"] = new_units
            else:
                keep = new_units >= 0
                out = vector[keep]
                out["unit_index"] = new_units[keep]
            del new_units
            if self.reorders:
                order_ties_by_unit(out)
        if self.start:
            out["sample_index"] -= self.start
        if segment_index is not None:
            out["segment_index"] = segment_index
        return out

    def _parent_unit(self, unit_index: int) -> int:
        return unit_index if self.unit_indices is None else int(self.unit_indices[unit_index])

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        offset = self.start
        if end_frame is None:
            end = self.end
        else:
            end = end_frame + offset
        train = self.parent.get_unit_spike_train(
            self._parent_unit(unit_index), start_frame + offset, end
        )
        return train - offset if offset else train

    def count_spikes(self, num_units: int) -> np.ndarray:
        if self._is_cut:
            units = self._parent_vector()["unit_index"]
            counts = np.bincount(units, minlength=self.num_parent_units).astype(np.int64)
        else:
            counts = self.parent.count_spikes(self.num_parent_units)
        return counts if self.unit_indices is None else counts[self.unit_indices]

    def num_spikes(self) -> int:
        if self.unit_indices is None:
            if not self._is_cut:
                return self.parent.num_spikes()
            return int(self._parent_vector().size)
        return int(self.count_spikes(self.unit_indices.size).sum())

    def last_spike_sample(self) -> int:
        if self.unit_indices is None:
            vector = self._parent_vector()
            return int(vector["sample_index"][-1]) - self.start if vector.size else -1
        return super().last_spike_sample()


def _slice_range(
    start_frame: Any, end_frame: Any, num_samples: int | None
) -> tuple[int, int | None]:
    """A slice's frame range; the end defaults to the segment's end when it is known."""
    start, end = resolve_open_frame_range(start_frame, end_frame, num_samples)
    return start, num_samples if end is None else end


@register_kind
class SortingView(Sorting):
    """A lazy view: some units of a parent (any order, optionally renamed) and a frame range.

    Parameters
    ----------
    parent : Sorting
        The sorting viewed.
    unit_indices : array of int or None
        Parent unit positions, in the view's order; None keeps all.
    unit_ids : list or None
        The view's unit ids; None keeps the parent's ids of the selected units.
    start_frame, end_frame : int or None
        Frame range, for single-segment parents; None keeps the whole segment(s).
    """

    def __init__(
        self,
        parent: Sorting,
        unit_indices: Any = None,
        unit_ids: Any = None,
        start_frame: int | None = None,
        end_frame: int | None = None,
    ) -> None:
        n_parent = parent.get_num_units()
        indices, new_ids = resolve_view_ids(parent.get_unit_ids(), unit_indices, unit_ids, "unit")
        super().__init__(parent.get_sampling_frequency(), new_ids)
        self.parent = parent
        self.view_key = ViewKey(
            indices, None if unit_ids is None else new_ids, start_frame, end_frame
        )
        sliced = self.view_key.slices_frames
        if sliced and parent.get_num_segments() != 1:
            raise ValueError(
                f"frame slicing needs a single-segment sorting; this one has "
                f"{parent.get_num_segments()} segments (use select_segments first)"
            )
        for index, segment in enumerate(parent.get_segments()):
            known = parent._known_num_samples(index)
            if sliced:
                start, end = _slice_range(start_frame, end_frame, known)
                num = None if end is None else end - start
            else:
                start, end, num = 0, None, known
            view = SortingViewSegment(segment, n_parent, indices, start, end)
            self.add_segment(view, num)
        recording = parent._recording
        if recording is not None and sliced:
            start, end = _slice_range(start_frame, end_frame, recording.get_num_samples(0))
            recording = recording.frame_slice(start, end)
        self._recording = recording
        self._copy_metadata_from(parent, indices)


def _view(sorting: Sorting, key: ViewKey) -> Sorting:
    """A view of ``sorting`` by ``key``; one flat view when ``sorting`` is an unchanged view."""
    if isinstance(sorting, SortingView) and not sorting._has_changed_state():
        key = key.compose_over(sorting.view_key)
        sorting = sorting.parent
    return SortingView(sorting, key.indices, key.ids, key.start_frame, key.end_frame)


def _select_indices(
    sorting: Sorting, indices: np.ndarray, new_ids: np.ndarray | None = None
) -> Sorting:
    return _view(sorting, ViewKey(indices=indices, ids=new_ids))


def select_units(sorting: Sorting, unit_ids: Any, renamed_unit_ids: Any = None) -> Sorting:
    """A lazy view of ``unit_ids`` in the order given, optionally renamed.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> sorting.select_units(["2", "0"], renamed_unit_ids=["a", "b"]).get_unit_ids().tolist()
    ['a', 'b']
    """
    indices = sorting.ids_to_indices(unit_ids)
    new_ids = None
    if renamed_unit_ids is not None:
        new_ids = as_id_array(renamed_unit_ids, "renamed_unit_ids")
        if new_ids.size != indices.size:
            raise ValueError(
                f"{new_ids.size} renamed_unit_ids given for {indices.size} selected units"
            )
    return _select_indices(sorting, indices, new_ids)


def remove_units(sorting: Sorting, remove_unit_ids: Any) -> Sorting:
    """A lazy view without ``remove_unit_ids`` (unknown ids raise)."""
    removed = sorting.ids_to_indices(remove_unit_ids)
    keep = np.setdiff1d(np.arange(sorting.get_num_units()), removed)
    return _select_indices(sorting, keep)


def remove_empty_units(sorting: Sorting) -> Sorting:
    """A lazy view without the units that have no spike in any segment."""
    counts = sorting.count_num_spikes_per_unit(outputs="array")
    return _select_indices(sorting, np.flatnonzero(counts > 0))


def rename_units(sorting: Sorting, new_unit_ids: Any) -> Sorting:
    """A lazy view with ``new_unit_ids`` (same length, unique); the spikes are unchanged.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> sorting.rename_units(["u1", "u2", "u3"]).get_unit_ids().tolist()
    ['u1', 'u2', 'u3']
    """
    ids = as_id_array(new_unit_ids, "new_unit_ids")
    if ids.size != sorting.get_num_units():
        raise ValueError(
            f"{ids.size} new_unit_ids given for {sorting.get_num_units()} units"
        )
    return _view(sorting, ViewKey(ids=ids))


def frame_slice(sorting: Sorting, start_frame: Any, end_frame: Any) -> Sorting:
    """A lazy view of frames ``[start_frame, end_frame)`` of a single-segment sorting.

    Spike frames of the view count from ``start_frame``.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
    >>> sorting.frame_slice(start_frame=0, end_frame=1000).get_num_samples()
    1000
    """
    if sorting.get_num_segments() != 1:
        raise ValueError(
            f"frame_slice needs a single-segment sorting; this one has "
            f"{sorting.get_num_segments()} segments (use select_segments first)"
        )
    start, end = _slice_range(start_frame, end_frame, sorting._known_num_samples(0))
    return _view(sorting, ViewKey(start_frame=start, end_frame=end))


def time_slice(
    sorting: Sorting, start_time: float | None = None, end_time: float | None = None
) -> Sorting:
    """A lazy view between ``start_time`` and ``end_time`` in seconds.

    Times map to frames through the registered recording's times if there is one, else
    ``round(time * sampling_frequency)``.
    """
    if sorting.get_num_segments() != 1:
        raise ValueError(
            f"time_slice needs a single-segment sorting; this one has "
            f"{sorting.get_num_segments()} segments (use select_segments first)"
        )

    def to_frame(time_s: float | None) -> int | None:
        if time_s is None:
            return None
        if sorting._recording is not None:
            return int(sorting._recording.time_to_sample_index(time_s))
        frame = round(float(time_s) * sorting.get_sampling_frequency())
        if frame < 0:
            raise FrameRangeError(f"time {time_s} s is before the sorting's start (0 s)")
        return frame

    return frame_slice(sorting, to_frame(start_time), to_frame(end_time))


@register_kind
class SegmentSelectionSorting(Sorting):
    """A lazy view of some segments of a parent, in the order given.

    Parameters
    ----------
    parent : Sorting
        The sorting viewed.
    segment_indices : list of int
        Segments to keep.
    """

    def __init__(self, parent: Sorting, segment_indices: Any) -> None:
        indices = resolve_segment_indices(segment_indices, parent.get_num_segments())
        self._record_argument("segment_indices", indices)
        super().__init__(parent.get_sampling_frequency(), parent.get_unit_ids())
        self.parent = parent
        for index in indices:
            self.add_segment(parent.get_segment(index), parent.known_num_samples(index))
        if parent._recording is not None:
            self._recording = parent._recording.select_segments(indices)
        self._copy_metadata_from(parent)


def select_segments(sorting: Sorting, segment_indices: Any) -> Sorting:
    """A lazy view of the segments ``segment_indices`` (an int or a list)."""
    return SegmentSelectionSorting(sorting, segment_indices)


def split_by(
    sorting: Sorting, property: str = "group", outputs: Literal["dict", "list"] = "dict"
) -> Any:
    """One lazy unit selection per distinct value of a unit property.

    Parameters
    ----------
    sorting : Sorting
    property : str
        A unit property ("group" by default).
    outputs : {"dict", "list"}
        A dict ``{value: sorting}`` or a list in order of the values.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=4, durations=[1.0], seed=0)
    >>> sorting.set_property("group", [0, 1, 0, 1])
    >>> {k: v.get_unit_ids().tolist() for k, v in sorting.split_by("group").items()}
    {0: ['0', '2'], 1: ['1', '3']}
    """
    return split_by_property(
        sorting.get_property(property), property,
        lambda positions: _select_indices(sorting, positions), outputs,
    )
