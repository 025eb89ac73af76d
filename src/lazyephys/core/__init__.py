"""Core objects: the extractor base, recordings, sortings, and their lazy operations."""

import importlib
from typing import Any

from .base import BaseExtractor
from .binary_recording import BinaryRecordingExtractor, read_binary_file
from .errors import (
    FrameRangeError,
    IncompatibleExtractorsError,
    SegmentIndexError,
    UnknownIdError,
)
from .generate import NoiseGeneratorRecording, generate_recording
from .generate_sorting import (
    GeneratedSorting,
    InjectTemplatesRecording,
    generate_ground_truth_recording,
    generate_sorting,
    generate_templates,
)
from .numpy_recording import NumpyRecording
from .numpy_sorting import NumpySorting
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
from .sorting import SPIKE_DTYPE, Sorting, SortingSegment
from .sorting_combine import (
    AppendSegmentSorting,
    ConcatenateSegmentSorting,
    UnitsAggregationSorting,
    aggregate_units,
    append_sortings,
    concatenate_sortings,
)
from .sorting_views import SegmentSelectionSorting, SortingView

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
    "GeneratedSorting",
    "InjectTemplatesRecording",
    "generate_ground_truth_recording",
    "generate_sorting",
    "generate_templates",
    "NumpySorting",
    "SPIKE_DTYPE",
    "Sorting",
    "SortingSegment",
    "AppendSegmentSorting",
    "ConcatenateSegmentSorting",
    "UnitsAggregationSorting",
    "aggregate_units",
    "append_sortings",
    "concatenate_sortings",
    "SegmentSelectionSorting",
    "SortingView",
]

# Familiar import paths: notebooks import these from lazyephys.core. They live in lazyephys.jobs
# and lazyephys.io, which build on the core, so they are looked up on first use.
_ELSEWHERE = {
    "write_binary_recording": "lazyephys.jobs",
    "load": "lazyephys.io",
    "load_extractor": "lazyephys.io",
}


def __getattr__(name: str) -> Any:
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
