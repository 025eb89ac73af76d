"""IIR filter design, frequency responses, and the margin a filter needs to be exact in chunks.

Filters are designed with scipy (second-order sections by default) and applied in the
frequency domain: a zero-phase ("forward-backward") filter multiplies the spectrum by
``|H|^2``, a causal ("forward") one by ``H``, an anti-causal ("backward") one by ``conj(H)``.
Away from a recording's ends this is what ``sosfiltfilt`` / ``sosfilt`` compute on the whole
array, because both equal a convolution with the same impulse response.

The margin
----------
A window filtered with ``margin`` extra samples on each side differs from the whole-array
result only through the impulse response beyond ``margin`` samples (its "tail"). The default
margin is the smallest number of samples after which the tail's summed magnitude is below
``MARGIN_TOLERANCE`` (1e-6) times the impulse response's L2 norm. For white noise, the L2
norm is the ratio of output to input RMS, so the error a chunk edge can cause is at most
about ``1e-6 x (largest detrended input value / input RMS)`` of the filtered RMS. Measured on
noise with a DC offset, a random-walk drift and strong low-frequency content (10x the noise
RMS), the largest error anywhere in a chunk is below 1e-5 of the filtered signal's RMS for a
300-6000 Hz order-5 Butterworth (margin 27 ms at 30 kHz), a 300 Hz high-pass, a 3 kHz notch
(Q=30) and an elliptic band-pass; it is tested with hypothesis in
``tests/preprocessing/test_filter_exactness.py``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from ..base.validation import as_number_array

__all__ = [
    "MARGIN_TOLERANCE",
    "FilterDesign",
    "design_filter",
]

MARGIN_TOLERANCE = 1e-6

_BTYPES = ("bandpass", "bandstop", "lowpass", "highpass")
_BTYPE_ALIASES = {"band": "bandpass", "pass": "bandpass", "bp": "bandpass", "stop": "bandstop",
                  "bs": "bandstop", "low": "lowpass", "lp": "lowpass", "high": "highpass",
                  "hp": "highpass"}
_FTYPES = ("butter", "cheby1", "cheby2", "ellip", "bessel")
_MODES = ("sos", "ba")
DIRECTIONS = ("forward-backward", "forward", "backward")
BandType = Literal["bandpass", "bandstop", "lowpass", "highpass"]
FilterMode = Literal["sos", "ba"]
Direction = Literal["forward-backward", "forward", "backward"]


class FilterDesign:
    """A designed filter: coefficients, its frequency response on FFT grids, and its margin.

    Parameters
    ----------
    coefficients : numpy.ndarray or tuple
        Second-order sections (``filter_mode="sos"``) or ``(b, a)``.
    filter_mode : {"sos", "ba"}
    direction : {"forward-backward", "forward", "backward"}
    sampling_frequency : float
    """

    def __init__(
        self, coefficients: Any, filter_mode: str, direction: str, sampling_frequency: float
    ) -> None:
        self.coefficients = coefficients
        self.filter_mode = filter_mode
        self.direction = direction
        self.sampling_frequency = float(sampling_frequency)
        self._responses: dict[tuple[int, str], np.ndarray] = {}
        self._impulse: np.ndarray | None = None

    # ------------------------------------------------------------- response
    def _complex_response(self, num_bins: int, fft_length: int) -> np.ndarray:
        from scipy import signal

        omega = 2 * np.pi * np.arange(num_bins) / fft_length
        if self.filter_mode == "sos":
            _, response = signal.freqz_sos(self.coefficients, worN=omega)
        else:
            b, a = self.coefficients
            _, response = signal.freqz(b, a, worN=omega)
        return np.asarray(response, dtype=np.complex128)

    def response(self, fft_length: int, dtype: np.dtype) -> np.ndarray:
        """What to multiply an rfft of length ``fft_length`` by (cached per length and dtype).

        Real ``|H|^2`` for forward-backward, complex ``H`` or ``conj(H)`` otherwise.
        """
        key = (fft_length, np.dtype(dtype).str)
        cached = self._responses.get(key)
        if cached is not None:
            return cached
        h = self._complex_response(fft_length // 2 + 1, fft_length)
        if self.direction == "forward-backward":
            out = (h.real**2 + h.imag**2).astype(dtype)
        else:
            complex_dtype = np.result_type(dtype, np.complex64)
            out = (h if self.direction == "forward" else np.conj(h)).astype(complex_dtype)
        if len(self._responses) >= 16:  # windows of many lengths: keep the cache small
            self._responses.clear()
        self._responses[key] = out
        return out

    def dc_gain(self) -> float:
        """The gain at 0 Hz of the applied filter (``|H(0)|^2`` for forward-backward)."""
        h0 = complex(self._complex_response(1, 2)[0])
        gain = abs(h0) ** 2 if self.direction == "forward-backward" else h0.real
        return 0.0 if abs(gain) < 1e-12 else float(gain)

    def delay_moment(self) -> float:
        """First moment ``sum k r(k)`` of the applied impulse response, in samples.

        The response to a line ``a + b n`` is ``dc_gain * (a + b n) - b * delay_moment``;
        zero for zero-phase filters.
        """
        if self.direction == "forward-backward":
            return 0.0
        h = self.impulse_response()
        moment = float(np.sum(np.arange(h.size) * h))
        return moment if self.direction == "forward" else -moment

    # --------------------------------------------------------------- margin
    def impulse_response(self) -> np.ndarray:
        """The causal impulse response ``h``, long enough for its tail to be negligible."""
        if self._impulse is not None:
            return self._impulse
        from scipy import signal

        length = 1 << 14
        while True:
            impulse = np.zeros(length)
            impulse[0] = 1.0
            if self.filter_mode == "sos":
                h = signal.sosfilt(self.coefficients, impulse)
            else:
                h = signal.lfilter(*self.coefficients, impulse)
            if not np.all(np.isfinite(h)):
                raise ValueError(
                    "the filter is unstable (its impulse response diverges); use "
                    "filter_mode='sos' or a lower filter_order"
                )
            tail = np.abs(h[-length // 8 :]).sum()
            if tail <= 1e-3 * MARGIN_TOLERANCE * np.sqrt(np.sum(h * h)) or length >= 1 << 24:
                break
            length *= 4
        self._impulse = h
        return h

    def derived_margin(self, tolerance: float = MARGIN_TOLERANCE) -> int:
        """Samples after which the impulse response's tail is below ``tolerance``.

        The tail ``sum_{|k| > m} |r(k)|`` of the applied response ``r`` (the autocorrelation
        of ``h`` for forward-backward, ``h`` itself otherwise) is compared to ``tolerance``
        times ``||r||_2``; the smallest ``m`` that passes is returned.
        """
        h = self.impulse_response()
        if self.direction == "forward-backward":
            n = h.size
            spectrum = np.fft.rfft(h, 2 * n)
            r = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, 2 * n)[:n]
            norm = math.sqrt(r[0] ** 2 + 2 * float(np.sum(r[1:] ** 2)))
            tails = 2 * np.cumsum(np.abs(r[::-1]))[::-1]  # tails[m] = sum_{|k| >= m} |r(k)|
        else:
            norm = math.sqrt(float(np.sum(h * h)))
            tails = np.cumsum(np.abs(h[::-1]))[::-1]
        if norm == 0.0:
            return 0
        above = np.flatnonzero(tails > tolerance * norm)
        return int(above[-1]) + 1 if above.size else 0


def normalise_btype(btype: str) -> str:
    """scipy's band type names (and their short aliases) to one of four names."""
    if not isinstance(btype, str):
        raise TypeError(f"btype must be a string, got {btype!r}")
    name = _BTYPE_ALIASES.get(btype.lower(), btype.lower())
    if name not in _BTYPES:
        raise ValueError(f"btype must be one of {_BTYPES}, got {btype!r}")
    return name


