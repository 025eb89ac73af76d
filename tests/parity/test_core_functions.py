"""SpikeInterface's core functions: each against a numpy reference or a value by hand."""

from __future__ import annotations

import gc
import os
import pickle

import numpy as np
import pytest

import lazyephys as le
from lazyephys.recording.noise_levels import MAD_TO_STD
from lazyephys.recording.random_chunks import get_random_chunk_slices

from .conftest import run_spikeinterface


@pytest.fixture
def rec():
    return le.generate_recording(num_channels=3, durations=[4.0, 2.0], seed=5)


def test_random_data_chunks_are_the_slices(rec):
    slices = get_random_chunk_slices(rec, num_chunks_per_segment=4, chunk_duration="100ms",
                                     seed=2)
    assert all(b - a == 3000 for _, a, b in slices) and len(slices) == 8
    data = le.get_random_data_chunks(rec, num_chunks_per_segment=4, chunk_duration="100ms",
                                     seed=2)
    reference = np.concatenate([rec.get_traces(segment_index=s, start_frame=a, end_frame=b)
                                for s, a, b in slices])
    np.testing.assert_array_equal(data, reference)
    listed = le.get_random_data_chunks(rec, concatenated=False, num_chunks_per_segment=4,
                                       chunk_size=3000, seed=2)
    assert len(listed) == 8 and np.array_equal(np.concatenate(listed), reference)
    full = get_random_chunk_slices(rec, num_chunks_per_segment=30, chunk_size=10000,
                                   seed=1, method="full_random")
    assert len(full) == 60 and all(b - a == 10000 for _, a, b in full)
    with pytest.raises(ValueError, match="method"):
        get_random_chunk_slices(rec, method="sometimes")


@pytest.mark.parametrize("method", ["mad", "std", "rms"])
def test_noise_levels_against_numpy(rec, method):
    options = {"num_chunks_per_segment": 5, "chunk_size": 2000, "seed": 4}
    levels = le.get_noise_levels(rec, return_in_uV=False, method=method,
                                 random_slices_kwargs=options)
    estimates = []
    for s, a, b in get_random_chunk_slices(rec, **options):
        x = rec.get_traces(segment_index=s, start_frame=a, end_frame=b).astype(np.float64)
        if method == "mad":
            estimates.append(np.median(np.abs(x - np.median(x, axis=0)), axis=0) / MAD_TO_STD)
        elif method == "std":
            estimates.append(x.std(axis=0))
        else:
            estimates.append(np.sqrt((x**2).mean(axis=0)))
    np.testing.assert_allclose(levels, np.mean(estimates, axis=0), rtol=1e-10)
    np.testing.assert_allclose(levels, 5.0, rtol=0.1)  # the generator's noise sd


def test_noise_levels_cached_and_scaled(rec):
    first = le.get_noise_levels(rec)  # generated recordings have gains (1.0)
    assert "noise_level_mad_scaled" in rec.get_property_keys()
    rec.set_property("noise_level_mad_scaled", [1.0, 2.0, 3.0])
    assert le.get_noise_levels(rec).tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_allclose(le.get_noise_levels(rec, force_recompute=True), first)
    scaled = le.preprocessing.scale(rec, gain=2.0)
    scaled.set_channel_gains(0.5)
    np.testing.assert_allclose(le.get_noise_levels(scaled, return_in_uV=True), first, rtol=1e-6)
    bare = le.NumpyRecording([np.zeros((100, 2), "int16")], 1000.0)
    with pytest.raises(ValueError, match="gain"):
        le.get_noise_levels(bare)
    with pytest.raises(ValueError, match="method"):
        le.get_noise_levels(rec, method="iqr")


def test_channel_distances_and_depth_order():
    rec = le.generate_recording(num_channels=4, durations=[0.1], set_probe=False)
    locations = np.array([[0.0, 40.0], [20.0, 0.0], [0.0, 0.0], [20.0, 40.0]])
    rec.set_dummy_probe_from_locations(locations)
    reference = np.sqrt(((locations[:, None] - locations[None]) ** 2).sum(-1))
    np.testing.assert_allclose(le.get_channel_distances(rec), reference)
    order_f, order_r = le.order_channels_by_depth(rec)
    assert order_f.tolist() == [2, 1, 0, 3]  # by y, then x
    np.testing.assert_array_equal(order_f[order_r], np.arange(4))
    assert le.order_channels_by_depth(rec, dimensions="x")[0].tolist() == [0, 2, 1, 3]
    assert le.order_channels_by_depth(rec, flip=True)[0].tolist() == [3, 0, 1, 2]
    sub_f, _ = le.order_channels_by_depth(rec, channel_ids=["0", "1"])
    assert sub_f.tolist() == [1, 0]
    with pytest.raises(ValueError, match="'z'"):
        le.order_channels_by_depth(rec, dimensions=("x", "z"))


