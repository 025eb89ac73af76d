"""Blackrock NSx files written from the format's description, read back and against neo."""

from __future__ import annotations

import gc
import json
import pickle
import struct
import warnings

import numpy as np
import pytest

import lazyephys as le
from lazyephys.extractors.buffers import MappedSegment
from lazyephys.testing import RecordingCase, RecordingConformance

from .writers import write_blackrock_ns5

neo = pytest.importorskip("neo")


@pytest.fixture(autouse=True)
def _quiet_neo_file_handles():
    """neo's Blackrock reader drops file objects unclosed while it reads: let them go
    quietly inside each test rather than warn during a later one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield
        gc.collect()


def _traces(num_samples=900, seed=0):
    return np.random.default_rng(seed).integers(-3000, 3000, (num_samples, 4)).astype("int16")


class TestBlackrockConformance(RecordingConformance):
    def make(self, tmp_path):
        traces = _traces(seed=1)
        path = write_blackrock_ns5(tmp_path / "rec.ns5", traces, ["e1", "e2", "e3", "e4"])
        return RecordingCase(le.read_blackrock(path), [traces])


def test_mapped_gains_and_neo(tmp_path):
    traces = _traces()
    path = write_blackrock_ns5(tmp_path / "rec.ns5", traces, ["e1", "e2", "e3", "e4"])
    rec = le.read_blackrock(path)
    assert isinstance(rec.get_segment(0), MappedSegment)  # one packet: the file is mapped
    assert rec.get_sampling_frequency() == 30000.0
    # analog range 2 x 8191 uV over digital range 2 x 32764 steps
    np.testing.assert_allclose(rec.get_channel_gains(), 16382 / 65528)
    assert le.read_blackrock(path, use_names_as_ids=True).get_channel_ids().tolist() == [
        "e1", "e2", "e3", "e4"]
    reader = neo.rawio.BlackrockRawIO(filename=str(path))
    reader.parse_header()
    np.testing.assert_array_equal(rec.get_traces(start_frame=100, end_frame=300),
                                  reader.get_analogsignal_chunk(0, 0, 100, 300, 0))
    again = pickle.loads(pickle.dumps(rec.select_channels(["3", "1"])))
    np.testing.assert_array_equal(again.get_traces(), traces[:, [2, 0]])
    loaded = le.load(path)
    assert isinstance(loaded, le.BlackrockRecordingExtractor)
    np.testing.assert_array_equal(loaded.get_traces(end_frame=5), traces[:5])
    (tmp_path / "si.json").write_text(json.dumps({
        "class": "spikeinterface.extractors.neoextractors.blackrock.BlackrockRecordingExtractor",
        "module": "spikeinterface", "relative_paths": True,
        "kwargs": {"file_path": "rec.ns5", "stream_id": "5", "stream_name": None,
                   "block_index": None, "all_annotations": False, "use_names_as_ids": False}}))
    np.testing.assert_array_equal(le.load(tmp_path / "si.json").get_traces(), traces)
    with pytest.raises(FileNotFoundError, match="missing.ns5"):
        le.read_blackrock(tmp_path / "missing.ns5")


def test_paused_file_reads_through_neo(tmp_path):
    first, second = _traces(300, seed=2), _traces(200, seed=3)
    path = write_blackrock_ns5(tmp_path / "paused.ns5", first, ["a", "b", "c", "d"])
    # a pause: a second data packet, starting later
    path.write_bytes(path.read_bytes() + struct.pack("<BII", 1, 30000, 200)
                     + second.astype("<i2").tobytes())
    rec = le.read_blackrock(path)
    reader = neo.rawio.BlackrockRawIO(filename=str(path))
    reader.parse_header()
    assert not isinstance(rec.get_segment(0), MappedSegment)
    assert rec.get_num_segments() == reader.segment_count(0)
    for seg in range(rec.get_num_segments()):
        np.testing.assert_array_equal(rec.get_traces(segment_index=seg),
                                      reader.get_analogsignal_chunk(0, seg, None, None, 0))
