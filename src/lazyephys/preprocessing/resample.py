"""Lazy changes of sampling rate: ``resample`` and ``decimate``.

Resampling by a rational factor ``up / down`` is polyphase filtering
(``scipy.signal.resample_poly``): upsample by ``up``, low-pass with a Kaiser-windowed FIR of
``2 * 10 * max(up, down) + 1`` taps (cut-off ``1 / max(up, down)`` of Nyquist), keep every
``down``-th sample. The FIR has finite support, so a window read with a margin covering it
(rounded up to a multiple of ``down``, so the output grid lines up) equals the whole-segment
result up to float rounding; at the segment's own ends the signal is mirrored. A segment whose
time vector has gaps can be resampled run by run (``gap_tolerance_ms``): each contiguous run
is then a section mirrored at its own ends, so no output sample mixes samples across a gap.
"""

from __future__ import annotations

import itertools
import math
import warnings
from fractions import Fraction
from typing import Any

import numpy as np

from ..base.casting import cast_traces
from ..base.provenance import register_kind
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ..recording.combine import ConcatenatedSegment
from ._base import PreprocessorSegment, keep_input_dtype, working_dtype

__all__ = [
    "ResampleRecording",
    "DecimateRecording",
    "resample",
    "decimate",
    "resampling_factors",
    "polyphase_filter",
]


def resampling_factors(parent_rate: float, resample_rate: float,
                       max_denominator: int = 10000) -> tuple[int, int, float]:
    """``(up, down, achieved_rate)``: the closest ratio with ``down <= max_denominator``.

    Examples
    --------
    >>> resampling_factors(30000.0, 2500.0)
    (1, 12, 2500.0)
    """
    if not (math.isfinite(parent_rate) and parent_rate > 0):
        raise ValueError(f"the sampling frequency must be finite and > 0, got {parent_rate!r}")
    if not (math.isfinite(float(resample_rate)) and float(resample_rate) > 0):
        raise ValueError(f"resample_rate must be finite and > 0, got {resample_rate!r}")
    if isinstance(max_denominator, bool) or int(max_denominator) != max_denominator \
            or max_denominator < 1:
        raise ValueError(f"max_denominator must be a positive integer, got {max_denominator!r}")
    ratio = (Fraction(float(resample_rate)) / Fraction(float(parent_rate))).limit_denominator(
        int(max_denominator))
    if ratio.numerator == 0:
        raise ValueError(
            f"resample_rate={resample_rate!r} Hz is too low for max_denominator="
            f"{max_denominator}; increase max_denominator"
        )
    achieved = float(Fraction(float(parent_rate)) * ratio)
    if not math.isclose(achieved, float(resample_rate), rel_tol=1e-12, abs_tol=0):
        warnings.warn(
            f"resample_rate={resample_rate!r} Hz is reached as {ratio.numerator}/"
            f"{ratio.denominator} of {parent_rate} Hz = {achieved!r} Hz; the result has that "
            "sampling frequency (increase max_denominator for a closer one)",
            stacklevel=3,
        )
    return ratio.numerator, ratio.denominator, achieved


