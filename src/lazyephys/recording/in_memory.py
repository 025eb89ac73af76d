"""Recordings held in memory as numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from .base import ChannelSelector, Recording, RecordingSegment

__all__ = ["NumpyRecording"]


class ArraySegment(RecordingSegment):
    """A segment over a read-only (time, channel) array.

    Parameters
    ----------
    traces : numpy.ndarray
        Read-only.
    writable_copies : bool
        Return writable copies (SpikeInterface's in-memory recordings return arrays the
        caller may change); otherwise read-only views (shared memory, as SpikeInterface's).
    """

    __slots__ = ("traces", "writable_copies")

    def __init__(self, traces: np.ndarray, writable_copies: bool = False) -> None:
        super().__init__(traces.shape[0])
        self.traces = traces
        self.writable_copies = writable_copies

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        window = self.traces[start_frame:end_frame, channel_selector]
        if self.writable_copies and not window.flags.writeable:
            return window.copy()
        return window


@register_kind
class NumpyRecording(Recording):
    """A recording over in-memory arrays, one (time, channel) array per segment.

    Parameters
    ----------
    traces_list : numpy.ndarray or list of numpy.ndarray
        One 2-d array per segment (a single array means one segment).
    sampling_frequency : float
        In Hz.
    channel_ids : list or None
        Defaults to the integers ``0..n-1``.
    t_starts : list of float or None
        Time of each segment's first sample.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.NumpyRecording([np.zeros((100, 3), "int16")], sampling_frequency=1000.0)
    >>> rec.get_num_channels(), rec.get_num_samples()
    (3, 100)
    """

    _holds_data_in_memory = True

    def __init__(
        self,
        traces_list: Any,
        sampling_frequency: float,
        channel_ids: Any = None,
        t_starts: list[float] | None = None,
    ) -> None:
        if isinstance(traces_list, np.ndarray):
            traces_list = [traces_list]
        arrays = [np.asarray(t) for t in traces_list]
        if not arrays:
            raise ValueError("traces_list is empty: give at least one (time, channel) array")
        for i, arr in enumerate(arrays):
            if arr.ndim != 2:
                raise ValueError(f"traces_list[{i}] must be (time, channel), got shape {arr.shape}")
        num_channels = arrays[0].shape[1]
        dtype = arrays[0].dtype
        for i, arr in enumerate(arrays):
            if arr.shape[1] != num_channels:
                raise ValueError(
                    f"traces_list[{i}] has {arr.shape[1]} channels, segment 0 has {num_channels}"
                )
            if arr.dtype != dtype:
                raise ValueError(f"traces_list[{i}] has dtype {arr.dtype}, segment 0 has {dtype}")
        if channel_ids is None:
            channel_ids = np.arange(num_channels, dtype=np.int64)
        super().__init__(sampling_frequency, channel_ids, dtype)
        if self.get_num_channels() != num_channels:
            raise ValueError(
                f"{self.get_num_channels()} channel_ids given for {num_channels} channels"
            )
        if t_starts is not None and len(t_starts) != len(arrays):
            raise ValueError(f"{len(t_starts)} t_starts given for {len(arrays)} segments")
        for i, arr in enumerate(arrays):
            readonly = arr.view()
            readonly.flags.writeable = False
            self.add_segment(ArraySegment(readonly, writable_copies=True),
                             None if t_starts is None else t_starts[i])
