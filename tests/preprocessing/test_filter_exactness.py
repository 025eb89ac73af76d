"""Chunked filtering matches filtering the whole array at once with scipy (float64).

Away from the recording's own ends, the largest difference anywhere in a window must be
below 1e-5 of the filtered signal's RMS with the default margin, whatever the window size
and position. The signal has what makes chunk edges hard: a DC offset, strong
low-frequency content and a slow drift on top of the noise.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.preprocessing import bandpass_filter, filter, highpass_filter, notch_filter

FS = 30000.0
N = 120_000
EDGE = 12_000  # stay this far from the recording's ends (larger than every margin below)


def _signal(num_channels: int = 3) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(N) / FS
    slow = ss.sosfiltfilt(ss.butter(2, 100, fs=FS, output="sos"),
                          rng.normal(size=(N, num_channels)), axis=0)
    slow *= 100 / slow.std()
    drift = np.linspace(0, 400, N)[:, None]
    sine = 300 * np.sin(2 * np.pi * 8 * t)[:, None]
    return rng.normal(0, 30, (N, num_channels)) + 500 + sine + slow + drift


def _whole(design, x: np.ndarray) -> np.ndarray:
    coefficients = design.coefficients
    if design.filter_mode == "ba":
        return ss.filtfilt(*coefficients, x, axis=0)
    if design.direction == "forward-backward":
        return ss.sosfiltfilt(coefficients, x, axis=0)
    if design.direction == "forward":
        return ss.sosfilt(coefficients, x, axis=0)
    return ss.sosfilt(coefficients, x[::-1], axis=0)[::-1]


FILTERS = {
    "bandpass": lambda r: bandpass_filter(r, freq_min=300.0, freq_max=6000.0),
    "highpass": lambda r: highpass_filter(r, freq_min=300.0),
    "notch": lambda r: notch_filter(r, freq=3000, q=30),
    "lowpass": lambda r: filter(r, band=6000.0, btype="lowpass"),
    "bandstop": lambda r: filter(r, band=[500.0, 2000.0], btype="bandstop", filter_order=3),
    "ellip": lambda r: filter(r, band=[300.0, 6000.0], ftype="ellip", rp=0.5, rs=40),
    "bandpass_forward": lambda r: bandpass_filter(r, direction="forward"),
    "bandpass_backward": lambda r: bandpass_filter(r, direction="backward"),
    "lowpass_forward": lambda r: filter(r, band=3000.0, btype="lowpass", direction="forward"),
    "bandpass_ba": lambda r: bandpass_filter(r, filter_mode="ba", filter_order=3),
}


@pytest.fixture(scope="module")
def cases():
    x = _signal()
    rec = le.NumpyRecording(x, FS)
    out = {}
    for name, make in FILTERS.items():
        filtered = make(rec)
        whole = _whole(filtered.design, x)
        rms = float(np.sqrt(np.mean(whole[EDGE:-EDGE] ** 2)))
        out[name] = (filtered, whole, rms)
    return out


@pytest.mark.parametrize("name", sorted(FILTERS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_chunks_match_whole_array(cases, name, data):
    filtered, whole, rms = cases[name]
    size = data.draw(st.integers(1, 40_000), label="chunk size")
    start = data.draw(st.integers(EDGE, N - EDGE - size), label="start")
    channels = data.draw(st.sampled_from([None, [0], [2, 0], [1, 2]]), label="channels")
    got = filtered.get_traces(start_frame=start, end_frame=start + size, channel_ids=channels)
    expected = whole[start : start + size]
    if channels is not None:
        expected = expected[:, channels]
    assert got.dtype == np.float64
    error = float(np.abs(got - expected).max())
    assert error < 1e-5 * rms, f"max error {error / rms:.2e} of the RMS at {start}+{size}"


def test_consecutive_chunks_tile_the_whole_array(cases):
    filtered, whole, rms = cases["bandpass"]
    pieces = [filtered.get_traces(start_frame=s, end_frame=min(s + 7001, N))
              for s in range(0, N, 7001)]
    tiled = np.concatenate(pieces)
    inner = slice(EDGE, N - EDGE)
    assert np.abs(tiled[inner] - whole[inner]).max() < 1e-5 * rms
    # at the recording's own ends the result is a filter of the odd-mirrored signal: finite,
    # and of the same scale as the rest
    assert np.all(np.isfinite(tiled))
    assert np.sqrt(np.mean(tiled[:2000] ** 2)) < 10 * rms


def test_default_margin_is_derived_from_the_filter():
    rec = le.NumpyRecording(np.zeros((1000, 1)), FS)
    bp = bandpass_filter(rec)
    # an order-5 300 Hz corner rings for tens of ms; a 6 kHz low-pass for a few
    assert 15 < bp.get_margin() / FS * 1000 < 40
    low = filter(rec, band=6000.0, btype="lowpass")
    assert low.get_margin() < bp.get_margin() / 5
    assert bandpass_filter(rec, margin_ms=5.0).get_margin() == 150


def test_short_fixed_margin_is_measurably_worse(cases):
    filtered, whole, rms = cases["bandpass"]
    rec = filtered.parent
    short = bandpass_filter(rec, margin_ms=5.0)
    errors = [np.abs(short.get_traces(start_frame=s, end_frame=s + 3000) - whole[s:s + 3000]).max()
              for s in range(EDGE, N - EDGE - 3000, 9000)]
    assert max(errors) > 1e-3 * rms


def test_int16_input_is_filtered_in_float32():
    x = np.clip(_signal(), -32000, 32000).astype(np.int16)
    rec = le.NumpyRecording(x, FS)
    kept = bandpass_filter(rec)  # SpikeInterface's default: the input's dtype, rounded
    assert kept.get_dtype() == np.int16
    window = kept.get_traces(start_frame=EDGE, end_frame=EDGE + 3000)
    floats = bandpass_filter(rec, dtype="float32").get_traces(start_frame=EDGE,
                                                              end_frame=EDGE + 3000)
    np.testing.assert_array_equal(window, np.rint(floats).astype(np.int16))
    bp = bandpass_filter(rec, dtype="float32")
    assert bp.get_dtype() == np.float32
    whole = ss.sosfiltfilt(bp.design.coefficients, x.astype(np.float64), axis=0)
    rms = float(np.sqrt(np.mean(whole[EDGE:-EDGE] ** 2)))
    for start, size in [(EDGE, 30000), (50_001, 777), (N - EDGE - 30000, 30000)]:
        got = bp.get_traces(start_frame=start, end_frame=start + size)
        assert got.dtype == np.float32
        # float32 arithmetic: a few parts in a million of the RMS
        assert np.abs(got - whole[start:start + size]).max() < 5e-5 * rms
