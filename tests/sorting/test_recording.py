"""Registered recordings, properties and annotations of sortings, and their provenance."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazyephys as le


def unit_dict_sorting(num_samples=None):
    trains = {"a": np.array([10, 500, 1500]), "b": np.array([20, 1999]), "c": np.array([], int)}
    return le.NumpySorting.from_unit_dict(trains, 1000.0, num_samples=num_samples)


def test_num_samples_and_times_from_registered_recording():
    s = unit_dict_sorting()
    with pytest.raises(ValueError, match="register_recording"):
        s.get_num_samples()
    rec = le.generate_recording(num_channels=2, sampling_frequency=1000.0, durations=[2.0])
    rec.set_times(100.0 + np.arange(2000) / 1000.0 * 1.5)
    s.register_recording(rec)
    assert s.has_recording()
    assert s.get_num_samples() == 2000
    times = s.get_unit_spike_train("a", return_times=True)
    np.testing.assert_allclose(times, 100.0 + np.array([10, 500, 1500]) * 1.5 / 1000.0)
    # views follow the recording: a slice of the sorting is a slice of the recording
    view = s.frame_slice(400, 1600)
    assert view.get_num_samples() == 1200
    np.testing.assert_allclose(view.get_unit_spike_train("a", return_times=True),
                               100.0 + np.array([500, 1500]) * 1.5 / 1000.0)
    selected = s.select_units(["b"])
    assert selected.get_num_samples() == 2000
    # times through the recording for time_slice
    cut = s.time_slice(100.0 + 0.5 * 1.5, None)
    assert cut.get_num_samples() == 1500


def test_registered_recording_survives_round_trips():
    s = unit_dict_sorting()
    rec = le.generate_recording(num_channels=2, sampling_frequency=1000.0, durations=[3.0],
                                seed=1)
    s.register_recording(rec)
    for back in (pickle.loads(pickle.dumps(s)), le.BaseExtractor.from_dict(s.to_dict())):
        assert back.has_recording()
        assert back.get_num_samples() == 3000
    # the recording is a child: a non-memory recording stays describable as JSON
    view = s.select_units(["a"])
    assert view.get_num_samples() == 3000


def test_ground_truth_registration_is_not_a_cycle():
    rec, sorting = le.generate_ground_truth_recording(durations=[0.5], sampling_frequency=10000.0,
                                                      num_channels=3, num_units=2, seed=1)
    sorting.register_recording(rec)
    description = sorting.to_dict()  # would recurse forever if the recording were saved
    assert "recording" not in description["state"]
    back = le.BaseExtractor.from_dict(description)
    assert back.get_num_samples() == rec.get_num_samples()
    np.testing.assert_array_equal(back.to_spike_vector(), sorting.to_spike_vector())
    again = pickle.loads(pickle.dumps(back))
    assert again.get_num_samples() == 5000


def test_properties_follow_views_and_round_trips():
    s = unit_dict_sorting(num_samples=[2000])
    s.set_property("quality", ["good", "mua", "good"])
    s.annotate(name="session 1")
    view = s.select_units(["c", "a"])
    assert view.get_property("quality").tolist() == ["good", "good"]
    assert view.get_annotation("name") == "session 1"
    groups = s.split_by("quality")
    assert sorted(groups) == ["good", "mua"]
    assert groups["good"].get_unit_ids().tolist() == ["a", "c"]
    assert s.split_by("quality", outputs="list")[1].get_unit_ids().tolist() == ["b"]
    back = le.BaseExtractor.from_dict(s.to_dict())
    assert back.get_property("quality").tolist() == ["good", "mua", "good"]
    assert back.get_annotation("name") == "session 1"
    copied = view.to_numpy_sorting()
    assert type(copied).__name__ == "NumpySorting"
    assert copied.get_property("quality").tolist() == ["good", "good"]
    back = pickle.loads(pickle.dumps(copied))
    assert back.get_property("quality").tolist() == ["good", "good"]
    np.testing.assert_array_equal(back.to_spike_vector(), view.to_spike_vector())


def test_aggregate_merges_properties_and_warns_on_missing():
    a = unit_dict_sorting(num_samples=[2000])
    b = unit_dict_sorting(num_samples=[2000]).rename_units(["x", "y", "z"])
    a.set_property("depth", [1.0, 2.0, 3.0])
    b.set_property("depth", [4.0, 5.0, 6.0])
    a.set_property("only_a", [1, 2, 3])
    with pytest.warns(UserWarning, match="only_a"):
        agg = le.aggregate_units([a, b])
    assert agg.get_property("depth").tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_in_memory_flag_and_json(tmp_path):
    generated = le.generate_sorting(num_units=2, durations=[1.0], seed=0)
    assert not generated.is_in_memory()
    generated.select_units(["1"]).dump_to_json(tmp_path / "s.json")
    assert unit_dict_sorting().is_in_memory()
    assert unit_dict_sorting().select_units(["a"]).is_in_memory()
    with pytest.raises(ValueError, match="memory"):
        unit_dict_sorting().dump_to_json(tmp_path / "t.json")


def test_remove_empty_units_and_empty_sortings():
    s = unit_dict_sorting(num_samples=[2000])
    assert s.remove_empty_units().get_unit_ids().tolist() == ["a", "b"]
    empty = s.select_units([])
    assert empty.get_num_units() == 0
    assert empty.to_spike_vector().size == 0
    assert empty.count_total_num_spikes() == 0
    nothing = le.NumpySorting(np.zeros(0, le.SPIKE_DTYPE), 1000.0, ["a"], num_samples=[10])
    assert nothing.get_unit_spike_train("a").size == 0
    assert nothing.frame_slice(2, 5).to_spike_vector().size == 0


def test_spike_train_is_a_slice_of_stored_data():
    s = unit_dict_sorting()
    train = s.get_unit_spike_train("a")
    assert not train.flags.writeable
    assert not s.to_spike_vector().flags.writeable
    assert train.base is not None  # a view, not a copy