def test_chunk_with_margin_against_padding():
    data = np.arange(40, dtype="int16").reshape(20, 2)
    segment = le.NumpyRecording([data], 100.0).get_segment(0)
    traces, left, right = le.get_chunk_with_margin(segment, 2, 10, None, 4)
    assert (left, right) == (2, 4)
    np.testing.assert_array_equal(traces, data[0:14])
    traces, left, right = le.get_chunk_with_margin(segment, 2, 18, [1], 4, add_zeros=True)
    assert (left, right) == (4, 4)
    np.testing.assert_array_equal(traces, np.pad(data[:, [1]], ((2, 2), (0, 0)))[0:24])
    traces, _, _ = le.get_chunk_with_margin(segment, 0, 5, None, 3, add_reflect_padding=True)
    np.testing.assert_array_equal(traces, np.pad(data[0:8], ((3, 0), (0, 0)), mode="reflect"))
    traces, _, _ = le.get_chunk_with_margin(segment, 4, 12, None, 4, add_zeros=True,
                                            window_on_margin=True, dtype="float32")
    taper = (1 - np.cos(np.arange(4) / 4 * np.pi)) / 2
    expected = data[0:16].astype("float32")
    expected[:4] *= taper[:, None]
    expected[-4:] *= taper[::-1, None]
    np.testing.assert_allclose(traces, expected)
    with pytest.raises(ValueError, match="add_zeros"):
        le.get_chunk_with_margin(segment, 0, 5, None, 3, window_on_margin=True)


def test_segments_select_and_split():
    rec = le.generate_recording(num_channels=2, durations=[1.0, 2.0, 0.5], seed=0)
    parts = le.split_recording(rec)
    assert [p.get_num_segments() for p in parts] == [1, 1, 1]
    for index, part in enumerate(parts):
        np.testing.assert_array_equal(part.get_traces(), rec.get_traces(segment_index=index))
    picked = le.select_segment_recording(rec, [2, 0])
    np.testing.assert_array_equal(picked.get_traces(segment_index=0),
                                  rec.get_traces(segment_index=2))
    sorting = le.generate_sorting(num_units=3, durations=[1.0, 2.0], seed=0)
    one = le.select_segment_sorting(sorting, 1)
    np.testing.assert_array_equal(one.get_unit_spike_train("0"),
                                  sorting.get_unit_spike_train("0", segment_index=1))


def test_split_sorting_undoes_concatenation():
    recs = [le.generate_recording(num_channels=1, durations=[d], seed=0) for d in (1.0, 0.5)]
    per_segment = le.generate_sorting(num_units=3, durations=[1.0, 0.5], seed=2)
    joined = le.concatenate_sortings([per_segment.select_segments([0]),
                                      per_segment.select_segments([1])])
    split = le.split_sorting(joined, recs)
    assert split.get_num_segments() == 2
    for segment in (0, 1):
        for unit in per_segment.unit_ids:
            np.testing.assert_array_equal(
                split.get_unit_spike_train(unit, segment_index=segment),
                per_segment.get_unit_spike_train(unit, segment_index=segment))
    with pytest.raises(ValueError, match="samples"):
        le.split_sorting(joined, recs[:1])


def test_spike_vector_to_spike_trains_against_loops():
    sorting = le.generate_sorting(num_units=4, durations=[2.0, 1.0], seed=3)
    trains = le.spike_vector_to_spike_trains(sorting.to_spike_vector(concatenated=False),
                                             sorting.unit_ids)
    for segment in (0, 1):
        for unit in sorting.unit_ids:
            np.testing.assert_array_equal(trains[segment][unit],
                                          sorting.get_unit_spike_train(unit, segment))


