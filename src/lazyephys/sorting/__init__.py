"""Sortings: the base class and segment contract over spike vectors, lazy views,
combinations and the in-memory kind."""

from .base import SPIKE_DTYPE, Sorting, SortingSegment
from .combine import (
    AppendSegmentSorting,
    ConcatenateSegmentSorting,
    UnitsAggregationSorting,
    aggregate_units,
    append_sortings,
    concatenate_sortings,
)
from .in_memory import NumpySorting
from .segments import select_segment_sorting, split_sorting
from .shared_memory import SharedMemorySorting
from .spike_trains import spike_vector_to_spike_trains
from .views import SegmentSelectionSorting, SortingView

#: SpikeInterface's names of the bases: ``isinstance`` checks and subclasses written for
#: SpikeInterface work unchanged.
BaseSorting = Sorting
BaseSortingSegment = SortingSegment

__all__ = [
    "SPIKE_DTYPE",
    "Sorting",
    "SortingSegment",
    "AppendSegmentSorting",
    "ConcatenateSegmentSorting",
    "UnitsAggregationSorting",
    "aggregate_units",
    "append_sortings",
    "concatenate_sortings",
    "NumpySorting",
    "SegmentSelectionSorting",
    "SortingView",
    "BaseSorting",
    "BaseSortingSegment",
    "SharedMemorySorting",
    "select_segment_sorting",
    "spike_vector_to_spike_trains",
    "split_sorting",
]
