"""More names checked against SpikeInterface itself (subprocess; skipped without it): the NPZ
format both ways, split_sorting, binary descriptions, dummy probes, time shifts, segment
selection and the dtype of filters. Each is also checked against values by hand."""

from __future__ import annotations

import numpy as np

import lazyephys as le

from .conftest import run_spikeinterface

SI_SCRIPT = """
import json, sys, numpy as np
import spikeinterface.core as sc
import spikeinterface.preprocessing as spre
folder = sys.argv[1]
ours = sc.read_npz_sorting(folder + "/ours.npz")
mine = sc.NumpySorting.from_unit_dict([{"x": np.array([1, 7]), "y": np.array([3])},
                                       {"x": np.array([2]), "y": np.array([], dtype=int)}], 1000.0)
sc.NpzSortingExtractor.write_sorting(mine, folder + "/theirs.npz")
joined = sc.NumpySorting.from_unit_dict({"a": np.array([5, 120, 260]), "b": np.array([99, 150])},
                                        1000.0)
recs = [sc.NumpyRecording([np.zeros((100, 1), "float32")], 1000.0),
        sc.NumpyRecording([np.zeros((200, 1), "float32")], 1000.0)]
split = sc.split_sorting(joined, recs)
raw = sc.read_binary(folder + "/t.raw", sampling_frequency=1000.0, dtype="int16",
                     num_channels=3)
desc = raw.get_binary_description()
probe_rec = sc.NumpyRecording([np.zeros((10, 3), "float32")], 1000.0)
probe_rec.set_dummy_probe_from_locations(np.array([[0.0, 0.0], [10.0, 5.0], [0.0, 30.0]]))
timed = sc.NumpyRecording([np.zeros((10, 1), "float32"), np.zeros((5, 1), "float32")], 100.0)
timed.shift_times(2.0)
timed.shift_times(-0.5, segment_index=1)
shifted = [timed.get_times(i).tolist() for i in range(2)]
timed.reset_times()
three = sc.NumpyRecording([np.full((4, 1), i, "float32") for i in range(3)], 100.0)
picked = sc.select_segment_recording(three, [2, 0])
int_rec = sc.NumpyRecording([np.zeros((3000, 2), "int16")], 30000.0)
ours.set_property("snr", np.array([1.0, 2.0, 3.0]))
print(json.dumps({
    "npz_ours": [[ours.get_unit_spike_train(u, i).tolist() for u in ours.unit_ids]
                 for i in range(ours.get_num_segments())],
    "npz_ids": [str(u) for u in ours.unit_ids],
    "split": [[split.get_unit_spike_train(u, i).tolist() for u in ("a", "b")] for i in range(2)],
    "desc": {"dtype": str(np.dtype(desc["dtype"])), "num_channels": int(desc["num_channels"]),
             "time_axis": int(desc["time_axis"]), "file_offset": int(desc["file_offset"])},
    "locations": probe_rec.get_channel_locations().tolist(),
    "shifted": shifted, "reset": [timed.get_start_time(i) for i in range(2)],
    "picked": [float(picked.get_traces(segment_index=i)[0, 0]) for i in range(2)],
    "filter_dtype": str(spre.bandpass_filter(int_rec).get_dtype()),
    "cmr_dtype": str(spre.common_reference(int_rec).get_dtype()),
    "unit_property": float(ours.get_unit_property(ours.unit_ids[1], "snr")),
}))
"""


def test_as_spikeinterface(tmp_path):
    sorting = le.NumpySorting.from_unit_dict(
        [{"u1": [10, 20], "u2": [15], "u3": []}, {"u1": [], "u2": [3, 4], "u3": [9]}], 1000.0)
    le.NpzSortingExtractor.write_sorting(sorting, tmp_path / "ours.npz")
    np.arange(30, dtype="int16").tofile(tmp_path / "t.raw")
    theirs = run_spikeinterface(SI_SCRIPT, str(tmp_path))
    # SpikeInterface reads our NPZ, we read theirs
    assert theirs["npz_ids"] == ["u1", "u2", "u3"]
    assert theirs["npz_ours"] == [[[10, 20], [15], []], [[], [3, 4], [9]]]
    back = le.read_npz_sorting(tmp_path / "theirs.npz")
    assert back.get_unit_ids().tolist() == ["x", "y"]
    assert [back.get_unit_spike_train(u, 0).tolist() for u in ("x", "y")] == [[1, 7], [3]]
    assert back.get_unit_spike_train("x", 1).tolist() == [2]
    # split_sorting: frames counted from each segment's start
    joined = le.NumpySorting.from_unit_dict({"a": [5, 120, 260], "b": [99, 150]}, 1000.0)
    recs = [le.NumpyRecording([np.zeros((n, 1), "float32")], 1000.0) for n in (100, 200)]
    split = le.split_sorting(joined, recs)
    ours_split = [[split.get_unit_spike_train(u, i).tolist() for u in ("a", "b")]
                  for i in range(2)]
    assert ours_split == theirs["split"] == [[[5], [99]], [[20, 160], [50]]]
    # the binary description of a raw file
    desc = le.read_binary(tmp_path / "t.raw", 1000.0, "int16", num_channels=3)
    desc = desc.get_binary_description()
    assert {"dtype": str(np.dtype(desc["dtype"])), "num_channels": desc["num_channels"],
            "time_axis": desc["time_axis"], "file_offset": desc["file_offset"]} == theirs["desc"]
    # dummy probes put channels where asked
    probe_rec = le.NumpyRecording([np.zeros((10, 3), "float32")], 1000.0)
    locations = [[0.0, 0.0], [10.0, 5.0], [0.0, 30.0]]
    probe_rec.set_dummy_probe_from_locations(np.array(locations))
    assert probe_rec.get_channel_locations().tolist() == theirs["locations"] == locations
    # time shifts and their reset
    timed = le.NumpyRecording([np.zeros((10, 1), "float32"), np.zeros((5, 1), "float32")], 100.0)
    timed.shift_times(2.0)
    timed.shift_times(-0.5, segment_index=1)
    np.testing.assert_allclose(timed.get_times(0), theirs["shifted"][0])
    np.testing.assert_allclose(timed.get_times(1), theirs["shifted"][1])
    np.testing.assert_allclose(timed.get_times(1), 1.5 + np.arange(5) / 100.0)
    timed.reset_times()
    assert [timed.get_start_time(i) for i in range(2)] == theirs["reset"] == [0.0, 0.0]
    # segment selection keeps the order asked
    three = le.NumpyRecording([np.full((4, 1), i, "float32") for i in range(3)], 100.0)
    picked = le.select_segment_recording(three, [2, 0])
    assert [float(picked.get_traces(segment_index=i)[0, 0]) for i in range(2)] == \
        theirs["picked"] == [2.0, 0.0]
    # filters and common referencing keep int16 as SpikeInterface does
    int_rec = le.NumpyRecording([np.zeros((3000, 2), "int16")], 30000.0)
    assert str(le.preprocessing.bandpass_filter(int_rec).get_dtype()) == theirs["filter_dtype"]
    assert str(le.preprocessing.common_reference(int_rec).get_dtype()) == theirs["cmr_dtype"]
    sorting.set_property("snr", [1.0, 2.0, 3.0])
    assert sorting.get_unit_property("u2", "snr") == theirs["unit_property"] == 2.0
