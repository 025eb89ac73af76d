"""The sorting cells of the seed tutorial (shared/seeds/001) run with only the import changed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest


def test_generate_rename_get_select_slice_cells():
    from lazyephys.core import generate_sorting

    sorting = generate_sorting(num_units=3, durations=[10])
    assert "3 units" in repr(sorting)

    sorting = sorting.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])  # not in-place
    assert sorting.get_unit_ids().tolist() == ["unit1", "unit2", "unit3"]

    train = sorting.get_unit_spike_train(unit_id="unit2")
    assert train.dtype == np.int64 and np.all(np.diff(train) > 0)

    unit_selected_sorting = sorting.select_units(unit_ids=["unit1", "unit2"])
    assert unit_selected_sorting.get_unit_ids().tolist() == ["unit1", "unit2"]
    assert "2 units" in repr(unit_selected_sorting)

    sliced_sorting = sorting.frame_slice(start_frame=0, end_frame=1000)
    assert sliced_sorting.get_num_samples() == 1000
    assert "SortingView" in repr(sliced_sorting)


def test_concatenate_cell():
    from lazyephys.core import concatenate_sortings, generate_sorting

    duration = 1.0  # Seconds
    sorting1 = generate_sorting(num_units=3, durations=[duration], seed=0)
    sorting1 = sorting1.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])
    sorting2 = generate_sorting(num_units=3, durations=[duration], seed=1)
    sorting2 = sorting2.rename_units(new_unit_ids=["unit1", "unit2", "unit3"])

    num_samples_sorting1 = sorting1.sampling_frequency * duration
    num_samples_sorting2 = sorting2.sampling_frequency * duration

    concatenated_sorting = concatenate_sortings(
        sorting_list=[sorting1, sorting2],
        total_samples_list=[num_samples_sorting1, num_samples_sorting2],
    )
    first = sorting1.get_unit_spike_train(unit_id="unit1", return_times=True)
    second = sorting2.get_unit_spike_train(unit_id="unit1", return_times=True)
    shifted = sorting2.get_unit_spike_train(unit_id="unit1", return_times=True) + duration
    joined = concatenated_sorting.get_unit_spike_train(unit_id="unit1", return_times=True)
    np.testing.assert_allclose(shifted, second + 1.0)
    np.testing.assert_allclose(joined, np.concatenate([first, shifted]))


def test_aggregate_cell():
    from lazyephys.core import aggregate_units, generate_sorting

    duration = 10.0  # Seconds
    sorting1 = generate_sorting(num_units=3, durations=[duration])
    sorting2 = generate_sorting(num_units=2, durations=[duration])

    with pytest.warns(UserWarning, match=r"unit ids \['0', '1'\]") as record:
        aggregated_sorting = aggregate_units([sorting1, sorting2])
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert aggregated_sorting.get_unit_ids().tolist() == ["0", "1", "2", "3", "4"]
    np.testing.assert_array_equal(aggregated_sorting.get_unit_spike_train("3"),
                                  sorting2.get_unit_spike_train("0"))


def test_unique_ids_are_kept_without_warning():
    from lazyephys.core import aggregate_units, generate_sorting

    a = generate_sorting(num_units=2, durations=[1.0], seed=0).rename_units(["a", "b"])
    b = generate_sorting(num_units=1, durations=[1.0], seed=1).rename_units(["c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert aggregate_units([a, b]).get_unit_ids().tolist() == ["a", "b", "c"]


def test_spike_vector_cell():
    from lazyephys.core import generate_sorting

    sorting = generate_sorting(num_units=3, durations=[10])
    first = sorting.to_spike_vector(concatenated=False)[0]
    assert first.dtype.names == ("sample_index", "unit_index", "segment_index")
    assert all(first.dtype[name] == np.int64 for name in first.dtype.names)


def test_top_level_import_works_too():
    import lazyephys

    sorting = lazyephys.generate_sorting(num_units=3, durations=[10], seed=3)
    assert sorting.get_num_units() == 3
