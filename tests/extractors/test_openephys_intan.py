"""Open Ephys binary folders and Intan RHD files written from their format documents, read
back and compared with what was written and with neo reading the same files."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest

import lazyephys as le
from lazyephys.extractors.buffers import MappedSegment
from lazyephys.extractors.intan_rhd import RhdAmplifierSegment
from lazyephys.testing import RecordingCase, RecordingConformance

from .writers import (
    write_intan_rhd,
    write_openephys_binary,
    write_openephys_legacy,
    write_openephys_neuropixels_settings,
)

neo = pytest.importorskip("neo")

BIT_VOLTS = [0.195, 0.195, 0.25, 0.5]


def _segments(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(-3000, 3000, (n, 4)).astype("int16") for n in (300, 200)]


@pytest.fixture
def oe_folder(tmp_path):
    segments = _segments()
    folder = write_openephys_binary(tmp_path / "data" / "session", segments, BIT_VOLTS,
                                    30000.0, [3000, 90000])
    return folder, segments


class TestOpenEphysConformance(RecordingConformance):
    def make(self, tmp_path):
        segments = _segments(seed=1)
        folder = write_openephys_binary(tmp_path / "oe", segments, BIT_VOLTS, 20000.0, [0, 10])
        return RecordingCase(le.read_openephys(folder), segments)


def test_openephys_traces_gains_times_and_neo(oe_folder):
    folder, segments = oe_folder
    rec = le.read_openephys(folder)
    assert isinstance(rec, le.OpenEphysBinaryRecordingExtractor)
    assert isinstance(rec.get_segment(0), MappedSegment)  # continuous.dat mapped directly
    assert rec.get_channel_ids().tolist() == ["CH1", "CH2", "CH3", "CH4"]
    np.testing.assert_allclose(rec.get_channel_gains(), BIT_VOLTS)
    np.testing.assert_allclose(rec.get_channel_offsets(), 0.0)
    # a segment starts at its first sample number over the rate
    assert rec.get_start_time(0) == pytest.approx(3000 / 30000.0)
    assert rec.get_start_time(1) == pytest.approx(90000 / 30000.0)
    np.testing.assert_allclose(rec.get_traces(segment_index=1, return_in_uV=True),
                               segments[1] * np.array(BIT_VOLTS))
    loaded = le.load(folder)
    assert isinstance(loaded, le.OpenEphysBinaryRecordingExtractor)
    np.testing.assert_array_equal(loaded.get_traces(segment_index=1), segments[1])
    # the record node folder and the recording folder open the same stream
    deeper = le.read_openephys(folder / "Record Node 101" / "experiment1")
    np.testing.assert_array_equal(deeper.get_traces(segment_index=0), segments[0])
    reader = neo.rawio.OpenEphysBinaryRawIO(dirname=str(folder))
    reader.parse_header()
    for seg in range(2):
        np.testing.assert_array_equal(
            rec.get_traces(segment_index=seg),
            reader.get_analogsignal_chunk(0, seg, None, None, stream_index=0))


def test_openephys_provenance_and_bad_input(oe_folder, tmp_path):
    folder, segments = oe_folder
    chain = le.read_openephys(folder).select_channels(["CH4", "CH2"])
    chain.dump_to_json(folder / "chain.json", relative_to=True)
    moved = tmp_path / "moved"
    shutil.move(folder, moved)
    reloaded = le.load(moved / "chain.json")
    np.testing.assert_array_equal(reloaded.get_traces(segment_index=1), segments[1][:, [3, 1]])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reloaded)).get_traces(segment_index=0),
                                  segments[0][:, [3, 1]])
    with pytest.raises(le.UnknownIdError, match=r"stream_id '7'.*'0'"):
        le.read_openephys(moved, stream_id="7")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="structure.oebin"):
        le.read_openephys(empty)
    with pytest.raises(FileNotFoundError, match="structure.oebin"):
        le.OpenEphysBinaryRecordingExtractor(empty)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        le.read_openephys(tmp_path / "nowhere")
    data = next(moved.rglob("continuous.dat"))
    data.write_bytes(data.read_bytes()[:-80])
    with pytest.raises(le.FormatError, match=r"continuous.dat is truncated.*lists 200 samples"):
        le.read_openephys(moved)


def test_openephys_legacy_folder(tmp_path):
    traces = np.random.default_rng(6).integers(-3000, 3000, (2048, 3)).astype("int16")
    folder = write_openephys_legacy(tmp_path / "legacy", traces, 0.195, 30000.0,
                                    first_timestamp=3000)
    rec = le.read_openephys(folder)
    assert isinstance(rec, le.OpenEphysLegacyRecordingExtractor)
    np.testing.assert_array_equal(rec.get_traces(), traces)
    np.testing.assert_allclose(rec.get_channel_gains(), 0.195)
    assert rec.get_start_time() == pytest.approx(3000 / 30000.0)
    reader = neo.rawio.OpenEphysRawIO(dirname=str(folder))
    reader.parse_header()
    np.testing.assert_array_equal(
        rec.get_traces(start_frame=1000, end_frame=1100),
        reader.get_analogsignal_chunk(0, 0, 1000, 1100, stream_index=0))
    again = pickle.loads(pickle.dumps(rec.frame_slice(10, 20)))
    np.testing.assert_array_equal(again.get_traces(), traces[10:20])


def _rhd(tmp_path, seed=2):
    amplifier = np.random.default_rng(seed).integers(0, 65536, (240, 3)).astype("uint16")
    path = write_intan_rhd(tmp_path / "session.rhd", amplifier, 20000.0, ["c0", "c1", "c2"])
    return path, amplifier


class TestIntanConformance(RecordingConformance):
    def make(self, tmp_path):
        path, amplifier = _rhd(tmp_path)
        return RecordingCase(le.read_intan(path), [amplifier])


def test_intan_gains_ids_and_neo(tmp_path):
    path, amplifier = _rhd(tmp_path, seed=3)
    assert le.get_neo_streams("intan", path) == (["RHD2000 amplifier channel"], ["0"])
    rec = le.read_intan(path, stream_id="0")
    # the header-attached blocks are mapped directly, not read channel by channel through neo
    assert isinstance(rec.get_segment(0), RhdAmplifierSegment)
    assert rec.get_sampling_frequency() == 20000.0
    assert rec.get_channel_ids().tolist() == ["A-000", "A-001", "A-002"]
    named = le.read_intan(path, use_names_as_ids=True)
    assert named.get_channel_ids().tolist() == ["c0", "c1", "c2"]
    # RHD amplifier samples: 0.195 uV steps around 32768
    np.testing.assert_allclose(rec.get_traces(return_in_uV=True),
                               (amplifier.astype(np.float64) - 32768) * 0.195, atol=2e-3)
    reader = neo.rawio.IntanRawIO(filename=str(path))
    reader.parse_header()
    np.testing.assert_array_equal(
        rec.get_traces(start_frame=50, end_frame=170, channel_ids=["A-002", "A-000"]),
        reader.get_analogsignal_chunk(0, 0, 50, 170, stream_index=0, channel_indexes=[2, 0]))
    np.testing.assert_array_equal(le.load(path).get_traces(), amplifier)
    with pytest.raises(le.UnknownIdError, match=r"stream_id '3'.*'0'"):
        le.read_intan(path, stream_id="3")
    with pytest.raises(le.FormatError, match="not an Intan file"):
        le.read_intan(_renamed(path, ".dat"))
    truncated = tmp_path / "cut.rhd"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(le.FormatError, match=r"'intan' could not read .*cut.rhd"):
        le.read_intan(truncated)


def _renamed(path, suffix):
    target = path.with_suffix(suffix)
    shutil.copy(path, target)
    return target


def _neuropixels_folder(root, probes=("ProbeA",), seed=0):
    """An Open Ephys folder with one 384-channel AP stream per Neuropixels 1.0 probe and the
    record node's settings.xml describing the probes."""
    import json

    rng = np.random.default_rng(seed)
    traces = {}
    oebin = root / "Record Node 101" / "experiment1" / "recording1" / "structure.oebin"
    described = []
    for name in probes:
        traces[name] = rng.integers(-500, 500, (90, 384)).astype("int16")
        write_openephys_binary(root, [traces[name]], [0.195] * 384, 30000.0, [0],
                               stream=f"Neuropix-PXI-100.{name}-AP")
        # one structure.oebin describes every stream of the recording
        description = json.loads(oebin.read_text())
        described += description["continuous"]
        description["continuous"] = described
        oebin.write_text(json.dumps(description))
    write_openephys_neuropixels_settings(root / "Record Node 101",
                                         {name: "NP1000" for name in probes})
    return traces


