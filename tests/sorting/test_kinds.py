"""Every Sorting kind and view passes one conformance class against a numpy reference.

A reference is built independently of the code under test: per segment, a dict
``{unit_id: sorted frames}`` made with plain numpy (and for views, the same operation done on
those dicts), plus the number of samples per segment when it is known.
"""

from __future__ import annotations

import numpy as np

import lazyephys as le
from lazyephys.testing import SortingCase as Case
from lazyephys.testing import SortingConformance


# ----------------------------------------------------------------- references
def random_trains(seed, unit_ids, num_samples, rate=0.01, ties=True):
    """A dict {unit_id: sorted unique frames} with some samples shared between units."""
    rng = np.random.default_rng(seed)
    shared = np.sort(rng.choice(num_samples, size=5, replace=False))
    trains = {}
    for i, uid in enumerate(unit_ids):
        n = int(rng.integers(0, int(rate * num_samples) + 2))
        frames = rng.choice(num_samples, size=n, replace=False)
        if ties and i % 2 == 0:
            frames = np.concatenate([frames, shared])
        trains[uid] = np.unique(frames).astype(np.int64)
    return trains


def crop(train, start, end):
    return train[(train >= start) & (train < end)] - start


# ----------------------------------------------------------------- the cases
FS = 1000.0
INT_IDS = [3, 7, 1, 12]
STR_IDS = ["a", "b", "c", "d", "e"]


def numpy_case(ids=INT_IDS, lengths=(2000, 1300), known=True, seed=0):
    trains = [random_trains(seed + i, ids, n) for i, n in enumerate(lengths)]
    sorting = le.NumpySorting.from_unit_dict(trains, FS,
                                             num_samples=list(lengths) if known else None)
    return Case(sorting, trains, list(lengths) if known else [None] * len(lengths))


def single_case(ids=STR_IDS, n=3000, seed=5):
    return numpy_case(ids, (n,), True, seed)


class TestNumpySortingMultiSegment(SortingConformance):
    def make(self, tmp_path):
        return numpy_case()


class TestNumpySortingUnknownLength(SortingConformance):
    def make(self, tmp_path):
        return numpy_case(ids=STR_IDS, lengths=(1500,), known=False)


class TestNumpySortingFromSamplesAndLabels(SortingConformance):
    def make(self, tmp_path):
        trains = [random_trains(11, STR_IDS, 1000), random_trains(12, STR_IDS, 800)]
        samples, labels = [], []
        rng = np.random.default_rng(3)
        for t in trains:
            s = np.concatenate(list(t.values()))
            lab = np.concatenate([[u] * len(v) for u, v in t.items()])
            perm = rng.permutation(s.size)
            samples.append(s[perm])
            labels.append(lab[perm])
        sorting = le.NumpySorting.from_samples_and_labels(samples, labels, FS,
                                                          unit_ids=STR_IDS,
                                                          num_samples=[1000, 800])
        return Case(sorting, trains, [1000, 800])


class TestNumpySortingFromTimes(SortingConformance):
    def make(self, tmp_path):
        trains = [random_trains(21, INT_IDS, 900)]
        times = np.concatenate([t / FS for t in trains[0].values()])
        labels = np.concatenate([[u] * len(t) for u, t in trains[0].items()])
        sorting = le.NumpySorting.from_times_and_labels(times, labels, FS, unit_ids=INT_IDS)
        return Case(sorting, trains, [None])


class TestGeneratedSorting(SortingConformance):
    def make(self, tmp_path):
        sorting = le.generate_sorting(num_units=4, sampling_frequency=FS, durations=[20.0, 5.0],
                                      firing_rates=[5.0, 0.0, 20.0, 2.0], seed=42)
        # reference: from an independent in-memory copy of the drawn spikes
        vector = np.array(sorting.to_spike_vector())
        trains = []
        for seg in range(2):
            part = vector[vector["segment_index"] == seg]
            trains.append({str(u): part["sample_index"][part["unit_index"] == u] for u in range(4)})
        return Case(sorting, trains, [20000, 5000])


class TestRenameView(SortingConformance):
    def make(self, tmp_path):
        base = numpy_case()
        view = base.sorting.rename_units(["w", "x", "y", "z"])
        trains = [dict(zip("wxyz", t.values(), strict=True)) for t in base.trains]
        return Case(view, trains, base.num_samples)


