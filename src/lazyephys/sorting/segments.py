"""Segments of sortings: selecting some, and cutting one segment into the segments of
recordings that were concatenated before sorting."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .base import Sorting
from .combine import append_sortings
from .views import frame_slice, select_segments

__all__ = ["select_segment_sorting", "split_sorting"]


def select_segment_sorting(sorting: Sorting, segment_indices: Any) -> Sorting:
    """A lazy view of the segments ``segment_indices`` (an int or a list), in that order."""
    return select_segments(sorting, segment_indices)


def split_sorting(parent_sorting: Sorting, recording_or_recording_list: Any = None) -> Sorting:
    """Cut a single-segment sorting into one segment per recording segment, in order.

    The inverse of sorting a concatenation: a sorting of ``concatenate_recordings(recs)``
    becomes a sorting with the segments of ``recs``, each segment's frames counted from its
    own start.

    Parameters
    ----------
    parent_sorting : Sorting
        One segment.
    recording_or_recording_list : Recording, list of Recording or None
        The recordings whose segments (in order) give the lengths; None uses the sorting's
        registered recording.

    Returns
    -------
    Sorting
        A lazy sorting with one segment per recording segment.

    Examples
    --------
    >>> import lazyephys as le
    >>> recs = [le.generate_recording(num_channels=1, durations=[d]) for d in (1.0, 2.0)]
    >>> joined = le.generate_sorting(num_units=2, durations=[3.0], seed=0)
    >>> split = split_sorting(joined, recs)
    >>> split.get_num_segments(), split.get_num_samples(1)
    (2, 60000)
    """
    from ..recording.base import Recording

    if parent_sorting.get_num_segments() != 1:
        raise ValueError(f"split_sorting needs a single-segment sorting; this one has "
                         f"{parent_sorting.get_num_segments()} segments")
    if recording_or_recording_list is None:
        if not parent_sorting.has_recording():
            raise ValueError("the sorting has no registered recording: pass "
                             "recording_or_recording_list (the recordings that were joined)")
        recordings = [parent_sorting._recording]
    elif isinstance(recording_or_recording_list, Recording):
        recordings = [recording_or_recording_list]
    else:
        recordings = list(recording_or_recording_list)
    lengths = []
    for recording in recordings:
        if not isinstance(recording, Recording):
            raise TypeError(f"recording_or_recording_list must hold Recordings, got "
                            f"{type(recording).__name__}")
        lengths += [recording.get_num_samples(i) for i in range(recording.get_num_segments())]
    edges = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    known = parent_sorting.known_num_samples(0)
    if known is not None and known != edges[-1]:
        raise ValueError(f"the recordings hold {int(edges[-1])} samples in all, the sorting's "
                         f"segment {known}")
    last = parent_sorting.get_segment(0).last_spike_sample()
    if last >= edges[-1]:
        raise ValueError(f"the sorting has a spike at sample {last}, after the "
                         f"{int(edges[-1])} samples of the recordings")
    pieces = [frame_slice(parent_sorting, int(a), int(b))
              for a, b in itertools.pairwise(edges)]
    return pieces[0] if len(pieces) == 1 else append_sortings(pieces)
