"""smooth_spikes against scipy.ndimage.gaussian_filter1d over binned counts, and exact across
chunks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d

import lazyephys as le
from lazyephys.analysis import bin_spikes, smooth_spikes


def reference(sorting, sigma, rate, segment_index=None):
    """Counts on the output grid, filtered with zeros outside, in spikes/s."""
    counts = bin_spikes(sorting, 1.0 / rate, segment_index=segment_index).counts
    return gaussian_filter1d(counts.astype(np.float64), sigma * rate, axis=0, mode="constant",
                             truncate=4.0) * rate


def sorting_of(seed, duration=2.0, units=4, fs=30000.0):
    return le.generate_sorting(num_units=units, sampling_frequency=fs, durations=[duration],
                               firing_rates=25.0, seed=seed)


def test_matches_gaussian_filter_of_binned_counts():
    sorting = sorting_of(1)
    signal = smooth_spikes(sorting, sigma=0.01)
    assert signal.get_dtype() == np.float32 and signal.get_num_samples() == 2000
    traces = signal.get_traces()
    expected = reference(sorting, 0.01, 1000.0)
    np.testing.assert_allclose(traces, expected, atol=1e-6 * expected.max(), rtol=1e-5)
    assert signal.get_channel_ids().tolist() == sorting.get_unit_ids().tolist()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), start=st.integers(0, 1990), length=st.integers(1, 400),
       sigma=st.sampled_from([0.002, 0.01, 0.03]))
def test_any_window_equals_the_whole_computation(seed, start, length, sigma):
    sorting = sorting_of(seed)
    signal = smooth_spikes(sorting, sigma=sigma)
    whole = signal.get_traces()
    end = min(start + length, signal.get_num_samples())
    window = signal.get_traces(start_frame=start, end_frame=end, channel_ids=["2", "0"])
    peak = max(float(whole.max()), 1.0)
    assert np.max(np.abs(window - whole[start:end][:, [2, 0]])) <= 1e-6 * peak


def test_regular_train_reads_its_rate_and_mean_centering():
    train = np.arange(0, 300_000, 1500)  # 20 Hz at 30 kHz for 10 s
    sorting = le.NumpySorting.from_unit_dict({"u": train}, 30000.0, num_samples=[300_000])
    signal = smooth_spikes(sorting, sigma=0.1)
    middle = signal.get_traces(start_frame=3000, end_frame=7000)
    np.testing.assert_allclose(middle.mean(), 20.0, rtol=1e-4)
    centred = smooth_spikes(sorting, sigma=0.1, mean_center=True)
    whole = signal.get_traces()[:, 0].astype(np.float64)
    np.testing.assert_allclose(centred.get_traces()[:, 0], whole - whole.mean(), atol=1e-4)


def test_multi_segment_and_times():
    sorting = le.generate_sorting(num_units=2, durations=[1.0, 0.5], firing_rates=30.0, seed=2)
    signal = smooth_spikes(sorting, sigma=0.005, sampling_frequency=500.0)
    assert signal.get_num_segments() == 2 and signal.get_num_samples(1) == 250
    expected = reference(sorting, 0.005, 500.0, segment_index=1)
    np.testing.assert_allclose(signal.get_traces(segment_index=1), expected,
                               atol=1e-6 * expected.max(), rtol=1e-5)


def test_saves_chunked_and_reloads_through_provenance(tmp_path):
    sorting = sorting_of(4, duration=1.0)
    signal = smooth_spikes(sorting, sigma=0.01, unit_ids=["1", "3"])
    saved = signal.save(folder=tmp_path / "smooth", chunk_size=97, n_jobs=2)
    np.testing.assert_array_equal(saved.get_traces(), signal.get_traces())
    rebuilt = le.load(signal.to_dict())
    np.testing.assert_array_equal(rebuilt.get_traces(), signal.get_traces())


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_bad_sigma_is_named(bad):
    with pytest.raises(ValueError, match="sigma"):
        smooth_spikes(sorting_of(0), sigma=bad)


@pytest.mark.parametrize("bad", ["rect", "Gaussian", 3, None])
def test_unknown_kernel_lists_the_kernels(bad):
    # a name that is not a kernel is a ValueError, a value that is no name a TypeError
    listed = "'gaussian', 'exponential', 'alpha', 'boxcar', 'triangular'"
    with pytest.raises((ValueError, TypeError),
                       match=f"kernel must be one of {listed}, got {bad!r}"):
        smooth_spikes(sorting_of(0), sigma=0.01, kernel=bad)


# --------------------------------------------------------------- other kernels
KERNEL_NAMES = ["gaussian", "exponential", "alpha", "boxcar", "triangular"]


def reference_weights(kernel, sigma):
    """(weights, lag of the first weight), from each kernel's definition (sigma in samples)."""
    if kernel == "exponential":
        lags = np.arange(int(10 * sigma + 0.5) + 1)
        weights, first = np.exp(-lags / sigma), 0
    elif kernel == "alpha":
        tau = sigma / np.sqrt(2)
        lags = np.arange(max(1, int(12 * tau + 0.5)) + 1)
        weights, first = lags * np.exp(-lags / tau), 0
    elif kernel == "triangular":
        # sigma chosen so that the half-width sqrt(6) sigma is a whole number of samples:
        # numpy's Bartlett window is that triangle, zero at both ends
        width = round(float(np.sqrt(6) * sigma))
        weights, first = np.bartlett(2 * width + 1)[1:-1], -(width - 1)
    else:
        raise AssertionError(kernel)
    return weights / weights.sum(), first


