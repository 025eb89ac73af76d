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


def test_unknown_kernel():
    with pytest.raises(ValueError, match="boxcar"):
        smooth_spikes(sorting_of(0), sigma=0.01, kernel="boxcar")
