"""Bad input to sortings raises clear errors that name the offending value."""

from __future__ import annotations

import numpy as np
import pytest

import lazyephys as le


def small(ids=("a", "b", "c"), n=1000, seed=0, num_samples=True):
    rng = np.random.default_rng(seed)
    trains = {u: np.unique(rng.integers(0, n, size=10)) for u in ids}
    return le.NumpySorting.from_unit_dict(trains, 1000.0, num_samples=[n] if num_samples else None)


def vector(rows):
    return np.array(rows, dtype=le.SPIKE_DTYPE)


def test_unknown_unit_ids_are_named():
    s = small()
    with pytest.raises(KeyError, match="zz"):
        s.get_unit_spike_train("zz")
    with pytest.raises(KeyError, match="zz"):
        s.select_units(["a", "zz"])
    with pytest.raises(KeyError, match="zz"):
        s.remove_units(["zz"])


def test_duplicate_ids_refused():
    with pytest.raises(ValueError, match="duplicates"):
        le.NumpySorting(vector([(1, 0, 0)]), 1000.0, ["a", "a"])
    s = small()
    with pytest.raises(ValueError, match="duplicates"):
        s.rename_units(["x", "x", "y"])
    with pytest.raises(ValueError, match="duplicates"):
        s.select_units(["a", "a"])


def test_rename_of_wrong_length():
    s = small()
    with pytest.raises(ValueError, match="2 new_unit_ids given for 3 units"):
        s.rename_units(["x", "y"])
    with pytest.raises(ValueError, match="1 renamed_unit_ids given for 2"):
        s.select_units(["a", "b"], renamed_unit_ids=["x"])


def test_frames_out_of_range_or_reversed():
    s = small()
    with pytest.raises(IndexError, match="1001"):
        s.frame_slice(0, 1001)
    with pytest.raises(IndexError, match="greater than end_frame"):
        s.frame_slice(500, 100)
    with pytest.raises(IndexError, match="negative"):
        s.frame_slice(-3, 100)
    with pytest.raises(ValueError, match="whole number"):
        s.frame_slice(0.5, 100)
    with pytest.raises(IndexError, match="1200"):
        s.get_unit_spike_train("a", start_frame=0, end_frame=1200)
    with pytest.raises(IndexError, match="before"):
        s.time_slice(-1.0, 0.5)


def test_frame_slice_needs_one_segment():
    s = le.append_sortings([small(), small()])
    with pytest.raises(ValueError, match="single-segment"):
        s.frame_slice(0, 10)
    with pytest.raises(IndexError, match="segment_index is required"):
        s.get_unit_spike_train("a")
    with pytest.raises(IndexError, match="out of range"):
        s.select_segments([0, 2])


def test_unsorted_or_out_of_range_spike_vectors():
    with pytest.raises(ValueError, match="not sorted.*spike 1"):
        le.NumpySorting(vector([(5, 0, 0), (3, 0, 0)]), 1000.0, ["a"])
    with pytest.raises(ValueError, match="not sorted.*spike 2"):
        le.NumpySorting(vector([(1, 0, 0), (5, 1, 0), (5, 0, 0)]), 1000.0, ["a", "b"])
    with pytest.raises(ValueError, match="not sorted"):
        le.NumpySorting(vector([(1, 0, 1), (5, 0, 0)]), 1000.0, ["a"], num_samples=[9, 9])
    with pytest.raises(ValueError, match="unit_index 2.*0..1"):
        le.NumpySorting(vector([(1, 0, 0), (5, 2, 0)]), 1000.0, ["a", "b"])
    with pytest.raises(ValueError, match="segment_index 3"):
        le.NumpySorting(vector([(1, 0, 3)]), 1000.0, ["a"], num_samples=[10, 10])
    with pytest.raises(ValueError, match="negative sample_index -4"):
        le.NumpySorting(vector([(-4, 0, 0)]), 1000.0, ["a"])
    with pytest.raises(ValueError, match="spike at sample 12 but only 10"):
        le.NumpySorting(vector([(12, 0, 0)]), 1000.0, ["a"], num_samples=[10])
    with pytest.raises(ValueError, match="fields"):
        le.NumpySorting(np.zeros(3, dtype=[("sample_index", "int64")]), 1000.0, ["a"])


