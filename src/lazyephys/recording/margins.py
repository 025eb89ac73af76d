"""Reading a window together with the samples around it (margins), for filters and jobs.

Filters and chunked jobs that need context around a window read it through this one helper,
so that margins are handled the same way everywhere: what exists of the margin inside the
segment is read; what falls outside can be left out, padded with zeros, or mirrored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import ALL_CHANNELS, ChannelSelector, RecordingSegment

__all__ = ["get_traces_with_margin", "get_chunk_with_margin"]

_PADDING = ("none", "zeros", "reflect", "odd")


def get_traces_with_margin(
    segment: RecordingSegment,
    start_frame: int,
    end_frame: int,
    channel_selector: ChannelSelector,
    margin: int,
    padding: str = "none",
) -> tuple[np.ndarray, int, int]:
    """Read ``[start_frame - margin, end_frame + margin)`` of a segment, clipped to it.

    Parameters
    ----------
    segment : RecordingSegment
        The segment to read (frames already validated against it).
    start_frame, end_frame : int
        The window wanted.
    channel_selector : slice or array of int
        Channels, as segments take them.
    margin : int
        Samples wanted on each side.
    padding : {"none", "zeros", "reflect", "odd"}
        What to do with the part of a margin outside the segment: leave it out ("none"),
        or pad to the full margin with zeros, with the mirrored signal ("reflect"), or with
        the signal mirrored through the edge sample ("odd": ``2 * x[0] - x[k]``, which
        continues the signal's level and slope, as zero-phase filters expect; integer
        traces come back as floats when odd padding is applied).

    Returns
    -------
    traces : numpy.ndarray
        (time, channel).
    left, right : int
        How many samples of ``traces`` lie before ``start_frame`` and after ``end_frame``;
        ``traces[left : len(traces) - right]`` is the window itself.

    Examples
    --------
    >>> import numpy as np
    >>> from lazyephys.recording.in_memory import ArraySegment
    >>> seg = ArraySegment(np.arange(10.0)[:, None])
    >>> traces, left, right = get_traces_with_margin(seg, 0, 4, slice(None), 3)
    >>> traces.ravel().tolist(), left, right
    ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0, 3)
    """
    if padding not in _PADDING:
        raise ValueError(f"padding must be one of {_PADDING}, got {padding!r}")
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    lo = max(0, start_frame - margin)
    hi = min(segment.num_samples, end_frame + margin)
    traces = segment.get_traces(lo, hi, channel_selector)
    left, right = start_frame - lo, hi - end_frame
    if padding == "none" or (left == margin and right == margin):
        return traces, left, right
    pad_left, pad_right = margin - left, margin - right
    if padding == "zeros":
        padded = np.pad(traces, ((pad_left, pad_right), (0, 0)), mode="constant")
    elif padding == "odd":
        padded = _odd_reflect(traces, pad_left, pad_right)
    else:
        padded = _reflect(traces, pad_left, pad_right)
    return padded, margin, margin


def _reflect(traces: np.ndarray, pad_left: int, pad_right: int) -> np.ndarray:
    # np.pad "reflect" needs at least pad+1 samples; mirror as far as the data allow, then zeros
    n = traces.shape[0]
    usable_left, usable_right = min(pad_left, n - 1), min(pad_right, n - 1)
    out = np.pad(traces, ((usable_left, usable_right), (0, 0)), mode="reflect") if n > 1 else traces
    return np.pad(out, ((pad_left - usable_left, pad_right - usable_right), (0, 0)))


def _odd_reflect(traces: np.ndarray, pad_left: int, pad_right: int) -> np.ndarray:
    # odd mirror through the edge sample as far as the data allow, then the edge value;
    # integers become floats (2 * x[0] - x[k] may not fit in the integer type)
    if traces.dtype.kind in "iub":
        traces = traces.astype(np.result_type(traces.dtype, np.float32))
    n = traces.shape[0]
    if n == 0:
        return np.pad(traces, ((pad_left, pad_right), (0, 0)))
    usable_left, usable_right = min(pad_left, n - 1), min(pad_right, n - 1)
    out = traces
    if n > 1 and (usable_left or usable_right):
        out = np.pad(traces, ((usable_left, usable_right), (0, 0)), mode="reflect",
                     reflect_type="odd")
    return np.pad(out, ((pad_left - usable_left, pad_right - usable_right), (0, 0)), mode="edge")


def get_chunk_with_margin(
    rec_segment: RecordingSegment,
    start_frame: int | None,
    end_frame: int | None,
    channel_indices: Any,
    margin: int,
    add_zeros: bool = False,
    add_reflect_padding: bool = False,
    window_on_margin: bool = False,
    dtype: Any = None,
) -> tuple[np.ndarray, int, int]:
    """A chunk of a segment with ``margin`` samples on each side.

    Parameters
    ----------
    rec_segment : RecordingSegment
        ``recording.get_segment(segment_index)``.
    start_frame, end_frame : int or None
        The chunk (None: the segment's start or end).
    channel_indices : array of int, slice or None
        Channels to read (None: all).
    margin : int
        Samples wanted on each side.
    add_zeros : bool
        Pad the part of a margin outside the segment with zeros (the margins are then
        always ``margin``); otherwise the margins are clipped to the segment.
    add_reflect_padding : bool
        Pad it with the mirrored signal instead.
    window_on_margin : bool
        Taper both margins with a half cosine (needs ``add_zeros``).
    dtype : numpy dtype or None
        Cast the result.

    Returns
    -------
    traces : numpy.ndarray
        (time, channel).
    left_margin, right_margin : int
        Samples of ``traces`` before and after the chunk.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.NumpyRecording(np.arange(10.0)[:, None], sampling_frequency=1.0)
    >>> traces, left, right = get_chunk_with_margin(rec.get_segment(0), 0, 4, None, 2,
    ...                                             add_zeros=True)
    >>> traces.ravel().tolist(), left, right
    ([0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 2, 2)
    """
    if add_zeros and add_reflect_padding:
        raise ValueError("add_zeros and add_reflect_padding are exclusive: choose one padding")
    if window_on_margin and not add_zeros:
        raise ValueError("window_on_margin=True needs add_zeros=True")
    if isinstance(margin, bool) or int(margin) != margin or margin < 0:
        raise ValueError(f"margin must be an int >= 0 (samples), got {margin!r}")
    margin = int(margin)
    length = rec_segment.num_samples
    start = 0 if start_frame is None else int(start_frame)
    end = length if end_frame is None else int(end_frame)
    if not 0 <= start <= end <= length:
        raise ValueError(f"the chunk [{start_frame}, {end_frame}) is not inside the segment's "
                         f"{length} samples")
    selector: Any = ALL_CHANNELS if channel_indices is None else channel_indices
    if isinstance(selector, (list, tuple)):
        selector = np.asarray(selector, dtype=np.int64)
    padding = "zeros" if add_zeros else "reflect" if add_reflect_padding else "none"
    traces, left, right = get_traces_with_margin(rec_segment, start, end, selector, margin,
                                                 padding)
    if dtype is not None:
        traces = traces.astype(dtype, copy=False)
    if window_on_margin and margin > 0:
        taper = ((1 - np.cos(np.arange(margin) / margin * np.pi)) / 2)[:, np.newaxis]
        traces = np.array(traces, dtype=np.result_type(traces.dtype, np.float32))
        traces[:margin] *= taper
        traces[traces.shape[0] - margin :] *= taper[::-1]
    return traces, left, right
