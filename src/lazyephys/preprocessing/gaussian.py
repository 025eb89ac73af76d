"""Lazy Gaussian filtering in the frequency domain: ``gaussian_filter``.

The spectrum is multiplied by ``G_max(f) * (1 - G_min(f))``, where ``G_c`` is the frequency
response of a Gaussian kernel of standard deviation ``fs / (2 pi c)`` samples: low-pass with
``freq_max`` only, high-pass with ``freq_min`` only, band-pass with both. ``G_c(f)`` is
``exp(-(f / c)^2 / 2)``, except above ``fs / 8`` where the kernel is too narrow for that
formula and the response of the sampled kernel (truncated at 5 standard deviations) is used,
as SpikeInterface does.

The time-domain kernel decays like a Gaussian, so a margin of ``margin_sd`` standard
deviations of the widest kernel (SpikeInterface's choice) makes windows equal the whole
segment to about ``exp(-margin_sd^2 / 2)`` of the signal (4e-6 for the default 5).
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
from .spectral import apply_in_frequency_domain

__all__ = ["GaussianFilterRecording", "gaussian_filter", "gaussian_response"]


def gaussian_response(fft_length: int, cutoff: float, fs: float) -> np.ndarray:
    """``G_cutoff`` at the rfft frequencies of ``fft_length`` samples (float64).

    Examples
    --------
    >>> gaussian_response(8, 1000.0, 8000.0).round(3).tolist()
    [1.0, 0.607, 0.135, 0.011, 0.0]
    """
    frequencies = np.fft.rfftfreq(fft_length, d=1 / fs)
    if cutoff > fs / 8:
        sigma = fs / (2 * np.pi * cutoff)
        reach = round(5 * sigma) + 1
        x = np.arange(-reach, reach + 1) / sigma
        kernel = np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi) / sigma
        return np.asarray(np.abs(np.fft.rfft(kernel, n=fft_length)))
    return np.asarray(np.exp(-((frequencies / cutoff) ** 2) / 2))


class GaussianSegment(WindowTransformSegment):
    """Multiplies each window's spectrum by the band's Gaussian response."""

    __slots__ = ("dc_gain", "freq_max", "freq_min", "fs", "margin", "responses")

    def __init__(self, parent: RecordingSegment, num_channels: int, freq_min: float | None,
                 freq_max: float | None, fs: float, margin: int, dtype: np.dtype,
                 work: np.dtype) -> None:
        super().__init__(parent, num_channels, dtype, work)
        self.freq_min, self.freq_max, self.fs, self.margin = freq_min, freq_max, fs, margin
        self.responses: dict[int, np.ndarray] = {}
        # the response at 0 Hz: 1 for a low-pass, 0 once a high-pass corner is there
        self.dc_gain = 0.0 if freq_min is not None else 1.0

    def response(self, fft_length: int) -> np.ndarray:
        cached = self.responses.get(fft_length)
        if cached is None:
            cached = np.ones(fft_length // 2 + 1)
            if self.freq_max is not None:
                cached = cached * gaussian_response(fft_length, self.freq_max, self.fs)
            if self.freq_min is not None:
                cached = cached * (1 - gaussian_response(fft_length, self.freq_min, self.fs))
            cached = cached.astype(self.work)
            if len(self.responses) >= 8:
                self.responses.clear()
            self.responses[fft_length] = cached
        return cached

    def transform(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        def respond(spectrum: np.ndarray, fft_length: int) -> None:
            spectrum *= self.response(fft_length)[:, None]

        out, left, level, slope = apply_in_frequency_domain(
            self.parent, start_frame, end_frame, channel_selector, self.margin, self.work,
            respond)
        if self.dc_gain:
            # a symmetric kernel passes a straight line as it is (times its gain at 0 Hz)
            add_line(out, left, level, slope, 1.0)
        return out


@register_kind
class GaussianFilterRecording(Recording):
    """A lazy Gaussian band-pass (see :func:`gaussian_filter`)."""

    def __init__(self, recording: Recording, freq_min: float | None = 300.0,
                 freq_max: float | None = 5000.0, margin_sd: float = 5.0,
                 dtype: Any = None) -> None:
        if freq_min is None and freq_max is None:
            raise ValueError("give freq_min, freq_max or both (both None filters nothing)")
        fs = recording.get_sampling_frequency()
        for name, value in (("freq_min", freq_min), ("freq_max", freq_max)):
            if value is not None and not 0 < float(value) < fs / 2:
                raise ValueError(
                    f"{name}={value!r} Hz must be between 0 and the Nyquist frequency {fs / 2} Hz"
                )
        if freq_min is not None and freq_max is not None and float(freq_min) >= float(freq_max):
            raise ValueError(f"freq_min ({freq_min} Hz) must be below freq_max ({freq_max} Hz)")
        if not float(margin_sd) > 0:
            raise ValueError(f"margin_sd must be > 0, got {margin_sd!r}")
        sigmas = [fs / (2 * np.pi * float(c)) for c in (freq_min, freq_max) if c is not None]
        margin = 1 + int(max(sigmas) * float(margin_sd))
        out = keep_input_dtype(recording.get_dtype(), dtype, "gaussian_filter")
        work = working_dtype(recording.get_dtype(), out)
        n = recording.get_num_channels()
        low = None if freq_min is None else float(freq_min)
        high = None if freq_max is None else float(freq_max)
        init_from_parent(self, recording, out,
                         lambda seg: GaussianSegment(seg, n, low, high, fs, margin, out, work))
        self.parent = recording
        self.annotate(is_filtered=True)


def gaussian_filter(recording: Recording, freq_min: float | None = 300.0,
                    freq_max: float | None = 5000.0, margin_sd: float = 5.0,
                    dtype: Any = None) -> GaussianFilterRecording:
    """Filter with Gaussian responses in the frequency domain (no ringing), lazily.

    Parameters
    ----------
    recording : Recording
    freq_min : float or None
        High-pass corner in Hz (None: a low-pass).
    freq_max : float or None
        Low-pass corner in Hz (None: a high-pass).
    margin_sd : float
        Margin in standard deviations of the widest Gaussian kernel.
    dtype : dtype or None
        None keeps the recording's dtype, as SpikeInterface 0.105 does (integers are rounded;
        unsigned inputs need a dtype or ``unsigned_to_signed``).

    Returns
    -------
    GaussianFilterRecording
        Windows equal the whole segment to 1e-5 of the RMS with the default margin; equal to
        SpikeInterface 0.105's ``gaussian_filter`` away from the segment's ends to 1e-4 of the
        RMS (at the ends we mirror the signal through its end value, SpikeInterface
        mirrors it about the end sample).

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import gaussian_filter
    >>> rec = le.generate_recording(num_channels=2, durations=[0.5], seed=0)
    >>> gaussian_filter(rec, freq_min=300.0, freq_max=3000.0).get_traces(end_frame=10).shape
    (10, 2)
    """
    return GaussianFilterRecording(recording, freq_min, freq_max, margin_sd, dtype)