def test_npz_sorting_round_trip(tmp_path):
    sorting = le.generate_sorting(num_units=3, durations=[1.0, 0.5], seed=1)
    le.NpzSortingExtractor.write_sorting(sorting, tmp_path / "s.npz")
    again = le.read_npz_sorting(tmp_path / "s.npz")
    np.testing.assert_array_equal(again.to_spike_vector(), sorting.to_spike_vector())
    assert again.get_unit_ids().tolist() == sorting.get_unit_ids().tolist()
    rebuilt = le.load(again.to_dict())
    assert rebuilt.count_total_num_spikes() == sorting.count_total_num_spikes()
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(le.FormatError, match="bad.npz"):
        le.read_npz_sorting(tmp_path / "bad.npz")


def test_read_numpy_sorting_folder_and_read_binary(tmp_path):
    sorting = le.generate_sorting(num_units=2, durations=[0.5], seed=0)
    sorting.save(folder=tmp_path / "s")
    again = le.read_numpy_sorting_folder(tmp_path / "s")
    np.testing.assert_array_equal(again.to_spike_vector(), sorting.to_spike_vector())
    data = np.arange(24, dtype="<i2").reshape(8, 3)
    data.tofile(tmp_path / "t.raw")
    raw = le.read_binary(tmp_path / "t.raw", sampling_frequency=10.0, dtype="int16",
                         num_channels=3, gain_to_uV=0.5)
    np.testing.assert_array_equal(raw.get_traces(), data)
    np.testing.assert_allclose(raw.get_traces(return_in_uV=True), data * 0.5)


def test_global_tmp_folder(tmp_path):
    try:
        le.set_global_tmp_folder(tmp_path / "cache")
        assert le.get_global_tmp_folder() == tmp_path / "cache"
        saved = le.generate_recording(durations=[0.1]).save()
        folder = saved.to_dict()["kwargs"]["folder_path"]["__path__"]
        assert os.path.dirname(folder) == str(tmp_path / "cache")
    finally:
        le.reset_global_tmp_folder()
    assert le.get_global_tmp_folder() != tmp_path / "cache"


def test_job_helpers(rec):
    assert le.ensure_n_jobs(rec, None) == 1 and le.ensure_n_jobs(rec, 0) == 1
    assert le.ensure_n_jobs(rec, -1) == le.jobs.job_kwargs.usable_cpu_count()
    assert le.ensure_chunk_size(rec, chunk_size=123) == 123
    assert le.ensure_chunk_size(rec, chunk_duration="250ms") == 7500
    assert le.ensure_chunk_size(rec, chunk_memory="12k") == 12000 // (3 * 4)
    assert le.ensure_chunk_size(rec, total_memory="24k", n_jobs=2) == 24000 // (3 * 4 * 2)
    assert le.ensure_chunk_size(rec) == 120000  # one chunk: the longest segment
    with pytest.raises(le.InvalidJobKwargsError, match="chunk"):
        le.ensure_chunk_size(rec, n_jobs=2)
    best = le.get_best_job_kwargs()
    assert best["n_jobs"] * best["max_threads_per_worker"] <= max(
        le.jobs.job_kwargs.usable_cpu_count(), 8)
    le.fix_job_kwargs(best)  # accepted as job kwargs


def test_generate_recording_by_size_and_gains():
    rec = le.generate_recording_by_size(0.01, seed=0)
    expected = int(0.01 * 2**30) // (384 * 4)
    assert rec.get_num_samples() == expected and rec.get_num_channels() == 384
    gen = le.generate_recording(num_channels=2, durations=[0.1], seed=0)
    np.testing.assert_array_equal(gen.get_traces(return_in_uV=True), gen.get_traces())
    scaled = le.generate_recording(num_channels=2, durations=[0.1], seed=0, gain_to_uV=0.25)
    np.testing.assert_allclose(scaled.get_traces(return_in_uV=True), gen.get_traces() * 0.25)
    assert not le.generate_recording(durations=[0.1], gain_to_uV=None).has_scaleable_traces()
    starts = le.generate_recording(durations=[0.1, 0.2], t_starts=[5.0, 9.0])
    assert [starts.get_start_time(i) for i in (0, 1)] == [5.0, 9.0]


