"""Sweeps from files: NWB icephys written with pynwb, and a neo format with sweeps."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import FormatError, SweepMetadataError, UnknownIdError
from lazyephys.sweeps import (
    SweepRecording,
    extract_features,
    infer_step,
    read_neo_sweeps,
    read_nwb_sweeps,
)

from .lif import simulate

FS = 20000.0


def write_icephys(path, sweeps, subject="cell42"):
    """sweeps: (number, protocol, voltage mV, current nA); voltage stored in V as float32
    with conversion 1e-3 (so the file holds mV), current in A."""
    pynwb = pytest.importorskip("pynwb")
    from pynwb.file import Subject
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries

    nwb = pynwb.NWBFile("sweeps", "id0", datetime(2024, 1, 1, tzinfo=timezone.utc),
                        subject=Subject(subject_id=subject))
    device = nwb.create_device("amplifier")
    electrode = nwb.create_icephys_electrode(name="e0", description="patch", device=device)
    for number, protocol, voltage, current in sweeps:
        stimulus = CurrentClampStimulusSeries(
            name=f"stimulus_{number}", data=current * 1e-9, starting_time=0.0, rate=FS,
            electrode=electrode, gain=1.0, sweep_number=np.uint32(number),
            stimulus_description=protocol)
        response = CurrentClampSeries(
            name=f"response_{number}", data=voltage.astype(np.float32), conversion=1e-3,
            starting_time=0.0, rate=FS, electrode=electrode, gain=1.0,
            sweep_number=np.uint32(number), stimulus_description=protocol)
        nwb.add_intracellular_recording(electrode=electrode, stimulus=stimulus,
                                        response=response)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pynwb.NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)


def test_nwb_sweeps_read_back_equal(tmp_path):
    simulated = []
    for number, (protocol, amplitude) in enumerate([("IDthresh", 0.15), ("IDRest", 0.3),
                                                   ("IDRest", 0.5)]):
        voltage, current, _ = simulate(amplitude, duration_ms=300.0, stim_start=50.0,
                                       stim_end=250.0)
        current = current - 0.02  # a holding current
        simulated.append((number + 3, protocol, voltage, current))
    path = tmp_path / "cell.nwb"
    write_icephys(path, simulated[::-1])
    sweeps = read_nwb_sweeps(path)
    assert isinstance(sweeps, SweepRecording)
    table = sweeps.get_sweep_table()
    assert table["cell_id"].tolist() == ["cell42"] * 3
    assert table["protocol"].tolist() == ["IDthresh", "IDRest", "IDRest"]
    np.testing.assert_allclose(table["amplitude"], [0.15, 0.3, 0.5])
    np.testing.assert_allclose(table["stim_start"], 50.0)
    np.testing.assert_allclose(table["stim_end"], 250.0)
    for index, (_, _, voltage, current) in enumerate(simulated):
        traces = sweeps.get_traces(index)
        np.testing.assert_allclose(traces[:, 0], voltage.astype(np.float32), rtol=1e-6)
        np.testing.assert_allclose(traces[:, 1], current, rtol=1e-12, atol=1e-15)
        window = sweeps.get_traces(index, 1000, 1010, channel_ids=["voltage"])
        np.testing.assert_array_equal(window[:, 0], traces[1000:1010, 0])
    # lazily read in workers too (the provenance reopens the file)
    again = le.load(sweeps.to_dict())
    np.testing.assert_array_equal(again.get_traces(2), sweeps.get_traces(2))
    pytest.importorskip("efel")
    serial = extract_features(sweeps, ["Spikecount"], output="dict")
    parallel = extract_features(sweeps, ["Spikecount"], output="dict", n_jobs=2)
    np.testing.assert_array_equal(serial["Spikecount"], parallel["Spikecount"])
    np.testing.assert_allclose(serial["holding_current"], -0.02)
    selected = read_nwb_sweeps(path, cell_id="other", sweep_numbers=[5, 3])
    assert selected.get_sweep_table()["protocol"].tolist() == ["IDRest", "IDthresh"]
    with pytest.raises(FormatError, match=r"no sweeps \[9\]; it has \[3, 4, 5\]"):
        read_nwb_sweeps(path, sweep_numbers=[9])


def test_infer_step():
    current = np.r_[np.full(50, -0.1), np.full(100, 0.2), np.full(30, -0.1)]
    step = infer_step(current, 10000.0)
    assert step.holding == -0.1
    assert step.amplitude == pytest.approx(0.3)
    assert (step.stim_start, step.stim_end, step.found) == (5.0, 15.0, True)
    # a test pulse before the step is not the step
    pulsed = np.r_[np.full(10, -0.1), np.full(20, -0.3), current[30:]]
    step = infer_step(pulsed, 10000.0)
    assert (step.stim_start, step.stim_end) == (5.0, 15.0)
    assert step.amplitude == pytest.approx(0.3)
    flat = infer_step(np.zeros(100), 1000.0)
    assert not flat.found and (flat.stim_start, flat.stim_end) == (0.0, 100.0)


def test_neo_sweeps_scale_to_mv_and_na():
    neo_rawio = pytest.importorskip("neo.rawio")
    sweeps = read_neo_sweeps("example", "9", "15", cell_id="c7", protocols="IDRest",
                             amplitudes=0.1, stim_start=100.0, stim_end=900.0,
                             stream_id="1", block_index=0)
    reader = neo_rawio.ExampleRawIO()
    reader.parse_header()
    channels = reader.header["signal_channels"]
    stream = channels[channels["stream_id"] == "1"]
    columns = [int(np.flatnonzero(stream["id"] == "9")[0]),
               int(np.flatnonzero(stream["id"] == "15")[0])]
    assert sweeps.get_num_segments() == reader.segment_count(0)
    for segment in range(sweeps.get_num_segments()):
        raw = reader.get_analogsignal_chunk(0, segment, 0, 5000, stream_index=1,
                                            channel_indexes=columns)
        physical = reader.rescale_signal_raw_to_float(raw, dtype="float64", stream_index=1,
                                                      channel_indexes=columns)
        expected = physical / 1000.0  # uV -> mV, pA -> nA
        np.testing.assert_allclose(sweeps.get_traces(segment, 0, 5000), expected, rtol=1e-12)
    with pytest.raises(UnknownIdError, match=r"'99' is not in the stream"):
        read_neo_sweeps("example", "99", stream_id="1", block_index=0, amplitudes=0.1,
                        stim_start=1.0, stim_end=2.0)
    with pytest.raises(SweepMetadataError, match="is in 'pa'; expected one of"):
        read_neo_sweeps("example", "15", stream_id="1", block_index=0, amplitudes=0.1,
                        stim_start=1.0, stim_end=2.0)
    with pytest.raises(SweepMetadataError, match="without a current channel"):
        read_neo_sweeps("example", "9", stream_id="1", block_index=0)