def polyphase_filter(sampling_frequency: float, up: int, down: int,
                     margin_ms: float | None) -> tuple[np.ndarray, int]:
    """The anti-aliasing FIR and the margin (parent samples, a multiple of ``down``)."""
    from scipy import signal

    if margin_ms is not None and not (math.isfinite(float(margin_ms)) and margin_ms >= 0):
        raise ValueError(f"margin_ms must be >= 0 (or None to derive it), got {margin_ms!r}")
    if up == down == 1:
        return np.ones(1), 0
    half = 10 * max(up, down)
    taps = signal.firwin(2 * half + 1, 1.0 / max(up, down), window=("kaiser", 5.0))
    margin = -(-half // up)  # the FIR's reach, in parent samples
    if margin_ms is not None:
        asked = math.ceil(float(margin_ms) * sampling_frequency / 1000)
        if asked < margin:
            warnings.warn(
                f"margin_ms={margin_ms} ({asked} samples) is shorter than the filter's reach "
                f"({margin} samples); using {margin}",
                stacklevel=3,
            )
        margin = max(margin, asked)
    return taps, -(-margin // down) * down


def resampled_length(num_samples: int, up: int, down: int) -> int:
    """Samples ``resample_poly`` gives for ``num_samples``: ``ceil(num_samples * up / down)``."""
    return (num_samples * up + down - 1) // down


class PolyphaseSegment(PreprocessorSegment):
    """Resamples the section ``[low, high)`` of a parent segment by ``up / down``.

    The output grid starts at parent sample ``offset`` (``low <= offset < high``); the
    section is mirrored about its own first and last samples, so nothing outside it is read.
    """

    __slots__ = ("down", "dtype", "high", "low", "margin", "offset", "taps", "up", "work")

    def __init__(self, parent: RecordingSegment, num_channels: int, up: int, down: int,
                 offset: int, taps: np.ndarray | None, margin: int, dtype: np.dtype,
                 work: np.dtype, section: tuple[int, int] | None = None) -> None:
        super().__init__(parent, num_channels)
        self.low, self.high = (0, parent.num_samples) if section is None else section
        self._num_samples = int(resampled_length(self.high - offset, up, down))
        self.up, self.down, self.offset = up, down, offset
        self.taps = None if taps is None else taps.astype(work)
        self.margin = margin
        self.dtype, self.work = dtype, work

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        count = end_frame - start_frame
        if self.taps is None:  # plain decimation: every down-th sample
            first = self.offset + start_frame * self.down
            traces = self.parent.get_traces(first, first + (count - 1) * self.down + 1 if count
                                            else first, channel_selector)
            return cast_traces(np.asarray(traces[:: self.down]), self.dtype, segment_index=None,
                               start_frame=start_frame)
        if count == 0:
            n = self.parent.get_traces(0, 0, channel_selector).shape[1]
            return np.empty((0, n), self.dtype)
        from scipy import signal

        up, down = self.up, self.down
        first = self.offset + (start_frame // up) * down
        last = self.offset + -(-end_frame // up) * down
        block = _read_mirrored(self.parent, first, last, channel_selector, self.margin,
                               self.low, self.high)
        out = signal.resample_poly(np.asarray(block, dtype=self.work), up, down, axis=0,
                                   window=self.taps)
        drop = start_frame % up + self.margin * up // down
        out = out[drop : drop + count]
        if not np.all(np.isfinite(out)):
            raise ValueError(f"resampling gave non-finite values near frame {start_frame}: the "
                             "input has NaN or infinite samples")
        return cast_traces(out, self.dtype, segment_index=None, start_frame=start_frame)


def _read_mirrored(parent: RecordingSegment, first: int, last: int, selector: ChannelSelector,
                   margin: int, low: int, high: int) -> np.ndarray:
    """Parent samples ``[first - margin, last + margin)``; those outside the section
    ``[low, high)`` are mirrored about its end samples (``x[low - k] = x[low + k]``), and
    ``last`` may pass ``high``."""
    n = high - low
    wanted = np.arange(first - margin - low, last + margin - low)
    if n == 1:
        rows = np.zeros(wanted.size, dtype=np.int64)
    else:
        period = 2 * (n - 1)
        rows = np.mod(wanted, period)
        rows = np.where(rows >= n, period - rows, rows)
    rows += low
    lo, hi = int(rows.min()), int(rows.max()) + 1
    traces = parent.get_traces(lo, hi, selector)
    if lo == first - margin and hi == last + margin:
        return traces
    return np.asarray(traces)[rows - lo]


def find_sections(times: np.ndarray, sampling_frequency: float, gap_tolerance_ms: float | None,
                  segment_index: int) -> list[tuple[int, int]]:
    """The contiguous runs ``[start, stop)`` of a time vector, split where it has gaps.

    A step longer than 1.5 sample periods (and than ``gap_tolerance_ms``) is a gap: shorter
    steps are jitter, never a lost sample. Without a tolerance, any gap raises.

    Examples
    --------
    >>> find_sections(np.r_[0:5, 9:12] / 1000.0, 1000.0, 0.0, 0)
    [(0, 5), (5, 8)]
    """
    steps = np.diff(times)
    threshold = 1.5 / sampling_frequency
    if gap_tolerance_ms is not None:
        threshold = max(threshold, gap_tolerance_ms / 1000)
    gaps = np.flatnonzero(steps > threshold)
    if gaps.size and gap_tolerance_ms is None:
        shown = ", ".join(f"{steps[g] * 1000:g} ms after sample {g}" for g in gaps[:5])
        raise ValueError(
            f"segment {segment_index} has {gaps.size} gap(s) in its times ({shown}"
            f"{', ...' if gaps.size > 5 else ''}): pass gap_tolerance_ms to resample each "
            "contiguous run on its own (gaps longer than the tolerance split the segment, "
            "shorter ones are resampled through)"
        )
    edges = [0, *(gaps + 1).tolist(), times.size]
    return list(itertools.pairwise(edges))


def _section_times(times: np.ndarray, up: int, down: int, count: int,
                   sampling_frequency: float) -> np.ndarray:
    """The times of ``count`` resampled samples of one contiguous run: sampled from or
    interpolated between the run's times (beyond its last one, one parent period on)."""
    positions = np.arange(count, dtype=np.int64) * down
    left = np.minimum(positions // up, times.size - 1)
    fraction = (positions % up) / up
    right = np.minimum(left + 1, times.size - 1)
    step = np.where(right > left, times[right] - times[left], 1.0 / sampling_frequency)
    return times[left] + fraction * step


def _setup(recording: Recording, parent: Recording, rate: float, up: int, down: int,
           offset: int, taps: np.ndarray | None, margin: int, dtype: Any,
           split_gaps: bool = False, gap_tolerance_ms: float | None = None) -> None:
    if taps is None and dtype is None:  # plain decimation only picks samples: any dtype stays
        out = np.dtype(parent.get_dtype())
    else:
        out = keep_input_dtype(parent.get_dtype(), dtype, "resampling")
    work = working_dtype(parent.get_dtype(), out)
    n = parent.get_num_channels()
    fs = parent.get_sampling_frequency()
    Recording.__init__(recording, rate, parent.get_channel_ids(), out)
    for index in range(parent.get_num_segments()):
        source = parent.get_segment(index)
        if not parent.has_time_vector(index):
            segment = PolyphaseSegment(source, n, up, down, offset, taps, margin, out, work)
            recording.add_segment(segment, parent.get_start_time(index) + offset / fs, None)
            continue
        times = parent.get_times(index)
        sections = find_sections(times, fs, gap_tolerance_ms, index) if split_gaps \
            else [(0, times.size)]
        pieces = [PolyphaseSegment(source, n, up, down, lo + offset, taps, margin, out, work,
                                   section=(lo, hi)) for lo, hi in sections]
        vector = np.concatenate([
            _section_times(times[piece.offset : hi], up, down, piece.num_samples, fs)
            for piece, (_, hi) in zip(pieces, sections, strict=True)
        ])
        # one run is the section itself; several are joined end to end in one segment
        whole: RecordingSegment = pieces[0] if len(pieces) == 1 \
            else ConcatenatedSegment(list(pieces))
        recording.add_segment(whole, None, vector)
    parent.copy_metadata(recording)


@register_kind
class ResampleRecording(Recording):
    """A lazy change of sampling rate (see :func:`resample`)."""

    def __init__(self, recording: Recording, resample_rate: float,
                 gap_tolerance_ms: float | None = None, margin_ms: float | None = None,
                 dtype: Any = None, max_denominator: int = 10000) -> None:
        if gap_tolerance_ms is not None and not float(gap_tolerance_ms) >= 0:
            raise ValueError(f"gap_tolerance_ms must be >= 0 or None, got {gap_tolerance_ms!r}")
        fs = recording.get_sampling_frequency()
        up, down, achieved = resampling_factors(fs, resample_rate, max_denominator)
        taps, margin = polyphase_filter(fs, up, down, margin_ms)
        _setup(self, recording, achieved, up, down, 0, taps, margin, dtype, split_gaps=True,
               gap_tolerance_ms=None if gap_tolerance_ms is None else float(gap_tolerance_ms))
        self.parent = recording


@register_kind
class DecimateRecording(Recording):
    """A lazy decimation (see :func:`decimate`)."""

    def __init__(self, recording: Recording, decimation_factor: int,
                 decimation_offset: int = 0, antialias: bool = False,
                 margin_ms: float | None = None, dtype: Any = None) -> None:
        factor, offset = decimation_factor, decimation_offset
        if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
            raise ValueError(f"decimation_factor must be a positive integer, got {factor!r}")
        if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)) or offset < 0:
            raise ValueError(f"decimation_offset must be an integer >= 0, got {offset!r}")
        shortest = min(recording.get_num_samples(s) for s in range(recording.get_num_segments()))
        if offset >= factor or offset >= shortest:
            raise ValueError(
                f"decimation_offset ({offset}) must be below decimation_factor ({factor}) and "
                f"the shortest segment's {shortest} samples"
            )
        fs = recording.get_sampling_frequency()
        taps, margin = polyphase_filter(fs, 1, int(factor), margin_ms) if antialias \
            else (None, 0)
        _setup(self, recording, fs / int(factor), 1, int(factor), int(offset), taps, margin,
               dtype)
        self.parent = recording


def resample(recording: Recording, resample_rate: float, gap_tolerance_ms: float | None = None,
             margin_ms: float | None = None, dtype: Any = None,
             max_denominator: int = 10000) -> ResampleRecording:
    """Resample a recording lazily to ``resample_rate`` Hz (polyphase, anti-aliased).

    Parameters
    ----------
    recording : Recording
    resample_rate : float
        The rate wanted; the closest ratio ``up / down`` with ``down <= max_denominator`` is
        used and the result reports the rate reached (with a warning if it differs).
    gap_tolerance_ms : float or None
        For segments with a time vector. Steps between times longer than 1.5 sample periods
        are gaps (shorter ones are jitter). None: a gap raises, naming where it is. A value:
        gaps longer than it (and than 1.5 periods) split the segment into contiguous runs,
        each resampled on its own (mirrored at its own ends, as a segment is) and joined
        end to end in one segment, whose time vector keeps the gaps; shorter gaps are
        resampled through as if continuous. ``0.0`` splits at every gap.
    margin_ms : float or None
        Context read on each side of a window; None (and anything shorter) uses the FIR's
        reach, which makes windows equal to the whole segment (to 1e-6 of the RMS).
    dtype : dtype or None
        None keeps the recording's dtype (integers rounded; a value out of range raises
        ``DtypeOverflowError``, where SpikeInterface saturates), as SpikeInterface 0.105 does.
    max_denominator : int

    Returns
    -------
    ResampleRecording
        ``ceil(n * up / down)`` samples per segment (per contiguous run when a segment is
        split at gaps); times follow the parent's (a time vector is sampled or interpolated
        within each run). Equal to SpikeInterface 0.105's ``resample`` to 1e-5 of the RMS,
        with or without gaps.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import resample
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> low = resample(rec, 2500.0)
    >>> low.get_sampling_frequency(), low.get_num_samples()
    (2500.0, 2500)
    """
    return ResampleRecording(recording, resample_rate, gap_tolerance_ms, margin_ms, dtype,
                             max_denominator)


def decimate(recording: Recording, decimation_factor: int, decimation_offset: int = 0,
             antialias: bool = False, margin_ms: float | None = None,
             dtype: Any = None) -> DecimateRecording:
    """Keep every ``decimation_factor``-th sample from ``decimation_offset`` on, lazily.

    Parameters
    ----------
    recording : Recording
    decimation_factor : int
    decimation_offset : int
        The first parent sample kept; below ``decimation_factor``.
    antialias : bool
        Low-pass first (the FIR of :func:`resample` with ``up=1``); without it samples are
        taken as they are, which aliases what lies above the new Nyquist frequency.
    margin_ms : float or None
        With ``antialias``, as in :func:`resample`.
    dtype : dtype or None
        None keeps the recording's dtype, as SpikeInterface 0.105 does (with ``antialias``,
        integers are rounded, and unsigned inputs need a dtype or ``unsigned_to_signed``).

    Returns
    -------
    DecimateRecording
        ``ceil((n - offset) / factor)`` samples per segment. Without ``antialias`` it is
        exact (``traces[offset::factor]``); with it, equal to SpikeInterface 0.105 to 1e-5 of
        the RMS.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import decimate
    >>> rec = le.NumpyRecording(np.arange(10)[:, None].astype("int16"), 1000.0)
    >>> decimate(rec, 3, decimation_offset=1).get_traces().ravel().tolist()
    [1, 4, 7]
    """
    return DecimateRecording(recording, decimation_factor, decimation_offset, antialias,
                             margin_ms, dtype)