def check_band(
    band: Any, btype: str, sampling_frequency: float, names: tuple[str, ...] | None = None
) -> list[float]:
    """Validate corner frequencies against the band type and the Nyquist frequency."""
    nyquist = sampling_frequency / 2
    array = np.atleast_1d(as_number_array(band, "band", finite=False))
    if array.ndim != 1:
        raise ValueError(f"band must be one frequency or [freq_min, freq_max], got {band!r}")
    values = array.tolist()
    two = btype in ("bandpass", "bandstop")
    if two and len(values) != 2:
        raise ValueError(f"a {btype} filter needs band=[freq_min, freq_max], got {band!r}")
    if not two and len(values) != 1:
        raise ValueError(f"a {btype} filter needs one corner frequency, got band={band!r}")
    if names is None:
        names = ("freq_min", "freq_max") if two else (
            ("freq_min",) if btype == "highpass" else ("freq_max",)
        )
    for name, value in zip(names, values, strict=True):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive frequency in Hz, got {value} "
                             f"(band={band!r})")
        if value >= nyquist:
            raise ValueError(
                f"{name}={value} Hz is at or above the Nyquist frequency {nyquist} Hz "
                f"(sampling frequency {sampling_frequency} Hz); it must be below {nyquist} Hz"
            )
    if two and values[0] >= values[1]:
        raise ValueError(
            f"freq_min ({values[0]} Hz) must be below freq_max ({values[1]} Hz)"
        )
    return values


