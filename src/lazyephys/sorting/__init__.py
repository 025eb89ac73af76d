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
from .views import SegmentSelectionSorting, SortingView

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
]
