"""Applying a linear, time-invariant operation to a window in the frequency domain.

Filters and the phase shift share these steps: read the window with its margin (mirrored at
the recording's own ends, or padded as the caller asks), remove the straight line joining the
block's ends (so the FFT sees no jump where the block wraps around), transform, multiply by a
response, transform back and keep the window. The caller puts back what the operation makes of
the removed line.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..recording.base import ChannelSelector, RecordingSegment
from ..recording.margins import get_traces_with_margin
from ._base import detrend

__all__ = ["apply_in_frequency_domain"]


def apply_in_frequency_domain(
    parent: RecordingSegment,
    start_frame: int,
    end_frame: int,
    channel_selector: ChannelSelector,
    margin: int,
    work: np.dtype,
    respond: Callable[[np.ndarray, int], None],
    taper: Callable[[np.ndarray, int], None] | None = None,
    padding: str = "odd",
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Filter ``[start_frame, end_frame)`` of ``parent`` with a response applied in place.

    Parameters
    ----------
    parent : RecordingSegment
    start_frame, end_frame : int
        The window (validated, non-empty).
    channel_selector : slice or array of int
    margin : int
        Samples read on each side.
    work : numpy.dtype
        Floating dtype of the arithmetic.
    respond : callable
        ``respond(spectrum, fft_length)`` multiplies the (frequency, channel) spectrum in place.
    taper : callable or None
        ``taper(block, left)`` may fade the detrended block's ends in place before the FFT.
    padding : {"odd", "reflect", "zeros"}
        How the margin continues beyond the segment's own ends (see
        :func:`~lazyephys.recording.margins.get_traces_with_margin`).

    Returns
    -------
    out : numpy.ndarray
        The window after the operation, without the removed line.
    left : int
        Margin samples read before the window.
    level, slope : numpy.ndarray
        The removed line, per channel: ``level + slope * n`` at block row ``n``.
    """
    from scipy import fft

    raw, left, _ = get_traces_with_margin(
        parent, start_frame, end_frame, channel_selector, margin, padding=padding
    )
    length = raw.shape[0]
    fft_length = fft.next_fast_len(length, real=True)
    # the block is cast straight into an array of the FFT's length: the FFT then pads nothing
    # (padding inside scipy.fft would copy the whole block once more)
    padded = np.empty((fft_length, raw.shape[1]), dtype=work)
    padded[:length] = raw
    padded[length:] = 0
    del raw
    block = padded[:length]
    level, slope = detrend(block)
    if taper is not None:
        taper(block, left)
    del block
    spectrum = fft.rfft(padded, axis=0, overwrite_x=True)
    del padded
    respond(spectrum, fft_length)
    result = fft.irfft(spectrum, n=fft_length, axis=0, overwrite_x=True)
    return result[left : left + end_frame - start_frame], left, level, slope
