"""Core objects: the extractor base, recordings, sortings, and their lazy operations."""

from .base import BaseExtractor
from .binary_recording import BinaryRecordingExtractor, read_binary_file
from .errors import (
    FrameRangeError,
    IncompatibleExtractorsError,
    SegmentIndexError,
    UnknownIdError,
)
from .generate import NoiseGeneratorRecording, generate_recording
from .numpy_recording import NumpyRecording
from .provenance import get_registered_kinds, register_kind
from .recording import Recording, RecordingSegment
from .recording_combine import (
    AppendSegmentRecording,
    ChannelsAggregationRecording,
    ConcatenateSegmentRecording,
    aggregate_channels,
    append_recordings,
    concatenate_recordings,
)
from .recording_views import (
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
    "BaseExtractor",
    "BinaryRecordingExtractor",
    "read_binary_file",
    "FrameRangeError",
    "IncompatibleExtractorsError",
    "SegmentIndexError",
    "UnknownIdError",
    "NoiseGeneratorRecording",
    "generate_recording",
    "NumpyRecording",
    "get_registered_kinds",
    "register_kind",
    "Recording",
    "RecordingSegment",
    "AppendSegmentRecording",
    "ChannelsAggregationRecording",
    "ConcatenateSegmentRecording",
    "aggregate_channels",
    "append_recordings",
    "concatenate_recordings",
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

# Familiar import path (``from lazyephys.core import write_binary_recording``); the export
# itself lives with the chunked executor in lazyephys.jobs.
from ..jobs.write_binary import write_binary_recording  # noqa: E402
