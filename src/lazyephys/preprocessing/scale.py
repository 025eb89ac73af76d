"""Lazy affine scaling and dtype changes: ``scale``, ``astype``, ``unsigned_to_signed``.

``scale`` and ``unsigned_to_signed`` update the ``gain_to_uV`` / ``offset_to_uV`` properties
when the parent has them, so ``get_traces(return_in_uV=True)`` gives the same microvolts
before and after.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.casting import cast_traces
from ..base.provenance import register_kind
from ..base.validation import check_traces_dtype
from ..errors import DtypeOverflowError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ._base import (
    PreprocessorSegment,
    as_work_array,
    init_from_parent,
    resolve_output_dtype,
    working_dtype,
)

__all__ = [
    "ScaleRecording",
    "AstypeRecording",
    "UnsignedToSignedRecording",
    "ScaleSegment",
    "scale",
    "astype",
    "unsigned_to_signed",
]


class ScaleSegment(PreprocessorSegment):
    """``traces * gain + offset`` (per channel), then cast."""

    __slots__ = ("clip", "dtype", "gain", "offset", "round_values", "work")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, gain: np.ndarray,
        offset: np.ndarray, dtype: np.dtype, work: np.dtype, round_values: bool = True,
        clip: bool = False,
    ) -> None:
        super().__init__(parent, num_channels)
        self.gain = gain.astype(work)
        self.offset = offset.astype(work)
        self.dtype = dtype
        self.work = work
        self.round_values = round_values
        self.clip = clip

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = as_work_array(
            self.parent.get_traces(start_frame, end_frame, channel_selector), self.work
        )
        traces *= self.gain[channel_selector]
        traces += self.offset[channel_selector]
        return cast_traces(traces, self.dtype, self.clip, segment_index=None,
                           start_frame=start_frame, round_values=self.round_values, in_place=True)


def per_channel(values: Any, num_channels: int, name: str) -> np.ndarray:
    """A scalar or one value per channel, as a float64 array of ``num_channels``."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or one number per channel, got "
                        f"{values!r}") from err
    if array.ndim == 0:
        array = np.full(num_channels, float(array))
    array = array.reshape(-1)
    if array.size != num_channels:
        raise ValueError(f"{name} has {array.size} values for {num_channels} channels")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {array.tolist()}")
    return array


@register_kind
class ScaleRecording(Recording):
    """A lazy ``traces * gain + offset`` (see :func:`scale`)."""

    def __init__(
        self,
        recording: Recording,
        gain: Any = 1.0,
        offset: Any = 0.0,
        dtype: Any = "float32",
        clip: bool = False,
    ) -> None:
        n = recording.get_num_channels()
        gains = per_channel(gain, n, "gain")
        offsets = per_channel(offset, n, "offset")
        out = resolve_output_dtype(recording.get_dtype(), dtype)
        work = working_dtype(recording.get_dtype(), out)
        init_from_parent(
            self, recording, out,
            lambda seg: ScaleSegment(seg, n, gains, offsets, out, work, True, bool(clip)),
        )
        self.parent = recording
        if recording.has_scaleable_traces() and np.all(gains != 0):
            # uV = g_uV * x + o_uV and y = gain * x + offset  =>  uV = (g_uV / gain) * y + ...
            g_uv = recording.get_channel_gains()
            o_uv = recording.get_channel_offsets()
            self._properties["gain_to_uV"] = _readonly(g_uv / gains)
            self._properties["offset_to_uV"] = _readonly(o_uv - g_uv * offsets / gains)


def _readonly(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    values.flags.writeable = False
    return values


@register_kind
class AstypeRecording(Recording):
    """A lazy dtype change (see :func:`astype`)."""

    def __init__(
        self, recording: Recording, dtype: Any = None, round: bool | None = None,
        clip: bool = False,
    ) -> None:
        if dtype is None:
            raise ValueError("astype needs a dtype, e.g. astype(recording, 'float32')")
        out = check_traces_dtype(dtype)
        source = recording.get_dtype()
        round_values = (source.kind == "f" and out.kind in "iu") if round is None else bool(round)
        n = recording.get_num_channels()
        init_from_parent(
            self, recording, out,
            lambda seg: AstypeSegment(seg, n, out, round_values, bool(clip)),
        )
        self.parent = recording


class AstypeSegment(PreprocessorSegment):
    """Casts the parent's traces (rounding and range checks as asked)."""

    __slots__ = ("clip", "dtype", "round_values")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, dtype: np.dtype, round_values: bool,
        clip: bool,
    ) -> None:
        super().__init__(parent, num_channels)
        self.dtype = dtype
        self.round_values = round_values
        self.clip = clip

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, channel_selector)
        out, source = self.dtype, traces.dtype
        if source == out:
            return traces
        return cast_traces(traces, out, self.clip, segment_index=None, start_frame=start_frame,
                           round_values=self.round_values)


