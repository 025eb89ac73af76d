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
from .geometry import get_channel_distances, order_channels_by_depth
from .in_memory import NumpyRecording
from .margins import get_chunk_with_margin
from .noise_levels import get_noise_levels
from .random_chunks import get_random_data_chunks
from .segments import select_segment_recording, split_recording
from .shared_memory import SharedMemoryRecording
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

#: SpikeInterface's names of the bases: ``isinstance`` checks and subclasses written for
#: SpikeInterface work unchanged.
BaseRecording = Recording
BaseRecordingSegment = RecordingSegment

__all__ = [
    "Recording",
    "RecordingSegment",
    "BaseRecording",
    "BaseRecordingSegment",
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
    "SharedMemoryRecording",
    "get_channel_distances",
    "get_chunk_with_margin",
    "get_noise_levels",
    "get_random_data_chunks",
    "order_channels_by_depth",
    "select_segment_recording",
    "split_recording",
]
