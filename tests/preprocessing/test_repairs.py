"""Everyday repairs: clipping, saturation, rectifying, units, LSB, quantiles, channel padding
and averaging, resampling, decimation, Gaussian and causal filters, silenced periods and
artifact removal.

Each step: windows against a numpy/scipy computation of the whole array written here (the
conformance battery where the step is exact), bad input, provenance through JSON, pickle and
a spawned worker, and SpikeInterface 0.105 on the same input when it is installed.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from scipy import interpolate, signal

import lazyephys as le
from lazyephys import preprocessing as pp
from lazyephys.testing import RecordingConformance

from .si_reference import run_spikeinterface

FS = 30000.0
N = 6000


def _traces(seed: int = 0, n: int = N, channels: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(size=(n, channels)), axis=0) * 0.2
    return (walk + rng.normal(size=(n, channels)) * 5).astype(np.float32)


LOCATIONS = np.array([[0.0, 0.0], [32.0, 0.0], [0.0, 20.0], [32.0, 20.0]])


def _rec(values: np.ndarray | None = None) -> le.Recording:
    rec = le.NumpyRecording(_traces() if values is None else values, FS)
    rec.set_channel_locations(LOCATIONS[: rec.get_num_channels()])
    return rec


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values, dtype=np.float64))))


def _max_window_error(step: le.Recording, size: int = 777) -> float:
    full = step.get_traces()
    n = full.shape[0]
    windows = np.concatenate([step.get_traces(start_frame=a, end_frame=min(a + size, n))
                              for a in range(0, n, size)])
    return float(np.abs(windows.astype(np.float64) - full).max() / max(_rms(full), 1e-12))


# ----------------------------------------------------------------- exact, conformance
X = _traces()
INT = np.rint(X * 10).astype(np.int16)


class TestClip(RecordingConformance):
    def make(self, tmp_path):
        return pp.clip(_rec(), a_min=-3.0, a_max=4.0), [np.clip(X, -3.0, 4.0)]


class TestClipInteger(RecordingConformance):
    def make(self, tmp_path):
        rec = le.NumpyRecording(INT, FS)
        return pp.clip(rec, a_min=-30.4, a_max=None), [np.maximum(INT, -30).astype(np.int16)]


class TestBlankSaturation(RecordingConformance):
    def make(self, tmp_path):
        step = pp.blank_saturation(_rec(), abs_threshold=6.0, direction="both", fill_value=0.5)
        return step, [np.where(np.abs(X) >= 6.0, np.float32(0.5), X)]


class TestRectify(RecordingConformance):
    def make(self, tmp_path):
        return pp.rectify(le.NumpyRecording(INT, FS)), [np.abs(INT)]


class TestScaleToUV(RecordingConformance):
    def make(self, tmp_path):
        rec = le.NumpyRecording(INT, FS)
        gains, offsets = np.array([0.5, 1.5, 2.0, 0.25]), np.array([1.0, 0.0, -3.0, 2.0])
        rec.set_channel_gains(gains)
        rec.set_channel_offsets(offsets)
        expected = INT.astype(np.float32) * gains.astype(np.float32) + offsets.astype(np.float32)
        return pp.scale_to_uV(rec), [expected]


class TestCorrectLSB(RecordingConformance):
    def make(self, tmp_path):
        rec = le.NumpyRecording((INT // 4 * 4).astype(np.int16), FS)
        step = pp.correct_lsb(rec, num_chunks_per_segment=1, chunk_size=N, seed=0)
        values = (INT // 4 * 4).astype(np.float64)
        centred = np.rint(values - np.median(values, axis=0))
        return step, [np.rint(centred / 4).astype(np.int16)]


class TestNormalizeByQuantile(RecordingConformance):
    def make(self, tmp_path):
        step = pp.normalize_by_quantile(_rec(), scale=2.0, median=1.0, q1=0.05, q2=0.95,
                                        num_chunks_per_segment=1, chunk_size=N)
        low, mid, high = np.quantile(X.astype(np.float64), [0.05, 0.5, 0.95], axis=0)
        gain = 2.0 / np.abs(high - low)
        offset = 1.0 - mid * gain
        return step, [X * gain.astype(np.float32) + offset.astype(np.float32)]


class TestZeroChannelPad(RecordingConformance):
    def make(self, tmp_path):
        step = pp.zero_channel_pad(_rec(), 7, channel_mapping=[6, 0, 3, 4])
        expected = np.zeros((N, 7), np.float32)
        expected[:, [6, 0, 3, 4]] = X
        return step, [expected]


class TestAverageAcrossDirection(RecordingConformance):
    def make(self, tmp_path):
        step = pp.average_across_direction(_rec())
        return step, [step.get_traces()]


class TestDecimateBySlicing(RecordingConformance):
    def make(self, tmp_path):
        return pp.decimate(_rec(), 7, decimation_offset=3), [X[3::7]]


class TestSilenceZeros(RecordingConformance):
    def make(self, tmp_path):
        expected = X.copy()
        expected[100:200] = 0
        expected[4000:5100] = 0
        return pp.silence_periods(_rec(), [(4000, 5100), (100, 200)]), [expected]


class TestRemoveArtifactsZeros(RecordingConformance):
    def make(self, tmp_path):
        expected = X.copy()
        for t in (10, 2000, 5990):
            expected[max(t - 15, 0) : t + 91] = 0  # 0.5 ms before, 3 ms after, inclusive
        return pp.remove_artifacts(_rec(), [2000, 5990, 10]), [expected]


class TestResampleWindows(RecordingConformance):
    def make(self, tmp_path):
        step = pp.resample(_rec(), 2500.0)
        return step, [step.get_traces()]


def test_zero_channel_pad_carries_the_probe(tmp_path):
    from probeinterface import generate_linear_probe

    rec = le.NumpyRecording(INT, FS)
    probe = generate_linear_probe(num_elec=4, ypitch=20)
    probe.set_device_channel_indices([0, 3, 1, 2])  # channel c sits at contact wired[c]
    rec = rec.set_probe(probe)
    rec.set_channel_gains(2.0)
    rec.set_channel_offsets(0.0)
    mapping = [5, 1, 2, 0]
    padded = pp.zero_channel_pad(rec, 6, channel_mapping=mapping)
    assert padded.get_dtype() == np.int16 and padded.has_probe()
    locations = padded.get_channel_locations()
    np.testing.assert_array_equal(locations[mapping], rec.get_channel_locations())
    assert np.isnan(locations[[3, 4]]).all()
    carried = padded.get_probe()
    np.testing.assert_array_equal(carried.device_channel_indices, np.arange(6))
    ids = carried.contact_ids.tolist()
    assert [ids[k] for k in mapping] == rec.get_probe().contact_ids.tolist()
    assert ids[3] == "pad3" and ids[4] == "pad4"
    assert carried.contact_shapes.tolist() == ["circle"] * 6
    np.testing.assert_array_equal(padded.get_channel_gains(), [2, 2, 2, 1, 1, 2])
    expected = np.zeros((N, 6), np.int16)
    expected[:, mapping] = INT
    np.testing.assert_array_equal(padded.get_traces(), expected)
    saved = padded.save(folder=tmp_path / "padded")
    np.testing.assert_array_equal(saved.get_probe().contact_ids, carried.contact_ids)
    np.testing.assert_array_equal(saved.get_channel_locations(), locations)
    # a probe id already named "pad1" does not collide
    probe.set_contact_ids(["pad1", "b", "c", "d"])
    clash = pp.zero_channel_pad(le.NumpyRecording(INT, FS).set_probe(probe), 6)
    assert sorted(clash.get_probe().contact_ids.tolist()) == sorted(
        ["pad1", "b", "c", "d", "pad4", "pad5"])
    twice = pp.zero_channel_pad(le.NumpyRecording(INT, FS).set_probe(probe), 6,
                                channel_mapping=[0, 2, 3, 4])
    assert len(set(twice.get_probe().contact_ids.tolist())) == 6


def test_average_across_direction_is_the_mean_of_each_row():
    step = pp.average_across_direction(_rec())
    np.testing.assert_allclose(step.get_traces(), [[*r] for r in np.c_[X[:, :2].mean(axis=1),
                                                                        X[:, 2:].mean(axis=1)]],
                               rtol=1e-6, atol=1e-5)
    assert step.get_channel_ids().tolist() == ["0-1", "2-3"]
    np.testing.assert_allclose(step.get_channel_locations(), [[16.0, 0.0], [16.0, 20.0]])


# ------------------------------------------------------------ resampling and filters
@pytest.mark.parametrize("rate", [2500.0, 1000.0, 44100.0])
def test_resample_matches_resample_poly_on_the_whole_array(rate):
    values = _traces(n=30000)
    step = pp.resample(_rec(values), rate)
    up, down, achieved = pp.resample.__globals__["resampling_factors"](FS, rate)
    assert step.get_sampling_frequency() == achieved
    expected = signal.resample_poly(values.astype(np.float64), up, down, axis=0)
    got = step.get_traces()
    assert got.shape == expected.shape
    edge = 60 * up // down + 60  # the ends: scipy pads zeros, we mirror the signal
    error = np.abs(got[edge:-edge] - expected[edge:-edge]).max()
    assert error < 1e-5 * _rms(expected)
    assert _max_window_error(step, 611) < 1e-6


def test_decimate_with_antialias_and_times():
    values = _traces(n=30000)
    rec = _rec(values)
    rec.set_start_time(2.0)
    step = pp.decimate(rec, 10, decimation_offset=4, antialias=True)
    assert step.get_sampling_frequency() == 3000.0
    assert step.get_num_samples() == (30000 - 4 + 9) // 10
    assert step.get_start_time() == pytest.approx(2.0 + 4 / FS)
    expected = signal.resample_poly(values[4:].astype(np.float64), 1, 10, axis=0)
    got = step.get_traces()
    assert np.abs(got[20:-20] - expected[20:-20]).max() < 1e-5 * _rms(expected)
    assert _max_window_error(step, 333) < 1e-6
    timed = _rec(values)
    timed.set_times(5.0 + np.arange(30000) / FS)
    np.testing.assert_allclose(pp.resample(timed, 3000.0).get_times()[:3],
                               5.0 + np.arange(3) / 3000.0)


def _resample_run(run: np.ndarray, up: int, down: int) -> np.ndarray:
    """One contiguous run resampled whole, mirrored (numpy's "reflect") beyond its ends."""
    m = down * -(-400 // down)  # longer than the FIR's reach, a multiple of down
    padded = np.pad(run.astype(np.float64), ((m, m), (0, 0)), mode="reflect")
    out = signal.resample_poly(padded, up, down, axis=0)
    return out[m * up // down :][: -(-run.shape[0] * up // down)]


@pytest.mark.parametrize(("rate", "up", "down"), [(10000.0, 1, 3), (12000.0, 2, 5)])
def test_resample_splits_at_gaps(rate, up, down):
    values = _traces(n=9000)
    runs = [(0, 2500), (2500, 6001), (6001, 9000)]
    times = 7.0 + np.arange(9000) / FS
    times[2500:] += 0.25  # a 250 ms gap
    times[6001:] += 0.002  # a 2 ms gap
    times[4000:] += 0.3 / FS  # jitter, never a gap
    rec = _rec(values)
    rec.set_times(times)
    step = pp.resample(rec, rate, gap_tolerance_ms=0.0)
    expected = np.concatenate([_resample_run(values[a:b], up, down) for a, b in runs])
    assert step.get_num_samples() == sum(-(-(b - a) * up // down) for a, b in runs)
    got = step.get_traces()
    assert np.abs(got - expected).max() < 1e-5 * _rms(expected)
    assert _max_window_error(step, 611) < 1e-6
    new_times = step.get_times()
    first = 0
    for a, b in runs:
        count = -(-(b - a) * up // down)
        positions = np.arange(count) * down / up  # in parent samples from the run's start
        run_times = np.interp(positions, np.arange(b - a), times[a:b])
        beyond = positions > b - a - 1  # the run's last sample, one period on
        run_times[beyond] = times[b - 1] + (positions[beyond] - (b - a - 1)) / FS
        np.testing.assert_allclose(new_times[first : first + count], run_times, rtol=0,
                                   atol=1e-9)
        first += count
    for copy in (pickle.loads(pickle.dumps(step)),
                 le.BaseExtractor.from_dict(json.loads(json.dumps(step.to_dict())))):
        np.testing.assert_array_equal(copy.get_traces(), got)
        np.testing.assert_array_equal(copy.get_times(), new_times)
    # a tolerance above the 2 ms gap resamples through it: two runs
    through = pp.resample(rec, rate, gap_tolerance_ms=5.0)
    joined = np.concatenate([_resample_run(values[:2500], up, down),
                             _resample_run(values[2500:], up, down)])
    assert np.abs(through.get_traces() - joined).max() < 1e-5 * _rms(joined)
    with pytest.raises(ValueError, match="2 gap\\(s\\)"):
        pp.resample(rec, rate)


def test_resample_bad_input():
    with pytest.raises(ValueError, match="resample_rate must be finite and > 0, got -5"):
        pp.resample(_rec(), -5)
    with pytest.raises((TypeError, ValueError),
                       match="decimation_factor must be an? (positive )?integer, got 2.5"):
        pp.decimate(_rec(), 2.5)
    with pytest.raises(ValueError, match="decimation_offset \\(4\\) must be below"):
        pp.decimate(_rec(), 4, decimation_offset=4)
    gappy = _rec()
    gappy.set_times(np.r_[np.arange(3000), np.arange(3000) + 9000] / FS)
    with pytest.raises(ValueError, match="1 gap\\(s\\) in its times \\(200.0\\d* ms after "
                                         "sample 2999\\): pass gap_tolerance_ms"):
        pp.resample(gappy, 1000.0)
    with pytest.raises(ValueError, match="gap_tolerance_ms must be >= 0 or None, got -1"):
        pp.resample(gappy, 1000.0, gap_tolerance_ms=-1)
    with pytest.warns(UserWarning, match="is reached as"):
        pp.resample(_rec(), 7000.0, max_denominator=5)


def _gaussian_reference(values: np.ndarray, freq_min, freq_max) -> np.ndarray:
    n = values.shape[0]
    f = np.fft.rfftfreq(n, 1 / FS)
    response = np.ones_like(f)
    for cutoff, high in ((freq_max, False), (freq_min, True)):
        if cutoff is None:
            continue
        if cutoff > FS / 8:  # a narrow kernel: the response of its samples, 5 sigma each side
            sigma = FS / (2 * np.pi * cutoff)
            reach = round(5 * sigma) + 1
            x = np.arange(-reach, reach + 1) / sigma
            g = np.abs(np.fft.rfft(np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi) / sigma, n=n))
        else:
            g = np.exp(-((f / cutoff) ** 2) / 2)
        response = response * ((1 - g) if high else g)
    return np.fft.irfft(np.fft.rfft(values.astype(np.float64), axis=0) * response[:, None],
                        n=n, axis=0)


@pytest.mark.parametrize("band", [(300.0, 5000.0), (None, 2000.0), (300.0, None), (5000.0, None)])
def test_gaussian_filter_matches_the_whole_array_spectrum(band):
    values = _traces(n=30000)
    values -= values.mean(axis=0)
    step = pp.gaussian_filter(_rec(values), *band)
    expected = _gaussian_reference(values, *band)
    got = step.get_traces()
    inner = slice(3000, -3000)  # the reference wraps around; ours mirrors at the ends
    assert np.abs(got[inner] - expected[inner]).max() < 1e-4 * _rms(expected)
    assert _max_window_error(step) < 1e-4
    assert step.get_annotation("is_filtered") is True


def _one_direction(apply, x: np.ndarray, direction: str) -> np.ndarray:
    return apply(x) if direction == "forward" else apply(x[::-1])[::-1]


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("mode", ["sos", "ba"])
def test_causal_filter_is_sosfilt_of_the_whole_array(direction, mode):
    # add_reflect_padding=False (the default): the filter starts from rest at the start
    # ("forward") or end ("backward"), as scipy's one-pass filters do, ends included
    values = _traces(n=30000) + 100.0  # an offset: the start is a step from rest
    step = pp.causal_filter(_rec(values), direction=direction, band=[300.0, 3000.0],
                            filter_order=3 if mode == "ba" else 5, filter_mode=mode)
    x = values.astype(np.float64)
    if mode == "sos":
        sos = signal.butter(5, [300.0, 3000.0], btype="bandpass", fs=FS, output="sos")
        expected = _one_direction(lambda v: signal.sosfilt(sos, v, axis=0), x, direction)
    else:
        b, a = signal.butter(3, [300.0, 3000.0], btype="bandpass", fs=FS)
        expected = _one_direction(lambda v: signal.lfilter(b, a, v, axis=0), x, direction)
    got = step.get_traces()
    assert got.dtype == np.float32
    assert np.abs(got - expected).max() < 2e-5 * _rms(expected)
    assert _max_window_error(step, 4321) < 2e-5


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_causal_filter_with_reflect_padding(direction):
    # add_reflect_padding=True: the margin beyond each end is the mirrored signal
    # (numpy's "reflect"), and the filter starts from rest a margin before the segment
    values = _traces(n=30000) + 100.0
    step = pp.causal_filter(_rec(values), direction=direction, band=[300.0, 3000.0],
                            margin_ms=40.0, add_reflect_padding=True)
    m = 1200  # 40 ms at 30 kHz
    sos = signal.butter(5, [300.0, 3000.0], btype="bandpass", fs=FS, output="sos")
    padded = np.pad(values.astype(np.float64), ((m, m), (0, 0)), mode="reflect")
    expected = _one_direction(lambda v: signal.sosfilt(sos, v, axis=0), padded,
                              direction)[m:-m]
    assert np.abs(step.get_traces() - expected).max() < 2e-5 * _rms(expected)
    unpadded = pp.causal_filter(_rec(values), direction=direction, band=[300.0, 3000.0],
                                margin_ms=40.0)
    ends = slice(0, 50) if direction == "forward" else slice(-50, None)
    assert np.abs(unpadded.get_traces()[ends] - step.get_traces()[ends]).max() > 1.0
    with pytest.raises(ValueError, match="'forward-backward'"):
        pp.causal_filter(_rec(), direction="forward-backward")
    with pytest.raises(TypeError, match="add_reflect_padding must be a bool, got 'yes'"):
        pp.causal_filter(_rec(), add_reflect_padding="yes")


def test_gaussian_bad_input():
    with pytest.raises(ValueError, match="freq_min, freq_max or both"):
        pp.gaussian_filter(_rec(), None, None)
    with pytest.raises(ValueError, match="freq_max=20000.0 Hz"):
        pp.gaussian_filter(_rec(), 300.0, 20000.0)


# ----------------------------------------------------------------- silence, artifacts
def test_silence_noise_and_apodization():
    step = pp.silence_periods(_rec(), [(1000, 4000)], mode="noise", seed=3)
    levels = np.median(np.abs(X - np.median(X, axis=0)), axis=0) / 0.6744897501960817
    got = step.get_traces()
    np.testing.assert_array_equal(got[:1000], X[:1000])
    assert np.allclose(got[1000:4000].std(axis=0), levels, rtol=0.1)
    assert _max_window_error(step, 555) == 0.0
    taper = pp.silence_periods(_rec(), [(1000, 1100)], mode="apodization", apodization_samples=9)
    mask = np.zeros(N)
    mask[1000:1100] = 1
    gain = np.maximum(0, 1 - signal.convolve(mask, signal.windows.cosine(9), mode="same"))
    np.testing.assert_allclose(taper.get_traces(), X * gain[:, None], rtol=1e-6, atol=1e-5)
    assert _max_window_error(taper, 97) == 0.0


def test_silence_bad_input():
    with pytest.raises(ValueError, match=r"\[5000, 7000\) is outside segment 0, which has 6000"):
        pp.silence_periods(_rec(), [(5000, 7000)])
    with pytest.raises(ValueError, match="overlap"):
        pp.silence_periods(_rec(), [(10, 50), (40, 60)])
    with pytest.raises(ValueError, match="mode must be .* got 'hush'"):
        pp.silence_periods(_rec(), [(10, 50)], mode="hush")


def _fit_value(values, idx, first_of_side, side):
    if first_of_side and side == "pre":
        around = np.arange(idx - 3, idx + 1)
    elif first_of_side:
        around = np.arange(idx, idx + 4)
    else:
        around = np.arange(idx - 2, idx + 3)
    return np.median(values[around], axis=0)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_remove_artifacts_interpolates_from_median_fit_points(mode):
    t, before, after, spacing = 3000, 15, 90, 30
    pre = t - before - 1 - np.array([60, 30, 0])
    post = t + after + 1 + np.array([0, 30, 60])
    values = np.r_[[_fit_value(X, i, i == pre[-1], "pre") for i in pre],
                   [_fit_value(X, i, i == post[0], "post") for i in post]]
    gap = np.arange(t - before, t + after + 1)
    curve = interpolate.interp1d(np.r_[pre, post], values, kind=mode, axis=0)
    expected = X.astype(np.float64).copy()
    expected[gap] = curve(gap)
    step = pp.remove_artifacts(_rec(), [t], mode=mode, fit_sample_spacing=spacing / 30.0)
    np.testing.assert_allclose(step.get_traces(), expected, rtol=1e-5, atol=1e-4)
    assert _max_window_error(step, 101) == 0.0


def test_remove_artifacts_subtracts_the_median_template():
    values = _traces(n=N).copy()
    bump = np.hanning(105)[:, None] * np.array([50.0, 40.0, 30.0, 20.0])
    triggers = [1000, 2500, 4000]
    for t in triggers:
        values[t - 15 : t + 90] += bump
    step = pp.remove_artifacts(_rec(values), triggers, mode="median")
    windows = np.stack([values[t - 15 : t + 90] for t in triggers]).astype(np.float64)
    template = np.median(windows, axis=0)
    expected = values.astype(np.float64).copy()
    for t in triggers:
        expected[t - 15 : t + 90] -= template
    np.testing.assert_allclose(step.get_traces(), expected, rtol=1e-5, atol=1e-4)
    assert _max_window_error(step, 101) == 0.0
    jittered = pp.remove_artifacts(_rec(values), triggers, mode="average", time_jitter=0.2,
                                   scale_amplitude=True,
                                   sparsity={"0": np.array([True, True, False, True])})
    assert _max_window_error(jittered, 97) == 0.0


def test_remove_artifacts_bad_input():
    with pytest.raises(ValueError, match=r"triggers \[7000\] of segment 0 are outside it"):
        pp.remove_artifacts(_rec(), [100, 7000])
    with pytest.raises(ValueError, match="mode must be one of .* got 'erase'"):
        pp.remove_artifacts(_rec(), [100], mode="erase")
    with pytest.raises(ValueError, match="no artifact for the labels \\['b'\\]"):
        pp.remove_artifacts(_rec(), [100, 200], mode="average", list_labels=["a", "b"],
                            artifacts={"a": np.zeros((105, 4))})
    with pytest.raises(ValueError, match="both None"):
        pp.remove_artifacts(_rec(), [100], ms_before=None)


def test_pointwise_bad_input():
    with pytest.raises(ValueError, match="a_min \\(5\\) must not be above a_max \\(1\\)"):
        pp.clip(_rec(), 5, 1)
    with pytest.raises(le.errors.DtypeOverflowError, match="fill_value=100000"):
        pp.blank_saturation(le.NumpyRecording(INT, FS), abs_threshold=5, fill_value=100000)
    with pytest.raises(ValueError, match="abs_threshold"):
        pp.blank_saturation(_rec())
    extreme = le.NumpyRecording(np.array([[-32768], [5]], dtype=np.int16), FS)
    with pytest.raises(le.errors.DtypeOverflowError, match="32768"):
        pp.rectify(extreme).get_traces()
    with pytest.raises(ValueError, match="gain_to_uV"):
        pp.scale_to_uV(_rec())
    with pytest.raises(ValueError, match="num_channels \\(2\\) must be at least"):
        pp.zero_channel_pad(_rec(), 2)
    with pytest.raises(ValueError, match="repeated"):
        pp.zero_channel_pad(_rec(), 6, channel_mapping=[0, 1, 1, 2])
    with pytest.raises(ValueError, match="mode must be 'by_channel' or 'pool_channel'"):
        pp.normalize_by_quantile(_rec(), mode="per_probe")


def test_quantile_and_saturation_estimates():
    pooled = pp.normalize_by_quantile(_rec(), mode="pool_channel", num_chunks_per_segment=1,
                                      chunk_size=N)
    low, high = np.quantile(pooled.get_traces().astype(np.float64), [0.01, 0.99])
    assert high - low == pytest.approx(1.0, rel=1e-4)
    blanked = pp.blank_saturation(_rec(), quantile_threshold=0.01, direction="upper",
                                  num_chunks_per_segment=1, chunk_size=N)
    fill = np.median(X)
    upper = np.quantile(X, 0.99)
    np.testing.assert_array_equal(blanked.get_traces(), np.where(X >= upper, fill, X))
    with pytest.warns(UserWarning, match="is 1"):
        assert pp.correct_lsb(le.NumpyRecording(INT, FS), seed=0, chunk_size=N) is not None


# ------------------------------------------------------------------------- provenance
STEPS = {
    "clip": lambda r: pp.clip(r, -3, 4),
    "blank_saturation": lambda r: pp.blank_saturation(r, quantile_threshold=0.01),
    "rectify": pp.rectify,
    "scale_to_uV": pp.scale_to_uV,
    "correct_lsb": lambda r: pp.correct_lsb(pp.scale(pp.scale(r, dtype="int16"), gain=4.0,
                                                     dtype="int16"), seed=0),
    "normalize_by_quantile": pp.normalize_by_quantile,
    "zero_channel_pad": lambda r: pp.zero_channel_pad(r, 6),
    "average_across_direction": pp.average_across_direction,
    "resample": lambda r: pp.resample(r, 10000.0),
    "decimate": lambda r: pp.decimate(r, 3, antialias=True),
    "gaussian_filter": pp.gaussian_filter,
    "causal_filter": pp.causal_filter,
    "silence_periods": lambda r: pp.silence_periods(r, [(100, 300)], mode="noise"),
    "remove_artifacts": lambda r: pp.remove_artifacts(r, [500, 2000], mode="average"),
}


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("repairs")
    X.tofile(folder / "x.raw")
    rec = le.BinaryRecordingExtractor(folder / "x.raw", FS, "float32", 4)
    rec.set_channel_locations(LOCATIONS)
    rec.set_channel_gains(0.5)
    rec.set_channel_offsets(0.0)
    return rec


@pytest.mark.parametrize("name", sorted(STEPS))
def test_provenance_round_trips(on_disk, name):
    step = STEPS[name](on_disk)
    expected = step.get_traces()
    described = json.loads(json.dumps(step.to_dict()))
    for copy in (le.BaseExtractor.from_dict(described), pickle.loads(pickle.dumps(step))):
        assert type(copy) is type(step)
        np.testing.assert_array_equal(copy.get_traces(), expected)


def test_every_step_in_a_spawned_worker(on_disk, tmp_path):
    chain = pp.causal_filter(pp.gaussian_filter(on_disk))
    chain = pp.remove_artifacts(pp.silence_periods(chain, [(100, 300)], mode="noise"), [2000])
    chain = pp.average_across_direction(pp.rectify(pp.clip(chain, -2, 2)))
    chain = pp.decimate(pp.resample(chain, 15000.0), 2, antialias=True)
    expected = chain.get_traces()
    path = tmp_path / "out.raw"
    le.write_binary_recording(chain, [path], dtype="float32", n_jobs=2, mp_context="spawn",
                              chunk_size=700, progress_bar=False)
    written = np.fromfile(path, dtype=np.float32).reshape(expected.shape)
    assert np.abs(written - expected).max() <= 1e-5 * _rms(expected)


# ------------------------------------------------------------------- SpikeInterface
def test_same_as_spikeinterface(tmp_path):
    values = _traces(n=20000)
    triggers = np.array([3000, 7000, 12000, 15000])
    labels = np.array(["a", "b", "a", "b"])
    noise = np.random.default_rng(9).normal(size=(20000, 4)) * 40
    coarse = (np.rint(noise / 4) * 4 + [100, -200, 0, 12]).astype(np.int16)
    values[3000:3050] += 100
    values[12000:12050] += 100
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0, inputs['locs'])
        trig, lab = inputs['trig'].tolist(), inputs['lab'].tolist()
        outputs['clip'] = spre.clip(rec, -3, 4).get_traces()
        outputs['blank'] = spre.blank_saturation(rec, abs_threshold=5, direction='both',
                                                 fill_value=0.5).get_traces()
        outputs['rectify'] = spre.rectify(rec).get_traces()
        outputs['average'] = spre.average_across_direction(rec).get_traces()
        outputs['silence'] = spre.silence_periods(
            rec, periods=None, list_periods=[[[100, 200], [5000, 9000]]]).get_traces()
        outputs['resample'] = spre.resample(rec, 2500.0).get_traces()
        outputs['decimate'] = spre.decimate(rec, 7, 2, antialias=True).get_traces()
        outputs['gaussian'] = spre.gaussian_filter(rec, 300, 5000).get_traces()
        outputs['causal'] = spre.causal_filter(rec).get_traces()
        scaled = recording(inputs['x'], 30000.0, gains=np.array([0.5, 1, 2, 4]))
        outputs['uV'] = spre.scale_to_uV(scaled).get_traces()
        coarse = recording(inputs['coarse'], 30000.0)
        outputs['lsb'] = spre.correct_lsb(coarse, seed=0, chunk_size=2000).get_traces()
        outputs['quantile'] = spre.normalize_by_quantile(recording(inputs['noise'], 30000.0),
                                                         seed=0, chunk_size=2000).get_traces()
        for m in ['zeros', 'linear', 'cubic', 'average', 'median']:
            outputs['art_' + m] = spre.remove_artifacts(
                rec, [trig], mode=m,
                list_labels=[lab] if m in ('average', 'median') else None).get_traces()
    """, tmp_path, x=values, locs=LOCATIONS, trig=triggers, lab=labels, coarse=coarse,
       noise=noise.astype(np.float32))
    rec = _rec(values)
    scaled = le.NumpyRecording(values, FS)
    scaled.set_channel_gains([0.5, 1, 2, 4])
    scaled.set_channel_offsets(0.0)
    ours = {
        "clip": pp.clip(rec, -3, 4),
        "blank": pp.blank_saturation(rec, abs_threshold=5, direction="both", fill_value=0.5),
        "rectify": pp.rectify(rec),
        "average": pp.average_across_direction(rec),
        "silence": pp.silence_periods(rec, [(100, 200), (5000, 9000)]),
        "resample": pp.resample(rec, 2500.0),
        "decimate": pp.decimate(rec, 7, 2, antialias=True),
        "gaussian": pp.gaussian_filter(rec, 300, 5000),
        "causal": pp.causal_filter(rec, margin_ms=5.0),
        "uV": pp.scale_to_uV(scaled),
    }
    for m in ("zeros", "linear", "cubic", "average", "median"):
        ours["art_" + m] = pp.remove_artifacts(
            rec, [triggers], mode=m, list_labels=[labels] if m in ("average", "median") else None)
    # estimated on other random chunks: a median off by one step, quantiles within 2%
    lsb = pp.correct_lsb(le.NumpyRecording(coarse, FS), seed=0, chunk_size=2000).get_traces()
    assert np.abs(lsb.astype(int) - theirs["lsb"]).max() <= 1
    quantile = pp.normalize_by_quantile(le.NumpyRecording(noise.astype(np.float32), FS), seed=0,
                                        chunk_size=2000).get_traces()
    assert np.abs(quantile - theirs["quantile"]).max() <= 0.02 * np.abs(quantile).max()
    for name, step in ours.items():
        got = step.get_traces()
        # filters differ where each mirrors the segment's ends differently
        inner = slice(1000, -1000) if name in ("gaussian", "causal") else slice(None)
        error = np.abs(got[inner] - theirs[name][inner]).max()
        assert error <= 1e-4 * _rms(got), (name, error)


def test_gaps_padding_and_channel_pad_same_as_spikeinterface(tmp_path):
    values = _traces(n=9000) + 50.0
    times = 7.0 + np.arange(9000) / FS
    times[2500:] += 0.25
    times[6001:] += 0.002
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0)
        rec.set_times(inputs['times'])
        for rate in (10000.0, 12000.0):
            gapped = spre.resample(rec, rate, gap_tolerance_ms=0.0)
            outputs[f'gap_{rate:g}'] = gapped.get_traces()
            outputs[f'gap_times_{rate:g}'] = gapped.get_times()
        outputs['through'] = spre.resample(rec, 10000.0, gap_tolerance_ms=5.0).get_traces()
        plain = recording(inputs['x'], 30000.0)
        for direction in ('forward', 'backward'):
            for pad in (False, True):
                outputs[f'causal_{direction}_{pad}'] = spre.causal_filter(
                    plain, direction=direction, band=[300.0, 3000.0],
                    add_reflect_padding=pad, margin_ms=40.0).get_traces()
        plain.annotate(name='x')  # zero_channel_pad of 0.105.3 needs it
        outputs['zpad'] = spre.zero_channel_pad(plain, 6).get_traces()
    """, tmp_path, x=values, times=times)
    rec = _rec(values)
    rec.set_times(times)
    for rate in (10000.0, 12000.0):
        ours = pp.resample(rec, rate, gap_tolerance_ms=0.0)
        expected = theirs[f"gap_{rate:g}"]
        assert np.abs(ours.get_traces() - expected).max() < 1e-5 * _rms(expected)
        np.testing.assert_allclose(ours.get_times(), theirs[f"gap_times_{rate:g}"], rtol=0,
                                   atol=1e-9)
    through = pp.resample(rec, 10000.0, gap_tolerance_ms=5.0).get_traces()
    assert np.abs(through - theirs["through"]).max() < 1e-5 * _rms(through)
    plain = le.NumpyRecording(values, FS)
    for direction in ("forward", "backward"):
        for pad in (False, True):
            # SpikeInterface filters the whole array in one window here: its 40 ms margin
            # only matters at the ends, where it is the reflected padding
            ours_causal = pp.causal_filter(plain, direction=direction, band=[300.0, 3000.0],
                                           add_reflect_padding=pad, margin_ms=40.0)
            expected = theirs[f"causal_{direction}_{pad}"]
            error = np.abs(ours_causal.get_traces() - expected).max()
            assert error < 2e-5 * _rms(expected), (direction, pad, error)
    zpad = pp.zero_channel_pad(plain, 6).get_traces()
    np.testing.assert_array_equal(zpad, theirs["zpad"].astype(np.float32))


def test_spikeinterface_call_forms():
    two = le.NumpyRecording([X[:3000], X[3000:]], FS)
    by_segment = pp.silence_periods(two, list_periods=[[(0, 10)], [(5, 8), (20, 30)]])
    assert (by_segment.get_traces(segment_index=1)[20:30] == 0).all()
    assert (by_segment.get_traces(segment_index=1)[8:20] != 0).all()
    with pytest.raises(ValueError, match="give the periods once"):
        pp.silence_periods(_rec(), [(1, 2)], [[(1, 2)]])
    positional = pp.causal_filter(_rec(), "backward", [300.0, 3000.0], "bandpass", 5, "butter",
                                  "sos", 5.0, True)
    named = pp.causal_filter(_rec(), direction="backward", band=[300.0, 3000.0], margin_ms=5.0,
                             add_reflect_padding=True)
    np.testing.assert_array_equal(positional.get_traces(), named.get_traces())
    jittery = _rec()
    jittery.set_times(np.r_[np.arange(3000), np.arange(3000) + 3010] / FS)  # a 10-sample gap
    with pytest.raises(ValueError, match="gap"):
        pp.resample(jittery, 10000.0)
    through = pp.resample(jittery, 10000.0, gap_tolerance_ms=1.0)
    assert through.get_num_samples() == 2000
