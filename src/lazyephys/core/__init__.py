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

# Sortings: the spike-vector core, in-memory and generated kinds, views and combinations.
from .generate_sorting import (
    GeneratedSorting,
    InjectTemplatesRecording,
    generate_ground_truth_recording,
    generate_sorting,
    generate_templates,
)
from .numpy_sorting import NumpySorting
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

__all__ += [
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

# The tutorial imports load_extractor from lazyephys.core; loading lives in lazyephys.io,
# imported last because it builds on everything above.
from ..io.load import load, load_extractor  # noqa: E402

__all__ += ["load", "load_extractor"]