def design_filter(
    band: Any,
    btype: str,
    filter_order: int,
    ftype: str,
    filter_mode: str,
    direction: str,
    sampling_frequency: float,
    coeff: Any = None,
    **filter_kwargs: Any,
) -> FilterDesign:
    """Design an IIR filter with scipy, or wrap given coefficients.

    Parameters
    ----------
    band : float or [float, float]
        Corner frequencies in Hz.
    btype : {"bandpass", "bandstop", "lowpass", "highpass"}
    filter_order : int
    ftype : {"butter", "cheby1", "cheby2", "ellip", "bessel"}
    filter_mode : {"sos", "ba"}
    direction : {"forward-backward", "forward", "backward"}
    sampling_frequency : float
    coeff : array or (b, a) or None
        Coefficients to use instead of designing them.
    **filter_kwargs
        Passed to ``scipy.signal.iirfilter`` (``rp``, ``rs``).
    """
    from scipy import signal

    if filter_mode not in _MODES:
        raise ValueError(f"filter_mode must be one of {_MODES}, got {filter_mode!r}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if coeff is not None:
        if filter_mode == "sos":
            sos = as_number_array(coeff, "coeff")
            if sos.ndim != 2 or sos.shape[1] != 6:
                raise ValueError(f"sos coefficients must have shape (n, 6), got {sos.shape}")
            return FilterDesign(sos, "sos", direction, sampling_frequency)
        if not isinstance(coeff, (list, tuple)) or len(coeff) != 2:
            raise ValueError(f"coeff must be (b, a) with filter_mode='ba', got {coeff!r}")
        b, a = (as_number_array(c, "coeff") for c in coeff)
        return FilterDesign((b, a), "ba", direction, sampling_frequency)
    kind = normalise_btype(btype)
    freqs = check_band(band, kind, sampling_frequency)
    if ftype not in _FTYPES:
        raise ValueError(f"ftype must be one of {_FTYPES}, got {ftype!r}")
    order = int(filter_order)
    if order < 1 or order != filter_order:
        raise ValueError(f"filter_order must be a positive integer, got {filter_order!r}")
    wn = freqs if len(freqs) == 2 else freqs[0]
    coefficients = signal.iirfilter(
        order, wn, btype=kind, ftype=ftype, output=filter_mode, fs=sampling_frequency,
        **filter_kwargs,
    )
    return FilterDesign(coefficients, filter_mode, direction, sampling_frequency)


def notch_design(freq: float, q: float, sampling_frequency: float, direction: str) -> FilterDesign:
    """A second-order notch at ``freq`` Hz with quality factor ``q`` (as sections)."""
    from scipy import signal

    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    check_band(freq, "lowpass", sampling_frequency, names=("freq",))
    if not q > 0:
        raise ValueError(f"q must be positive, got {q!r}")
    b, a = signal.iirnotch(float(freq), float(q), fs=sampling_frequency)
    return FilterDesign(signal.tf2sos(b, a), "sos", direction, sampling_frequency)