def test_openephys_neuropixels_probe_from_settings(tmp_path):
    import probeinterface

    root = tmp_path / "np"
    traces = _neuropixels_folder(root, ("ProbeA", "ProbeB"))
    settings = root / "Record Node 101" / "settings.xml"
    for k, name in enumerate(("ProbeA", "ProbeB")):
        stream = f"Record Node 101#Neuropix-PXI-100.{name}-AP"
        rec = le.read_openephys(root, stream_name=stream)
        np.testing.assert_array_equal(rec.get_traces(), traces[name])
        assert rec.has_probe()
        # hand-worked 1.0 geometry: bank 0, staggered columns 32 um apart, rows 20 um apart
        np.testing.assert_array_equal(rec.get_channel_locations()[:4],
                                      [[16, 0], [48, 0], [0, 20], [32, 20]])
        # probeinterface reading the same settings file, attached through set_probe
        probe = probeinterface.read_openephys_neuropixels(settings, stream_name=stream)
        expected = rec.set_probe(probe)
        for field in expected.get_property("contact_vector").dtype.names:
            np.testing.assert_array_equal(rec.get_property("contact_vector")[field],
                                          expected.get_property("contact_vector")[field])
        assert rec.get_probe().annotations["serial_number"] == str(1000 + k)
        assert rec.get_probe().annotations == probe.annotations
        # 1.0 probes: 13 slots per ADC cycle (12 x (1 + 2500/30000))
        np.testing.assert_allclose(
            rec.get_property("inter_sample_shift"),
            np.asarray(probe.contact_annotations["adc_sample_order"]) / 13.0)
        again = le.load(rec.to_dict())
        np.testing.assert_array_equal(again.get_channel_locations(), rec.get_channel_locations())


