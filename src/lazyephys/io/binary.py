"""Recordings over raw binary files, memory-mapped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..base.mapping import map_file
from ..base.provenance import register_kind
from ..base.validation import check_traces_dtype
from ..errors import FormatError
from ..recording.base import ChannelSelector, Recording, RecordingSegment

__all__ = ["BinaryRecordingExtractor", "read_binary", "read_binary_file"]


def read_binary_file(
    file_path: str | os.PathLike[str], dtype: Any, num_channels: int, file_offset: int = 0,
    time_axis: int = 0,
) -> np.ndarray:
    """Memory-map a raw file as a read-only array, (time, channel) or (channel, time).

    The array is a plain ``numpy.ndarray`` over an ``mmap`` (not ``numpy.memmap``), so that
    slicing it costs what slicing any array costs.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file does not hold a whole number of frames after ``file_offset``, or is not a
        regular file (a :class:`~lazyephys.errors.FormatError`).
    """
    path = Path(file_path)
    if not path.is_file():
        if path.exists():
            raise FormatError(
                f"the raw file {path} is not a regular file (a device, folder or pipe cannot be "
                "memory-mapped as a recording)"
            )
        raise FileNotFoundError(f"the raw file {path} does not exist")
    dtype = check_traces_dtype(dtype)
    frame_bytes = dtype.itemsize * num_channels
    size = path.stat().st_size
    data_bytes = size - file_offset
    if data_bytes < 0 or data_bytes % frame_bytes:
        raise ValueError(
            f"the raw file {path} is {size} bytes: after the {file_offset}-byte offset that is "
            f"not a whole number of frames of {frame_bytes} bytes ({num_channels} channels of "
            f"{dtype}); the file is truncated, or num_channels/dtype/file_offset is wrong"
        )
    num_samples = data_bytes // frame_bytes
    shape = (num_samples, num_channels) if time_axis == 0 else (num_channels, num_samples)
    if num_samples == 0:
        return np.zeros(shape, dtype=dtype)
    mapped = map_file(path)  # keeps no file descriptor open
    count = num_samples * num_channels * dtype.itemsize
    array = mapped[file_offset:file_offset + count].view(dtype)
    return array.reshape(shape)


class BinarySegment(RecordingSegment):
    """A segment over a memory-mapped raw file; it describes its buffer for fast copies."""

    __slots__ = ("array", "file_offset", "file_path", "time_axis")

    def __init__(self, file_path: Path, dtype: np.dtype, num_channels: int, file_offset: int,
                 time_axis: int) -> None:
        self.array = read_binary_file(file_path, dtype, num_channels, file_offset, time_axis)
        super().__init__(self.array.shape[0] if time_axis == 0 else self.array.shape[1])
        self.file_path = file_path
        self.file_offset = file_offset
        self.time_axis = time_axis

    def binary_description(self) -> dict[str, Any]:
        return {"file_path": self.file_path, "dtype": self.array.dtype.str,
                "num_channels": self.array.shape[1 - self.time_axis],
                "time_axis": self.time_axis, "file_offset": self.file_offset}

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        if self.time_axis == 0:
            return self.array[start_frame:end_frame, channel_selector]
        return self.array[channel_selector, start_frame:end_frame].T


@register_kind
class BinaryRecordingExtractor(Recording):
    """A recording over raw binary files, one per segment, memory-mapped.

    Parameters
    ----------
    file_paths : str, Path or list of them
        One raw file per segment.
    sampling_frequency : float
        In Hz.
    dtype : numpy dtype
        The sample type in the files.
    num_channels : int
        Channels per frame.
    t_starts : list of float or None
        Time of each segment's first sample.
    channel_ids : list or None
        Defaults to ``0..num_channels-1``.
    time_axis : {0, 1}
        0 for (time, channel) files (interleaved frames), 1 for (channel, time).
    file_offset : int
        Bytes of header to skip at the start of every file.
    gain_to_uV, offset_to_uV : float, array or None
        Scaling to microvolts.
    is_filtered : bool or None
        Recorded as an annotation.

    Examples
    --------
    >>> rec = BinaryRecordingExtractor("traces.raw", 30000.0, "int16", 384)  # doctest: +SKIP
    """

    _path_arguments = ("file_paths",)

    def __init__(
        self,
        file_paths: str | os.PathLike[str] | list[str | os.PathLike[str]],
        sampling_frequency: float,
        dtype: Any,
        num_channels: int,
        t_starts: list[float] | None = None,
        channel_ids: Any = None,
        time_axis: int = 0,
        file_offset: int = 0,
        gain_to_uV: Any = None,
        offset_to_uV: Any = None,
        is_filtered: bool | None = None,
    ) -> None:
        paths = [file_paths] if isinstance(file_paths, (str, os.PathLike)) else list(file_paths)
        if not paths:
            raise ValueError("file_paths is empty: give one raw file per segment")
        if isinstance(num_channels, bool) or not isinstance(num_channels, (int, np.integer)):
            raise TypeError(f"num_channels must be an integer, got {num_channels!r}")
        if num_channels <= 0:
            raise ValueError(f"num_channels must be positive, got {num_channels}")
        if time_axis not in (0, 1):
            raise ValueError(f"time_axis must be 0 or 1, got {time_axis!r}")
        if int(file_offset) < 0:
            raise ValueError(f"file_offset must be >= 0, got {file_offset}")
        if t_starts is not None and len(t_starts) != len(paths):
            raise ValueError(f"{len(t_starts)} t_starts given for {len(paths)} files")
        if channel_ids is None:
            channel_ids = np.arange(num_channels, dtype=np.int64)
        super().__init__(sampling_frequency, channel_ids, dtype)
        if self.get_num_channels() != num_channels:
            raise ValueError(
                f"{self.get_num_channels()} channel_ids given for num_channels={num_channels}"
            )
        self._record_argument("file_paths", [Path(p) for p in paths])
        for i, path in enumerate(paths):
            segment = BinarySegment(Path(path), self._dtype, int(num_channels), int(file_offset),
                                    time_axis)
            self.add_segment(segment, None if t_starts is None else t_starts[i])
        if gain_to_uV is not None:
            self.set_channel_gains(gain_to_uV)
        if offset_to_uV is not None:
            self.set_channel_offsets(offset_to_uV)
        elif gain_to_uV is not None:
            self.set_channel_offsets(0.0)
        if is_filtered is not None:
            self.annotate(is_filtered=bool(is_filtered))


def read_binary(
    file_paths: str | os.PathLike[str] | list[str | os.PathLike[str]],
    sampling_frequency: float,
    dtype: Any,
    num_channels: int,
    t_starts: list[float] | None = None,
    channel_ids: Any = None,
    time_axis: int = 0,
    file_offset: int = 0,
    gain_to_uV: Any = None,
    offset_to_uV: Any = None,
    is_filtered: bool | None = None,
) -> BinaryRecordingExtractor:
    """Open raw binary files as a memory-mapped recording (see
    :class:`BinaryRecordingExtractor`).

    Examples
    --------
    >>> rec = read_binary("traces.raw", 30000.0, "int16", num_channels=384)  # doctest: +SKIP
    """
    return BinaryRecordingExtractor(file_paths, sampling_frequency, dtype, num_channels,
                                    t_starts, channel_ids, time_axis, file_offset, gain_to_uV,
                                    offset_to_uV, is_filtered)
