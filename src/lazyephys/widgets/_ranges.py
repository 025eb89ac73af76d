"""The checks every plot makes on its window: a time range, ids, a segment."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..base.ids import IdIndex
from ..base.validation import resolve_segment_index
from ..errors import FrameRangeError

__all__ = ["check_time_range", "check_ids", "resolve_segment_index"]


def check_time_range(
    time_range: Any, start: float, end: float, default_length: float | None = None
) -> tuple[float, float]:
    """Validate a ``(t0, t1)`` window in seconds against the segment ``[start, end]``.

    ``None`` means the whole segment, or its first ``default_length`` seconds when given.
    A window that reaches outside the segment, is reversed or empty raises
    :class:`~lazyephys.errors.FrameRangeError` naming both.
    """
    if time_range is None:
        if default_length is None:
            return start, end
        return start, min(end, start + default_length)
    try:
        t0, t1 = time_range
    except (TypeError, ValueError):
        raise TypeError(
            f"time_range must be a pair (start, end) in seconds, got {time_range!r}"
        ) from None
    for value in (t0, t1):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"time_range must hold numbers in seconds, got {time_range!r}")
        if not math.isfinite(float(value)):
            raise ValueError(f"time_range must be finite, got {time_range!r}")
    t0, t1 = float(t0), float(t1)
    if not t0 < t1:
        raise FrameRangeError(f"time_range {time_range!r} is empty or reversed (start < end)")
    # the recording's last sample sits one period before its end: allow the window to end
    # anywhere up to the last sample's end, not beyond
    if t0 < start or t1 > end:
        raise FrameRangeError(
            f"time_range {time_range!r} reaches outside the segment, which spans "
            f"[{start:g}, {end:g}] s"
        )
    return t0, t1


def check_ids(requested: Any, available: np.ndarray, kind: str) -> np.ndarray:
    """Positions of ``requested`` ids in ``available``; unknown ids raise naming them."""
    positions = IdIndex(available, f"{kind} id").indices(requested)
    if positions.size == 0:
        raise ValueError(f"{kind}_ids is empty: give at least one {kind} id")
    return positions


def sorting_window(
    sorting: Any, time_range: Any, segment_index: int | None
) -> tuple[int, float, float, int, int]:
    """Resolve a plot window on a sorting: ``(segment, t0, t1, start_frame, end_frame)``.

    Times are the sorting's: its segment's start time (0 unless the sorting knows another,
    for example from a registered recording) plus frames over the sampling frequency. The
    segment ends at its known number of samples, or after its last spike when that is not
    known.
    """
    index = resolve_segment_index(segment_index, sorting.get_num_segments())
    fs = sorting.get_sampling_frequency()
    get_start_time = getattr(sorting, "get_start_time", None)
    start = float(get_start_time(index)) if callable(get_start_time) else 0.0
    num_samples = sorting.known_num_samples(index)
    if num_samples is None:
        vector = sorting.to_spike_vector(concatenated=False)[index]
        num_samples = int(vector["sample_index"].max()) + 1 if vector.size else 1
    end = start + num_samples / fs
    t0, t1 = check_time_range(time_range, start, end)
    first = int(np.clip(np.floor((t0 - start) * fs), 0, num_samples))
    last = int(np.clip(np.ceil((t1 - start) * fs), first, num_samples))
    return index, t0, t1, first, last


def unit_positions(sorting: Any, unit_ids: Any) -> tuple[np.ndarray, np.ndarray]:
    """The unit ids to draw and their positions in the sorting (all units when None)."""
    all_ids = sorting.get_unit_ids()
    if unit_ids is None:
        return all_ids, np.arange(all_ids.size)
    positions = check_ids(unit_ids, all_ids, "unit")
    return all_ids[positions], positions
