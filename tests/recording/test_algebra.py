"""Random chains of lazy operations equal the same operations done with numpy."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import lazyephys as le

_fresh = itertools.count()


def _base(seed: int, n: int, c: int) -> tuple[le.Recording, np.ndarray, list[str]]:
    data = np.random.default_rng(seed).integers(-500, 500, size=(n, c)).astype("int16")
    ids = [f"b{next(_fresh)}_{i}" for i in range(c)]
    rec = le.NumpyRecording([data], 1000.0, channel_ids=ids)
    rec.set_property("origin", np.array(ids))
    return rec, data, ids


@st.composite
def chains(draw):
    seed = draw(st.integers(0, 2**16))
    rec, ref, ids = _base(seed, draw(st.integers(1, 60)), draw(st.integers(1, 6)))
    origin = list(ids)
    for _ in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from(["frame", "select", "rename", "concat", "aggregate"]))
        n, c = ref.shape
        if op == "frame":
            start = draw(st.integers(0, n))
            end = draw(st.integers(start, n))
            rec, ref = rec.frame_slice(start, end), ref[start:end]
        elif op == "select":
            order = draw(st.permutations(range(c)))[: draw(st.integers(1, c))]
            rec = rec.select_channels([ids[i] for i in order])
            ref, ids, origin = ref[:, order], [ids[i] for i in order], [origin[i] for i in order]
        elif op == "rename":
            ids = [f"r{next(_fresh)}" for _ in range(c)]
            rec = rec.rename_channels(ids)
        elif op == "concat":
            rec, ref = le.concatenate_recordings([rec, rec]), np.concatenate([ref, ref])
        else:
            other, other_ref, other_ids = _base(seed + 1, n, draw(st.integers(1, 3)))
            rec = le.aggregate_channels([rec, other])
            ref = np.concatenate([ref, other_ref], axis=1)
            ids, origin = ids + other_ids, origin + other_ids
    return rec, ref, ids, origin


@given(chains(), st.data())
def test_chain_equals_numpy(chain, data):
    rec, ref, ids, origin = chain
    assert rec.get_channel_ids().tolist() == ids
    assert rec.get_num_samples() == ref.shape[0]
    np.testing.assert_array_equal(rec.get_traces(), ref)
    n, c = ref.shape
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    subset = data.draw(st.permutations(range(c)))[: data.draw(st.integers(1, c))]
    window = rec.get_traces(start_frame=start, end_frame=end, channel_ids=[ids[i] for i in subset])
    np.testing.assert_array_equal(window, ref[start:end][:, subset])
    # properties follow their channels through every operation
    assert rec.get_property("origin").tolist() == origin
    # and the whole chain survives pickling
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(rec)).get_traces(), ref)


@given(st.integers(1, 8), st.data())
def test_stacked_views_flatten(depth, data):
    rec, ref, ids = _base(0, 100, 6)
    for _ in range(depth):
        n, c = ref.shape
        start = data.draw(st.integers(0, n))
        end = data.draw(st.integers(start, n))
        rec, ref = rec.frame_slice(start, end), ref[start:end]
        order = data.draw(st.permutations(range(c)))[: data.draw(st.integers(1, c))]
        rec = rec.select_channels([ids[i] for i in order])
        ref, ids = ref[:, order], [ids[i] for i in order]
        ids = [f"x{next(_fresh)}" for _ in ids]
        rec = rec.rename_channels(ids)
    # however deep the chain, it reads through a single view of the original recording
    assert isinstance(rec, le.RecordingView)
    assert isinstance(rec.parent, le.NumpyRecording)
    np.testing.assert_array_equal(rec.get_traces(), ref)