def test_openephys_streams_without_a_neuropixels_probe_have_none(tmp_path, oe_folder):
    folder, _ = oe_folder
    assert not le.read_openephys(folder).has_probe()  # no settings file at all
    # a settings file describing a probe for another stream
    write_openephys_neuropixels_settings(folder / "Record Node 101", {"ProbeA": "NP1000"})
    assert not le.read_openephys(folder).has_probe()


def test_openephys_neuropixels_sync_channel_is_its_own_stream(tmp_path):
    # a 385th channel named *_SYNC: neo serves it as a stream of its own, the probe's stream
    # keeps the 384 electrodes and gets the probe
    import json

    root = tmp_path / "sync"
    traces = np.random.default_rng(4).integers(-500, 500, (60, 385)).astype("int16")
    write_openephys_binary(root, [traces], [0.195] * 385, 30000.0, [0],
                           stream="Neuropix-PXI-100.ProbeA-AP")
    oebin = root / "Record Node 101" / "experiment1" / "recording1" / "structure.oebin"
    description = json.loads(oebin.read_text())
    description["continuous"][0]["channels"][-1]["channel_name"] = "PROBEA-AP_SYNC"
    oebin.write_text(json.dumps(description))
    write_openephys_neuropixels_settings(root / "Record Node 101", {"ProbeA": "NP1000"})
    rec = le.read_openephys(root, stream_name="Record Node 101#Neuropix-PXI-100.ProbeA-AP")
    assert rec.get_num_channels() == 384 and rec.has_probe()
    np.testing.assert_array_equal(rec.get_traces(), traces[:, :384])
    sync = le.read_openephys(root, stream_id="Record Node 101#Neuropix-PXI-100.ProbeA-APSYNC")
    np.testing.assert_array_equal(sync.get_traces(), traces[:, 384:])
    assert not sync.has_probe()
