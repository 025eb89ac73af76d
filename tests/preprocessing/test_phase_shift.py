"""phase_shift against a whole-array Fourier delay, and on signals whose delay is known."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import lazyephys as le
from lazyephys.preprocessing import phase_shift

FS = 30000.0


def _whole_delay(x: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    # the whole array delayed in the Fourier domain; the line joining its ends is removed
    # first (and delayed exactly) so that the wrap-around jump does not ring into the middle
    n = x.shape[0]
    rows = np.arange(n)[:, None]
    slope = (x[-1] - x[0]) / (n - 1)
    line = x[0] + slope * rows
    spectrum = np.fft.rfft(x - line, axis=0)
    k = np.arange(spectrum.shape[0])[:, None]
    delayed = np.fft.irfft(spectrum * np.exp(-2j * np.pi * k * shifts[None, :] / n), n, axis=0)
    return delayed + x[0] + slope * (rows - shifts[None, :])


def test_matches_whole_array_delay_on_band_limited_signals():
    rng = np.random.default_rng(2)
    n = 90000
    sos = ss.butter(8, 0.6 * FS / 2, fs=FS, output="sos")
    x = ss.sosfiltfilt(sos, rng.normal(0, 20, (n, 3)), axis=0) + 300.0
    shifts = np.array([0.0, 0.25, 0.9])
    rec = le.NumpyRecording(x, FS)
    rec.set_property("inter_sample_shift", shifts)
    shifted = phase_shift(rec)
    whole = _whole_delay(x, shifts)
    rms = np.std(x)
    for start, size in [(20000, 30000), (41234, 999), (60000, 10000)]:
        got = shifted.get_traces(start_frame=start, end_frame=start + size)
        assert np.abs(got - whole[start:start + size]).max() < 3e-5 * rms


def test_sine_is_delayed_by_the_shift():
    t = np.arange(30000) / FS
    freq = 1000.0
    x = np.sin(2 * np.pi * freq * t)[:, None] * np.ones((1, 2))
    rec = le.NumpyRecording(x.astype(np.float32), FS)
    out = phase_shift(rec, inter_sample_shift=[0.0, 0.5]).get_traces(start_frame=5000,
                                                                        end_frame=6000)
    assert out.dtype == np.float32
    expected = np.sin(2 * np.pi * freq * (t[5000:6000] - 0.5 / FS))
    np.testing.assert_allclose(out[:, 1], expected, atol=1e-3)
    np.testing.assert_allclose(out[:, 0], x[5000:6000, 0], atol=1e-4)


def test_shifts_are_stored_and_required():
    rec = le.generate_recording(num_channels=2, durations=[0.5], seed=0)
    with pytest.raises(ValueError, match="inter_sample_shift"):
        phase_shift(rec)
    with pytest.raises(ValueError, match="3 values for 2 channels"):
        phase_shift(rec, inter_sample_shift=[0.1, 0.2, 0.3])
    rec.set_property("inter_sample_shift", np.array([0.0, 0.5]))
    step = phase_shift(rec)
    np.testing.assert_array_equal(step.to_dict()["kwargs"]["inter_sample_shift"]["__ndarray__"],
                                  [0.0, 0.5])
