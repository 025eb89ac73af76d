"""Segments as separate recordings: selecting some, or splitting all into one each."""

from __future__ import annotations

from typing import Any

from .base import Recording
from .views import select_segments

__all__ = ["select_segment_recording", "split_recording"]


def select_segment_recording(recording: Recording, segment_indices: Any) -> Recording:
    """A lazy view of the segments ``segment_indices`` (an int or a list), in that order.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0, 2.0, 3.0])
    >>> select_segment_recording(rec, [2, 0]).get_num_samples(0)
    90000
    """
    return select_segments(recording, segment_indices)


def split_recording(recording: Recording) -> list[Recording]:
    """One lazy single-segment recording per segment.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0, 2.0])
    >>> [r.get_num_samples() for r in split_recording(rec)]
    [30000, 60000]
    """
    return [select_segments(recording, [index]) for index in range(recording.get_num_segments())]
