"""Memory-mapped recordings keep their mapping but no file descriptor."""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base.mapping import map_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="counts descriptors and mappings in /proc")


def _open_descriptors(under) -> int:
    """Descriptors of this process open on files below ``under`` (other tests' threads may
    open and close descriptors of their own meanwhile, so only these are counted)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        count += target.startswith(str(under))
    return count


def _mappings_of(path) -> int:
    with open("/proc/self/maps") as maps:
        return sum(str(path) in line for line in maps)


def test_hundreds_of_binary_recordings_hold_no_descriptor(tmp_path):
    values = np.arange(3000, dtype="int16").reshape(-1, 3)
    path = tmp_path / "traces.raw"
    values.tofile(path)
    recordings = [le.BinaryRecordingExtractor(path, 1000.0, "int16", 3) for _ in range(400)]
    assert _open_descriptors(tmp_path) == 0
    for rec in recordings[::50]:
        np.testing.assert_array_equal(rec.get_traces(), values)
    assert _mappings_of(path) >= 1
    del recordings, rec
    gc.collect()
    assert _mappings_of(path) == 0  # unmapped once nothing uses them


def test_saved_folders_hold_no_descriptor(tmp_path):
    source = le.generate_recording(num_channels=2, durations=[0.1, 0.1], seed=0, dtype="int16")
    source.save(folder=tmp_path / "r")
    loaded = [le.load(tmp_path / "r") for _ in range(100)]
    assert _open_descriptors(tmp_path) == 0
    np.testing.assert_array_equal(loaded[-1].get_traces(segment_index=1),
                                  source.get_traces(segment_index=1))


def test_mapped_arrays_are_read_only_and_outlive_their_recording(tmp_path):
    path = tmp_path / "traces.raw"
    np.arange(10, dtype="int16").tofile(path)
    rec = le.BinaryRecordingExtractor(path, 1000.0, "int16", 1, file_offset=4)
    traces = rec.get_traces()
    with pytest.raises(ValueError):
        traces[0, 0] = 1
    with pytest.raises(ValueError):
        traces.flags.writeable = True
    del rec
    gc.collect()
    assert traces[:, 0].tolist() == list(range(2, 10))


def test_map_file_of_an_empty_file(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    assert map_file(tmp_path / "empty").size == 0
