"""The IBL chain: destriping, bad-channel detection, interpolation and depth order.

Each step is checked against a numpy/scipy computation written here, against
SpikeInterface 0.105 when ``LAZYEPHYS_SI_PYTHON`` names its interpreter, for windows equal
to the whole array, and for provenance round trips; the chain runs saved with n_jobs=2.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from scipy import signal

import lazyephys as le
from lazyephys import preprocessing as pp
from lazyephys.testing import RecordingConformance

from .planted import DEAD, FS, NOISY, OUT, locations, planted_recording, planted_traces
from .si_reference import run_spikeinterface


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values, dtype=np.float64))))


def _windows(rec: le.Recording, size: int, segment_index: int = 0) -> np.ndarray:
    n = rec.get_num_samples(segment_index)
    return np.concatenate([rec.get_traces(segment_index=segment_index, start_frame=a,
                                          end_frame=min(a + size, n))
                           for a in range(0, n, size)])


# ------------------------------------------------------------ highpass_spatial_filter
def _destripe_reference(x, locs, pad, taper, wn, order, window_s, eps, rms):
    """Straight from the description: sort by depth, AGC, mirror, taper, sosfiltfilt, undo."""
    x = x.astype(np.float64)
    order_f = np.lexsort((locs[:, 0], locs[:, 1]))
    x = x[:, order_f]
    length = int(np.round(window_s * FS / 2) * 2 + 1)
    hann = np.hanning(length)
    hann /= hann.sum()
    gain = np.stack([np.convolve(np.abs(x[:, c]), hann, mode="same")
                     for c in range(x.shape[1])], axis=1)
    balanced = x / np.maximum(gain, eps * rms[order_f])
    padded = np.concatenate([balanced[:, :pad][:, ::-1], balanced, balanced[:, -pad:][:, ::-1]],
                            axis=1)
    width = padded.shape[1]
    k = np.arange(width)
    if taper:
        up = (1 - np.cos(np.clip(k / taper, 0, 1) * np.pi)) / 2
        down = (1 - np.cos(np.clip((k - (width - taper)) / taper, 0, 1) * np.pi)) / 2
        padded = padded * (up * (1 - down))
    sos = signal.butter(order, wn, btype="highpass", output="sos")
    filtered = signal.sosfiltfilt(sos, padded, axis=1)[:, pad:-pad] * gain
    return filtered[:, np.argsort(order_f)]


@pytest.mark.parametrize("taper", [0, 6])
def test_destriping_matches_a_direct_computation(taper):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(6000, 32)) * 10 + rng.normal(size=(6000, 1)) * 40).astype("float32")
    locs = locations(32)
    perm = rng.permutation(32)  # channels not in depth order
    rec = le.NumpyRecording(x[:, perm], FS)
    rec.set_channel_locations(locs[perm])
    step = pp.highpass_spatial_filter(rec, n_channel_pad=10, n_channel_taper=taper,
                                      agc_window_length_s=0.01)
    rms = np.asarray(step.to_dict()["kwargs"]["rms_values"]["__ndarray__"])
    np.testing.assert_allclose(rms, np.sqrt(np.mean(x[:, perm].astype(float) ** 2, axis=0)),
                               rtol=1e-5)  # the recording is shorter than the chunks: all of it
    expected = _destripe_reference(x[:, perm], locs[perm], 10, taper, 0.01, 3, 0.01, 0.003, rms)
    got = step.get_traces()
    assert np.abs(got - expected).max() < 1e-4 * _rms(expected)
    assert np.abs(_windows(step, 777) - got).max() < 1e-4 * _rms(got)
    picked = step.get_traces(start_frame=100, end_frame=900, channel_ids=[5, 2])
    assert np.abs(picked - got[100:900][:, [5, 2]]).max() < 1e-4 * _rms(got)


def test_destriping_removes_a_stripe():
    rng = np.random.default_rng(2)
    stripe = rng.normal(size=(3000, 1)) * 100
    rec = le.NumpyRecording((rng.normal(size=(3000, 64)) + stripe).astype("float32"), FS)
    rec.set_channel_locations(locations(64))
    out = pp.highpass_spatial_filter(rec).get_traces()
    assert _rms(out) < 0.1 * _rms(rec.get_traces())


def test_destriping_bad_input():
    rec = planted_recording(16, 0.1)
    with pytest.raises(ValueError, match="n_channel_pad must be between 0 and .*16.*, got 40"):
        pp.highpass_spatial_filter(rec, n_channel_pad=40)
    with pytest.raises(ValueError, match="highpass_butter_wn .* got 1.5"):
        pp.highpass_spatial_filter(rec, n_channel_pad=4, highpass_butter_wn=1.5)
    with pytest.raises(ValueError, match="direction must be one of .* got 'w'"):
        pp.highpass_spatial_filter(rec, n_channel_pad=4, direction="w")
    with pytest.raises(ValueError, match="'z'"):
        pp.highpass_spatial_filter(rec, n_channel_pad=4, direction="z")
    grouped = planted_recording(16, 0.1)
    grouped.set_channel_groups(np.repeat([0, 1], 8))
    with pytest.raises(ValueError, match=r"2 channel groups .*split_by"):
        pp.highpass_spatial_filter(grouped, n_channel_pad=4)
    with pytest.raises(ValueError, match="more channels"):
        pp.highpass_spatial_filter(planted_recording(4, 0.1), n_channel_pad=0)
    no_probe = le.NumpyRecording(np.zeros((10, 16), "float32"), FS)
    with pytest.raises(ValueError, match="channel locations"):
        pp.highpass_spatial_filter(no_probe, n_channel_pad=4)


def test_destriping_same_as_spikeinterface(tmp_path):
    rng = np.random.default_rng(3)
    x = (rng.normal(size=(9000, 48)) * 20 + rng.normal(size=(9000, 1)) * 50).astype("float32")
    x[:, 7] = 0  # a flat channel: its gain is zero
    perm = rng.permutation(48)
    locs = locations(48)[perm]
    rec = le.NumpyRecording(x[:, perm], FS)
    rec.set_channel_locations(locs)
    ours = {"default": pp.highpass_spatial_filter(rec, n_channel_pad=12),
            "taper": pp.highpass_spatial_filter(rec, n_channel_pad=12, n_channel_taper=4),
            "no_agc": pp.highpass_spatial_filter(rec, apply_agc=False, n_channel_pad=None)}
    rms = np.asarray(ours["default"].to_dict()["kwargs"]["rms_values"]["__ndarray__"])
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0, inputs['locs'])
        for name, kw in [('default', dict(n_channel_pad=12)),
                         ('taper', dict(n_channel_pad=12, n_channel_taper=4)),
                         ('no_agc', dict(apply_agc=False, n_channel_pad=None))]:
            step = spre.highpass_spatial_filter(rec, rms_values=inputs['rms'], **kw)
            outputs[name] = step.get_traces()
    """, tmp_path, x=x[:, perm], locs=locs, rms=rms)
    for name, step in ours.items():
        got = step.get_traces()
        assert np.abs(got - theirs[name]).max() < 1e-4 * _rms(got), name


