"""Lazy sample-by-sample steps that keep the dtype: ``clip``, ``blank_saturation``, ``rectify``.

Each output sample depends on its input sample only, so windows equal the whole array
exactly, and integer recordings stay integers (SpikeInterface does the same).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.casting import cast_traces
from ..base.provenance import register_kind
from ..errors import DtypeOverflowError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ..recording.random_chunks import get_random_data_chunks
from ._base import PreprocessorSegment, init_from_parent

__all__ = [
    "ClipRecording",
    "BlankSaturationRecording",
    "RectifyRecording",
    "clip",
    "blank_saturation",
    "rectify",
]

Direction = Literal["upper", "lower", "both"]


def _value_in(value: float | None, dtype: np.dtype, name: str) -> Any:
    """``value`` as a scalar of ``dtype``; a value an integer dtype cannot hold raises."""
    if value is None:
        return None
    number = float(value)
    if not np.isfinite(number) and dtype.kind in "iu":
        raise ValueError(f"{name}={value!r} cannot be written in {dtype} traces")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= round(number) <= info.max:
            raise DtypeOverflowError(
                f"{name}={value!r} is outside the range of the recording's dtype {dtype} "
                f"[{info.min}, {info.max}]"
            )
        return dtype.type(round(number))
    return dtype.type(number)


class ReplaceBeyondSegment(PreprocessorSegment):
    """Samples ``<= low`` become ``low_value`` and samples ``>= high`` become ``high_value``."""

    __slots__ = ("high", "high_value", "low", "low_value")

    def __init__(self, parent: RecordingSegment, num_channels: int, low: Any, low_value: Any,
                 high: Any, high_value: Any) -> None:
        super().__init__(parent, num_channels)
        self.low, self.low_value, self.high, self.high_value = low, low_value, high, high_value

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = np.array(self.parent.get_traces(start_frame, end_frame, channel_selector))
        if self.low is not None:
            traces[traces <= self.low] = self.low_value
        if self.high is not None:
            traces[traces >= self.high] = self.high_value
        return traces


@register_kind
class ClipRecording(Recording):
    """Traces limited to ``[a_min, a_max]`` (see :func:`clip`)."""

    def __init__(self, recording: Recording, a_min: float | None = None,
                 a_max: float | None = None) -> None:
        dtype = recording.get_dtype()
        if a_min is not None and a_max is not None and float(a_min) > float(a_max):
            raise ValueError(f"a_min ({a_min}) must not be above a_max ({a_max})")
        low, high = _value_in(a_min, dtype, "a_min"), _value_in(a_max, dtype, "a_max")
        n = recording.get_num_channels()
        init_from_parent(self, recording, dtype,
                         lambda seg: ReplaceBeyondSegment(seg, n, low, low, high, high))
        self.parent = recording


@register_kind
class BlankSaturationRecording(Recording):
    """Saturated samples replaced by a fill value (see :func:`blank_saturation`)."""

    def __init__(
        self,
        recording: Recording,
        abs_threshold: float | None = None,
        quantile_threshold: float | None = None,
        direction: Direction = "upper",
        fill_value: float | None = None,
        num_chunks_per_segment: int = 50,
        chunk_size: int = 500,
        seed: int | None = 0,
    ) -> None:
        if direction not in ("upper", "lower", "both"):
            raise ValueError(f"direction must be 'upper', 'lower' or 'both', got {direction!r}")
        if abs_threshold is None and quantile_threshold is None:
            raise ValueError("give abs_threshold (a value) or quantile_threshold (in [0, 1])")
        if abs_threshold is None and not 0 <= float(quantile_threshold) <= 1:  # type: ignore[arg-type]
            raise ValueError(f"quantile_threshold must be in [0, 1], got {quantile_threshold!r}")
        data = np.zeros(0)
        if fill_value is None or abs_threshold is None:
            data = np.asarray(get_random_data_chunks(
                recording, num_chunks_per_segment=num_chunks_per_segment, chunk_size=chunk_size,
                seed=seed))
        if fill_value is None:
            fill_value = float(np.median(data))
            self._record_argument("fill_value", fill_value)
        low = high = None
        if abs_threshold is None:
            q = float(quantile_threshold)  # type: ignore[arg-type]
            lower_q, upper_q = np.quantile(data, [q, 1 - q])
            low = float(lower_q) if direction in ("lower", "both") else None
            high = float(upper_q) if direction in ("upper", "both") else None
        else:
            threshold = float(abs_threshold)
            low = {"lower": threshold, "both": -threshold}.get(direction)
            high = threshold if direction in ("upper", "both") else None
        dtype = recording.get_dtype()
        value = _value_in(fill_value, dtype, "fill_value")
        n = recording.get_num_channels()
        low_value = None if low is None else value
        high_value = None if high is None else value
        init_from_parent(self, recording, dtype,
                         lambda seg: ReplaceBeyondSegment(seg, n, low, low_value, high,
                                                          high_value))
        self.parent = recording


class RectifySegment(PreprocessorSegment):
    """Absolute values; the most negative integer, which has none in its dtype, raises."""

    __slots__ = ("dtype",)

    def __init__(self, parent: RecordingSegment, num_channels: int, dtype: np.dtype) -> None:
        super().__init__(parent, num_channels)
        self.dtype = dtype

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, channel_selector)
        if self.dtype.kind == "i" and traces.size and traces.min() == np.iinfo(self.dtype).min:
            wide = np.abs(traces.astype(np.int64))
            return cast_traces(wide, self.dtype, segment_index=None, start_frame=start_frame)
        return np.abs(traces)


@register_kind
class RectifyRecording(Recording):
    """Absolute values of the traces (see :func:`rectify`)."""

    def __init__(self, recording: Recording) -> None:
        dtype = recording.get_dtype()
        n = recording.get_num_channels()
        init_from_parent(self, recording, dtype, lambda seg: RectifySegment(seg, n, dtype))
        self.parent = recording


def clip(recording: Recording, a_min: float | None = None,
         a_max: float | None = None) -> ClipRecording:
    """Limit the traces to ``[a_min, a_max]`` lazily (the dtype is kept).

    Parameters
    ----------
    recording : Recording
    a_min, a_max : float or None
        Bounds, in the recording's units; None leaves that side alone. Integer recordings
        take the bounds rounded to integers.

    Returns
    -------
    ClipRecording
        Exact (equal to ``np.clip`` on the whole array) and equal to SpikeInterface 0.105.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import clip
    >>> rec = le.NumpyRecording(np.array([[-5.0], [0.5], [7.0]], "float32"), 1000.0)
    >>> clip(rec, a_min=-1, a_max=2).get_traces().ravel().tolist()
    [-1.0, 0.5, 2.0]
    """
    return ClipRecording(recording, a_min, a_max)


def blank_saturation(
    recording: Recording,
    abs_threshold: float | None = None,
    quantile_threshold: float | None = None,
    direction: Direction = "upper",
    fill_value: float | None = None,
    num_chunks_per_segment: int = 50,
    chunk_size: int = 500,
    seed: int | None = 0,
) -> BlankSaturationRecording:
    """Replace saturated samples (at or beyond a threshold) by a fill value, lazily.

    Parameters
    ----------
    recording : Recording
    abs_threshold : float or None
        The threshold; with ``direction="both"``, ``-abs_threshold`` is the lower one.
    quantile_threshold : float or None
        Without ``abs_threshold``: thresholds at the ``quantile_threshold`` and
        ``1 - quantile_threshold`` quantiles of seeded random chunks.
    direction : {"upper", "lower", "both"}
    fill_value : float or None
        None takes the median of the random chunks (written into the provenance).
    num_chunks_per_segment, chunk_size, seed
        The random chunks.

    Returns
    -------
    BlankSaturationRecording
        Exact in windows; equal to SpikeInterface 0.105 for the same thresholds and fill
        value (its random chunks are drawn differently, so estimates may differ slightly).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import blank_saturation
    >>> rec = le.NumpyRecording(np.array([[1.0], [9.0], [-9.0]], "float32"), 1000.0)
    >>> blank_saturation(rec, abs_threshold=8, direction="both", fill_value=0).get_traces().ravel()
    array([1., 0., 0.], dtype=float32)
    """
    return BlankSaturationRecording(recording, abs_threshold, quantile_threshold, direction,
                                    fill_value, num_chunks_per_segment, chunk_size, seed)


def rectify(recording: Recording) -> RectifyRecording:
    """Absolute values of the traces, lazily (the dtype is kept).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import rectify
    >>> rec = le.NumpyRecording(np.array([[-3], [2]], "int16"), 1000.0)
    >>> rectify(rec).get_traces().ravel().tolist()
    [3, 2]
    """
    return RectifyRecording(recording)