def test_shared_memory_recording_round_trip():
    rec = le.generate_recording(num_channels=3, durations=[1.0, 0.5], seed=0)
    rec.set_property("quality", ["a", "b", "c"])
    shared = rec.save_to_memory(sharedmem=True, n_jobs=2, chunk_duration="0.25s")
    assert isinstance(shared, le.SharedMemoryRecording)
    for index in (0, 1):
        np.testing.assert_array_equal(shared.get_traces(segment_index=index),
                                      rec.get_traces(segment_index=index))
    assert shared.get_property("quality").tolist() == ["a", "b", "c"]
    payload = pickle.dumps(shared)
    assert len(payload) < 50_000  # names and the probe, not the 540 kB of traces
    worker_copy = pickle.loads(payload)
    np.testing.assert_array_equal(worker_copy.get_traces(segment_index=1),
                                  rec.get_traces(segment_index=1))
    # a job whose workers read the shared memory gives the same result as the source
    from lazyephys.preprocessing import common_reference

    computed = common_reference(shared).save_to_memory(n_jobs=2, chunk_duration="0.25s")
    np.testing.assert_array_equal(computed.get_traces(segment_index=0),
                                  common_reference(rec).get_traces(segment_index=0))
    names = list(shared._kwargs["shm_names"])
    del shared, worker_copy, computed
    gc.collect()
    assert not any(os.path.exists(f"/dev/shm/{name}") for name in names)


def test_write_memory_recording_buffers():
    rec = le.generate_recording(num_channels=2, durations=[0.5], seed=0)
    arrays, shms = le.write_memory_recording(rec, n_jobs=1)
    assert shms == [None] and np.array_equal(arrays[0], rec.get_traces())
    arrays, shms = le.write_memory_recording(rec, n_jobs=2, chunk_duration="0.1s",
                                             dtype="float64")
    assert shms[0] is not None and arrays[0].dtype == np.float64
    np.testing.assert_array_equal(arrays[0], rec.get_traces().astype(np.float64))
    with pytest.raises(ValueError, match="buffer_type"):
        le.write_memory_recording(rec, buffer_type="disk")


SI_FUNCTIONS = """
import json, sys, numpy as np
import spikeinterface.core as sc
rec = sc.NumpyRecording([np.load(sys.argv[1])], 1000.0)
rec.set_dummy_probe_from_locations(np.array([[0.0, 40.0], [20.0, 0.0], [0.0, 0.0], [20.0, 40.0]]))
order_f, order_r = sc.order_channels_by_depth(rec)
traces, left, right = sc.get_chunk_with_margin(rec.segments[0], 2, 18, [1], 4, add_zeros=True)
import spikeinterface.core as s2
print(json.dumps({
    "distances": sc.get_channel_distances(rec).tolist(),
    "order_f": order_f.tolist(), "order_r": order_r.tolist(),
    "chunk": traces.tolist(), "margins": [int(left), int(right)],
    "noise": {m: sc.get_noise_levels(rec, return_in_uV=False, method=m,
                                      random_slices_kwargs=dict(num_chunks_per_segment=1,
                                                                chunk_size=20)).tolist()
              for m in ("mad", "std", "rms")},
    "split": [r.get_num_samples() for r in sc.split_recording(
        sc.generate_recording(durations=[1.0, 0.5]))],
    "chunk_size": sc.ensure_chunk_size(rec, chunk_memory="12k"),
}))
"""


def test_core_functions_as_spikeinterface(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(20, 4)).astype("float32")
    np.save(tmp_path / "data.npy", data)
    theirs = run_spikeinterface(SI_FUNCTIONS, str(tmp_path / "data.npy"))
    rec = le.NumpyRecording([data], 1000.0)
    rec.set_dummy_probe_from_locations(
        np.array([[0.0, 40.0], [20.0, 0.0], [0.0, 0.0], [20.0, 40.0]]))
    np.testing.assert_allclose(le.get_channel_distances(rec), theirs["distances"])
    order_f, order_r = le.order_channels_by_depth(rec)
    assert order_f.tolist() == theirs["order_f"] and order_r.tolist() == theirs["order_r"]
    traces, left, right = le.get_chunk_with_margin(rec.get_segment(0), 2, 18, [1], 4,
                                                   add_zeros=True)
    np.testing.assert_array_equal(traces, theirs["chunk"])
    assert [left, right] == theirs["margins"]
    for method in ("mad", "std", "rms"):
        # one chunk covering the whole recording: the same numbers whatever the draw
        ours = le.get_noise_levels(rec, return_in_uV=False, method=method,
                                   random_slices_kwargs={"num_chunks_per_segment": 1,
                                                         "chunk_size": 20})
        np.testing.assert_allclose(ours, theirs["noise"][method], rtol=1e-5)
    assert [r.get_num_samples() for r in le.split_recording(
        le.generate_recording(durations=[1.0, 0.5]))] == theirs["split"]
    assert le.ensure_chunk_size(rec, chunk_memory="12k") == theirs["chunk_size"]
