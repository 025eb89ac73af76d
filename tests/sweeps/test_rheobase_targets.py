"""Rheobase, targets and the feature files, against values worked out by hand."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from lazyephys.errors import RheobaseWarning, UnknownProtocolError
from lazyephys.sweeps import (
    FeatureTable,
    compute_rheobase,
    convert_legacy_targets,
    group_by_targets,
    write_feature_files,
)

from .conftest import CELL_THRESHOLDS, FS, STIM_END, STIM_START, THRESH_AMPLITUDES
from .lif import rheobase_na

SETTINGS = {"strict_stiminterval": True, "Threshold": -20.0, "interp_step": 0.025}


def hand_table(rows: list[tuple], features: dict[str, list[float]]) -> FeatureTable:
    """rows: (cell, protocol, amplitude, holding, spikecount)."""
    n = len(rows)
    columns = {
        "sweep": np.arange(n),
        "cell_id": np.array([r[0] for r in rows]),
        "protocol": np.array([r[1] for r in rows]),
        "amplitude": np.array([r[2] for r in rows], dtype=float),
        "repetition": np.zeros(n, dtype=int),
        "stim_start": np.full(n, 100.0),
        "stim_end": np.array([500.0 + 10 * i for i in range(n)]),
        "duration": np.full(n, 600.0),
        "holding_current": np.array([r[3] for r in rows], dtype=float),
        "spikecount": np.array([r[4] for r in rows], dtype=float),
        **{name: np.array(values, dtype=float) for name, values in features.items()},
    }
    return FeatureTable(columns, {"efel_settings": dict(SETTINGS)})


# ----------------------------------------------------------------- rheobase
def test_rheobase_of_simulated_cells_brackets_their_threshold(sweeps):
    pytest.importorskip("efel")
    found = compute_rheobase(sweeps, protocols=["IDthresh"], n_jobs=1)
    stim_samples = round((STIM_END - STIM_START) * FS / 1000.0)
    for cell, threshold_mv in CELL_THRESHOLDS.items():
        exact = rheobase_na(threshold_mv, stim_samples, FS)
        above = [a for a in THRESH_AMPLITUDES if a > exact]
        below = [a for a in THRESH_AMPLITUDES if a < exact]
        assert found[cell] == pytest.approx(min(above))
        assert max(below) < exact <= found[cell]
    assert found.failures == {}


def test_strategies_by_hand():
    rows = [("c", "IDthresh", a, 0.0, s) for a, s in
            [(0.05, 1), (0.10, 0), (0.105, 1), (0.12, 0), (0.125, 1), (0.14, 1), (0.15, 1)]]
    table = hand_table(rows, {})
    assert compute_rheobase(table, strategy="absolute")["c"] == 0.05
    with pytest.warns(RheobaseWarning):  # no sweep has two spikes
        assert math.isnan(compute_rheobase(table, settings={"spike_threshold": 2})["c"])
    # flush: the stray spike at 0.05 nA is followed by a silent sweep
    assert compute_rheobase(table, strategy="flush")["c"] == 0.125
    # majority, bins of 0.01 nA from 0.05: [0.05], [0.10, 0.105], [0.12, 0.125], [0.14], [0.15]
    assert compute_rheobase(table, strategy="majority")["c"] == pytest.approx(0.055)
    majority = compute_rheobase(table, strategy="majority",
                                settings={"min_step": 0.01, "majority": 1.0})
    assert majority["c"] == pytest.approx(0.055)
    rows[0] = ("c", "IDthresh", 0.05, 0.0, 0)
    majority = compute_rheobase(hand_table(rows, {}), strategy="majority",
                                settings={"majority": 0.6})
    assert majority["c"] == pytest.approx(0.145)


def test_interpolation_by_hand():
    # sorted by amplitude then spike count; the fit starts at the silent 0.12 nA sweep just
    # below the first spiking one (the stray spike at 0.05 nA and the silent 0.10 are left out)
    rows = [("c", "IDthresh", a, 0.0, s) for a, s in
            [(0.15, 6), (0.05, 1), (0.10, 0), (0.12, 0), (0.13, 2), (0.14, 4), (0.12, 3)]]
    found = compute_rheobase(hand_table(rows, {}), strategy="interpolation")
    counts = np.array([0, 3, 2, 4, 6], dtype=float)
    amplitudes = np.array([0.12, 0.12, 0.13, 0.14, 0.15])
    expected = np.polyval(np.polyfit(counts, amplitudes, 1), 1.0)
    assert found["c"] == pytest.approx(expected, rel=1e-12)
    # a cell whose lowest sweep already spikes has no silent sweep to start from
    spiking = [("s", "IDthresh", 0.1, 0.0, 1), ("s", "IDthresh", 0.2, 0.0, 3)]
    with pytest.warns(RheobaseWarning, match="s: no silent sweep below its first spiking"):
        assert math.isnan(compute_rheobase(hand_table(spiking, {}),
                                           strategy="interpolation")["s"])


def test_interpolation_of_simulated_cells_equals_bluepyefe(sweeps):
    pytest.importorskip("efel")
    bluepyefe_rheobase = pytest.importorskip("bluepyefe.rheobase")
    from bluepyefe.extract import read_recordings

    table = sweeps.get_sweep_table()
    files_metadata: dict = {}
    for index, cell in enumerate(table["cell_id"]):
        files_metadata.setdefault(str(cell), {}).setdefault(
            str(table["protocol"][index]), []).append(
            {"sweep": index, "filepath": f"sweep{index}", "ton": STIM_START, "toff": STIM_END})

    def reader(config):
        traces = sweeps.get_traces(config["sweep"])
        return [{"voltage": traces[:, 0], "current": traces[:, 1], "dt": 1000.0 / FS,
                 "t_unit": "ms", "v_unit": "mV", "i_unit": "nA"}]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = read_recordings(files_metadata, recording_reader=reader)
        theirs = {}
        for cell in cells:
            for recording in cell.recordings:
                recording.compute_spikecount(dict(SETTINGS))
                # eFEL 5 gives no peak_time for a silent sweep, so bluepyefe 2.3 would drop
                # it; as eFEL 4 did, it is an empty array: a sweep with 0 spikes
                if recording.peak_time is None:
                    recording.peak_time = np.array([])
            bluepyefe_rheobase.compute_rheobase_interpolation(cell, ["IDthresh"])
            theirs[cell.name] = cell.rheobase
    ours = compute_rheobase(sweeps, strategy="interpolation", n_jobs=1)
    assert set(theirs) == set(CELL_THRESHOLDS)
    for cell, value in theirs.items():
        assert value is not None
        assert ours[cell] == pytest.approx(value, rel=1e-12)


def test_a_cell_without_spikes_is_reported_not_raised():
    rows = [("good", "IDthresh", 0.1, 0.0, 0), ("good", "IDthresh", 0.2, 0.0, 3),
            ("silent", "IDthresh", 0.1, 0.0, 0), ("silent", "IDthresh", 0.3, 0.0, 0),
            ("elsewhere", "IDRest", 0.3, 0.0, 4)]
    with pytest.warns(RheobaseWarning, match=r"2 of 3 cells.*silent: no spiking sweep"):
        found = compute_rheobase(hand_table(rows, {}))
    assert found["good"] == 0.2
    assert math.isnan(found["silent"]) and math.isnan(found["elsewhere"])
    assert set(found.failures) == {"silent", "elsewhere"}
    assert "no sweep of the protocols ['IDthresh']" in found.failures["elsewhere"]
    assert found.valid() == {"good": 0.2}


def test_rheobase_protocol_must_exist():
    table = hand_table([("c", "IDRest", 0.1, 0.0, 1)], {})
    with pytest.raises(UnknownProtocolError, match=r"'IDthresh'.*\['IDRest'\]"):
        compute_rheobase(table)
    with pytest.raises(ValueError, match="unknown rheobase strategy 'median'"):
        compute_rheobase(table, protocols="IDRest", strategy="median")


# ------------------------------------------------------------------ targets
ROWS = [
    ("a", "IDthresh", 0.1, -0.02, 0), ("a", "IDthresh", 0.2, -0.04, 2),
    ("b", "IDthresh", 0.3, 0.0, 0), ("b", "IDthresh", 0.4, 0.0, 1),
    ("a", "IDRest", 0.2, -0.03, 5), ("a", "IDRest", 0.3, -0.03, 8),
    ("a", "IDRest", 0.3, -0.05, 9), ("b", "IDRest", 0.6, 0.02, 7),
    ("b", "IDRest", 0.8, 0.0, 12),
]
FREQ = [np.nan, 4.0, np.nan, 2.0, 10.0, 20.0, 22.0, 26.0, np.nan]
COUNT = [0, 2, 0, 1, 5, 8, 9, 7, 12]


def test_group_by_relative_targets_by_hand(tmp_path):
    table = hand_table(ROWS, {"mean_frequency": FREQ, "Spikecount": COUNT})
    targets = [
        {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150, "tolerance": 10},
        {"efeature": "Spikecount", "protocol": "IDRest", "amplitude": 150, "tolerance": 10,
         "efeature_name": "count_150"},
        {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 200.0,
         "tolerance": 10},
        {"efeature": "Spikecount", "protocol": "IDRest", "amplitude": 100, "tolerance": 5},
    ]
    result = group_by_targets(table, targets)
    assert result.rheobase == {"a": 0.2, "b": 0.4}
    freq150, count150, freq200, count100 = result.targets
    # 150 % of 0.2 nA is 0.3 nA (cell a, two sweeps); of 0.4 nA, 0.6 nA (cell b)
    assert freq150["sweeps"] == [5, 6, 7]
    assert freq150["mean"] == pytest.approx(np.mean([20.0, 22.0, 26.0]))
    assert freq150["std"] == pytest.approx(np.std([20.0, 22.0, 26.0]))
    assert freq150["n"] == 3 and freq150["cells"] == ["a", "a", "b"]
    assert count150["efeature_name"] == "count_150" and count150["mean"] == 8.0
    assert freq200["n"] == 0  # its only sweep has no value (NaN is dropped)
    assert count100["sweeps"] == [4] and count100["std"] == 1e-3  # one value: default std
    assert freq150["efel_settings"] == SETTINGS

    features, protocols, currents = result.to_feature_files()
    assert list(features) == ["IDRest_150", "IDRest_100"]  # 200.0 has no value: left out
    assert features["IDRest_150"]["soma"][0] == {
        "feature": "mean_frequency", "val": [freq150["mean"], freq150["std"]], "n": 3,
        "efel_settings": SETTINGS, "efeature_name": "mean_frequency"}
    step = protocols["IDRest_150"]["step"]
    # global rheobase: mean of 0.2 and 0.4 nA; relative amplitude 150 %
    assert step["amp"] == pytest.approx(1.5 * 0.3)
    assert step["thresh_perc"] == pytest.approx(150.0)
    assert step["delay"] == 100.0
    assert step["duration"] == pytest.approx(np.mean([550.0, 560.0, 570.0]) - 100.0)
    assert step["totduration"] == 600.0
    holding = protocols["IDRest_150"]["holding"]
    assert holding == {"delay": 0.0, "amp": pytest.approx(np.mean([-0.03, -0.05, 0.02])),
                       "duration": 600.0, "totduration": 600.0}
    hold_a, hold_b = np.mean([-0.02, -0.04, -0.03, -0.03, -0.05]), np.mean([0.0, 0.0, 0.02,
                                                                             0.0])
    assert currents["all_holding_current"] == {"a": pytest.approx(hold_a),
                                               "b": pytest.approx(hold_b)}
    assert currents["holding_current"] == [pytest.approx(np.mean([hold_a, hold_b])),
                                           pytest.approx(np.std([hold_a, hold_b]))]
    assert currents["threshold_current"] == [pytest.approx(0.3), pytest.approx(0.1)]
    assert currents["all_threshold_current"] == {"a": 0.2, "b": 0.4}

    paths = write_feature_files(result, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "currents.json", "features.json", "holding_threshold_currents.json", "protocols.json"]
    assert json.loads(paths["features"].read_text()) == json.loads(json.dumps(features))
    assert json.loads(paths["protocols"].read_text())["IDRest_150"]["step"]["amp"] == \
        pytest.approx(0.45)
    assert json.loads(paths["currents"].read_text())["all_threshold_current"] == {
        "a": 0.2, "b": 0.4}


def test_absolute_targets_and_median_mode():
    table = hand_table(ROWS, {"mean_frequency": FREQ})
    targets = [{"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 0.3,
                "tolerance": 0.05}]
    result = group_by_targets(table, targets, absolute_amplitude=True, protocol_mode="median")
    assert result.targets[0]["sweeps"] == [5, 6]
    assert result.rheobase == {}
    step = result.protocols["IDRest_0.3"]["step"]
    assert step["amp"] == pytest.approx(0.3)
    assert math.isnan(step["thresh_perc"])
    assert result.protocols["IDRest_0.3"]["holding"]["amp"] == pytest.approx(-0.04)


def test_threshold_nvalue_save_and_given_rheobase():
    table = hand_table(ROWS, {"mean_frequency": FREQ})
    targets = [{"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 100,
                "tolerance": 10}]
    # with rheobases of 0.3 and 0.6 nA, 100 % matches the 0.3 nA sweeps of a and 0.6 nA of b
    result = group_by_targets(table, targets, rheobase={"a": 0.3, "b": 0.6},
                              threshold_nvalue_save=4)
    assert result.targets[0]["n"] == 3
    features, protocols, _ = result.to_feature_files()
    assert features == {} and protocols == {}
    same = group_by_targets(table, targets, rheobase={"a": 0.3, "b": 0.3})
    # identical thresholds: a spread of 0 is written as default_std_value
    assert same.currents["threshold_current"] == [pytest.approx(0.3), 1e-3]


def test_target_errors():
    table = hand_table(ROWS, {"mean_frequency": FREQ})
    with pytest.raises(UnknownProtocolError, match=r"'APWaveform'.*\['IDthresh', 'IDRest'\]"):
        group_by_targets(table, [{"efeature": "mean_frequency", "protocol": "APWaveform",
                                  "amplitude": 100, "tolerance": 10}])
    with pytest.raises(ValueError, match=r"no column for \['AP_amplitude'\]"):
        group_by_targets(table, [{"efeature": "AP_amplitude", "protocol": "IDRest",
                                  "amplitude": 100, "tolerance": 10}])
    with pytest.raises(ValueError, match="pass the sweeps"):
        group_by_targets(table, [{"efeature": "mean_frequency", "protocol": "IDRest",
                                  "amplitude": 100, "tolerance": 10,
                                  "efel_settings": {"Threshold": 0.0}}])
    with pytest.raises(ValueError, match=r"lacks \['tolerance'\]"):
        group_by_targets(table, [{"efeature": "mean_frequency", "protocol": "IDRest",
                                  "amplitude": 100}])


def test_convert_legacy_targets():
    legacy = {
        "IDRest": {"amplitudes": [150, 200], "tolerances": [10],
                   "efeatures": {"Spikecount": {"Threshold": -10.0}, "mean_frequency": {}},
                   "location": "soma"},
        "APWaveform": {"amplitudes": [280], "tolerances": [20],
                       "efeatures": ["AP_amplitude"]},
    }
    converted = convert_legacy_targets(legacy)
    assert converted == [
        {"efeature": "Spikecount", "protocol": "IDRest", "amplitude": 150, "tolerance": 10,
         "efel_settings": {"Threshold": -10.0}},
        {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150, "tolerance": 10,
         "efel_settings": {}},
        {"efeature": "Spikecount", "protocol": "IDRest", "amplitude": 200, "tolerance": 10,
         "efel_settings": {"Threshold": -10.0}},
        {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 200, "tolerance": 10,
         "efel_settings": {}},
        {"efeature": "AP_amplitude", "protocol": "APWaveform", "amplitude": 280,
         "tolerance": 20, "efel_settings": {}},
    ]
    with pytest.raises(ValueError, match="2 tolerances for 3 amplitudes"):
        convert_legacy_targets({"X": {"amplitudes": [1, 2, 3], "tolerances": [1, 2],
                                      "efeatures": ["Spikecount"]}})


def test_group_by_targets_on_sweeps_extracts_per_settings(sweeps):
    pytest.importorskip("efel")
    targets = {"IDRest": {"amplitudes": [150], "tolerances": [20],
                          "efeatures": {"Spikecount": {"Threshold": 40.0},
                                        "mean_frequency": {}}}}
    result = group_by_targets(sweeps, targets, n_jobs=1)
    spikes_high, freq = result.targets
    # a threshold above the +30 mV peaks finds no spike; the default finds them
    assert spikes_high["values"] == [0.0] * spikes_high["n"] and spikes_high["n"] > 0
    assert spikes_high["efel_settings"]["Threshold"] == 40.0
    table = sweeps.get_sweep_table()
    rheobase = {"cell_a": 0.22, "cell_b": 0.26}
    relative = 100 * table["amplitude"] / np.array([rheobase[c] for c in table["cell_id"]])
    expected = np.flatnonzero((table["protocol"] == "IDRest") & (np.abs(150 - relative) < 20))
    assert freq["sweeps"] == expected.tolist()
    assert result.rheobase == pytest.approx(rheobase)


def test_targets_use_the_interpolated_rheobase():
    # a: line through (0 spikes, 0.1 nA) and (2, 0.2) read at 1 spike: 0.15 nA; b: 0.4 nA.
    # Relative amplitudes of IDRest: a 133 % and 200 %, b 150 % and 200 %
    table = hand_table(ROWS, {"mean_frequency": FREQ})
    target = {"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150,
              "tolerance": 30}
    result = group_by_targets(table, [target], rheobase_strategy="interpolation")
    assert result.rheobase == pytest.approx({"a": 0.15, "b": 0.4})
    (found,) = result.targets
    assert found["n"] == 2 and found["mean"] == pytest.approx((10.0 + 26.0) / 2)