# ------------------------------------------------------------------ detect_bad_channels
CHUNKS = {"num_random_chunks": 6, "chunk_duration_s": 0.2, "seed": 0}


@pytest.fixture(scope="module")
def planted():
    return planted_recording(64, 2.0, ids=True)


def test_coherence_psd_finds_planted_channels(planted):
    bad, labels = pp.detect_bad_channels(planted, **CHUNKS)
    out_ids = [f"ch{i}" for i in range(64 - OUT, 64)]
    assert sorted(bad.tolist()) == sorted([f"ch{DEAD}", f"ch{NOISY}", *out_ids])
    assert labels[DEAD] == "dead" and labels[NOISY] == "noise"
    assert (labels[64 - OUT:] == "out").all()
    assert (np.delete(labels, [DEAD, NOISY, *range(64 - OUT, 64)]) == "good").all()
    only_dead, _ = pp.detect_bad_channels(planted, **CHUNKS,
                                          channel_filters={"dead"})
    assert only_dead.tolist() == [f"ch{DEAD}"]
    _, bottom_labels = pp.detect_bad_channels(planted, **CHUNKS,
                                                   outside_channels_location="bottom")
    assert "out" not in bottom_labels.tolist()
    _, threaded_labels = pp.detect_bad_channels(planted, **CHUNKS,
                                                       job_kwargs={"n_jobs": 2})
    np.testing.assert_array_equal(threaded_labels, labels)


