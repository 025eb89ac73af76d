"""Lazy views of a recording: channel selection, renaming, frame slices, segment selection.

Views flatten when stacked: a view of a view (whose own state was not changed since it was
built) is one view of the original recording, with composed channel indices and frame offsets.
A chain of ten selections reads like one.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.ids import as_id_array
from ..base.provenance import register_kind
from ..base.validation import resolve_frame_range
from ..base.views import (
    ViewKey,
    resolve_segment_indices,
    resolve_view_ids,
    split_by_property,
)
from ..errors import FrameRangeError
from .base import (
    ALL_CHANNELS,
    ChannelSelector,
    Recording,
    RecordingSegment,
    selector_from_indices,
)

__all__ = [
    "RecordingView",
    "SegmentSelectionRecording",
    "frame_slice",
    "time_slice",
    "select_channels",
    "remove_channels",
    "rename_channels",
    "select_segments",
    "split_by",
]


class ViewSegment(RecordingSegment):
    """Reads a parent segment with a frame offset and a channel map."""

    __slots__ = ("channel_indices", "channel_selector", "offset", "parent")

    def __init__(
        self,
        parent: RecordingSegment,
        offset: int,
        num_samples: int,
        channel_indices: np.ndarray | None,
        channel_selector: ChannelSelector,
    ) -> None:
        super().__init__(num_samples)
        self.parent = parent
        self.offset = offset
        self.channel_indices = channel_indices
        self.channel_selector = channel_selector

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        if self.channel_indices is None:
            selector = channel_selector
        elif channel_selector is ALL_CHANNELS:
            selector = self.channel_selector
        else:
            selector = self.channel_indices[channel_selector]
        offset = self.offset
        return self.parent.get_traces(start_frame + offset, end_frame + offset, selector)


@register_kind
class RecordingView(Recording):
    """A lazy view: some channels of a parent (any order, optionally renamed) and a frame range.

    Parameters
    ----------
    parent : Recording
        The recording viewed.
    channel_indices : array of int or None
        Parent channel positions, in the view's order; None keeps all.
    channel_ids : list or None
        The view's channel ids; None keeps the parent's ids of the selected channels.
    start_frame, end_frame : int or None
        Frame range, for single-segment parents; None keeps the whole segment(s).
    """

    def __init__(
        self,
        parent: Recording,
        channel_indices: Any = None,
        channel_ids: Any = None,
        start_frame: int | None = None,
        end_frame: int | None = None,
    ) -> None:
        n_parent = parent.get_num_channels()
        indices, new_ids = resolve_view_ids(parent.get_channel_ids(), channel_indices,
                                            channel_ids, "channel")
        super().__init__(parent.get_sampling_frequency(), new_ids, parent.get_dtype())
        self.parent = parent
        self.view_key = ViewKey(
            indices, None if channel_ids is None else new_ids, start_frame, end_frame
        )
        selector = ALL_CHANNELS if indices is None else selector_from_indices(indices, n_parent)
        sliced = self.view_key.slices_frames
        if sliced and parent.get_num_segments() != 1:
            raise ValueError(
                f"frame slicing needs a single-segment recording; this one has "
                f"{parent.get_num_segments()} segments (use select_segments first)"
            )
        for index, segment in enumerate(parent.get_segments()):
            start, end = resolve_frame_range(start_frame, end_frame, segment.num_samples)
            view = ViewSegment(segment, start, end - start, indices, selector)
            self.add_segment(view, *parent._segment_times_view(index, start, end))
        self._copy_metadata_from(parent, indices)


def select_channels(recording: Recording, channel_ids: Any) -> Recording:
    """A lazy view of ``channel_ids`` in the order given (duplicates and unknown ids raise)."""
    indices = recording.ids_to_indices(channel_ids)
    return _select_indices(recording, indices)


def _view(recording: Recording, key: ViewKey) -> Recording:
    """A view of ``recording`` by ``key``; one flat view when ``recording`` is an unchanged
    view."""
    if isinstance(recording, RecordingView) and not recording._has_changed_state():
        key = key.compose_over(recording.view_key)
        recording = recording.parent
    return RecordingView(recording, key.indices, key.ids, key.start_frame, key.end_frame)


def _select_indices(recording: Recording, indices: np.ndarray) -> Recording:
    return _view(recording, ViewKey(indices=indices))


def remove_channels(recording: Recording, remove_channel_ids: Any) -> Recording:
    """A lazy view without ``remove_channel_ids``."""
    removed = recording.ids_to_indices(remove_channel_ids)
    keep = np.setdiff1d(np.arange(recording.get_num_channels()), removed)
    return _select_indices(recording, keep)


def rename_channels(recording: Recording, new_channel_ids: Any) -> Recording:
    """A lazy view with ``new_channel_ids`` (same length, unique); the data are unchanged."""
    ids = as_id_array(new_channel_ids, "new_channel_ids")
    if ids.size != recording.get_num_channels():
        raise ValueError(
            f"{ids.size} new_channel_ids given for {recording.get_num_channels()} channels"
        )
    return _view(recording, ViewKey(ids=ids))


def frame_slice(recording: Recording, start_frame: Any, end_frame: Any) -> Recording:
    """A lazy view of frames ``[start_frame, end_frame)`` of a single-segment recording."""
    if recording.get_num_segments() != 1:
        raise ValueError(
            f"frame_slice needs a single-segment recording; this one has "
            f"{recording.get_num_segments()} segments (use select_segments first)"
        )
    start, end = resolve_frame_range(start_frame, end_frame, recording.get_num_samples())
    return _view(recording, ViewKey(start_frame=start, end_frame=end))


def time_slice(
    recording: Recording, start_time: float | None = None, end_time: float | None = None
) -> Recording:
    """A lazy view between ``start_time`` and ``end_time`` in seconds.

    None means the segment's start or end. Times outside the segment raise naming the time
    and the segment's span.
    """
    if recording.get_num_segments() != 1:
        raise ValueError(
            f"time_slice needs a single-segment recording; this one has "
            f"{recording.get_num_segments()} segments (use select_segments first)"
        )
    n = recording.get_num_samples()
    first, last = recording.get_start_time(), recording.get_start_time() + recording.get_duration()

    def to_frame(time_s: float | None, default: int, name: str) -> int:
        if time_s is None:
            return default
        if not first - 1e-9 <= float(time_s) <= last + 1e-9:
            raise FrameRangeError(
                f"{name} {time_s} s is outside the recording, which spans {first} s to {last} s "
                f"(duration {recording.get_duration()} s)"
            )
        return int(min(max(recording.time_to_sample_index(time_s), 0), n))

    start = to_frame(start_time, 0, "start_time")
    end = to_frame(end_time, n, "end_time")
    return frame_slice(recording, start, end)


@register_kind
class SegmentSelectionRecording(Recording):
    """A lazy view of some segments of a parent, in the order given.

    Parameters
    ----------
    parent : Recording
        The recording viewed.
    segment_indices : list of int
        Segments to keep.
    """

    def __init__(self, parent: Recording, segment_indices: Any) -> None:
        indices = resolve_segment_indices(segment_indices, parent.get_num_segments())
        self._record_argument("segment_indices", indices)
        super().__init__(parent.get_sampling_frequency(), parent.get_channel_ids(),
                         parent.get_dtype())
        self.parent = parent
        for index in indices:
            self.add_segment(
                parent.get_segment(index), parent._t_starts[index],
                parent._time_vectors[index],
            )
        self._copy_metadata_from(parent)


def select_segments(recording: Recording, segment_indices: Any) -> Recording:
    """A lazy view of the segments ``segment_indices`` (an int or a list)."""
    return SegmentSelectionRecording(recording, segment_indices)


def split_by(
    recording: Recording, property: str = "group", outputs: Literal["dict", "list"] = "dict"
) -> Any:
    """One lazy channel selection per distinct value of a channel property.

    Parameters
    ----------
    recording : Recording
    property : str
        A channel property, "group" by default (probe or shank).
    outputs : {"dict", "list"}
        A dict ``{value: recording}`` or a list in order of the values.
    """
    return split_by_property(
        recording.get_property(property), property,
        lambda positions: _select_indices(recording, positions), outputs,
    )
