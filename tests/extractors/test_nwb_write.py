"""write_nwb: what is written reads back the same through our reader and through pynwb."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys.recording import NumpyRecording
from lazyephys.sorting import NumpySorting

pynwb = pytest.importorskip("pynwb")


def _recording(num_samples=1000, seed=0, t_start=2.0):
    traces = np.random.default_rng(seed).integers(-500, 500, (num_samples, 4)).astype("int16")
    rec = NumpyRecording([traces], 20000.0, channel_ids=["a", "b", "c", "d"],
                         t_starts=[t_start])
    rec.set_channel_gains([0.195, 0.195, 0.5, 1.0])
    rec.set_channel_offsets(-3.0)
    rec.set_channel_locations(np.array([[0.0, 0.0], [0.0, 20.0], [16.0, 40.0], [16.0, 60.0]]))
    rec.set_channel_groups(np.array([0, 0, 1, 1]))
    rec.set_property("brain_area", np.array(["CA1", "CA1", "DG", "DG"]))
    rec.set_property("impedance", np.array([1.0, 2.0, 3.0, 4.0]))
    return rec, traces


def _sorting(seed=1):
    rng = np.random.default_rng(seed)
    samples = np.sort(rng.integers(0, 1000, 60))
    labels = rng.choice(np.array(["u1", "u2", "u3"]), 60)
    sorting = NumpySorting.from_samples_and_labels([samples], [labels], 20000.0,
                                                   unit_ids=["u1", "u2", "u3"])
    sorting.set_property("quality", np.array(["good", "mua", "good"]))
    return sorting


def test_written_file_reads_back(tmp_path):
    rec, traces = _recording()
    sorting = _sorting()
    path = le.write_nwb(tmp_path / "out.nwb", recording=rec, sorting=sorting)
    back = le.read_nwb_recording(path)
    np.testing.assert_array_equal(back.get_traces(), traces)
    assert back.get_channel_ids().tolist() == ["a", "b", "c", "d"]
    assert back.get_start_time() == 2.0
    np.testing.assert_allclose(back.get_channel_gains(), rec.get_channel_gains())
    np.testing.assert_allclose(back.get_channel_offsets(), -3.0)
    np.testing.assert_allclose(back.get_channel_locations(), rec.get_channel_locations())
    assert back.get_property("brain_area").tolist() == ["CA1", "CA1", "DG", "DG"]
    np.testing.assert_allclose(back.get_property("impedance"), [1, 2, 3, 4])
    units = le.read_nwb_sorting(path)
    assert units.get_unit_ids().tolist() == ["u1", "u2", "u3"]
    for unit_id in ["u1", "u2", "u3"]:
        np.testing.assert_array_equal(units.get_unit_spike_train(unit_id),
                                      sorting.get_unit_spike_train(unit_id))
    assert units.get_property("quality").tolist() == ["good", "mua", "good"]
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        series = nwb.acquisition["ElectricalSeries"]
        np.testing.assert_array_equal(series.data[:], traces)
        # pynwb's own scaling gives the same volts as ours
        volts = series.data[:] * series.conversion * series.channel_conversion[:] + series.offset
        np.testing.assert_allclose(volts * 1e6, rec.get_traces(return_in_uV=True), rtol=1e-5)
        times = nwb.units["spike_times"][0]
        np.testing.assert_allclose(times, sorting.get_unit_spike_train("u1") / 20000.0 + 2.0)


def test_bounded_chunks_and_multi_segment(tmp_path, monkeypatch):
    from lazyephys.extractors import nwb_write

    monkeypatch.setattr(nwb_write, "_BUFFER_BYTES", 800)  # 100 frames of 4 int16 channels
    first, traces0 = _recording(730, seed=3, t_start=0.0)
    second, traces1 = _recording(250, seed=4, t_start=10.0)
    rec = _two_segments(first, second)
    windows = []
    original = rec.get_traces

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        windows.append(out.shape[0])
        return out

    monkeypatch.setattr(rec, "get_traces", spy)
    path = le.write_nwb(tmp_path / "two.nwb", recording=rec)
    assert max(windows) <= 100
    assert le.get_nwb_electrical_series(path) == ["acquisition/ElectricalSeries_segment0",
                                                  "acquisition/ElectricalSeries_segment1"]
    seg0 = le.read_nwb_recording(path, "acquisition/ElectricalSeries_segment0")
    np.testing.assert_array_equal(seg0.get_traces(), traces0)
    seg1 = le.read_nwb_recording(path, "acquisition/ElectricalSeries_segment1")
    np.testing.assert_array_equal(seg1.get_traces(), traces1)
    assert seg1.get_start_time() == 10.0


def _two_segments(first, second):
    traces = [first.get_traces(segment_index=0), second.get_traces(segment_index=0)]
    rec = NumpyRecording(traces, 20000.0, channel_ids=["a", "b", "c", "d"],
                         t_starts=[0.0, 10.0])
    rec.set_channel_gains(first.get_channel_gains())
    rec.set_channel_offsets(0.0)
    return rec


def test_bad_input(tmp_path):
    rec, _ = _recording()
    with pytest.raises(ValueError, match="needs a recording, a sorting or both"):
        le.write_nwb(tmp_path / "x.nwb")
    le.write_nwb(tmp_path / "x.nwb", recording=rec)
    with pytest.raises(ValueError, match="x.nwb exists"):
        le.write_nwb(tmp_path / "x.nwb", recording=rec)
    raw = NumpyRecording([np.zeros((10, 2), "int16")], 1000.0)
    with pytest.raises(ValueError, match="no gains to microvolts"):
        le.write_nwb(tmp_path / "y.nwb", recording=raw)
    two = NumpySorting.from_samples_and_labels([[1], [2]], [[0], [0]], 1000.0)
    with pytest.raises(ValueError, match="2 segments"):
        le.write_nwb(tmp_path / "z.nwb", sorting=two)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.nwb"]  # no partial file left
