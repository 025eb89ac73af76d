"""The one checked cast of traces to another dtype, used by exports, saves and preprocessing.

No value ever wraps around or overflows silently: a value that does not fit raises
:class:`~lazyephys.errors.DtypeOverflowError` naming the channel, the value and its frame,
unless clipping was asked for (then it is clipped to the dtype's range).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import DtypeOverflowError, JobChunkError

__all__ = ["cast_traces", "overflow_raised_plainly"]


@contextlib.contextmanager
def overflow_raised_plainly() -> Iterator[None]:
    """Re-raise a chunk's :class:`DtypeOverflowError` as itself rather than a chunk failure.

    Every export raises the same error for a value that does not fit, whatever its format.
    """
    try:
        yield
    except JobChunkError as error:
        if isinstance(error.__cause__, DtypeOverflowError):
            raise DtypeOverflowError(str(error)) from error.__cause__
        raise


def _position(
    column: int, row: int, channel_ids: Any, segment_index: int | None, start_frame: int
) -> tuple[str, str]:
    channel = channel_ids[column] if channel_ids is not None else column
    channel = channel.item() if isinstance(channel, np.generic) else channel
    segment = "" if segment_index is None else f" of segment {segment_index}"
    return f"channel {channel!r}", f"frame {start_frame + row}{segment}"


def _overflow(
    traces: np.ndarray, source: np.dtype, mask: np.ndarray, dtype: np.dtype, low: Any, high: Any,
    channel_ids: Any, segment_index: int | None, start_frame: int,
) -> DtypeOverflowError:
    row, column = (int(v[0]) for v in np.nonzero(mask))
    channel, frame = _position(column, row, channel_ids, segment_index, start_frame)
    return DtypeOverflowError(
        f"writing {source} traces as {dtype} would overflow: {channel} has the value "
        f"{traces[row, column]} at {frame}, outside {dtype}'s range [{low}, {high}]; pass "
        "clip=True to clip such values, or use a wider dtype"
    )


def cast_traces(
    traces: np.ndarray,
    dtype: Any,
    clip: bool = False,
    channel_ids: Any = None,
    segment_index: int | None = 0,
    start_frame: int = 0,
    round_values: bool = True,
    in_place: bool = False,
) -> np.ndarray:
    """Cast traces to ``dtype``, refusing to wrap around or overflow silently.

    Floats cast to integers are rounded to the nearest integer (or truncated with
    ``round_values=False``). Values outside the range of ``dtype`` (integers, or floats too
    large for a narrower float) raise :class:`~lazyephys.errors.DtypeOverflowError` naming the
    channel, the value and its frame, unless ``clip=True``. NaN cannot be written as an integer
    and always raises.

    Parameters
    ----------
    traces : numpy.ndarray
        (time, channel).
    dtype : numpy dtype
        The dtype to cast to.
    clip : bool
        Clip out-of-range values instead of raising.
    channel_ids : array or None
        Channel ids named in errors (column indices if None).
    segment_index : int or None
        The segment ``traces`` comes from, for errors (None: not named).
    start_frame : int
        The frame of the first row, for errors.
    round_values : bool
        Round floats to the nearest integer before an integer cast; False truncates.
    in_place : bool
        ``traces`` is a working array that may be modified (saves a temporary).

    Examples
    --------
    >>> import numpy as np
    >>> cast_traces(np.array([[1.6, -2.5]], dtype="float32"), "int16").tolist()
    [[2, -2]]
    >>> cast_traces(np.array([[300]], dtype="int16"), "int8", clip=True).tolist()
    [[127]]
    """
    target = np.dtype(dtype)
    source = traces.dtype
    if source == target:
        return traces
    where = (channel_ids, segment_index, start_frame)
    if target.kind in "iu" and source.kind in "iubf":
        info = np.iinfo(target)
        values = traces
        if source.kind == "f":
            rounding = np.rint if round_values else np.trunc
            values = rounding(traces, out=traces) if in_place else rounding(traces)
            nan = np.isnan(values)
            if nan.any():
                row, column = (int(v[0]) for v in np.nonzero(nan))
                channel, frame = _position(column, row, *where)
                raise DtypeOverflowError(
                    f"{channel} has NaN at {frame}, which {target} cannot hold"
                )
        if not np.can_cast(source, target) and values.size:
            low, high = values.min(axis=0), values.max(axis=0)
            if (low < info.min).any() or (high > info.max).any():
                if not clip:
                    outside = (values < info.min) | (values > info.max)
                    raise _overflow(values, source, outside, target, info.min, info.max, *where)
                if in_place and source.kind == "f":
                    values = np.clip(values, info.min, info.max, out=values)
                else:
                    values = np.clip(values, info.min, info.max)
        return values.astype(target)
    if target.kind == "f" and source.kind in "iubf":
        finfo = np.finfo(target)
        if not np.can_cast(source, target) and traces.size:
            low, high = traces.min(), traces.max()
            if (np.isfinite(low) and low < finfo.min) or (np.isfinite(high) and high > finfo.max):
                magnitude = np.abs(traces.astype(np.float64))
                too_big = np.isfinite(magnitude) & (magnitude > float(finfo.max))
                if not clip:
                    raise _overflow(traces, source, too_big, target, finfo.min, finfo.max, *where)
                return np.clip(traces, finfo.min, finfo.max).astype(target)
        return traces.astype(target)
    raise TypeError(f"cannot cast {source} traces to {target}")
