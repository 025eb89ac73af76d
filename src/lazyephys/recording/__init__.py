"""Recordings: the base class and segment contract, lazy views, combinations, the in-memory
kind, and probes."""

from .base import Recording, RecordingSegment
from .combine import (
    AppendSegmentRecording,
    ChannelsAggregationRecording,
    ConcatenateSegmentRecording,
    aggregate_channels,
    append_recordings,
    concatenate_recordings,
)
from .in_memory import NumpyRecording
from .views import (
    RecordingView,
    SegmentSelectionRecording,
    frame_slice,
    remove_channels,
    rename_channels,
    select_channels,
    select_segments,
    split_by,
    time_slice,
)

__all__ = [
    "Recording",
    "RecordingSegment",
    "AppendSegmentRecording",
    "ChannelsAggregationRecording",
    "ConcatenateSegmentRecording",
    "aggregate_channels",
    "append_recordings",
    "concatenate_recordings",
    "NumpyRecording",
    "RecordingView",
    "SegmentSelectionRecording",
    "frame_slice",
    "remove_channels",
    "rename_channels",
    "select_channels",
    "select_segments",
    "split_by",
    "time_slice",
]
