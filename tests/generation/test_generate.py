"""Generated sortings and ground-truth recordings: deterministic, lazy, exact across windows."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys.testing import RecordingConformance


# ------------------------------------------------------------------ sortings
def test_generate_sorting_is_deterministic_for_a_seed():
    a = le.generate_sorting(num_units=5, durations=[3.0, 1.0], seed=7)
    b = le.generate_sorting(num_units=5, durations=[3.0, 1.0], seed=7)
    c = le.generate_sorting(num_units=5, durations=[3.0, 1.0], seed=8)
    np.testing.assert_array_equal(a.to_spike_vector(), b.to_spike_vector())
    assert not np.array_equal(a.to_spike_vector()["sample_index"][:20],
                              c.to_spike_vector()["sample_index"][:20])


def test_drawn_seed_is_kept():
    a = le.generate_sorting(num_units=3, durations=[2.0])
    back = le.BaseExtractor.from_dict(a.to_dict())
    np.testing.assert_array_equal(a.to_spike_vector(), back.to_spike_vector())
    assert isinstance(a.to_dict()["kwargs"]["seed"], int)


def test_generated_defaults_and_ids():
    s = le.generate_sorting()
    assert s.get_unit_ids().tolist() == ["0", "1", "2", "3", "4"]
    assert s.get_sampling_frequency() == 30000.0
    assert s.get_num_samples() == 300000
    # provenance is small: the spikes are not written, only the parameters
    assert len(str(s.to_dict())) < 1000


def test_rates_and_refractory_period():
    fs = 30000.0
    rates = np.array([2.0, 10.0, 40.0, 0.0])
    s = le.generate_sorting(num_units=4, sampling_frequency=fs, durations=[200.0],
                            firing_rates=rates, refractory_period_ms=4.0, seed=1)
    counts = s.count_num_spikes_per_unit(outputs="array")
    np.testing.assert_allclose(counts / 200.0, rates, rtol=0.1)
    assert counts[3] == 0
    for uid in ("0", "1", "2"):
        train = s.get_unit_spike_train(uid)
        assert np.diff(train).min() >= 4.0 * fs / 1000.0
        assert train.min() >= 0 and train.max() < s.get_num_samples()
    vector = s.to_spike_vector()
    key = vector["sample_index"] * 4 + vector["unit_index"]
    assert np.all(np.diff(key) > 0)


# ------------------------------------------------------------ ground truth
def reference_traces(rec, sorting, segment_index):
    """Noise plus each spike's template, one spike at a time (the plain reading)."""
    noise = rec._kwargs["parent_recording"].get_traces(segment_index=segment_index)
    out = noise.astype(np.float64)
    templates = np.asarray(rec._kwargs["templates"], dtype=np.float64)
    nbefore = rec._kwargs["nbefore"]
    width = templates.shape[1]
    vector = sorting.to_spike_vector(concatenated=False)[segment_index]
    for sample, unit in zip(vector["sample_index"], vector["unit_index"], strict=True):
        first = sample - nbefore
        lo, hi = max(first, 0), min(first + width, out.shape[0])
        if hi > lo:
            out[lo:hi] += templates[unit, lo - first : hi - first]
    return out


@pytest.fixture(scope="module")
def ground_truth():
    return le.generate_ground_truth_recording(durations=[1.0, 0.4], sampling_frequency=10000.0,
                                              num_channels=6, num_units=4, seed=3,
                                              firing_rates=30.0)


def test_ground_truth_matches_reference(ground_truth):
    rec, sorting = ground_truth
    assert rec.get_num_channels() == 6 and rec.get_num_segments() == 2
    assert sorting.get_num_units() == 4
    assert sorting.get_property("gt_unit_locations").shape == (4, 3)
    for seg in range(2):
        full = rec.get_traces(segment_index=seg)
        np.testing.assert_allclose(full, reference_traces(rec, sorting, seg), atol=1e-3)
    # waveforms are there: the signal is much larger than the noise on some channel
    assert np.abs(rec.get_traces(segment_index=0)).max() > 40.0


def test_windows_are_exact_across_boundaries(ground_truth):
    rec, sorting = ground_truth
    full = rec.get_traces(segment_index=0)
    spikes = sorting.get_unit_spike_train("0", segment_index=0)
    # cut right through a waveform: one edge a couple of samples after a spike
    edges = sorted({0, int(spikes[1]) + 2, int(spikes[1]) + 9, 4321, full.shape[0]})
    pieces = [rec.get_traces(segment_index=0, start_frame=a, end_frame=b)
              for a, b in itertools.pairwise(edges)]
    np.testing.assert_array_equal(np.concatenate(pieces), full)
    chosen = rec.get_channel_ids()[[4, 1]]
    part = rec.get_traces(segment_index=0, start_frame=100, end_frame=900, channel_ids=chosen)
    np.testing.assert_array_equal(part, full[100:900][:, [4, 1]])


def test_ground_truth_is_deterministic_and_round_trips(ground_truth):
    rec, _sorting = ground_truth
    again, _ = le.generate_ground_truth_recording(durations=[1.0, 0.4],
                                                  sampling_frequency=10000.0, num_channels=6,
                                                  num_units=4, seed=3, firing_rates=30.0)
    np.testing.assert_array_equal(again.get_traces(segment_index=1),
                                  rec.get_traces(segment_index=1))
    for back in (pickle.loads(pickle.dumps(rec)), le.BaseExtractor.from_dict(rec.to_dict())):
        np.testing.assert_array_equal(back.get_traces(segment_index=1),
                                      rec.get_traces(segment_index=1))
    assert not rec.is_in_memory()
    assert rec.has_probe()


def test_ground_truth_int16():
    rec, sorting = le.generate_ground_truth_recording(durations=[0.3], sampling_frequency=10000.0,
                                                      num_channels=3, num_units=2, seed=5,
                                                      dtype="int16")
    traces = rec.get_traces()
    assert traces.dtype == np.int16
    expected = np.clip(np.rint(reference_traces(rec, sorting, 0)), -32768, 32767)
    assert np.abs(traces - expected).max() <= 1


class TestGroundTruthConformance(RecordingConformance):
    def make(self, tmp_path):
        rec, sorting = le.generate_ground_truth_recording(
            durations=[0.2, 0.1], sampling_frequency=10000.0, num_channels=5, num_units=3,
            seed=11, firing_rates=40.0)
        full = [rec.get_traces(segment_index=s) for s in range(2)]
        for s in range(2):
            np.testing.assert_allclose(full[s], reference_traces(rec, sorting, s), atol=1e-3)
        return rec, full
