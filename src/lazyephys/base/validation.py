"""Small validators shared by every extractor: frames, sampling frequencies, segment indices."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..errors import FrameRangeError, SegmentIndexError

__all__ = [
    "as_frame",
    "as_index_array",
    "as_number_array",
    "check_finite",
    "check_sampling_frequency",
    "check_time_vector",
    "check_traces_dtype",
    "resolve_segment_index",
    "resolve_frame_range",
    "resolve_open_frame_range",
]


def as_frame(value: Any, name: str = "frame") -> int:
    """Return ``value`` as an ``int`` frame.

    Integers and integral floats (``30000.0``) are accepted; ``0.5``, bools, NaN and other
    types raise with the value named.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got the bool {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if math.isfinite(as_float) and as_float.is_integer():
            return int(as_float)
        raise ValueError(f"{name} must be a whole number of samples, got {value!r}")
    raise TypeError(f"{name} must be an integer, got {type(value).__name__}: {value!r}")


def as_index_array(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-d int64 array of whole numbers, or raise naming ``name``.

    Integral floats (``2.0``) are accepted; ``1.5``, NaN, bools and strings are refused
    rather than truncated.

    Examples
    --------
    >>> as_index_array([2, 0.0], "channel_indices").tolist()
    [2, 0]
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be integers, got {values!r}") from err
    if array.dtype.kind in "iu":
        return array.astype(np.int64).reshape(-1)
    if array.dtype.kind == "f":
        whole = np.isfinite(array) & (array == np.round(array)) if array.size else array
        if np.all(whole) and (not array.size or np.abs(array).max() < 2**63):
            return array.astype(np.int64).reshape(-1)
        raise ValueError(f"{name} must be whole numbers, got {values!r}")
    raise TypeError(f"{name} must be integers, got {values!r}")


def as_number_array(values: Any, name: str, finite: bool = True) -> np.ndarray:
    """Return ``values`` as a float64 array, or raise naming ``name``.

    Strings, bools, dicts and ragged lists are refused with the value shown, and so are NaN
    and infinities unless ``finite=False``.

    Examples
    --------
    >>> as_number_array([[1, 2.5]], "weights").tolist()
    [[1.0, 2.5]]
    >>> as_number_array("x", "weights")
    Traceback (most recent call last):
    ...
    TypeError: weights must be an array of numbers, got 'x'
    """
    shown = repr(values)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, got {shown}") from err
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of numbers, got {shown}")
    array = array.astype(np.float64)
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got {shown}")
    return array


def check_sampling_frequency(value: Any) -> float:
    """Return ``value`` as a positive, finite float, or raise naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"sampling_frequency must be a number, got {value!r}")
    freq = float(value)
    if not math.isfinite(freq) or freq <= 0:
        raise ValueError(f"sampling_frequency must be positive and finite, got {value!r}")
    return freq


def check_traces_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a numpy dtype of numbers (integers, unsigned, floats), or raise.

    ``None`` is refused rather than read as float64; object, string, void (``|V0``), datetime
    and zero-size dtypes are refused: traces are numbers.

    Examples
    --------
    >>> check_traces_dtype("int16")
    dtype('int16')
    """
    if dtype is None:
        raise TypeError(f"{name} is required (a numeric numpy dtype such as 'int16'), got None")
    try:
        checked = np.dtype(dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numpy dtype, got {dtype!r}: {err}") from None
    if checked.kind not in "iuf" or checked.itemsize == 0 or checked.fields is not None:
        raise TypeError(
            f"{name} must be an integer or float dtype (traces are numbers), got {dtype!r} "
            f"({checked.str})"
        )
    return checked


def check_finite(value: Any, name: str) -> float:
    """Return ``value`` as a finite float, or raise naming it.

    Examples
    --------
    >>> check_finite(1, "t_start")
    1.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def check_time_vector(times: Any, num_samples: int, segment_index: int) -> np.ndarray:
    """Return ``times`` as a read-only float64 vector, one finite, increasing time per sample.

    Raises naming the segment and the first offending sample.
    """
    try:
        vector = np.array(times, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"times of segment {segment_index} must be numbers: {err}") from None
    if vector.shape != (num_samples,):
        raise ValueError(
            f"times has shape {vector.shape}; segment {segment_index} has {num_samples} samples"
        )
    bad = np.flatnonzero(~np.isfinite(vector))
    if bad.size:
        raise ValueError(
            f"times of segment {segment_index} must be finite: sample {bad[0]} is {vector[bad[0]]}"
        )
    steps = np.flatnonzero(np.diff(vector) <= 0)
    if steps.size:
        i = int(steps[0])
        raise ValueError(
            f"times of segment {segment_index} must be strictly increasing: sample {i + 1} "
            f"({vector[i + 1]}) is not after sample {i} ({vector[i]})"
        )
    vector.flags.writeable = False
    return vector


def resolve_segment_index(segment_index: Any, num_segments: int) -> int:
    """Validate a segment index; ``None`` is allowed only for single-segment objects."""
    if segment_index is None:
        if num_segments == 1:
            return 0
        raise SegmentIndexError(
            f"segment_index is required: this object has {num_segments} segments "
            f"(valid: 0..{num_segments - 1})"
        )
    if isinstance(segment_index, (bool, np.bool_)) or not isinstance(
        segment_index, numbers.Integral
    ):
        raise TypeError(f"segment_index must be an integer, got {segment_index!r}")
    index = int(segment_index)
    if not 0 <= index < num_segments:
        raise SegmentIndexError(
            f"segment_index {segment_index} is out of range: this object has {num_segments} "
            f"segment(s), valid indices are 0..{num_segments - 1}"
        )
    return index


def resolve_open_frame_range(
    start_frame: Any, end_frame: Any, num_samples: int | None, segment_index: int | None = None
) -> tuple[int, int | None]:
    """Validate ``[start_frame, end_frame)`` in a segment whose length may be unknown.

    The one frame-range check of the library: recordings and sortings, reads and slices all
    go through it. ``start_frame`` None means 0; ``end_frame`` None stays None (no bound).
    Negative, reversed or past-the-end frames raise :class:`FrameRangeError` naming the values
    and the valid range (the end is checked only when ``num_samples`` is known).

    Examples
    --------
    >>> resolve_open_frame_range(None, None, None)
    (0, None)
    >>> resolve_open_frame_range(5, None, 10)
    (5, None)
    """
    start = 0 if start_frame is None else as_frame(start_frame, "start_frame")
    end = None if end_frame is None else as_frame(end_frame, "end_frame")
    segment = "the segment" if segment_index is None else f"segment {segment_index}"
    if start < 0:
        valid = "" if num_samples is None else f"; valid frames are 0..{num_samples}"
        raise FrameRangeError(f"start_frame {start} is negative{valid or '; frames start at 0'}")
    if end is not None and start > end:
        raise FrameRangeError(f"start_frame {start} is greater than end_frame {end}")
    if num_samples is not None:
        if end is not None and end > num_samples:
            raise FrameRangeError(
                f"end_frame {end} is past the end of {segment} ({num_samples} samples)"
            )
        if start > num_samples:
            raise FrameRangeError(
                f"start_frame {start} is past the end of {segment} ({num_samples} samples)"
            )
    return start, end


def resolve_frame_range(
    start_frame: Any, end_frame: Any, num_samples: int, segment_index: int | None = None
) -> tuple[int, int]:
    """Validate ``[start_frame, end_frame)`` inside a segment of ``num_samples`` samples.

    ``None`` means the segment's start or end; errors as :func:`resolve_open_frame_range`.

    Examples
    --------
    >>> resolve_frame_range(None, 20, 100)
    (0, 20)
    """
    start, end = resolve_open_frame_range(start_frame, end_frame, num_samples, segment_index)
    return start, num_samples if end is None else end
