"""Features of simulated sweeps: against values worked out from the simulation, against eFEL
called directly on the same arrays, and serial against parallel."""

from __future__ import annotations

import builtins
import math

import numpy as np
import pytest

from lazyephys.errors import (
    InvalidJobKwargsError,
    OptionalDependencyError,
    UnknownFeatureError,
    UnknownProtocolError,
)
from lazyephys.sweeps import DEFAULT_EFEL_SETTINGS, FeatureTable, extract_features

from .conftest import FS, STIM_END, STIM_START

efel = pytest.importorskip("efel")

FEATURES = ["Spikecount", "time_to_first_spike", "mean_frequency", "AP_amplitude",
            "ISI_values", "voltage_base"]


@pytest.fixture(scope="module")
def table(sweeps):
    return extract_features(sweeps, FEATURES, keep_values=True, output="dict", n_jobs=1)


def test_table_has_one_row_per_sweep_with_metadata(sweeps, table):
    info = sweeps.get_sweep_table()
    assert isinstance(table, FeatureTable)
    assert table.num_rows == sweeps.get_num_segments()
    np.testing.assert_array_equal(table["sweep"], np.arange(sweeps.get_num_segments()))
    for column in ("cell_id", "protocol", "amplitude", "repetition"):
        np.testing.assert_array_equal(table[column], info[column])
    assert table.attrs["efel_settings"] == DEFAULT_EFEL_SETTINGS
    # currents were recorded without a holding current
    np.testing.assert_array_equal(table["holding_current"], 0.0)


def test_features_match_the_simulated_spikes(table, spike_samples):
    dt = 1000.0 / FS
    for row, spikes in enumerate(spike_samples):
        times = spikes * dt
        inside = times[(times >= STIM_START) & (times <= STIM_END)]
        assert table["Spikecount"][row] == inside.size
        assert table["spikecount"][row] == inside.size
        if inside.size == 0:
            assert math.isnan(table["time_to_first_spike"][row])
            assert math.isnan(table["mean_frequency"][row])
            continue
        # the peak is the sample drawn at +30 mV: eFEL's peak time is that sample's time
        assert table["time_to_first_spike"][row] == pytest.approx(inside[0] - STIM_START,
                                                                  abs=1e-6)
        # eFEL's mean frequency: spikes per second from the stimulus start to the last spike
        expected = 1000.0 * inside.size / (inside[-1] - STIM_START)
        assert table["mean_frequency"][row] == pytest.approx(expected, rel=1e-6)
        if inside.size > 1:
            # per-spike values are averaged; the raw ones are kept on request
            isi = np.diff(inside)
            np.testing.assert_allclose(table["ISI_values_values"][row], isi[1:], atol=1e-6)
            assert table["ISI_values"][row] == pytest.approx(np.mean(isi[1:]), abs=1e-6)


def test_features_equal_efel_called_directly(sweeps, table):
    for row in range(sweeps.get_num_segments()):
        traces = sweeps.get_traces(row)
        info = sweeps.get_sweep_info(row)
        efel.reset()
        for key, value in {"stimulus_current": info["amplitude"],
                           **DEFAULT_EFEL_SETTINGS}.items():
            efel.set_setting(key, value)
        trace = {"T": np.arange(traces.shape[0]) * 1000.0 / FS, "V": traces[:, 0],
                 "stim_start": [STIM_START], "stim_end": [STIM_END]}
        direct = efel.get_feature_values([trace], FEATURES, raise_warnings=False)[0]
        for name in FEATURES:
            values = direct[name]
            if values is None or len(values) == 0:
                assert math.isnan(table[name][row]), (name, row)
                assert table[f"{name}_values"][row] in (None, [])
            else:
                # eFEL's own results differ in the last digits between two calls on one trace
                assert table[name][row] == pytest.approx(float(np.mean(values)), rel=1e-9)
                np.testing.assert_allclose(table[f"{name}_values"][row], values, rtol=1e-9)


