"""Raw buffers mapped from files: the fast path shared by every memory-mapped reader.

A reader that knows where a file's samples are (a path, a dtype, a byte offset and a shape)
maps exactly that region read-only. Slicing the result costs what slicing a numpy memmap
costs, without reopening anything per call.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..base.mapping import map_file
from ..errors import FormatError
from ..recording.base import ChannelSelector, RecordingSegment

__all__ = ["map_raw_buffer", "MappedSegment"]


def map_raw_buffer(
    file_path: str | os.PathLike[str],
    dtype: np.dtype,
    shape: tuple[int, int],
    file_offset: int = 0,
) -> np.ndarray:
    """A read-only array over ``shape`` items of ``dtype`` at ``file_offset`` in a file.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    FormatError
        If the file is shorter than the region (a truncated file).
    """
    path = Path(file_path)
    if not path.is_file():
        raise FileNotFoundError(f"the data file {path} does not exist")
    dtype = np.dtype(dtype)
    count = int(shape[0]) * int(shape[1])
    needed = int(file_offset) + count * dtype.itemsize
    size = path.stat().st_size
    if size < needed:
        raise FormatError(
            f"the data file {path} is truncated: it has {size} bytes, but {shape[0]} x "
            f"{shape[1]} samples of {dtype} from byte {file_offset} need {needed}"
        )
    if count == 0:
        return np.zeros(shape, dtype=dtype)
    start = int(file_offset)
    array = map_file(path)[start:start + count * dtype.itemsize].view(dtype)
    return array.reshape(shape)


class MappedSegment(RecordingSegment):
    """A segment over a (time, channel) array view, usually a mapped file's columns."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        super().__init__(array.shape[0])
        self.array = array

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        return self.array[start_frame:end_frame, channel_selector]
