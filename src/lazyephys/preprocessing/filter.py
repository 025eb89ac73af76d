"""Lazy IIR filters: band-pass, high-pass, notch, and any scipy IIR design.

Each window is read with a margin on both sides (through the shared margin helper; at the
recording's own ends the signal is continued as :func:`end_padding` says: odd mirroring for
zero-phase filters, rest for one-direction filters, or mirroring when asked), detrended by the
line joining its two ends, filtered in the frequency domain in float32 (float64 for float64
data), and cropped. The margin is derived from the filter so that windows match filtering the
whole array at once; see :mod:`lazyephys.preprocessing.filter_design` for the criterion and
the error it buys.

Why the frequency domain: a zero-phase filter is a convolution with the impulse response of
``|H|^2``; one real FFT pair per window applies it to all channels at once, several times
faster than running the recursive filter forward and backward sample by sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ._base import (
    WindowTransformSegment,
    add_line,
    init_from_parent,
    keep_input_dtype,
    working_dtype,
)
from .filter_design import (
    BandType,
    Direction,
    FilterDesign,
    FilterMode,
    design_filter,
    notch_design,
)
from .spectral import apply_in_frequency_domain

__all__ = [
    "FilterRecording",
    "BandpassFilterRecording",
    "HighpassFilterRecording",
    "NotchFilterRecording",
    "filter",
    "bandpass_filter",
    "highpass_filter",
    "notch_filter",
    "causal_filter",
]

#: Margins longer than an hour are a mistake (and overflow sample counts).
_LONGEST_MARGIN_MS = 3_600_000.0

class FilterSegment(WindowTransformSegment):
    """Filters a parent segment window by window (see the module docstring)."""

    __slots__ = ("design", "margin", "padding")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, design: FilterDesign, margin: int,
        dtype: np.dtype, work: np.dtype, padding: str,
    ) -> None:
        super().__init__(parent, num_channels, dtype, work)
        self.design = design
        self.margin = margin
        self.padding = padding

    def transform(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        design, work = self.design, self.work

        def respond(spectrum: np.ndarray, fft_length: int) -> None:
            spectrum *= design.response(fft_length, work)[:, None]

        out, left, level, slope = apply_in_frequency_domain(
            self.parent, start_frame, end_frame, channel_selector, self.margin, work, respond,
            padding=self.padding,
        )
        gain = self.design.dc_gain()
        if gain != 0.0:
            # a line a + b n comes out as gain * (a + b n) - b * first moment of the response
            shifted_level = gain * level - slope * self.design.delay_moment()
            add_line(out, left, shifted_level, gain * slope, 1.0)
        return out


def end_padding(direction: str, add_reflect_padding: bool) -> str:
    """How a filter continues the signal beyond the segment's ends.

    ``add_reflect_padding=True`` mirrors the signal (``x[-k] = x[k]``) for every direction.
    Otherwise a one-direction filter starts from rest, as ``sosfilt`` / ``lfilter`` do on the
    whole array (zeros before the start, or after the end for "backward"), and a zero-phase
    one continues the signal by odd mirroring (``2 x[0] - x[k]``), as ``sosfiltfilt`` does.
    """
    if not isinstance(add_reflect_padding, (bool, np.bool_)):
        raise TypeError(f"add_reflect_padding must be True or False, got {add_reflect_padding!r}")
    if add_reflect_padding:
        return "reflect"
    return "odd" if direction == "forward-backward" else "zeros"


def _setup(
    recording: Recording, parent: Recording, design: FilterDesign, margin_ms: float | None,
    dtype: Any, add_reflect_padding: bool = False,
) -> None:
    if not isinstance(parent, Recording):
        raise TypeError(f"recording must be a Recording, got {type(parent).__name__}")
    fs = parent.get_sampling_frequency()
    if margin_ms is None:
        margin = design.derived_margin()
    else:
        if not 0 <= float(margin_ms) <= _LONGEST_MARGIN_MS:
            raise ValueError(f"margin_ms must be between 0 and {_LONGEST_MARGIN_MS:g} (or None "
                             f"to derive it), got {margin_ms!r}")
        margin = round(float(margin_ms) * fs / 1000.0)
    out = keep_input_dtype(parent.get_dtype(), dtype, "filtering")
    work = working_dtype(parent.get_dtype(), out)
    n = parent.get_num_channels()
    padding = end_padding(design.direction, add_reflect_padding)
    init_from_parent(
        recording, parent, out,
        lambda seg: FilterSegment(seg, n, design, margin, out, work, padding),
    )
    recording.parent = parent  # type: ignore[attr-defined]
    # what detect_bad_channels (and SpikeInterface) read to skip filtering again
    recording.annotate(is_filtered=True)
    recording.design = design  # type: ignore[attr-defined]
    recording.margin = margin  # type: ignore[attr-defined]


@register_kind
class FilterRecording(Recording):
    """A lazy IIR filter (see :func:`filter`)."""

    design: FilterDesign
    margin: int

    def __init__(
        self,
        recording: Recording,
        band: Any = (300.0, 6000.0),
        btype: BandType = "bandpass",
        filter_order: int = 5,
        ftype: str = "butter",
        filter_mode: FilterMode = "sos",
        direction: Direction = "forward-backward",
        margin_ms: float | None = None,
        coeff: Any = None,
        dtype: Any = None,
        add_reflect_padding: bool = False,
        **filter_kwargs: Any,
    ) -> None:
        design = design_filter(
            band, btype, filter_order, ftype, filter_mode, direction,
            recording.get_sampling_frequency(), coeff=coeff, **filter_kwargs,
        )
        _setup(self, recording, design, margin_ms, dtype, add_reflect_padding)

    def get_margin(self) -> int:
        """The margin in samples read on each side of a window."""
        return self.margin


@register_kind
class BandpassFilterRecording(FilterRecording):
    """A lazy band-pass filter (see :func:`bandpass_filter`)."""

    def __init__(
        self,
        recording: Recording,
        freq_min: float = 300.0,
        freq_max: float = 6000.0,
        margin_ms: float | None = None,
        dtype: Any = None,
        **filter_kwargs: Any,
    ) -> None:
        options = _filter_options(filter_kwargs)
        padded = options.pop("add_reflect_padding")
        design = design_filter(
            [freq_min, freq_max], "bandpass", sampling_frequency=recording.get_sampling_frequency(),
            **options,
        )
        _setup(self, recording, design, margin_ms, dtype, padded)


@register_kind
class HighpassFilterRecording(FilterRecording):
    """A lazy high-pass filter (see :func:`highpass_filter`)."""

    def __init__(
        self,
        recording: Recording,
        freq_min: float = 300.0,
        margin_ms: float | None = None,
        dtype: Any = None,
        **filter_kwargs: Any,
    ) -> None:
        options = _filter_options(filter_kwargs)
        padded = options.pop("add_reflect_padding")
        design = design_filter(
            freq_min, "highpass", sampling_frequency=recording.get_sampling_frequency(),
            **options,
        )
        _setup(self, recording, design, margin_ms, dtype, padded)


@register_kind
class NotchFilterRecording(FilterRecording):
    """A lazy notch filter (see :func:`notch_filter`)."""

    def __init__(
        self,
        recording: Recording,
        freq: float = 3000,
        q: float = 30,
        margin_ms: float | None = None,
        dtype: Any = None,
        direction: Direction = "forward-backward",
    ) -> None:
        design = notch_design(freq, q, recording.get_sampling_frequency(), direction)
        _setup(self, recording, design, margin_ms, dtype)


def _filter_options(filter_kwargs: dict[str, Any]) -> dict[str, Any]:
    options = {"filter_order": 5, "ftype": "butter", "filter_mode": "sos",
               "direction": "forward-backward", "add_reflect_padding": False}
    options.update(filter_kwargs)
    return options


def filter(
    recording: Recording,
    band: Any = (300.0, 6000.0),
    btype: BandType = "bandpass",
    filter_order: int = 5,
    ftype: str = "butter",
    filter_mode: FilterMode = "sos",
    direction: Direction = "forward-backward",
    margin_ms: float | None = None,
    coeff: Any = None,
    dtype: Any = None,
    add_reflect_padding: bool = False,
    **filter_kwargs: Any,
) -> FilterRecording:
    """Filter a recording lazily with an IIR filter designed by scipy.

    Parameters
    ----------
    recording : Recording
    band : float or [float, float]
        Corner frequencies in Hz; two for "bandpass"/"bandstop", one otherwise.
    btype : {"bandpass", "bandstop", "lowpass", "highpass"}
    filter_order : int
    ftype : {"butter", "cheby1", "cheby2", "ellip", "bessel"}
        ``rp`` / ``rs`` go in ``filter_kwargs``.
    filter_mode : {"sos", "ba"}
        Design as second-order sections (stable at high orders) or as (b, a).
    direction : {"forward-backward", "forward", "backward"}
        Zero phase (default), causal, or anti-causal.
    margin_ms : float or None
        Samples read on each side of a window, in ms. None derives it from the filter so that
        windows match filtering the whole array (to about 1e-6 of the filtered RMS).
    coeff : array or None
        Use these coefficients (sos, or (b, a) with ``filter_mode="ba"``) instead of a design.
    dtype : dtype or None
        Output dtype; None keeps the input's (integers are rounded, and values outside
        the range raise ``DtypeOverflowError``).
    add_reflect_padding : bool
        Beyond the segment's ends: False (SpikeInterface's default) starts a one-direction
        filter from rest (as ``sosfilt`` on the whole array) and continues the signal by odd
        mirroring for zero phase; True mirrors the signal (``x[-k] = x[k]``) over the margin.

    Returns
    -------
    FilterRecording

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import filter
    >>> rec = le.generate_recording(num_channels=4, durations=[2.0], seed=0)
    >>> low = filter(rec, band=500.0, btype="lowpass")
    >>> low.get_traces(start_frame=0, end_frame=100).shape
    (100, 4)
    """
    return FilterRecording(
        recording, band, btype, filter_order, ftype, filter_mode, direction, margin_ms, coeff,
        dtype, add_reflect_padding, **filter_kwargs,
    )


def bandpass_filter(
    recording: Recording,
    freq_min: float = 300.0,
    freq_max: float = 6000.0,
    margin_ms: float | None = None,
    dtype: Any = None,
    **filter_kwargs: Any,
) -> BandpassFilterRecording:
    """Band-pass filter a recording lazily (zero phase by default).

    Parameters
    ----------
    recording : Recording
    freq_min, freq_max : float
        Corner frequencies in Hz; ``freq_max`` must be below the Nyquist frequency.
    margin_ms : float or None
        None derives the margin from the filter (27 ms for the default order-5 Butterworth
        at 30 kHz), so windows match filtering the whole array to about 1e-6 of the RMS.
    dtype : dtype or None
        Output dtype; None keeps the input's (integers are rounded, and values outside
        the range raise ``DtypeOverflowError``).
    **filter_kwargs
        ``filter_order`` (5), ``ftype`` ("butter"), ``filter_mode`` ("sos"), ``direction``
        ("forward-backward"), ``add_reflect_padding`` (False, see :func:`filter`), and
        scipy's ``rp`` / ``rs``.

    Returns
    -------
    BandpassFilterRecording

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import bandpass_filter
    >>> rec = le.generate_recording(num_channels=4, durations=[2.0], seed=0)
    >>> filtered = bandpass_filter(rec, freq_min=300.0, freq_max=6000.0)
    >>> filtered.get_traces(start_frame=0, end_frame=30000).dtype
    dtype('float32')
    """
    return BandpassFilterRecording(recording, freq_min, freq_max, margin_ms, dtype,
                                   **filter_kwargs)


def highpass_filter(
    recording: Recording,
    freq_min: float = 300.0,
    margin_ms: float | None = None,
    dtype: Any = None,
    **filter_kwargs: Any,
) -> HighpassFilterRecording:
    """High-pass filter a recording lazily (zero phase by default).

    Parameters are those of :func:`bandpass_filter`, with one corner ``freq_min``.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import highpass_filter
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> highpass_filter(rec, freq_min=300.0).get_num_channels()
    2
    """
    return HighpassFilterRecording(recording, freq_min, margin_ms, dtype, **filter_kwargs)


def notch_filter(
    recording: Recording,
    freq: float = 3000,
    q: float = 30,
    margin_ms: float | None = None,
    dtype: Any = None,
    direction: Direction = "forward-backward",
) -> NotchFilterRecording:
    """Remove one frequency lazily with a second-order notch filter.

    Parameters
    ----------
    recording : Recording
    freq : float
        The frequency removed, in Hz (below the Nyquist frequency).
    q : float
        Quality factor: ``freq / q`` is the -3 dB bandwidth.
    margin_ms : float or None
        None derives it from the filter.
    dtype : dtype or None
    direction : {"forward-backward", "forward", "backward"}

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import notch_filter
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> notch_filter(rec, freq=50.0, q=10).get_num_samples()
    30000
    """
    return NotchFilterRecording(recording, freq, q, margin_ms, dtype, direction)


def causal_filter(
    recording: Recording,
    direction: Direction = "forward",
    band: Any = (300.0, 6000.0),
    btype: BandType = "bandpass",
    filter_order: int = 5,
    ftype: str = "butter",
    filter_mode: FilterMode = "sos",
    margin_ms: float | None = None,
    add_reflect_padding: bool = False,
    coeff: Any = None,
    dtype: Any = None,
) -> FilterRecording:
    """Filter lazily in one direction only: causal ("forward") or anti-causal ("backward").

    Parameters are those of :func:`filter`, with ``direction`` first. A causal filter
    delays the signal (no look-ahead, as an online system would filter it).

    Parameters
    ----------
    add_reflect_padding : bool
        False (the default, as in SpikeInterface 0.105): the filter starts from rest at the
        segment's start ("forward"; at its end for "backward"), so the result is
        ``scipy.signal.sosfilt`` (``lfilter`` for ``filter_mode="ba"``) of the whole array.
        True: the margin beyond the ends is the mirrored signal (``x[-k] = x[k]``, numpy's
        "reflect"), and the filter starts from rest a margin before the segment.
    margin_ms : float or None
        None derives the margin from the filter's impulse response; SpikeInterface's 5 ms
        default truncates the filter's memory at chunk edges (pass ``margin_ms=5.0`` to
        compare with it).

    Returns
    -------
    FilterRecording
        In the recording's dtype by default (as SpikeInterface). Windows equal the
        whole-array ``sosfilt`` (of the padded array with ``add_reflect_padding``) to
        about 1e-6 of the RMS with the derived margin.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import causal_filter
    >>> rec = le.generate_recording(num_channels=2, durations=[0.5], seed=0)
    >>> causal_filter(rec, band=[300.0, 3000.0]).get_traces(end_frame=10).shape
    (10, 2)
    """
    if direction not in ("forward", "backward"):
        raise ValueError(
            f"causal_filter filters in one direction: 'forward' or 'backward', got {direction!r}"
        )
    return FilterRecording(recording, band, btype, filter_order, ftype, filter_mode, direction,
                           margin_ms, coeff, dtype, add_reflect_padding)