def test_features_of_the_current_read_the_current_channel(sweeps):
    names = ["current_base", "steady_state_current_stimend"]
    held = sweeps.select_sweeps([8])
    info = held.get_sweep_info(0)
    efel.reset()
    efel.set_setting("stimulus_current", info["amplitude"])
    for key, value in DEFAULT_EFEL_SETTINGS.items():
        efel.set_setting(key, value)
    traces = held.get_traces(0)
    direct = efel.get_feature_values([{
        "T": np.arange(traces.shape[0]) * 1000.0 / FS, "V": traces[:, 0], "I": traces[:, 1],
        "stim_start": [STIM_START], "stim_end": [STIM_END]}], names, raise_warnings=False)[0]
    mine = extract_features(held, names, output="dict")
    for name in names:
        assert mine[name][0] == pytest.approx(float(np.mean(direct[name])), rel=1e-9)
    # the current at the end of the step is the step's amplitude (no holding current here;
    # eFEL's window ends on the interpolated edge of the step, hence the small tolerance)
    assert mine["steady_state_current_stimend"][0] == pytest.approx(info["amplitude"],
                                                                     abs=1e-3)


@pytest.mark.parametrize(("engine", "per_chunk"), [("process", None), ("thread", None),
                                                   ("process", 1), ("process", 4)])
def test_parallel_equals_serial(sweeps, table, engine, per_chunk):
    parallel = extract_features(sweeps, FEATURES, output="dict", n_jobs=2, pool_engine=engine,
                                sweeps_per_chunk=per_chunk)
    for name in ["spikecount", *FEATURES]:
        np.testing.assert_array_equal(parallel[name], table[name])


def test_chunks_are_runs_of_whole_sweeps(sweeps):
    from lazyephys.sweeps.extract import SweepBatches, choose_sweeps_per_chunk

    batches = SweepBatches(sweeps)
    assert batches.get_num_segments() == 1
    assert batches.get_num_samples(0) == sweeps.get_num_segments() == 22
    # 12000-sample sweeps: 16 fit 200000 samples, but 4 chunks per worker want 3 (n_jobs=2)
    assert choose_sweeps_per_chunk(sweeps, 2) == 3
    assert choose_sweeps_per_chunk(sweeps, 1) == 6
    assert choose_sweeps_per_chunk(sweeps.select_sweeps([0]), 2) == 1
    with pytest.raises(InvalidJobKwargsError, match=r"sweeps_per_chunk must be an int >= 1"):
        extract_features(sweeps, ["Spikecount"], sweeps_per_chunk=0)


def test_a_failing_sweep_is_named(sweeps, monkeypatch):
    from lazyephys.errors import JobChunkError
    from lazyephys.sweeps import extract

    real = extract.compute_sweep_features

    def failing(efel_module, voltage, current, fs, start, end, amplitude, *args):
        if amplitude == pytest.approx(0.4):
            raise ValueError("bad trace")
        return real(efel_module, voltage, current, fs, start, end, amplitude, *args)

    monkeypatch.setattr(extract, "compute_sweep_features", failing)
    with pytest.raises(JobChunkError, match=r"sweep 8 \(cell 'cell_a', protocol 'IDRest', "
                                            r"amplitude 0.4 nA\): ValueError: bad trace"):
        extract_features(sweeps, ["Spikecount"], n_jobs=1)


