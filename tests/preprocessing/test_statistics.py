"""center, zscore and whiten: statistics from seeded random chunks, stored in provenance."""

from __future__ import annotations

import importlib
import itertools
import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys.preprocessing import center, whiten, zscore
from lazyephys.recording import random_chunks
from lazyephys.recording.random_chunks import get_random_chunk_slices, get_random_data_chunks


def _rec(num_channels=4, seconds=3.0):
    rec = le.generate_recording(num_channels=num_channels, durations=[seconds], seed=11)
    offsets = np.arange(num_channels, dtype=np.float32) * 10
    spreads = np.arange(1, num_channels + 1, dtype=np.float32)
    return le.preprocessing.scale(rec, gain=spreads, offset=offsets), offsets, spreads


def test_random_chunks_are_seeded_disjoint_and_inside():
    rec, _, _ = _rec(seconds=10.0)
    slices = get_random_chunk_slices(rec, num_chunks_per_segment=7, chunk_size=1000, seed=3)
    assert slices == get_random_chunk_slices(rec, num_chunks_per_segment=7, chunk_size=1000,
                                             seed=3)
    assert slices != get_random_chunk_slices(rec, num_chunks_per_segment=7, chunk_size=1000,
                                             seed=4)
    ends = [(a, b) for _, a, b in slices]
    assert all(b - a == 1000 for a, b in ends)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(ends))
    short = get_random_chunk_slices(rec, num_chunks_per_segment=100, chunk_size=10000)
    assert short == [(0, 0, rec.get_num_samples())]
    data = get_random_data_chunks(rec, num_chunks_per_segment=7, chunk_size=1000, seed=3)
    expected = np.concatenate([rec.get_traces(start_frame=a, end_frame=b) for _, a, b in slices])
    np.testing.assert_array_equal(data, expected)


def test_center_and_zscore_match_numpy_on_the_same_chunks():
    rec, _, spreads = _rec()
    data = get_random_data_chunks(rec, num_chunks_per_segment=5, chunk_size=2000, seed=1)
    data = data.astype(np.float64)
    full = rec.get_traces().astype(np.float64)
    centred = center(rec, mode="mean", num_chunks_per_segment=5, chunk_size=2000, seed=1)
    np.testing.assert_allclose(centred.get_traces(), full - data.mean(axis=0), atol=1e-4)
    med = np.median(data, axis=0)
    mad = np.median(np.abs(data - med), axis=0) / 0.6744897501960817
    z = zscore(rec, num_chunks_per_segment=5, chunk_size=2000, seed=1)
    np.testing.assert_allclose(z.get_traces(), (full - med) / mad, rtol=1e-5, atol=1e-5)
    # the generated noise has sd 5 before scaling: the estimates recover the scaling
    np.testing.assert_allclose(mad, 5 * spreads, rtol=0.05)
    zs = zscore(rec, mode="mean+std", int_scale=10, dtype="int16")
    assert zs.get_dtype() == np.int16
    assert 8 < np.std(zs.get_traces()) < 12
    assert "gain_to_uV" not in z.get_property_keys()


def test_whiten_global_and_local_decorrelate():
    rng = np.random.default_rng(0)
    mixing = np.array([[1.0, 0.8, 0.0, 0.0], [0.0, 1.0, 0.5, 0.0],
                       [0.0, 0.0, 1.0, 0.3], [0.0, 0.0, 0.0, 1.0]])
    values = (rng.normal(size=(60000, 4)) @ mixing).astype(np.float32)
    rec = le.NumpyRecording(values, 30000.0)
    white = whiten(rec, apply_mean=True)
    out = white.get_traces().astype(np.float64)
    np.testing.assert_allclose(np.cov(out.T), np.eye(4), atol=0.05)
    W = white._kwargs["W"]
    np.testing.assert_allclose(W, W.T, atol=1e-10)  # ZCA is symmetric
    probe_rec = le.generate_recording(num_channels=4, durations=[1.0], seed=0)
    local = whiten(probe_rec, mode="local", radius_um=25.0)
    W_local = local._kwargs["W"]
    # 20 um pitch: each channel is whitened with its direct neighbours only
    assert W_local[0, 2] == 0 and W_local[0, 1] != 0 and W_local[3, 0] == 0


@pytest.mark.parametrize("make", [
    lambda r: center(r),
    lambda r: zscore(r),
    lambda r: whiten(r),
])
def test_reload_does_not_recompute_statistics(make, monkeypatch):
    rec, _, _ = _rec()
    step = make(rec)
    expected = step.get_traces(start_frame=100, end_frame=900)

    def fail(*args, **kwargs):
        raise AssertionError("statistics were recomputed")

    monkeypatch.setattr(random_chunks, "get_random_data_chunks", fail)
    for name in ("normalize", "whiten"):
        module = importlib.import_module(f"lazyephys.preprocessing.{name}")
        monkeypatch.setattr(module, "get_random_data_chunks", fail)
    for copy in (pickle.loads(pickle.dumps(step)), le.BaseExtractor.from_dict(step.to_dict())):
        np.testing.assert_array_equal(copy.get_traces(start_frame=100, end_frame=900), expected)


def test_bad_statistics_arguments():
    rec, _, _ = _rec()
    with pytest.raises(ValueError, match="'mode'"):
        center(rec, mode="mode")
    with pytest.raises(ValueError, match="both gain and offset"):
        zscore(rec, gain=[1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        whiten(rec, W=np.eye(3))