def test_coherence_psd_on_channels_out_of_depth_order(planted):
    perm = np.random.default_rng(0).permutation(64)
    shuffled = planted.select_channels(planted.get_channel_ids()[perm])
    _, labels = pp.detect_bad_channels(planted, **CHUNKS)
    _, shuffled_labels = pp.detect_bad_channels(shuffled, **CHUNKS)
    np.testing.assert_array_equal(shuffled_labels, labels[perm])


def test_ibl_labels_of_one_chunk_worked_by_hand():
    # four channels: the reference is their median; channel 3 is flat (dead), channel 0 noisy
    t = np.arange(3000) / FS
    base = np.sin(2 * np.pi * 1000 * t)
    raw = np.stack([base + np.random.default_rng(0).normal(size=t.size) * 3, base, base,
                    0.01 * base], axis=1)
    labels = pp.bad_channels.ibl_channel_labels(raw, FS, psd_hf_threshold=1e-4, n_neighbors=3,
                                                outside_channel_thr=-2.0)
    # xcorr of channel 3 is 0.01 while its neighbours' median is ~1: residual ~ -1 < -0.5
    assert labels.tolist() == [2, 0, 0, 1]


@pytest.mark.parametrize("method", ["std", "mad"])
def test_std_and_mad_find_a_loud_channel(planted, method):
    traces = planted.get_traces(end_frame=15000)[:, :24].copy()
    traces[:, 11] *= 10
    loud = le.NumpyRecording(traces, FS, channel_ids=planted.get_channel_ids()[:24])
    bad, labels = pp.detect_bad_channels(loud, method=method, num_random_chunks=5, seed=0,
                                         chunk_duration_s=0.1)
    filtered = signal.sosfiltfilt(signal.butter(5, 300, "highpass", fs=FS, output="sos"),
                                  traces.astype(float), axis=0)
    if method == "std":
        spread = filtered.std(axis=0)
    else:
        spread = np.median(np.abs(filtered - np.median(filtered, axis=0)), axis=0)
    expected = loud.get_channel_ids()[spread > 5 * np.median(spread)]
    assert bad.tolist() == expected.tolist() == ["ch11"]
    assert labels[11] == "noise" and (np.delete(labels, 11) == "good").all()


def test_neighborhood_r2_flags_uncorrelated_channels(planted):
    bad, labels = pp.detect_bad_channels(planted, method="neighborhood_r2", num_random_chunks=3,
                                         chunk_duration_s=0.1, seed=0)
    assert f"ch{DEAD}" in bad.tolist() and f"ch{NOISY}" in bad.tolist()
    assert set(labels.tolist()) <= {"good", "noise"}
    assert f"ch{30}" not in bad.tolist()


def test_detect_bad_channels_bad_input(planted):
    with pytest.raises(ValueError, match="method must be one of .* got 'magic'"):
        pp.detect_bad_channels(planted, method="magic")
    with pytest.raises(ValueError, match="channel_filters .* got \\{'broken'\\}"):
        pp.detect_bad_channels(planted, channel_filters={"broken"})
    with pytest.raises(ValueError, match="nyquist_threshold .* got 1.5"):
        pp.detect_bad_channels(planted, nyquist_threshold=1.5)
    with pytest.raises(ValueError, match="outside_channels_location .* got 'left'"):
        pp.detect_bad_channels(planted, outside_channels_location="left")
    unscaled = le.NumpyRecording(planted.get_traces(), FS)
    unscaled.set_channel_locations(locations(64))
    with pytest.raises(ValueError, match="gain_to_uV"):
        pp.detect_bad_channels(unscaled)