def test_settings_applied_by_difference_equal_a_reset(sweeps):
    from lazyephys.sweeps.efel_features import apply_settings

    def after_reset(settings):
        efel.reset()
        for key, value in settings.items():
            efel.set_setting(key, value)
        return dict(vars(efel.get_settings()))

    # each in turn: a setting added, changed, dropped (back to its default), the stimulus
    # current changed, and one set by other code in between
    sequence = [{"stimulus_current": 0.2, **DEFAULT_EFEL_SETTINGS},
                {"stimulus_current": 0.3, **DEFAULT_EFEL_SETTINGS, "Threshold": -10.0},
                {"stimulus_current": 0.3, "interp_step": 0.1},
                {"stimulus_current": 0.25, **DEFAULT_EFEL_SETTINGS}]
    efel.reset()
    for index, settings in enumerate(sequence):
        if index == 2:
            efel.set_setting("some_plugin_setting", 3.0)
        apply_settings(efel, settings)
        ours = dict(vars(efel.get_settings()))
        assert ours == after_reset(settings), index
        # the features too: apply the settings after a reset-and-set, then compute
        apply_settings(efel, settings)
        traces = sweeps.get_traces(8)
        trace = {"T": np.arange(traces.shape[0]) * 1000.0 / FS, "V": traces[:, 0],
                 "stim_start": [STIM_START], "stim_end": [STIM_END]}
        mine = efel.get_feature_values([trace], ["Spikecount", "AP_amplitude"],
                                       raise_warnings=False)[0]
        after_reset(settings)
        direct = efel.get_feature_values([trace], ["Spikecount", "AP_amplitude"],
                                         raise_warnings=False)[0]
        assert direct["Spikecount"][0] > 0
        for name, values in direct.items():
            if values is None:
                assert mine[name] is None, (index, name)
            else:
                np.testing.assert_allclose(mine[name], values, rtol=1e-9)
    efel.reset()


def test_efel_settings_are_restored_after_a_job(sweeps):
    efel.reset()
    before = efel.get_settings().Threshold
    extract_features(sweeps.select_sweeps([0]), ["Spikecount"],
                     efel_settings={"Threshold": 12.5}, output="dict")
    assert efel.get_settings().Threshold == before


def test_dataframe_output_and_protocol_selection(sweeps):
    pandas = pytest.importorskip("pandas")
    frame = extract_features(sweeps, ["Spikecount"], protocols=["IDRest"])
    assert isinstance(frame, pandas.DataFrame)
    info = sweeps.get_sweep_table()
    expected = np.flatnonzero(info["protocol"] == "IDRest")
    np.testing.assert_array_equal(frame["sweep"].to_numpy(), expected)
    assert set(frame["protocol"]) == {"IDRest"}
    assert frame.attrs["features"] == ["Spikecount"]


def test_settings_change_the_result(sweeps):
    # a threshold above the spike peak (+30 mV) finds no spike at all
    high = extract_features(sweeps, ["Spikecount"], efel_settings={"Threshold": 40.0},
                            output="dict")
    np.testing.assert_array_equal(high["Spikecount"], 0)


def test_unknown_feature_lists_close_matches(sweeps):
    with pytest.raises(UnknownFeatureError,
                       match=r"'Spikecoun' \(close matches: Spikecount") as info:
        extract_features(sweeps, ["Spikecoun"])
    assert isinstance(info.value, KeyError)


def test_unknown_protocol_lists_the_protocols(sweeps):
    with pytest.raises(UnknownProtocolError, match=r"'APWaveform'.*IDthresh.*IDRest"):
        extract_features(sweeps, ["Spikecount"], protocols=["APWaveform"])


def test_chunk_kwargs_are_refused(sweeps):
    with pytest.raises(InvalidJobKwargsError, match="whole sweep"):
        extract_features(sweeps, ["Spikecount"], chunk_duration="1s")


def test_missing_efel_names_the_extra(sweeps, monkeypatch):
    real_import = builtins.__import__

    def no_efel(name, *args, **kwargs):
        if name == "efel" or name.startswith("efel."):
            raise ImportError("No module named 'efel'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "efel", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_efel)
    with pytest.raises(OptionalDependencyError, match=r"lazyephys\[efel\]"):
        extract_features(sweeps, ["Spikecount"])


def test_a_dataframe_and_a_dict_table_give_the_same_rheobase_and_targets(sweeps, table):
    pytest.importorskip("pandas")
    from lazyephys.sweeps import compute_rheobase, group_by_targets

    frame = extract_features(sweeps, FEATURES, output="dataframe")
    assert compute_rheobase(frame) == compute_rheobase(table)
    targets = [{"efeature": "mean_frequency", "protocol": "IDRest", "amplitude": 150,
                "tolerance": 30}]
    from_frame = group_by_targets(frame, targets).targets[0]
    from_dict = group_by_targets(table, targets).targets[0]
    assert from_frame["sweeps"] == from_dict["sweeps"] and from_frame["n"] > 0
    assert from_frame["mean"] == from_dict["mean"]