class TestSelectReorderedView(SortingConformance):
    def make(self, tmp_path):
        base = numpy_case()
        view = base.sorting.select_units([12, 3, 1])
        trains = [{u: t[u] for u in (12, 3, 1)} for t in base.trains]
        return Case(view, trains, base.num_samples)


class TestRemoveUnitsView(SortingConformance):
    def make(self, tmp_path):
        base = single_case()
        view = base.sorting.remove_units(["b", "d"])
        trains = [{u: t[u] for u in ("a", "c", "e")} for t in base.trains]
        return Case(view, trains, base.num_samples)


class TestFrameSliceView(SortingConformance):
    def make(self, tmp_path):
        base = single_case()
        view = base.sorting.frame_slice(start_frame=700, end_frame=2100)
        trains = [{u: crop(t, 700, 2100) for u, t in base.trains[0].items()}]
        return Case(view, trains, [1400])


class TestTimeSliceView(SortingConformance):
    def make(self, tmp_path):
        base = single_case()
        view = base.sorting.time_slice(start_time=0.25, end_time=1.5)
        trains = [{u: crop(t, 250, 1500) for u, t in base.trains[0].items()}]
        return Case(view, trains, [1250])


class TestChainedView(SortingConformance):
    def make(self, tmp_path):
        base = single_case()
        view = (base.sorting.frame_slice(100, 2900).select_units(["e", "a", "c"])
                .rename_units(["E", "A", "C"]).frame_slice(50, 2000))
        assert view.parent is base.sorting  # flattened: one view of the original
        trains = [{u.upper(): crop(base.trains[0][u], 150, 2100) for u in ("e", "a", "c")}]
        return Case(view, trains, [1950])


class TestSelectSegmentsView(SortingConformance):
    def make(self, tmp_path):
        base = numpy_case(lengths=(500, 600, 700))
        view = base.sorting.select_segments([2, 0])
        return Case(view, [base.trains[2], base.trains[0]], [700, 500])


class TestConcatenate(SortingConformance):
    def make(self, tmp_path):
        a = single_case(seed=1)
        b = numpy_case(ids=STR_IDS, lengths=(400, 900), seed=7)
        c = single_case(seed=3)
        joined = le.concatenate_sortings([a.sorting, b.sorting, c.sorting])
        offsets = [0, 3000, 3400, 4300]
        pieces = [a.trains[0], b.trains[0], b.trains[1], c.trains[0]]
        trains = [{u: np.concatenate([p[u] + o for p, o in zip(pieces, offsets, strict=True)])
                   for u in STR_IDS}]
        return Case(joined, trains, [7300])


class TestConcatenateWithTotals(SortingConformance):
    def make(self, tmp_path):
        a = numpy_case(ids=STR_IDS, lengths=(1000,), known=False, seed=4)
        b = numpy_case(ids=STR_IDS, lengths=(1500,), known=False, seed=8)
        joined = le.concatenate_sortings([a.sorting, b.sorting], total_samples_list=[1000.0, 1500])
        trains = [{u: np.concatenate([a.trains[0][u], b.trains[0][u] + 1000]) for u in STR_IDS}]
        return Case(joined, trains, [2500])


class TestAppend(SortingConformance):
    def make(self, tmp_path):
        a = numpy_case(seed=2)
        b = numpy_case(lengths=(800,), seed=9)
        joined = le.append_sortings([a.sorting, b.sorting])
        return Case(joined, a.trains + b.trains, a.num_samples + b.num_samples)


class TestAggregate(SortingConformance):
    def make(self, tmp_path):
        a = numpy_case(ids=["a", "b"], lengths=(1000, 500), seed=1)
        b = numpy_case(ids=["c", "d", "e"], lengths=(1000, 500), seed=2)
        joined = le.aggregate_units([a.sorting, b.sorting])
        trains = [{**ta, **tb} for ta, tb in zip(a.trains, b.trains, strict=True)]
        return Case(joined, trains, [1000, 500])


class TestAggregateOfViews(SortingConformance):
    def make(self, tmp_path):
        a = single_case(seed=1)
        b = single_case(seed=2)
        joined = le.aggregate_units(
            [a.sorting.select_units(["e", "b"]), b.sorting.frame_slice(0, 3000)],
            renamed_unit_ids=list(range(7)),
        )
        trains = [{0: a.trains[0]["e"], 1: a.trains[0]["b"],
                   **{2 + i: b.trains[0][u] for i, u in enumerate(STR_IDS)}}]
        return Case(joined, trains, [3000])
