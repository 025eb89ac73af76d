"""Odd but possible input gives a clear error or the right answer, never a bare crash."""

from __future__ import annotations

import errno
import os
import shutil
from collections import namedtuple

import numpy as np
import pytest

import lazyephys as le
from lazyephys.io.formats import FormatError


@pytest.fixture
def rec():
    return le.generate_recording(num_channels=2, durations=[0.1], seed=1, dtype="int16")


def _no_channels():
    return le.NumpyRecording([np.zeros((10, 0), dtype="int16")], 1000.0, channel_ids=[])


@pytest.mark.parametrize("key, value", [("chunk_memory", "1M"), ("total_memory", "1M"),
                                        ("chunk_size", 3), ("chunk_duration", "2ms")])
def test_a_recording_without_channels_saves_to_memory(key, value):
    saved = _no_channels().save(format="memory", **{key: value})
    assert saved.get_traces().shape == (10, 0)


@pytest.mark.parametrize("fmt", ["binary", "zarr"])
def test_a_recording_without_channels_is_not_saved_to_disk(tmp_path, fmt):
    with pytest.raises(ValueError, match="no channels"):
        _no_channels().save(folder=tmp_path / "out", format=fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("job_kwargs", [{"chunk_duration": "1e300s"}, {"chunk_duration": 1e300},
                                        {"chunk_size": 2**63}, {"chunk_size": 10**30},
                                        {"chunk_memory": "1000000T"}])
def test_huge_chunks_are_one_chunk_per_segment(tmp_path, rec, job_kwargs):
    for fmt, folder in (("memory", None), ("binary", tmp_path / "b"), ("zarr", tmp_path / "z")):
        saved = rec.save(folder=folder, format=fmt, **job_kwargs)
        np.testing.assert_array_equal(saved.get_traces(), rec.get_traces())
    shutil.rmtree(tmp_path / "b")
    shutil.rmtree(tmp_path / "z.zarr")


def test_a_device_is_not_a_raw_file():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(FormatError, match="/dev/zero is not a regular file"):
        le.BinaryRecordingExtractor("/dev/zero", 1000.0, "int16", 1)


def test_too_many_channels_to_generate_named():
    with pytest.raises(MemoryError, match=r"num_channels=1000000000000 with block_size=30000 "
                                          r"needs .* GiB"):
        le.generate_recording(num_channels=10**12, durations=[1.0])


@pytest.mark.parametrize("levels", [float("nan"), -1.0, [1.0, float("inf")], [1.0, 2.0, 3.0]])
def test_bad_noise_levels_refused(levels):
    with pytest.raises(ValueError, match="noise_levels"):
        le.NoiseGeneratorRecording(2, 1000.0, [0.1], noise_levels=levels)


def test_garbage_npy_is_damaged_not_pickled(tmp_path, rec):
    rec.set_property("quality", ["a", "b"])
    rec.save(folder=tmp_path / "r")
    path = tmp_path / "r" / "properties" / "quality.npy"
    path.write_bytes(path.read_bytes()[:10] + b"x" * 80)
    with pytest.raises(FormatError, match="damaged") as info:
        le.load(tmp_path / "r")
    assert "pickl" not in str(info.value)


def test_a_full_disk_is_named(tmp_path, monkeypatch, rec):
    def no_space(fd, data, offset):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", no_space)
    with pytest.raises(OSError, match=r"no space left on the device holding .*out: the save "
                                      rf"needs about {rec.get_memory_size()} bytes") as info:
        rec.save(folder=tmp_path / "out", n_jobs=1)
    assert info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_a_short_write_on_a_full_disk_is_named(tmp_path, monkeypatch, rec):
    from lazyephys.io import binary_folder

    def short(*args, **kwargs):
        raise OSError("4 requested and 2 written")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(binary_folder, "write_common_recording_files", short)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(100, 98, 2))
    with pytest.raises(OSError, match="no space left on the device .* 2 bytes are free"):
        rec.save(folder=tmp_path / "out")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**12, 0, 10**12))
    with pytest.raises(OSError, match="4 requested and 2 written"):
        rec.save(folder=tmp_path / "out")