@register_kind
class UnsignedToSignedRecording(Recording):
    """Unsigned integers shifted to signed ones (see :func:`unsigned_to_signed`)."""

    def __init__(self, recording: Recording, bit_depth: int | None = None) -> None:
        source = recording.get_dtype()
        if source.kind != "u":
            raise ValueError(
                f"unsigned_to_signed needs an unsigned integer recording, this one is {source}"
            )
        bits = source.itemsize * 8
        depth = bits if bit_depth is None else int(bit_depth)
        if not 1 <= depth <= bits:
            raise ValueError(
                f"bit_depth must be between 1 and {bits} for {source}, got {bit_depth}"
            )
        out = np.dtype(f"int{bits}")
        n = recording.get_num_channels()
        init_from_parent(self, recording, out, lambda seg: UnsignedToSignedSegment(seg, n, depth))
        self.parent = recording
        if recording.has_scaleable_traces():
            # x_signed = x - 2**(depth-1): the offset absorbs the shift, microvolts stay equal
            shift = float(2 ** (depth - 1))
            g_uv = recording.get_channel_gains()
            self._properties["offset_to_uV"] = _readonly(
                recording.get_channel_offsets() + g_uv * shift
            )


class UnsignedToSignedSegment(PreprocessorSegment):
    """Subtracts ``2 ** (bit_depth - 1)`` and reinterprets as the signed type of equal width."""

    __slots__ = ("depth",)

    def __init__(self, parent: RecordingSegment, num_channels: int, depth: int) -> None:
        super().__init__(parent, num_channels)
        self.depth = depth

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, channel_selector)
        bits = traces.dtype.itemsize * 8
        signed = np.dtype(f"int{bits}")
        if self.depth == bits:
            # flipping the top bit is subtracting 2**(bits-1) modulo 2**bits: exact and fast
            flipped = np.bitwise_xor(traces, traces.dtype.type(1 << (bits - 1)))
            return flipped.view(signed)
        limit = 1 << self.depth
        if traces.size and traces.max() >= limit:
            # a sample the ADC cannot produce: shifting it would wrap around in ``signed``
            row, column = (int(v[0]) for v in np.nonzero(traces >= limit))
            raise DtypeOverflowError(
                f"unsigned_to_signed(bit_depth={self.depth}): the value {traces[row, column]} "
                f"at frame {start_frame + row} (column {column} of the selection) is outside "
                f"the {self.depth}-bit range [0, {limit - 1}]; pass the bit depth the data "
                "was recorded with"
            )
        shifted = traces.astype(signed)  # every value < 2**depth <= 2**(bits-1) fits
        shifted -= signed.type(1 << (self.depth - 1))
        return shifted


def scale(
    recording: Recording,
    gain: Any = 1.0,
    offset: Any = 0.0,
    dtype: Any = "float32",
    clip: bool = False,
) -> ScaleRecording:
    """Scale a recording lazily: ``traces * gain + offset``.

    Parameters
    ----------
    recording : Recording
    gain, offset : float or array
        One value, or one per channel.
    dtype : dtype
        Output dtype (float32 by default). Integer outputs are rounded; values that do not
        fit raise unless ``clip=True``.
    clip : bool
        Clip values outside an integer dtype's range.

    Returns
    -------
    ScaleRecording
        With ``gain_to_uV`` / ``offset_to_uV`` updated so microvolts are unchanged.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import scale
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> scale(rec, gain=2.0, offset=1.0).get_traces(start_frame=0, end_frame=3).shape
    (3, 2)
    """
    return ScaleRecording(recording, gain, offset, dtype, clip)


def astype(
    recording: Recording, dtype: Any = None, round: bool | None = None, clip: bool = False
) -> AstypeRecording:
    """Change a recording's dtype lazily.

    Parameters
    ----------
    recording : Recording
    dtype : dtype
    round : bool or None
        Round to the nearest integer before an integer cast; None rounds when casting floats
        to integers (False truncates toward zero).
    clip : bool
        Clip values outside an integer dtype's range instead of raising.

    Returns
    -------
    AstypeRecording

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import astype
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> astype(rec, "int16").get_dtype()
    dtype('int16')
    """
    return AstypeRecording(recording, dtype, round, clip)


def unsigned_to_signed(recording: Recording, bit_depth: int | None = None) -> Recording:
    """Shift unsigned samples to signed ones of the same width: ``x - 2**(bit_depth - 1)``.

    Parameters
    ----------
    recording : Recording
        Of an unsigned integer dtype.
    bit_depth : int or None
        The ADC's bits (e.g. 12 for a 12-bit ADC stored in uint16); None is the dtype's width.

    Returns
    -------
    UnsignedToSignedRecording
        ``offset_to_uV`` is updated so microvolts are unchanged.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import unsigned_to_signed
    >>> rec = le.NumpyRecording(np.array([[0], [32768], [65535]], "uint16"), 1000.0)
    >>> unsigned_to_signed(rec).get_traces().ravel().tolist()
    [-32768, 0, 32767]
    """
    return UnsignedToSignedRecording(recording, bit_depth)
