"""The one checked cast of traces to another dtype, used by exports, saves and preprocessing.

No value ever wraps around or overflows silently: a value that does not fit raises
:class:`~lazyephys.errors.DtypeOverflowError` naming the channel, the value and its frame,
unless clipping was asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DtypeOverflowError

__all__ = ["cast_traces"]


def _overflow_message(
    traces: np.ndarray, column: int, row: int, dtype: np.dtype, low: Any, high: Any,
    channel_ids: Any, segment_index: int, start_frame: int,
) -> str:
    channel = channel_ids[column] if channel_ids is not None else column
    channel = channel.item() if isinstance(channel, np.generic) else channel
    value = traces[row, column]
    return (
        f"writing {traces.dtype} traces as {dtype} would overflow: channel {channel!r} has the "
        f"value {value} at frame {start_frame + row} of segment {segment_index}, outside "
        f"{dtype}'s range [{low}, {high}]; pass clip=True to clip such values, or write a "
        "wider dtype"
    )


def cast_traces(
    traces: np.ndarray,
    dtype: Any,
    clip: bool = False,
    channel_ids: Any = None,
    segment_index: int = 0,
    start_frame: int = 0,
) -> np.ndarray:
    """Cast traces to ``dtype``, refusing to wrap around or overflow silently.

    Floats cast to integers are rounded to the nearest integer. Values outside the range of
    ``dtype`` raise :class:`~lazyephys.jobs.errors.DtypeOverflowError` naming the channel, the
    value and its frame, unless ``clip=True`` (then they are clipped to the range). NaN cannot
    be written as an integer and always raises.

    Parameters
    ----------
    traces : numpy.ndarray
        (time, channel).
    dtype : numpy dtype
        The dtype to write.
    clip : bool
        Clip out-of-range values instead of raising.
    channel_ids : array or None
        Channel ids named in errors (column indices if None).
    segment_index, start_frame : int
        Where ``traces`` starts, for errors.

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
    if target.kind in "iu" and source.kind in "iubf":
        info = np.iinfo(target)
        values = traces
        if source.kind == "f":
            values = np.rint(traces)
            nan = np.isnan(values)
            if nan.any():
                row, column = (int(v[0]) for v in np.nonzero(nan))
                channel = channel_ids[column] if channel_ids is not None else column
                channel = channel.item() if isinstance(channel, np.generic) else channel
                raise DtypeOverflowError(
                    f"channel {channel!r} has NaN at frame {start_frame + row} of segment "
                    f"{segment_index}, which {target} cannot hold"
                )
        if not np.can_cast(source, target) and values.size:
            low_values, high_values = values.min(axis=0), values.max(axis=0)
            below, above = low_values < info.min, high_values > info.max
            if below.any() or above.any():
                if not clip:
                    column = int(np.flatnonzero(below | above)[0])
                    series = values[:, column]
                    row = int(np.flatnonzero((series < info.min) | (series > info.max))[0])
                    raise DtypeOverflowError(_overflow_message(
                        traces, column, row, target, info.min, info.max, channel_ids,
                        segment_index, start_frame,
                    ))
                values = np.clip(values, info.min, info.max)
        return values.astype(target)
    if target.kind == "f" and source.kind in "iuf":
        finfo = np.finfo(target)
        if not np.can_cast(source, target) and traces.size:
            magnitude = np.abs(traces.astype(np.float64))
            too_big = np.isfinite(magnitude) & (magnitude > float(finfo.max))
            if too_big.any():
                if not clip:
                    row, column = (int(v[0]) for v in np.nonzero(too_big))
                    raise DtypeOverflowError(_overflow_message(
                        traces, column, row, target, finfo.min, finfo.max, channel_ids,
                        segment_index, start_frame,
                    ))
                return np.clip(traces, finfo.min, finfo.max).astype(target)
        return traces.astype(target)
    raise TypeError(f"cannot write {source} traces as {target}")
