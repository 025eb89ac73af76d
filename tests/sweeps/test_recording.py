"""SweepRecording: metadata, the built step current, views, saves, provenance, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import IncompatibleExtractorsError, SweepMetadataError, UnknownIdError
from lazyephys.recording import NumpyRecording
from lazyephys.sweeps import SweepRecording, concatenate_sweeps, load_sweeps

FS = 10000.0


def small_sweeps(currents: bool = True, cell: str = "c0", n: int = 3) -> SweepRecording:
    rng = np.random.default_rng(0)
    voltages = [rng.normal(-70, 1, 1000 + 10 * i) for i in range(n)]
    amplitudes = [0.1 * (i + 1) for i in range(n)]
    curr = None
    if currents:
        curr = []
        for v, a in zip(voltages, amplitudes, strict=True):
            c = np.full(v.size, -0.05)
            c[200:800] += a
            curr.append(c)
    return SweepRecording.from_arrays(voltages, curr, FS, cell, "IDRest", amplitudes, 20.0,
                                      80.0)


def test_from_arrays_keeps_the_arrays_and_metadata():
    sweeps = small_sweeps()
    assert sweeps.get_num_segments() == 3
    assert list(sweeps.get_channel_ids()) == ["voltage", "current"]
    assert sweeps.get_num_samples(2) == 1020
    info = sweeps.get_sweep_info(1)
    assert info == {"sweep": 1, "cell_id": "c0", "protocol": "IDRest", "amplitude": 0.2,
                    "stim_start": 20.0, "stim_end": 80.0, "repetition": 0,
                    "holding_current": info["holding_current"], "duration": 101.0}
    assert np.isnan(info["holding_current"])  # measured from the current channel
    rng = np.random.default_rng(0)
    first = rng.normal(-70, 1, 1000)
    np.testing.assert_array_equal(sweeps.get_traces(0, channel_ids=["voltage"])[:, 0], first)


def test_known_steps_build_the_current():
    sweeps = SweepRecording.from_arrays([np.zeros(1000), np.zeros(1000)], None, FS, "c0",
                                        "IDRest", [0.3, 0.5], 20.0, 80.0,
                                        holding_currents=[-0.1, 0.0])
    current = sweeps.get_traces(0, channel_ids=["current"])[:, 0]
    expected = np.full(1000, -0.1)
    expected[200:800] += 0.3  # 20 ms to 80 ms at 10 kHz
    np.testing.assert_allclose(current, expected)
    window = sweeps.get_traces(1, 195, 205)
    np.testing.assert_allclose(window[:, 1], [0.0] * 5 + [0.5] * 5)
    np.testing.assert_array_equal(window[:, 0], 0.0)


def test_scaling_and_channel_choice_over_any_recording():
    raw = np.stack([np.arange(100.0), np.full(100, 7.0), np.full(100, 200.0)], axis=1)
    parent = NumpyRecording([raw], 1000.0, channel_ids=["Vm", "junk", "Im_pA"])
    sweeps = SweepRecording(parent, "c1", "IDthresh", 0.2, 10.0, 50.0,
                            voltage_channel_id="Vm", current_channel_id="Im_pA",
                            voltage_gain=1000.0, voltage_offset=-5.0, current_gain=1e-3)
    traces = sweeps.get_traces()
    np.testing.assert_allclose(traces[:, 0], np.arange(100.0) * 1000.0 - 5.0)
    np.testing.assert_allclose(traces[:, 1], 0.2)
    with pytest.raises(UnknownIdError, match=r"'Im'.*\['Vm', 'junk', 'Im_pA'\]"):
        SweepRecording(parent, "c1", "IDthresh", 0.2, 10.0, 50.0, voltage_channel_id="Vm",
                       current_channel_id="Im")


def test_repetitions_count_identical_sweeps():
    sweeps = SweepRecording.from_arrays([np.zeros(500)] * 4, None, FS, "c0", "IDRest",
                                        [0.1, 0.1, 0.2, 0.1], 10.0, 40.0)
    np.testing.assert_array_equal(sweeps.get_sweep_table()["repetition"], [0, 1, 0, 2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stim_start": [10.0, None]}, r"sweep 1 \(cell 'c0', protocol 'IDRest'\) has "
                                       r"stim_start=None"),
        ({"stim_end": None}, "stim_end=None"),
        ({"stim_start": 40.0, "stim_end": 30.0}, "0 <= stim_start < stim_end <= 50 ms"),
        ({"stim_end": 70.0}, "stim_end <= 50 ms"),
        ({"amplitudes": [0.1]}, "amplitudes has 1 entries for 2 sweeps"),
        ({"amplitudes": [0.1, float("nan")]}, "amplitude=nan"),
    ],
)
def test_bad_metadata_names_the_sweep(kwargs, message):
    args = {"cell_ids": "c0", "protocols": "IDRest", "amplitudes": [0.1, 0.2],
            "stim_start": 10.0, "stim_end": 40.0, **kwargs}
    with pytest.raises(SweepMetadataError, match=message):
        SweepRecording.from_arrays([np.zeros(500)] * 2, None, FS, **args)


def test_mismatched_current_is_refused():
    with pytest.raises(SweepMetadataError, match=r"currents\[0\] has shape \(10,\)"):
        SweepRecording.from_arrays([np.zeros(20)], [np.zeros(10)], FS, "c", "p", 0.1, 0.1, 1.0)


def test_select_and_concatenate_keep_metadata():
    a, b = small_sweeps(cell="a"), small_sweeps(cell="b", n=2)
    both = concatenate_sweeps([a, b])
    table = both.get_sweep_table()
    assert table["cell_id"].tolist() == ["a", "a", "a", "b", "b"]
    np.testing.assert_array_equal(both.get_traces(3), b.get_traces(0))
    picked = both.select_sweeps([4, 0])
    assert picked.get_sweep_table()["cell_id"].tolist() == ["b", "a"]
    np.testing.assert_array_equal(picked.get_traces(0), b.get_traces(1))
    with pytest.raises(SweepMetadataError, match=r"sweeps \[9\] do not exist; there are 5"):
        both.select_sweeps([9])
    other_rate = SweepRecording.from_arrays([np.zeros(100)], None, 2 * FS, "c", "p", 0.1, 1.0,
                                            2.0)
    with pytest.raises(IncompatibleExtractorsError):
        concatenate_sweeps([a, other_rate])


@pytest.mark.parametrize("format", ["binary", "zarr"])
def test_saved_sweeps_load_back(tmp_path, format):
    sweeps = concatenate_sweeps([small_sweeps(cell="a"), small_sweeps(currents=False,
                                                                       cell="b")])
    saved = sweeps.save(folder=tmp_path / "sweeps", format=format)
    loaded = load_sweeps(saved)
    assert isinstance(loaded, SweepRecording)
    again = load_sweeps(tmp_path / ("sweeps.zarr" if format == "zarr" else "sweeps"))
    for one in (loaded, again):
        for key, values in sweeps.get_sweep_table().items():
            np.testing.assert_array_equal(one.get_sweep_table()[key], values)
        for index in range(sweeps.get_num_segments()):
            np.testing.assert_array_equal(one.get_traces(index), sweeps.get_traces(index))


def test_provenance_rebuilds_the_sweeps(tmp_path):
    saved = le.save(small_sweeps(), folder=tmp_path / "raw")
    sweeps = SweepRecording(saved, "c9", ["IDRest", "IDthresh", "IDRest"], [0.1, 0.2, 0.3],
                            20.0, 80.0)
    sweeps.dump_to_json(tmp_path / "sweeps.json", relative_to=True)
    loaded = load_sweeps(tmp_path / "sweeps.json")
    assert type(le.load(tmp_path / "sweeps.json")) is SweepRecording
    assert loaded.get_sweep_table()["protocol"].tolist() == ["IDRest", "IDthresh", "IDRest"]
    np.testing.assert_array_equal(loaded.get_traces(2), sweeps.get_traces(2))


def test_a_plain_recording_is_not_sweeps():
    with pytest.raises(SweepMetadataError, match="no 'sweep_table' annotation"):
        SweepRecording.from_recording(le.generate_recording(num_channels=2, durations=[0.1]))


# ------------------------------------------------------------------- algebra
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    lengths=st.lists(st.lists(st.integers(20, 60), min_size=1, max_size=4), min_size=1,
                     max_size=4),
    picks=st.lists(st.integers(0, 15), min_size=1, max_size=6),
    again=st.lists(st.integers(0, 5), min_size=1, max_size=4),
)
def test_selections_of_concatenations_pick_the_same_sweeps(lengths, picks, again):
    # reference: plain lists of (voltage, cell, amplitude) per sweep
    reference = []
    groups = []
    for cell, cell_lengths in enumerate(lengths):
        voltages = [np.arange(n, dtype=float) + 100 * cell + 1000 * k
                    for k, n in enumerate(cell_lengths)]
        amplitudes = [0.1 * (k + 1) for k in range(len(cell_lengths))]
        groups.append(SweepRecording.from_arrays(voltages, None, FS, f"c{cell}", "IDRest",
                                                 amplitudes, 0.1, 1.0))
        reference += [(v, f"c{cell}", a) for v, a in zip(voltages, amplitudes, strict=True)]
    both = concatenate_sweeps(groups)
    # a selection names each sweep once
    first = list(dict.fromkeys(p % len(reference) for p in picks))
    second = list(dict.fromkeys(a % len(first) for a in again))
    chained = both.select_sweeps(first).select_sweeps(second)
    expected = [reference[first[s]] for s in second]
    table = chained.get_sweep_table()
    assert table["cell_id"].tolist() == [e[1] for e in expected]
    np.testing.assert_allclose(table["amplitude"], [e[2] for e in expected])
    for index, (voltage, _, amplitude) in enumerate(expected):
        traces = chained.get_traces(index)
        np.testing.assert_array_equal(traces[:, 0], voltage)
        on, off = round(0.1 * FS / 1000), round(1.0 * FS / 1000)
        step = np.zeros(voltage.size)
        step[on:off] = amplitude
        np.testing.assert_allclose(traces[:, 1], step)
