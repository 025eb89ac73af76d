"""Intan RHD files with the header attached: the data blocks mapped directly.

Facts of Intan's RHD2000 file format: after a header of fixed fields, three notes, a
temperature-sensor count (format 1.1+), a board mode (1.3+), a reference-channel name (2.0+)
and the signal groups with their channels, the file is a run of identical blocks. A block
holds ``B`` samples (60, or 128 from format 2.0): ``B`` timestamps (int32 from 1.2, else
uint32), then ``B`` uint16 samples of each amplifier channel, ``B/4`` of each auxiliary input,
one of each supply voltage, one int16 per temperature sensor, ``B`` of each board ADC
channel, and ``B`` words each for the digital inputs and outputs when there are any.

Mapping the blocks lets a window of amplifier samples cost one strided read of the blocks
it spans, whatever the channel count (neo reads channel by channel).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..recording.base import ChannelSelector, RecordingSegment

__all__ = ["RhdLayout", "read_rhd_layout", "RhdAmplifierSegment"]

_MAGIC = 0xC6912702
_AMPLIFIER, _AUX, _SUPPLY, _ADC, _DIGITAL_IN, _DIGITAL_OUT = range(6)


@dataclass(frozen=True)
class RhdLayout:
    """Where the blocks of a header-attached RHD file are, and what one block holds."""

    header_size: int
    block_size: int
    block_dtype: np.dtype
    num_amplifier: int
    num_blocks: int


def _read(handle: BinaryIO, fmt: str) -> tuple:
    size = struct.calcsize(fmt)
    data = handle.read(size)
    if len(data) != size:
        raise EOFError("the RHD header ends early")
    return struct.unpack(fmt, data)


def _skip_qstring(handle: BinaryIO) -> None:
    (length,) = _read(handle, "<I")
    if length != 0xFFFFFFFF:
        handle.seek(length, 1)


def read_rhd_layout(path: Path) -> RhdLayout | None:
    """The block layout of a header-attached ``.rhd`` file; None if it is not one we map.

    None (the caller reads through neo instead) for another magic number, a file whose data
    is not a whole number of blocks, or a header that cannot be parsed.
    """
    try:
        with open(path, "rb") as handle:
            magic, major, minor = _read(handle, "<Ihh")
            if magic != _MAGIC:
                return None
            version = (major, minor)
            _read(handle, "<fh6fhff")  # rate, DSP, bandwidths, notch, impedance frequencies
            for _ in range(3):
                _skip_qstring(handle)
            num_temp = _read(handle, "<h")[0] if version >= (1, 1) else 0
            if version >= (1, 3):
                _read(handle, "<h")
            if version >= (2, 0):
                _skip_qstring(handle)
            (num_groups,) = _read(handle, "<h")
            counts = [0] * 6
            for _ in range(num_groups):
                _skip_qstring(handle)
                _skip_qstring(handle)
                enabled, num_channels, _amplified = _read(handle, "<hhh")
                if not enabled:
                    continue
                for _ in range(num_channels):
                    _skip_qstring(handle)
                    _skip_qstring(handle)
                    values = _read(handle, "<10h2f")
                    signal_type, channel_enabled = values[2], values[3]
                    if channel_enabled and 0 <= signal_type < 6:
                        counts[signal_type] += 1
            header_size = handle.tell()
    except (OSError, EOFError, struct.error):
        return None
    block = 128 if version >= (2, 0) else 60
    layout_fields: list[tuple] = [("timestamp", "<i4" if version >= (1, 2) else "<u4", (block,))]
    if counts[_AMPLIFIER]:
        layout_fields.append(("amplifier", "<u2", (counts[_AMPLIFIER], block)))
    if counts[_AUX]:
        layout_fields.append(("aux", "<u2", (counts[_AUX], block // 4)))
    if counts[_SUPPLY]:
        layout_fields.append(("supply", "<u2", (counts[_SUPPLY],)))
    if num_temp:
        layout_fields.append(("temperature", "<i2", (num_temp,)))
    if counts[_ADC]:
        layout_fields.append(("adc", "<u2", (counts[_ADC], block)))
    if counts[_DIGITAL_IN]:
        layout_fields.append(("digital_in", "<u2", (block,)))
    if counts[_DIGITAL_OUT]:
        layout_fields.append(("digital_out", "<u2", (block,)))
    dtype = np.dtype(layout_fields)
    data_bytes = path.stat().st_size - header_size
    if data_bytes < 0 or data_bytes % dtype.itemsize:
        return None
    return RhdLayout(header_size, block, dtype, counts[_AMPLIFIER], data_bytes // dtype.itemsize)


class RhdAmplifierSegment(RecordingSegment):
    """The amplifier channels of a header-attached RHD file, read from its mapped blocks."""

    __slots__ = ("amplifier", "block_size")

    def __init__(self, path: Path, layout: RhdLayout) -> None:
        super().__init__(layout.num_blocks * layout.block_size)
        blocks = np.memmap(path, dtype=layout.block_dtype, mode="r",
                           offset=layout.header_size, shape=(layout.num_blocks,))
        # (blocks, channels, samples in block): a view, nothing read yet
        self.amplifier = blocks["amplifier"]
        self.block_size = layout.block_size

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        if end_frame <= start_frame:
            width = np.arange(self.amplifier.shape[1])[channel_selector].size
            return np.zeros((0, width), dtype=np.uint16)
        first = start_frame // self.block_size
        last = (end_frame - 1) // self.block_size + 1
        picked = self.amplifier[first:last, channel_selector, :]
        # (blocks, channels, samples) -> (time, channels)
        traces = np.ascontiguousarray(picked.transpose(0, 2, 1)).reshape(-1, picked.shape[1])
        offset = start_frame - first * self.block_size
        return traces[offset : offset + end_frame - start_frame]
