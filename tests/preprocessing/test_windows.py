"""Any window and channel subset of a step equals that part of the whole segment (hypothesis).

Exact steps must match bit for bit; the others within the tolerance their docstrings state.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lazyephys as le
from lazyephys import preprocessing as pp

from .planted import FS, locations

N, C = 4000, 16
_VALUES = (np.cumsum(np.random.default_rng(3).normal(size=(N, C)), axis=0) * 0.3
           + np.random.default_rng(4).normal(size=(N, C)) * 4).astype(np.float32)


def _rec() -> le.Recording:
    rec = le.NumpyRecording(_VALUES, FS)
    rec.set_channel_locations(locations(C))
    return rec


# step, tolerance (fraction of the whole result's RMS; 0 is bit for bit)
STEPS = {
    "highpass_spatial_filter": (lambda r: pp.highpass_spatial_filter(
        r, n_channel_pad=4, agc_window_length_s=0.005), 1e-4),
    "interpolate_bad_channels": (lambda r: pp.interpolate_bad_channels(r, [2, 9]), 0.0),
    "resample": (lambda r: pp.resample(r, 7500.0), 1e-5),
    "gaussian_filter": (lambda r: pp.gaussian_filter(r, 300.0, 6000.0), 1e-4),
    "remove_artifacts": (lambda r: pp.remove_artifacts(r, [500, 1800, 3990], mode="cubic"), 0.0),
    "silence_periods": (lambda r: pp.silence_periods(r, [(100, 900)], mode="apodization"), 0.0),
    "average_across_direction": (pp.average_across_direction, 0.0),
    "blank_saturation": (lambda r: pp.blank_saturation(r, quantile_threshold=0.05), 0.0),
}


@functools.cache
def _built(name: str) -> tuple[le.Recording, float, np.ndarray]:
    make, tolerance = STEPS[name]
    step = make(_rec())
    return step, tolerance, step.get_traces()


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(STEPS)), data=st.data())
def test_a_window_equals_the_whole(name, data):
    step, tolerance, full = _built(name)
    n, channels = full.shape
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    chosen = data.draw(st.lists(st.integers(0, channels - 1), min_size=1, max_size=channels,
                                unique=True))
    ids = step.get_channel_ids()[chosen]
    got = step.get_traces(start_frame=start, end_frame=end, channel_ids=ids)
    expected = full[start:end][:, chosen]
    assert got.shape == expected.shape and got.dtype == full.dtype
    if tolerance == 0.0:
        np.testing.assert_array_equal(got, expected)
    elif got.size:
        rms = float(np.sqrt(np.mean(np.square(full, dtype=np.float64))))
        assert np.abs(got.astype(np.float64) - expected).max() <= tolerance * rms