def test_detect_bad_channels_same_as_spikeinterface(tmp_path):
    x = planted_traces(64, 1.5)
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0, inputs['locs'], gains=np.ones(64))
        for method in ('coherence+psd', 'std', 'mad', 'neighborhood_r2'):
            outputs[method] = spre.detect_bad_channels(rec, method=method, seed=0,
                                                       num_random_chunks=4)[1].astype('U5')
    """, tmp_path, x=x, locs=locations(64))
    rec = planted_recording(64, 1.5)
    for method in ("coherence+psd", "std", "mad", "neighborhood_r2"):
        _, labels = pp.detect_bad_channels(rec, method=method, seed=0, num_random_chunks=4)
        np.testing.assert_array_equal(labels, theirs[method], err_msg=method)


# ------------------------------------------------------------- interpolate_bad_channels
def _kriging_reference(locs, bad, sigma, p):
    good = np.setdiff1d(np.arange(len(locs)), bad)
    d = np.linalg.norm(locs[good][:, None] - locs[bad][None], axis=2)
    w = np.exp(-((d / sigma) ** p))
    w[w < 0.005] = 0
    w = w / w.sum(axis=0)
    w[w < 0.005] = 0
    return good, w


class TestInterpolateConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = planted_recording(32, 0.2, ids=True)
        step = pp.interpolate_bad_channels(rec, ["ch3", "ch20"])
        return step, [step.get_traces(segment_index=0)]


def test_interpolation_matches_kriging_by_hand():
    rec = planted_recording(32, 0.2, ids=True)
    step = pp.interpolate_bad_channels(rec, ["ch3", "ch20"])
    x = rec.get_traces().astype(np.float64)
    good, w = _kriging_reference(locations(32), [3, 20], 20.0, 1.3)  # sigma: the 20 um pitch
    expected = x.copy()
    expected[:, [3, 20]] = x[:, good] @ w
    np.testing.assert_allclose(step.get_traces(), expected, rtol=1e-5, atol=1e-4)
    assert step.to_dict()["kwargs"]["sigma_um"] == 20.0
    two_sigmas = pp.interpolate_bad_channels(rec, ["ch3"], sigma_um=[30.0, 15.0])
    assert np.isfinite(two_sigmas.get_traces()).all()


def test_interpolation_bad_input():
    rec = planted_recording(8, 0.1, ids=True)
    with pytest.raises(KeyError, match="'nope'"):
        pp.interpolate_bad_channels(rec, ["nope"])
    with pytest.raises(ValueError, match="weights must have shape .*\\(7, 1\\)"):
        pp.interpolate_bad_channels(rec, ["ch1"], weights=np.ones((3, 3)))
    with pytest.raises(ValueError, match="channel locations"):
        pp.interpolate_bad_channels(le.NumpyRecording(np.zeros((4, 2), "float32"), FS), [0])


def test_interpolation_same_as_spikeinterface(tmp_path):
    x = planted_traces(32, 0.2)
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0, inputs['locs'])
        outputs['y'] = spre.interpolate_bad_channels(rec, [3, 20, 31]).get_traces()
        outputs['y2'] = spre.interpolate_bad_channels(rec, [5], sigma_um=[30.0, 15.0],
                                                       p=1.0).get_traces()
    """, tmp_path, x=x, locs=locations(32))
    rec = le.NumpyRecording(x, FS)
    rec.set_channel_locations(locations(32))
    got = pp.interpolate_bad_channels(rec, [3, 20, 31]).get_traces()
    np.testing.assert_allclose(got, theirs["y"], rtol=1e-5, atol=1e-4)
    got = pp.interpolate_bad_channels(rec, [5], sigma_um=[30.0, 15.0], p=1.0).get_traces()
    np.testing.assert_allclose(got, theirs["y2"], rtol=1e-5, atol=1e-4)


# ------------------------------------------------------------------------- depth_order
class TestDepthOrderConformance(RecordingConformance):
    def make(self, tmp_path):
        rec = planted_recording(16, 0.1, ids=True)
        perm = np.random.default_rng(1).permutation(16)
        shuffled = rec.select_channels(rec.get_channel_ids()[perm])
        ordered = pp.depth_order(shuffled)
        locs = locations(16)[perm]
        order = np.lexsort((locs[:, 0], locs[:, 1]))
        return ordered, [rec.get_traces()[:, perm][:, order]]


