"""What every preprocessing step shares: building from a parent, dtypes, and the output cast.

A preprocessing step is a Recording over a parent recording. It keeps the parent's channel
ids, properties (the probe included), annotations and times, and has one segment per parent
segment that holds the parent segment and transforms what it reads.

Dtypes: integer inputs are computed in float32 (float64 inputs in float64). With ``dtype=None``
each step gives what SpikeInterface 0.105 gives: every step that transforms traces (filters,
references, phase shift, resampling, destriping, interpolation, artifact removal, ...) keeps
the input's dtype, so an int16 recording stays int16 and its saved result does not double in
size (:func:`keep_input_dtype`); the steps that change units or scale (``scale``,
``scale_to_uV``, ``center``, ``zscore``, ``normalize_by_quantile``, ``whiten``,
``average_across_direction``) give float32 for integer inputs (:func:`resolve_output_dtype`).
Casting to an integer dtype rounds to the nearest integer and raises
:class:`~lazyephys.errors.DtypeOverflowError` if a value does not fit, unless clipping was
asked for.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np

from ..base.casting import cast_traces
from ..base.validation import check_traces_dtype
from ..recording.base import (
    ChannelSelector,
    Recording,
    RecordingSegment,
    channel_indices_of,
)

__all__ = [
    "WindowTransformSegment",
    "PreprocessorSegment",
    "init_from_parent",
    "resolve_output_dtype",
    "keep_input_dtype",
    "working_dtype",
    "as_work_array",
    "selected_count",
    "add_line",
    "detrend",
]


class PreprocessorSegment(RecordingSegment):
    """A segment that reads its parent segment and transforms the traces."""

    __slots__ = ("num_channels", "parent")

    def __init__(self, parent: RecordingSegment, num_channels: int) -> None:
        super().__init__(parent.num_samples)
        self.parent = parent
        self.num_channels = num_channels

    def channel_indices(self, selector: ChannelSelector) -> np.ndarray:
        """The int64 channel positions a selector names."""
        return channel_indices_of(selector, self.num_channels)


class WindowTransformSegment(PreprocessorSegment):
    """A segment that computes each window in a working dtype and casts it to its output dtype.

    Subclasses implement :meth:`transform` for non-empty windows; empty windows and the checked
    cast to the output dtype are handled here, once.
    """

    __slots__ = ("dtype", "work")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, dtype: np.dtype, work: np.dtype
    ) -> None:
        super().__init__(parent, num_channels)
        self.dtype = dtype
        self.work = work

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        if end_frame == start_frame:
            return np.empty((0, selected_count(channel_selector, self.num_channels)), self.dtype)
        out = self.transform(start_frame, end_frame, channel_selector)
        return cast_traces(out, self.dtype, segment_index=None, start_frame=start_frame,
                           in_place=True)

    @abstractmethod
    def transform(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        """The non-empty window ``[start_frame, end_frame)``, in any floating dtype."""


def init_from_parent(
    recording: Recording,
    parent: Recording,
    dtype: np.dtype,
    make_segment: Callable[[RecordingSegment], RecordingSegment],
) -> None:
    """Initialise ``recording`` as a step over ``parent``: same ids, metadata and times.

    ``make_segment`` builds one of the step's segments from a parent segment.
    """
    Recording.__init__(recording, parent.get_sampling_frequency(), parent.get_channel_ids(), dtype)
    recording.add_segments_over(parent, lambda segment, _index: make_segment(segment))
    parent.copy_metadata(recording)


def resolve_output_dtype(parent_dtype: np.dtype, dtype: Any) -> np.dtype:
    """The output dtype: ``dtype`` if given, else the parent's if float, else float32."""
    if dtype is not None:
        return check_traces_dtype(dtype)
    parent_dtype = np.dtype(parent_dtype)
    return parent_dtype if parent_dtype.kind == "f" else np.dtype(np.float32)


def keep_input_dtype(parent_dtype: np.dtype, dtype: Any, step: str) -> np.dtype:
    """The output dtype of a step whose default keeps the input's dtype (see the module).

    ``dtype`` if given; else the parent's, so that int16 recordings stay int16 (rounded, with
    the overflow check of the cast) and saved results do not double in size. Unsigned inputs
    have no signed result of the same dtype: they need ``dtype=`` or ``unsigned_to_signed``.
    """
    if dtype is not None:
        return resolve_output_dtype(parent_dtype, dtype)
    parent_dtype = np.dtype(parent_dtype)
    if parent_dtype.kind == "u":
        raise ValueError(
            f"{step} of {parent_dtype} traces: the result is signed, so it cannot keep the "
            "unsigned input dtype; pass dtype='float32' (or 'int16'), or apply "
            "unsigned_to_signed first"
        )
    if parent_dtype.kind not in "if":
        raise TypeError(f"{step} needs integer or float traces, got {parent_dtype}")
    return parent_dtype


def working_dtype(parent_dtype: np.dtype, output_dtype: np.dtype) -> np.dtype:
    """float64 when the input or output is float64 (or wider), float32 otherwise."""
    for dt in (np.dtype(parent_dtype), np.dtype(output_dtype)):
        if dt.kind == "f" and dt.itemsize >= 8:
            return np.dtype(np.float64)
    return np.dtype(np.float32)


def as_work_array(traces: np.ndarray, work: np.dtype) -> np.ndarray:
    """``traces`` as a C-contiguous array of ``work`` dtype that may be changed in place.

    Segments return copies or read-only views, so a writeable array of the right dtype is
    already ours and is used without another copy.
    """
    if traces.dtype == work and traces.flags.writeable and traces.flags.c_contiguous:
        return traces
    return np.array(traces, dtype=work, order="C", copy=True)


def selected_count(selector: ChannelSelector, num_channels: int) -> int:
    """How many channels a selector names."""
    if isinstance(selector, slice):
        return len(range(*selector.indices(num_channels)))
    return int(selector.size)


_ROWS = 4096  # rows per block when adding a line to a window: keeps temporaries small


def add_line(
    traces: np.ndarray, first_row: int, level: np.ndarray, slope: np.ndarray, sign: float
) -> None:
    """``traces[i] += sign * (level + slope * (first_row + i))`` for every row, in place."""
    dtype = traces.dtype
    level = (sign * level).astype(dtype)
    slope = (sign * slope).astype(dtype)
    for lo in range(0, traces.shape[0], _ROWS):
        hi = min(lo + _ROWS, traces.shape[0])
        rows = np.arange(first_row + lo, first_row + hi, dtype=dtype)[:, None]
        traces[lo:hi] += rows * slope + level


def detrend(block: np.ndarray, edge: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Subtract (in place) the line joining the means of a window's first and last samples.

    Returns ``(level, slope)`` (float64, per channel): the line removed was
    ``level + slope * row``. Spectral methods then see no jump where the window wraps around,
    and large offsets or drifts cost no float32 precision.
    """
    length = block.shape[0]
    edge = min(edge, length)
    head = block[:edge].mean(axis=0, dtype=np.float64)
    tail = block[length - edge :].mean(axis=0, dtype=np.float64)
    span = length - edge
    slope = (tail - head) / span if span > 0 else np.zeros_like(head)
    level = head - slope * ((edge - 1) / 2)
    add_line(block, 0, level, slope, -1.0)
    return level, slope