def convolved(counts, weights, first, rate):
    """Each column of counts convolved with the kernel, output sample t = bin + first + j."""
    out = np.empty(counts.shape)
    for column in range(counts.shape[1]):
        full = np.convolve(counts[:, column].astype(np.float64), weights)
        padded = np.concatenate([np.zeros(max(first, 0)), full])
        start = max(-first, 0)
        out[:, column] = padded[start:start + counts.shape[0]]
    return out * rate


@pytest.mark.parametrize("kernel", ["exponential", "alpha", "triangular"])
def test_kernels_equal_a_convolution_of_binned_counts(kernel):
    rate = 1000.0
    sorting = sorting_of(5)
    sigma = 12.0 / np.sqrt(6) / rate if kernel == "triangular" else 0.01
    signal = smooth_spikes(sorting, sigma=sigma, kernel=kernel)
    counts = bin_spikes(sorting, 1.0 / rate).counts
    weights, first = reference_weights(kernel, sigma * rate)
    expected = convolved(counts, weights, first, rate)
    traces = signal.get_traces()
    np.testing.assert_allclose(traces, expected, atol=1e-6 * expected.max(), rtol=1e-5)


def test_boxcar_equals_a_uniform_filter():
    from scipy.ndimage import uniform_filter1d

    sorting = sorting_of(6)
    sigma = 0.007  # sqrt(3) * 7 samples = 12.1: 2 * 12 + 1 = 25 equal weights
    counts = bin_spikes(sorting, 1e-3).counts.astype(np.float64)
    expected = uniform_filter1d(counts, size=25, axis=0, mode="constant") * 1000.0
    traces = smooth_spikes(sorting, sigma=sigma, kernel="boxcar").get_traces()
    np.testing.assert_allclose(traces, expected, atol=1e-6 * expected.max(), rtol=1e-5)


def test_causal_kernels_never_lead_their_spikes():
    from scipy.signal import lfilter

    train = np.array([10_000, 25_000])  # spikes at 1.0 s and 2.5 s, 10 kHz
    sorting = le.NumpySorting.from_unit_dict({"u": train}, 10000.0, num_samples=[40_000])
    for kernel in ("exponential", "alpha"):
        trace = smooth_spikes(sorting, sigma=0.05, kernel=kernel).get_traces()[:, 0]
        assert np.all(trace[:1000] == 0.0)  # nothing before the first spike's bin
        assert trace[1000] > 0.0 if kernel == "exponential" else trace[1000] == 0.0
        assert trace.sum() == pytest.approx(2 * 1000.0, rel=1e-5)  # two spikes, unit area
    # the exponential kernel is the impulse response of a first-order filter, truncated at
    # 10 time constants (a tail of e^-10 of the area) and scaled to unit area
    counts = bin_spikes(sorting, 1e-3).counts[:, 0].astype(np.float64)
    decay = np.exp(-1.0 / 50.0)
    expected = lfilter([1.0 - decay], [1.0, -decay], counts) * 1000.0
    trace = smooth_spikes(sorting, sigma=0.05, kernel="exponential").get_traces()[:, 0]
    np.testing.assert_allclose(trace, expected, atol=1e-4 * expected.max())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 1000), start=st.integers(0, 1990), length=st.integers(1, 400),
       sigma=st.sampled_from([0.0004, 0.002, 0.01, 0.03]),
       kernel=st.sampled_from(KERNEL_NAMES))
def test_any_window_of_any_kernel_equals_the_whole(seed, start, length, sigma, kernel):
    signal = smooth_spikes(sorting_of(seed), sigma=sigma, kernel=kernel)
    whole = signal.get_traces()
    end = min(start + length, signal.get_num_samples())
    window = signal.get_traces(start_frame=start, end_frame=end, channel_ids=["3", "1"])
    peak = max(float(whole.max()), 1.0)
    assert np.max(np.abs(window - whole[start:end][:, [3, 1]])) <= 1e-6 * peak


@pytest.mark.parametrize("kernel", KERNEL_NAMES)
def test_every_kernel_has_unit_area_and_centres_on_its_mean(kernel):
    train = np.arange(0, 300_000, 1500)  # 20 Hz at 30 kHz for 10 s
    sorting = le.NumpySorting.from_unit_dict({"u": train}, 30000.0, num_samples=[300_000])
    signal = smooth_spikes(sorting, sigma=0.1, kernel=kernel)
    middle = signal.get_traces(start_frame=3000, end_frame=7000)
    np.testing.assert_allclose(middle.mean(), 20.0, rtol=1e-3)
    whole = signal.get_traces()[:, 0].astype(np.float64)
    centred = smooth_spikes(sorting, sigma=0.1, kernel=kernel, mean_center=True)
    np.testing.assert_allclose(centred.get_traces()[:, 0], whole - whole.mean(), atol=1e-4)


def test_a_causal_kernel_saves_chunked(tmp_path):
    signal = smooth_spikes(sorting_of(7, duration=1.0), sigma=0.02, kernel="alpha")
    saved = signal.save(folder=tmp_path / "alpha", chunk_size=61, n_jobs=2)
    np.testing.assert_array_equal(saved.get_traces(), signal.get_traces())
    rebuilt = le.load(signal.to_dict())
    np.testing.assert_array_equal(rebuilt.get_traces(), signal.get_traces())