def test_depth_order_same_as_spikeinterface(tmp_path):
    rng = np.random.default_rng(4)
    locs = locations(16)[rng.permutation(16)]
    x = rng.normal(size=(50, 16)).astype("float32")
    theirs = run_spikeinterface("""
        rec = recording(inputs['x'], 30000.0, inputs['locs'])
        outputs['ids'] = spre.depth_order(rec).get_channel_ids()
        outputs['flip'] = spre.depth_order(rec, dimensions='y', flip=True).get_channel_ids()
    """, tmp_path, x=x, locs=locs)
    rec = le.NumpyRecording(x, FS)
    rec.set_channel_locations(locs)
    assert pp.depth_order(rec).get_channel_ids().tolist() == theirs["ids"].tolist()
    flipped = pp.depth_order(rec, dimensions="y", flip=True).get_channel_ids()
    assert flipped.tolist() == theirs["flip"].tolist()


# --------------------------------------------------------------------------- the chain
def _chain(raw):
    rec = pp.highpass_filter(raw)
    rec = pp.phase_shift(rec)
    bad, _ = pp.detect_bad_channels(rec, num_random_chunks=4, seed=0)
    rec = pp.interpolate_bad_channels(rec, bad)
    return pp.highpass_spatial_filter(rec, n_channel_pad=16)


def test_ibl_chain_saves_with_two_jobs_dumps_and_reloads(tmp_path):
    traces = planted_traces(48, 1.0)
    traces.tofile(tmp_path / "raw.bin")
    raw = le.BinaryRecordingExtractor(tmp_path / "raw.bin", FS, "float32", 48)
    raw.set_channel_locations(locations(48))
    raw.set_channel_gains(1.0)
    raw.set_channel_offsets(0.0)
    raw.set_property("inter_sample_shift", np.tile([0.0, 0.5], 24))
    chain = _chain(raw)
    expected = chain.get_traces()
    chain.dump_to_json(tmp_path / "chain.json")
    loaded = le.load(tmp_path / "chain.json")
    np.testing.assert_array_equal(loaded.get_traces(), expected)
    copy = pickle.loads(pickle.dumps(chain))
    np.testing.assert_array_equal(copy.get_traces(), expected)
    described = json.loads(json.dumps(chain.to_dict()))
    np.testing.assert_array_equal(le.BaseExtractor.from_dict(described).get_traces(), expected)
    path = tmp_path / "out.raw"
    le.write_binary_recording(chain, [path], dtype="float32", n_jobs=2, chunk_duration="0.25s",
                              progress_bar=False)
    written = np.fromfile(path, dtype=np.float32).reshape(-1, 48)
    assert np.abs(written - expected).max() < 1e-4 * _rms(expected)


@pytest.mark.parametrize("nperseg", [300, 301])
def test_high_frequency_power_is_welch(nperseg):
    x = np.random.default_rng(5).normal(size=(5000, 3))
    x[:, 1] += np.sin(np.arange(5000) * 2.9) * 3
    frequencies, psd = signal.welch(x, fs=FS, axis=0, window="hann", nperseg=nperseg)
    expected = psd[frequencies > FS / 2 * 0.8].mean(axis=0)
    got = pp.bad_channels.high_frequency_power(x, FS, nperseg, 0.8)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_bad_channels_removed_instead_of_interpolated(planted):
    bad, _ = pp.detect_bad_channels(planted, num_random_chunks=4, seed=0)
    kept = planted.remove_channels(bad)
    assert kept.get_num_channels() == 64 - bad.size
    assert not set(bad.tolist()) & set(kept.get_channel_ids().tolist())
    destriped = pp.highpass_spatial_filter(kept, n_channel_pad=16)
    good = [i for i, c in enumerate(planted.get_channel_ids()) if c not in set(bad.tolist())]
    np.testing.assert_array_equal(kept.get_traces(end_frame=100), planted.get_traces(
        end_frame=100)[:, good])
    assert destriped.get_traces(end_frame=100).shape == (100, 64 - bad.size)
