"""A damaged zarr store is refused, naming what is damaged; it never reads as zeros."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.io.formats import FormatError


def _zeros_then_ones():
    traces = np.zeros((4000, 3), dtype="int16")
    traces[2000:] = 1  # the first chunks equal the fill value: they must still be written
    return le.NumpyRecording([traces], 1000.0)


def _store(tmp_path, **options):
    rec = _zeros_then_ones()
    rec.save(folder=tmp_path / "z", format="zarr", chunk_size=1000, **options)
    return rec, tmp_path / "z.zarr"


def test_chunks_equal_to_the_fill_value_are_written_and_load(tmp_path):
    rec, store = _store(tmp_path)
    assert sorted(p.name for p in (store / "traces_seg0" / "c").iterdir()) == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(le.load(store).get_traces(), rec.get_traces())


@pytest.mark.parametrize("options, key", [
    ({}, "traces_seg0/c/1/0"),
    ({"channel_chunk_size": 2}, "traces_seg0/c/2/1"),
    ({"chunks_per_shard": 2}, "traces_seg0/c/1/0"),
])
def test_a_deleted_chunk_is_named(tmp_path, options, key):
    try:
        _, store = _store(tmp_path, **options)
    except TypeError as err:  # a store option this version does not have
        pytest.skip(str(err))
    (store / key).unlink()
    with pytest.raises(FormatError, match=f"missing 1 of the .* chunks .*{key}"):
        le.load(store)


def test_all_chunks_deleted_is_named(tmp_path):
    _, store = _store(tmp_path)
    shutil.rmtree(store / "traces_seg0" / "c")
    with pytest.raises(FormatError,
                       match=r"missing 4 of the 4 chunks it was written with: traces_seg0/c/0/0"):
        le.load(store)


def test_stores_written_before_chunk_counts_still_load(tmp_path):
    import zarr

    rec, store = _store(tmp_path)
    group = zarr.open_group(str(store), mode="r+")
    attrs = dict(group.attrs)
    del attrs["stored_chunks"]
    group.attrs.clear()
    group.attrs.update(attrs)
    np.testing.assert_array_equal(le.load(store).get_traces(), rec.get_traces())


def test_a_truncated_array_shape_is_refused(tmp_path):
    _, store = _store(tmp_path)
    meta_path = store / "traces_seg0" / "zarr.json"
    meta = json.loads(meta_path.read_text())
    meta["shape"] = [1000, 3]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(FormatError, match="1000 samples but the store's metadata says 4000"):
        le.load(store)


def test_a_garbled_chunk_names_store_and_frames(tmp_path):
    _, store = _store(tmp_path)
    chunk = store / "traces_seg0" / "c" / "2" / "0"
    chunk.write_bytes(b"\x02\x01" + chunk.read_bytes()[2:10] + b"garbage" * 10)
    loaded = le.load(store)
    np.testing.assert_array_equal(loaded.get_traces(start_frame=0, end_frame=2000),
                                  np.zeros((2000, 3)))
    with pytest.raises(FormatError, match=r"z\.zarr: reading frames 1500:2500 of traces_seg0 "
                                          r"\(time chunks 1\.\.2\) failed"):
        loaded.get_traces(start_frame=1500, end_frame=2500)


def test_a_remote_store_missing_a_chunk_is_refused(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    rec, store = _store(tmp_path)
    memory = fsspec.filesystem("memory")
    memory.put(str(store), "/trust_remote/z.zarr", recursive=True)
    try:
        np.testing.assert_array_equal(le.load("memory://trust_remote/z.zarr").get_traces(),
                                      rec.get_traces())
        memory.rm("/trust_remote/z.zarr/traces_seg0/c/3/0")
        with pytest.raises(FormatError, match="traces_seg0/c/3/0"):
            le.load("memory://trust_remote/z.zarr")
    finally:
        memory.rm("/trust_remote", recursive=True)


def test_sorting_offsets_that_skip_spikes_are_refused(tmp_path):
    import zarr

    sorting = le.generate_sorting(num_units=3, durations=[1.0, 1.0], seed=0)
    sorting.save(folder=tmp_path / "s", format="zarr")
    group = zarr.open_group(str(tmp_path / "s.zarr"), mode="r+")
    offsets = group["spikes/segment_offsets"][...]
    total = int(offsets[-1])
    group["spikes/segment_offsets"][...] = np.array([2, offsets[1], total])
    with pytest.raises(FormatError, match="segment 0 spans rows 2:.*start at row 0"):
        le.load(tmp_path / "s.zarr")
    group["spikes/segment_offsets"][...] = np.array([0, offsets[1], total - 1])
    with pytest.raises(FormatError, match=f"cover {total - 1} of the {total} spikes"):
        le.load(tmp_path / "s.zarr")
