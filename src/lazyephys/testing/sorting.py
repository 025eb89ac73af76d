"""The conformance battery every Sorting kind and view passes.

Each check compares the sorting with the reference of its :class:`SortingCase` (per segment,
``{unit_id: frames}`` built with plain numpy): the spike vector, trains in frame ranges, times,
counts, read-only results, errors, and pickle and provenance round trips.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ..base.extractor import BaseExtractor
from ..sorting.base import SPIKE_DTYPE, Sorting

__all__ = ["SortingCase", "SortingConformance", "reference_spike_vector"]


def reference_spike_vector(
    trains_per_segment: Sequence[Mapping[Any, Any]], unit_ids: Sequence[Any]
) -> np.ndarray:
    """The spike vector of per-segment ``{unit_id: frames}`` dicts, built row by row.

    Deliberately plain (a Python loop over spikes): it is the reference the vectorised code is
    checked against, sorted by segment, then frame, then unit index.

    Examples
    --------
    >>> reference_spike_vector([{"a": [5, 1], "b": [1]}], ["a", "b"]).tolist()
    [(1, 0, 0), (1, 1, 0), (5, 0, 0)]
    """
    rows = []
    for seg, trains in enumerate(trains_per_segment):
        for index, uid in enumerate(unit_ids):
            for frame in trains.get(uid, []):
                rows.append((int(frame), index, seg))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    return np.array(rows, dtype=SPIKE_DTYPE) if rows else np.zeros(0, SPIKE_DTYPE)


class SortingCase:
    """A sorting under test and its reference.

    Parameters
    ----------
    sorting : Sorting
        The object under test.
    trains : list of dict
        Per segment, ``{unit_id: sorted frames}``, computed independently of the code under test.
    num_samples : list of int or None
        Per segment, the number of samples, or None where the sorting does not know it.
    unit_ids : list or None
        The expected unit ids, in order (default: the sorting's own).
    """

    def __init__(self, sorting: Sorting, trains: list[dict[Any, Any]],
                 num_samples: list[int | None], unit_ids: Sequence[Any] | None = None) -> None:
        self.sorting = sorting
        self.trains = trains  # list (segment) of {unit_id: frames}
        self.num_samples = num_samples  # list of int or None
        self.unit_ids = list(sorting.get_unit_ids().tolist() if unit_ids is None else unit_ids)


def _check_same_spikes(sorting: Sorting, trains: Sequence[Mapping[Any, Any]],
                       unit_ids: Sequence[Any]) -> None:
    expected = reference_spike_vector(trains, unit_ids)
    got = sorting.to_spike_vector()
    assert got.dtype == SPIKE_DTYPE
    np.testing.assert_array_equal(got, expected)


class SortingConformance:
    """The checks every Sorting kind passes; subclass it and implement ``make``.

    ``make(tmp_path)`` returns a :class:`SortingCase`: the sorting under test with its
    reference trains. ``tmp_path`` is pytest's temporary folder, for kinds that read files.
    """

    def make(self, tmp_path: Path) -> SortingCase:
        """Build the sorting under test and its reference."""
        raise TypeError("conformance subclasses implement make(tmp_path)")

    @pytest.fixture
    def case(self, tmp_path: Path) -> SortingCase:
        return self.make(tmp_path)

    def test_shape(self, case: SortingCase) -> None:
        s = case.sorting
        assert s.get_unit_ids().tolist() == case.unit_ids
        assert s.unit_ids.tolist() == case.unit_ids
        assert s.get_num_units() == len(case.unit_ids)
        assert s.get_num_segments() == len(case.trains)
        assert s.sampling_frequency == s.get_sampling_frequency()
        for seg, num in enumerate(case.num_samples):
            if num is None:
                with pytest.raises(ValueError, match="not known"):
                    s.get_num_samples(seg)
            else:
                assert s.get_num_samples(seg) == num

    def test_spike_vector_matches_reference(self, case: SortingCase) -> None:
        _check_same_spikes(case.sorting, case.trains, case.unit_ids)

    def test_spike_vector_per_segment(self, case: SortingCase) -> None:
        whole = reference_spike_vector(case.trains, case.unit_ids)
        parts = case.sorting.to_spike_vector(concatenated=False)
        assert len(parts) == len(case.trains)
        for seg, part in enumerate(parts):
            assert part.dtype == SPIKE_DTYPE
            np.testing.assert_array_equal(part, whole[whole["segment_index"] == seg])

    def test_trains_match_reference_and_vector(self, case: SortingCase) -> None:
        s = case.sorting
        vector = s.to_spike_vector()
        for seg, trains in enumerate(case.trains):
            part = vector[vector["segment_index"] == seg]
            for index, uid in enumerate(case.unit_ids):
                expected = np.asarray(trains.get(uid, []), dtype=np.int64)
                got = s.get_unit_spike_train(unit_id=uid, segment_index=seg)
                assert got.dtype == np.int64
                np.testing.assert_array_equal(got, expected)
                from_vector = part["sample_index"][part["unit_index"] == index]
                np.testing.assert_array_equal(got, from_vector)

    def test_trains_in_frame_ranges(self, case: SortingCase) -> None:
        s = case.sorting
        rng = np.random.default_rng(1)
        for seg, trains in enumerate(case.trains):
            top = case.num_samples[seg]
            if top is None:
                top = max([int(t.max()) + 1 for t in trains.values() if len(t)] or [1])
            for _ in range(6):
                a = int(rng.integers(0, top + 1))
                b = int(rng.integers(a, top + 1))
                uid = case.unit_ids[int(rng.integers(len(case.unit_ids)))]
                expected = np.asarray(trains.get(uid, []), dtype=np.int64)
                expected = expected[(expected >= a) & (expected < b)]
                got = s.get_unit_spike_train(uid, segment_index=seg, start_frame=a, end_frame=b)
                np.testing.assert_array_equal(got, expected)
                got = s.get_unit_spike_train(uid, segment_index=seg, start_frame=a)
                full = np.asarray(trains.get(uid, []), dtype=np.int64)
                np.testing.assert_array_equal(got, full[full >= a])

    def test_times(self, case: SortingCase) -> None:
        s = case.sorting
        uid = case.unit_ids[0]
        for seg, trains in enumerate(case.trains):
            frames = np.asarray(trains.get(uid, []), dtype=np.int64)
            times = s.get_unit_spike_train(uid, segment_index=seg, return_times=True)
            assert times.dtype == np.float64
            np.testing.assert_allclose(times, frames / s.get_sampling_frequency())

    def test_counts(self, case: SortingCase) -> None:
        s = case.sorting
        expected = {
            uid: sum(len(t.get(uid, [])) for t in case.trains) for uid in case.unit_ids
        }
        assert s.count_num_spikes_per_unit() == expected
        assert s.count_num_spikes_per_unit(outputs="array").tolist() == list(expected.values())
        assert s.count_total_num_spikes() == sum(expected.values())
        with pytest.raises(ValueError, match="outputs"):
            s.count_num_spikes_per_unit(outputs="list")  # type: ignore[arg-type]

    def test_results_cannot_change_the_sorting(self, case: SortingCase) -> None:
        s = case.sorting
        before = s.to_spike_vector().copy()
        vector = s.to_spike_vector()
        if vector.flags.writeable:
            vector["sample_index"] += 1
        for part in s.to_spike_vector(concatenated=False):
            if part.flags.writeable:
                part["unit_index"] = 0
        for uid in case.unit_ids:
            train = s.get_unit_spike_train(uid, segment_index=0)
            if train.flags.writeable:
                train += 5
        np.testing.assert_array_equal(s.to_spike_vector(), before)

    def test_pickle_round_trip(self, case: SortingCase) -> None:
        s = case.sorting
        back = pickle.loads(pickle.dumps(s))
        assert type(back) is type(s)
        assert back.get_unit_ids().tolist() == case.unit_ids
        np.testing.assert_array_equal(back.to_spike_vector(), s.to_spike_vector())
        for key in s.get_property_keys():
            np.testing.assert_array_equal(back.get_property(key), s.get_property(key))

    def test_dict_round_trip(self, case: SortingCase) -> None:
        s = case.sorting
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a rebuilt aggregation warns again, as it should
            back = BaseExtractor.from_dict(s.to_dict())
        assert type(back) is type(s)
        assert back.get_unit_ids().tolist() == case.unit_ids
        np.testing.assert_array_equal(back.to_spike_vector(), s.to_spike_vector())
        for seg, num in enumerate(case.num_samples):
            if num is not None:
                assert back.get_num_samples(seg) == num

    def test_repr(self, case: SortingCase) -> None:
        text = repr(case.sorting)
        assert type(case.sorting).__name__ in text
        assert f"{len(case.unit_ids)} units" in text

    def test_bad_queries_raise(self, case: SortingCase) -> None:
        s = case.sorting
        bogus = "no-such-unit" if s.get_unit_ids().dtype.kind == "U" else 10**9
        with pytest.raises(KeyError, match=str(bogus)):
            s.get_unit_spike_train(bogus, segment_index=0)
        with pytest.raises(IndexError, match=str(s.get_num_segments())):
            s.get_unit_spike_train(case.unit_ids[0], segment_index=s.get_num_segments())
        with pytest.raises(IndexError, match="greater than"):
            s.get_unit_spike_train(case.unit_ids[0], segment_index=0, start_frame=10, end_frame=5)
        with pytest.raises(IndexError, match="negative"):
            s.get_unit_spike_train(case.unit_ids[0], segment_index=0, start_frame=-1)
        if case.num_samples[0] is not None:
            n = case.num_samples[0]
            with pytest.raises(IndexError, match=str(n + 1)):
                s.get_unit_spike_train(case.unit_ids[0], segment_index=0, end_frame=n + 1)

    def test_unit_selection_of_the_case(self, case: SortingCase) -> None:
        # any kind composes with a view: reversed order and a rename
        s = case.sorting
        ids = case.unit_ids[::-1]
        view = s.select_units(ids, renamed_unit_ids=[f"r{i}" for i in range(len(ids))])
        trains = [{f"r{i}": t.get(uid, np.zeros(0, np.int64)) for i, uid in enumerate(ids)}
                  for t in case.trains]
        _check_same_spikes(view, trains, [f"r{i}" for i in range(len(ids))])