def test_unsorted_check_spans_blocks():
    # the sortedness check works in blocks: a disorder right at a block edge is still found
    from lazyephys.sorting import in_memory as numpy_sorting

    n = numpy_sorting._CHECK_BLOCK + 10
    spikes = np.zeros(n, dtype=le.SPIKE_DTYPE)
    spikes["sample_index"] = np.arange(n)
    spikes["sample_index"][numpy_sorting._CHECK_BLOCK] = 0
    with pytest.raises(ValueError, match=f"spike {numpy_sorting._CHECK_BLOCK} "):
        le.NumpySorting(spikes, 1000.0, ["a"])


def test_total_samples_list_checks():
    a, b = small(num_samples=False), small(seed=1, num_samples=False)
    with pytest.raises(ValueError, match="not known.*total_samples_list"):
        le.concatenate_sortings([a, b])
    with pytest.raises(ValueError, match="1 values for 2 sortings"):
        le.concatenate_sortings([a, b], total_samples_list=[1000])
    last = int(a.to_spike_vector()["sample_index"][-1])
    with pytest.raises(IndexError, match=f"too small.*sample {last}"):
        le.concatenate_sortings([a, b], total_samples_list=[last, 1000])
    with pytest.raises(ValueError, match="whole number"):
        le.concatenate_sortings([a, b], total_samples_list=[1000.5, 1000])


def test_mismatched_sortings():
    a = small()
    other_fs = le.NumpySorting.from_unit_dict({"a": [1]}, 2000.0)
    with pytest.raises(ValueError, match="2000.0 Hz"):
        le.concatenate_sortings([a, other_fs.select_units(["a"])], total_samples_list=[1000, 10])
    with pytest.raises(ValueError, match="2000.0 Hz"):
        le.aggregate_units([a, other_fs])
    with pytest.raises(ValueError, match="unit id"):
        le.concatenate_sortings([a, a.rename_units(["a", "b", "x"])])
    with pytest.raises(ValueError, match="1 units, sorting 0 has 3"):
        le.append_sortings([a, a.select_units(["a"])])
    with pytest.raises(ValueError, match="segments"):
        le.aggregate_units([a, le.append_sortings([a, a])])
    with pytest.raises(TypeError, match="list of sortings"):
        le.aggregate_units(a)
    with pytest.raises(ValueError, match="empty"):
        le.concatenate_sortings([])


def test_register_recording_checks():
    s = small()
    with pytest.raises(ValueError, match="2000.0 Hz"):
        s.register_recording(le.generate_recording(num_channels=1, sampling_frequency=2000.0,
                                                   durations=[1.0]))
    with pytest.raises(ValueError, match="2 segments"):
        s.register_recording(le.generate_recording(num_channels=1, sampling_frequency=1000.0,
                                                   durations=[1.0, 1.0]))
    last = int(s.to_spike_vector()["sample_index"][-1])
    short = le.generate_recording(num_channels=1, sampling_frequency=1000.0,
                                  durations=[last / 1000.0])
    with pytest.raises(IndexError, match=f"spike at sample {last}"):
        s.register_recording(short)
    with pytest.raises(TypeError, match="Recording"):
        s.register_recording(s)


def test_bad_builder_input():
    with pytest.raises(ValueError, match="3 samples but 2 labels"):
        le.NumpySorting.from_samples_and_labels([np.array([1, 2, 3])], [np.array([0, 0])], 1e3)
    with pytest.raises(KeyError, match="9"):
        le.NumpySorting.from_samples_and_labels([1, 2], [0, 9], 1e3, unit_ids=[0, 1])
    with pytest.raises(TypeError, match="whole sample"):
        le.NumpySorting.from_unit_dict({"a": np.array([1.5])}, 1e3)
    with pytest.raises(TypeError, match="dict"):
        le.NumpySorting.from_unit_dict([], 1e3)
    with pytest.raises(ValueError, match="firing_rates"):
        le.generate_sorting(num_units=2, firing_rates=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="refractory"):
        le.generate_sorting(num_units=1, firing_rates=300.0, refractory_period_ms=4.0)
    with pytest.raises(ValueError, match="sampling_frequency"):
        le.generate_sorting(sampling_frequency=-1.0)


def test_no_bare_asserts_in_sorting_sources():
    import inspect

    from lazyephys.generation import sorting as generate_sorting
    from lazyephys.sorting import base, combine, in_memory, views

    for module in (base, in_memory, views, combine, generate_sorting):
        assert "assert " not in inspect.getsource(module), module.__name__


@pytest.mark.parametrize("method", ["select_units", "remove_units"])
def test_selecting_units_by_none_is_refused_naming_the_argument(method):
    sorting = le.generate_sorting(num_units=3, durations=[0.1])
    with pytest.raises(TypeError, match="unit_ids must be a list of ids, got None"):
        getattr(sorting, method)(None)
