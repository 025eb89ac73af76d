"""Chains of lazy sorting views equal the same operations done with numpy on the spike vector."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import lazyephys as le

FS = 1000.0


def make_base(seed: int, num_units: int, lengths: list[int]):
    """A NumpySorting and its raw spike vector (with ties between units)."""
    rng = np.random.default_rng(seed)
    rows = []
    for seg, n in enumerate(lengths):
        count = int(rng.integers(0, 3 * num_units + 20))
        samples = rng.integers(0, n, size=count)
        units = rng.integers(0, num_units, size=count)
        shared = int(rng.integers(0, n))
        samples = np.concatenate([samples, np.full(num_units, shared)])
        units = np.concatenate([units, np.arange(num_units)])
        pairs = np.unique(np.stack([samples, units], axis=1), axis=0)
        for s, u in pairs:
            rows.append((int(s), int(u), seg))
    vector = np.array(sorted(rows, key=lambda r: (r[2], r[0], r[1])), dtype=le.SPIKE_DTYPE)
    ids = [f"u{i}" for i in range(num_units)]
    sorting = le.NumpySorting(vector.copy(), FS, ids, num_samples=lengths)
    return sorting, vector, np.array(ids), list(lengths)


def model_select(vector, ids, positions, new_ids):
    """Numpy reference of select_units: keep units, renumber them, re-sort ties."""
    lut = np.full(ids.size, -1)
    lut[positions] = np.arange(len(positions))
    new_units = lut[vector["unit_index"]]
    out = vector[new_units >= 0].copy()
    out["unit_index"] = new_units[new_units >= 0]
    out = out[np.lexsort((out["unit_index"], out["sample_index"], out["segment_index"]))]
    return out, np.asarray(new_ids)


def model_frame_slice(vector, start, end):
    cut = vector[(vector["sample_index"] >= start) & (vector["sample_index"] < end)].copy()
    cut["sample_index"] -= start
    return cut


def model_select_segments(vector, segments):
    parts = []
    for new, old in enumerate(segments):
        part = vector[vector["segment_index"] == old].copy()
        part["segment_index"] = new
        parts.append(part)
    return np.concatenate(parts)


operation = st.sampled_from(["select", "remove", "rename", "frame_slice", "segments"])


@given(
    seed=st.integers(0, 10_000),
    num_units=st.integers(1, 6),
    lengths=st.lists(st.integers(1, 400), min_size=1, max_size=3),
    ops=st.lists(st.tuples(operation, st.integers(0, 2**31)), min_size=1, max_size=5),
)
def test_view_chains_match_numpy(seed, num_units, lengths, ops):
    sorting, vector, ids, lengths = make_base(seed, num_units, lengths)
    for op, op_seed in ops:
        rng = np.random.default_rng(op_seed)
        if op == "select" and ids.size:
            k = int(rng.integers(0, ids.size + 1))
            positions = rng.permutation(ids.size)[:k]
            renamed = None if rng.random() < 0.5 else [f"s{op_seed}_{i}" for i in range(k)]
            sorting = sorting.select_units(ids[positions].tolist(), renamed_unit_ids=renamed)
            vector, ids = model_select(vector, ids, positions,
                                       ids[positions] if renamed is None else renamed)
        elif op == "remove" and ids.size:
            k = int(rng.integers(0, ids.size + 1))
            removed = rng.permutation(ids.size)[:k]
            keep = np.setdiff1d(np.arange(ids.size), removed)
            sorting = sorting.remove_units(ids[removed].tolist())
            vector, ids = model_select(vector, ids, keep, ids[keep])
        elif op == "rename":
            new_ids = [f"n{op_seed}_{i}" for i in range(ids.size)]
            sorting = sorting.rename_units(new_ids)
            ids = np.array(new_ids) if new_ids else ids
        elif op == "frame_slice" and len(lengths) == 1:
            a = int(rng.integers(0, lengths[0] + 1))
            b = int(rng.integers(a, lengths[0] + 1))
            sorting = sorting.frame_slice(a, b)
            vector = model_frame_slice(vector, a, b)
            lengths = [b - a]
        elif op == "segments":
            k = int(rng.integers(1, len(lengths) + 1))
            chosen = rng.permutation(len(lengths))[:k].tolist()
            sorting = sorting.select_segments(chosen)
            vector = model_select_segments(vector, chosen)
            lengths = [lengths[i] for i in chosen]
    assert sorting.get_unit_ids().tolist() == ids.tolist()
    assert [sorting.get_num_samples(i) for i in range(len(lengths))] == lengths
    got = sorting.to_spike_vector()
    np.testing.assert_array_equal(got, vector)
    counts = np.bincount(vector["unit_index"], minlength=ids.size)
    assert sorting.count_num_spikes_per_unit(outputs="array").tolist() == counts.tolist()
    assert sorting.count_total_num_spikes() == vector.size
    for seg in range(len(lengths)):
        part = vector[vector["segment_index"] == seg]
        for index, uid in enumerate(ids.tolist()):
            train = sorting.get_unit_spike_train(uid, segment_index=seg)
            np.testing.assert_array_equal(train, part["sample_index"][part["unit_index"] == index])


@given(
    seed=st.integers(0, 10_000),
    lengths=st.lists(st.integers(1, 300), min_size=1, max_size=4),
    given_totals=st.booleans(),
)
def test_concatenation_matches_numpy(seed, lengths, given_totals):
    sortings, vectors = [], []
    for i, n in enumerate(lengths):
        sorting, vector, ids, _ = make_base(seed + i, 3, [n])
        sortings.append(sorting)
        vectors.append(vector)
    totals = [float(n) for n in lengths] if given_totals else None
    joined = le.concatenate_sortings(sortings, total_samples_list=totals)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    parts = []
    for vector, offset in zip(vectors, offsets, strict=True):
        shifted = vector.copy()
        shifted["sample_index"] += offset
        parts.append(shifted)
    expected = np.concatenate(parts)
    np.testing.assert_array_equal(joined.to_spike_vector(), expected)
    for index, uid in enumerate(ids.tolist()):
        np.testing.assert_array_equal(
            joined.get_unit_spike_train(uid),
            expected["sample_index"][expected["unit_index"] == index],
        )
    # a slice of the concatenation is a slice of the spikes
    total = sum(lengths)
    a, b = total // 3, total - total // 4
    np.testing.assert_array_equal(joined.frame_slice(a, b).to_spike_vector(),
                                  model_frame_slice(expected, a, b))


@given(seed=st.integers(0, 10_000), widths=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_aggregation_matches_numpy(seed, widths):
    sortings, vectors = [], []
    for i, w in enumerate(widths):
        sorting, vector, _, _ = make_base(seed + i, w, [200, 90])
        sortings.append(sorting)
        vectors.append(vector)
    total = sum(widths)
    joined = le.aggregate_units(sortings, renamed_unit_ids=list(range(total)))
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    parts = []
    for vector, offset in zip(vectors, offsets, strict=True):
        moved = vector.copy()
        moved["unit_index"] += offset
        parts.append(moved)
    merged = np.concatenate(parts)
    expected = merged[np.lexsort((merged["unit_index"], merged["sample_index"],
                                  merged["segment_index"]))]
    np.testing.assert_array_equal(joined.to_spike_vector(), expected)
    assert joined.count_num_spikes_per_unit(outputs="array").tolist() == np.bincount(
        expected["unit_index"], minlength=total).tolist()
