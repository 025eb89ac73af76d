"""SpikeGLX: files written from the metadata guide, compared with what was written, with
gains worked out by hand, with probeinterface's probe, and with neo reading the same files."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

import lazyephys as le
from lazyephys.testing import RecordingCase, RecordingConformance

from .writers import NP1, NP2, NP2_4SHANK, write_spikeglx_imec, write_spikeglx_nidq


def _traces(num_samples, num_channels=385, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(-2000, 2000, (num_samples, num_channels)).astype("int16")


@pytest.fixture
def np1_folder(tmp_path):
    folder = tmp_path / "run_g0"
    ap = _traces(600)
    lf = _traces(50, seed=1)
    nidq = _traces(500, 6, seed=2)
    write_spikeglx_imec(folder, ap, NP1, "ap")
    write_spikeglx_imec(folder, lf, NP1, "lf")
    write_spikeglx_nidq(folder, nidq, mn=2, ma=1, xa=2, dw=1)
    return folder, ap, lf, nidq


class TestSpikeGLXConformance(RecordingConformance):
    def make(self, tmp_path):
        folder = tmp_path / "two_triggers"
        first, second = _traces(300, seed=4), _traces(200, seed=5)
        write_spikeglx_imec(folder, first, NP1, "ap", trigger=0)
        write_spikeglx_imec(folder, second, NP1, "ap", trigger=1, first_sample=90000)
        rec = le.read_spikeglx(folder, stream_id="imec0.ap")
        return RecordingCase(rec, [first[:, :384], second[:, :384]])


def test_streams_traces_and_np1_gains(np1_folder):
    folder, ap, lf, nidq = np1_folder
    assert le.get_spikeglx_streams(folder) == [
        "imec0.ap", "imec0.ap-SYNC", "imec0.lf", "imec0.lf-SYNC", "nidq"]
    rec = le.read_spikeglx(folder, stream_id="imec0.ap")
    np.testing.assert_array_equal(rec.get_traces(), ap[:, :384])
    assert rec.get_sampling_frequency() == 30000.0
    assert rec.get_channel_ids()[:2].tolist() == ["imec0.ap#AP0", "imec0.ap#AP1"]
    # 1.0 probe: 0.6 V range over 512 steps at gain 500 (AP) and 250 (LF)
    np.testing.assert_allclose(rec.get_channel_gains(), 1e6 * 0.6 / 512 / 500)
    np.testing.assert_allclose(rec.get_channel_offsets(), 0.0)
    lfp = le.read_spikeglx(folder, stream_name="imec0.lf")
    np.testing.assert_array_equal(lfp.get_traces(), lf[:, :384])
    np.testing.assert_allclose(lfp.get_channel_gains(), 1e6 * 0.6 / 512 / 250)
    assert lfp.get_sampling_frequency() == 2500.0
    ni = le.read_spikeglx(folder, stream_id="nidq")
    np.testing.assert_array_equal(ni.get_traces(), nidq)
    step = 1e6 * 5.0 / 32768
    np.testing.assert_allclose(ni.get_channel_gains(),
                               [step / 200, step / 200, step / 50, step, step, 1.0])


def test_np2_gain(tmp_path):
    ap = _traces(100)
    write_spikeglx_imec(tmp_path, ap, NP2, "ap")
    rec = le.read_spikeglx(tmp_path)
    # 2.0 probe: 0.62 V range over 8192 steps at the fixed gain 80
    np.testing.assert_allclose(rec.get_channel_gains(), 1e6 * 0.62 / 8192 / 80)
    np.testing.assert_array_equal(rec.get_traces(), ap[:, :384])


def test_sync_stream_and_load_sync_channel(np1_folder):
    folder, ap, _, _ = np1_folder
    sync = le.read_spikeglx(folder, stream_id="imec0.ap-SYNC")
    np.testing.assert_array_equal(sync.get_traces(), ap[:, 384:])
    assert sync.get_channel_ids().tolist() == ["imec0.ap#SY0"]
    assert not sync.has_probe()
    old = le.read_spikeglx(folder, stream_id="imec0.ap", load_sync_channel=True)
    assert old.get_num_channels() == 385
    np.testing.assert_array_equal(old.get_traces(start_frame=3, end_frame=9), ap[3:9])


def test_probe_and_inter_sample_shift(np1_folder):
    import probeinterface

    folder, _, _, _ = np1_folder
    rec = le.read_spikeglx(folder, stream_id="imec0.ap")
    meta = next(folder.glob("*.ap.meta"))
    probe = probeinterface.read_spikeglx(meta)
    np.testing.assert_allclose(rec.get_channel_locations(), probe.contact_positions)
    shifts = rec.get_property("inter_sample_shift")
    # 1.0 probes: 32 ADCs of 12 channels, 13 slots a cycle (12 x (1 + 2500/30000))
    order = np.asarray(probe.contact_annotations["adc_sample_order"])
    np.testing.assert_allclose(shifts, order / 13.0)
    assert shifts.min() == 0.0 and shifts.max() == pytest.approx(11 / 13)
    lfp = le.read_spikeglx(folder, stream_id="imec0.lf")
    np.testing.assert_allclose(lfp.get_channel_locations(), probe.contact_positions)


def _assert_same_probe(rec, meta_path):
    """The reader's probe is probeinterface's ``read_spikeglx`` of the same .meta, attached
    through ``set_probe``: every field of the contact vector, the probe's annotations and
    outline, the channel locations and groups."""
    import probeinterface

    probe = probeinterface.read_spikeglx(meta_path)
    many_shanks = probe.shank_ids is not None and len(set(probe.shank_ids)) > 1
    expected = rec.set_probe(probe, group_mode="by_shank" if many_shanks else "by_probe")
    ours, theirs = rec.get_property("contact_vector"), expected.get_property("contact_vector")
    assert ours.dtype == theirs.dtype
    for name in theirs.dtype.names:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    np.testing.assert_array_equal(rec.get_channel_locations(), probe.contact_positions)
    np.testing.assert_array_equal(rec.get_channel_groups(), expected.get_channel_groups())
    got = rec.get_probe()
    assert got.annotations == probe.annotations
    np.testing.assert_array_equal(got.probe_planar_contour, probe.probe_planar_contour)
    assert list(got.contact_ids) == list(probe.contact_ids)
    for key, values in probe.contact_annotations.items():
        np.testing.assert_array_equal(got.contact_annotations[key], values, err_msg=key)
    return probe


@pytest.mark.parametrize("kind, saved", [
    (NP1, None), (NP2, None), (NP2_4SHANK, None),
    (NP1, [0, 1, 2, 5, 190, 191, 192, 200, 383]), (NP2_4SHANK, list(range(90, 200))),
])
def test_probe_equals_probeinterface(tmp_path, kind, saved):
    n_neural = 384 if saved is None else len(saved)
    traces = _traces(40, n_neural + 1)
    write_spikeglx_imec(tmp_path, traces, kind, "ap", saved=saved)
    rec = le.read_spikeglx(tmp_path, stream_id="imec0.ap")
    probe = _assert_same_probe(rec, next(tmp_path.glob("*.ap.meta")))
    np.testing.assert_array_equal(rec.get_traces(), traces[:, :-1])
    if kind is NP2_4SHANK:
        # four shanks 250 um apart: one group per shank
        assert np.unique(rec.get_channel_groups()).size == len(set(probe.shank_ids))
        assert set(probe.shank_ids) <= {"0", "1", "2", "3"}
    # 2.0 probes: 24 ADCs of 16 channels and no LF band: 16 slots a cycle
    slots = 13.0 if kind is NP1 else 16.0
    np.testing.assert_allclose(rec.get_property("inter_sample_shift"),
                               np.asarray(probe.contact_annotations["adc_sample_order"]) / slots)


def test_probe_of_a_table_not_built_here_comes_from_probeinterface(tmp_path):
    # a phase 3A file: a three-field imro header and imProbeOpt
    traces = _traces(30)
    entries = "".join(f"({c} 0 0 500 250 1)" for c in range(384))
    write_spikeglx_imec(tmp_path, traces, NP1, "ap",
                        extra={"imProbeOpt": 3, "~imroTbl": f"(3,12345,384){entries}"})
    rec = le.read_spikeglx(tmp_path)
    _assert_same_probe(rec, next(tmp_path.glob("*.ap.meta")))


def test_probe_survives_json_pickle_and_save(np1_folder, tmp_path):
    import pickle

    folder, _, _, _ = np1_folder
    rec = le.read_spikeglx(folder, stream_id="imec0.ap")
    meta = next(folder.glob("*.ap.meta"))
    rec.dump_to_json(tmp_path / "rec.json")
    for again in (le.load(tmp_path / "rec.json"), pickle.loads(pickle.dumps(rec)),
                  rec.save(folder=tmp_path / "saved", chunk_size=200)):
        _assert_same_probe(again, meta)


def test_same_as_neo(np1_folder):
    neo = pytest.importorskip("neo")
    folder, _, _, _ = np1_folder
    reader = neo.rawio.SpikeGLXRawIO(dirname=str(folder))
    reader.parse_header()
    streams = list(reader.header["signal_streams"]["id"])
    channels = reader.header["signal_channels"]
    for stream in ("imec0.ap", "imec0.lf", "nidq", "imec0.ap-SYNC"):
        rec = le.read_spikeglx(folder, stream_id=stream)
        ours = le.read_neo_recording("spikeglx", stream_id=stream, dirname=folder)
        neo_traces = reader.get_analogsignal_chunk(0, 0, None, None, streams.index(stream))
        np.testing.assert_array_equal(rec.get_traces(), neo_traces)
        np.testing.assert_array_equal(ours.get_traces(), neo_traces)
        assert rec.get_channel_ids().tolist() == ours.get_channel_ids().tolist()
        if stream.startswith("imec0") and "SYNC" not in stream:
            expected = channels["gain"][channels["stream_id"] == stream]
            np.testing.assert_allclose(rec.get_channel_gains(), expected)


def test_load_through_the_registry_and_relative_json(np1_folder, tmp_path):
    folder, ap, _, _ = np1_folder
    rec = le.load(folder, stream_id="imec0.ap")
    assert isinstance(rec, le.SpikeGLXRecordingExtractor)
    chain = rec.select_channels(["imec0.ap#AP7", "imec0.ap#AP2"]).frame_slice(10, 300)
    chain.dump_to_json(tmp_path / "chain.json", relative_to=True)
    text = (tmp_path / "chain.json").read_text()
    assert str(tmp_path) not in text
    again = le.load(tmp_path / "chain.json")
    np.testing.assert_array_equal(again.get_traces(), ap[10:300][:, [7, 2]])
    saved = again.save(folder=tmp_path / "saved", n_jobs=2, chunk_size=64)
    np.testing.assert_array_equal(saved.get_traces(), ap[10:300][:, [7, 2]])


def test_bad_input(tmp_path, np1_folder):
    folder, _, _, _ = np1_folder
    with pytest.raises(KeyError, match=r"'imec1.ap'.*imec0.ap-SYNC"):
        le.read_spikeglx(folder, stream_id="imec1.ap")
    with pytest.raises(ValueError, match="several streams"):
        le.read_spikeglx(folder)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        le.read_spikeglx(tmp_path / "nowhere")
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "run_g0_t0.imec0.ap.bin").write_bytes(b"\0" * 770)
    with pytest.raises(le.FormatError, match=r"no SpikeGLX \.meta.*run_g0_t0.imec0.ap.bin"):
        le.read_spikeglx(lonely)
    cut = tmp_path / "cut"
    bin_path = write_spikeglx_imec(cut, _traces(100), NP1, "ap")
    with open(bin_path, "r+b") as handle:
        handle.truncate(770 * 60)
    with pytest.raises(le.FormatError, match=r"truncated.*fileSizeBytes=77000"):
        le.read_spikeglx(cut)


SI_SCRIPT = """
import json, sys
import spikeinterface.extractors as se
rec = se.read_spikeglx(sys.argv[1], stream_id="imec0.ap")
print(json.dumps({"shift": rec.get_property("inter_sample_shift").tolist(),
                  "gains": rec.get_channel_gains().tolist(),
                  "ids": [str(i) for i in rec.get_channel_ids()],
                  "locations": rec.get_channel_locations().tolist()}))
"""


def test_same_as_spikeinterface(np1_folder):
    python = os.environ.get("LAZYEPHYS_SI_PYTHON")
    if not python:
        pytest.skip("LAZYEPHYS_SI_PYTHON is not set")
    folder, _, _, _ = np1_folder
    out = subprocess.run([python, "-c", SI_SCRIPT, str(folder)], capture_output=True,
                         text=True, check=True, timeout=300)
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    rec = le.read_spikeglx(folder, stream_id="imec0.ap")
    np.testing.assert_allclose(rec.get_property("inter_sample_shift"), theirs["shift"])
    np.testing.assert_allclose(rec.get_channel_gains(), theirs["gains"])
    np.testing.assert_allclose(rec.get_channel_locations(), theirs["locations"])
    assert rec.get_channel_ids().tolist() == theirs["ids"]
