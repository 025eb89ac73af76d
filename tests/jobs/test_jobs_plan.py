"""Chunk plans: every chunk key, precedence, grid alignment, printing and errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazyephys as le
from lazyephys.jobs import ChunkPlan, InvalidJobKwargsError, make_chunk_plan
from lazyephys.jobs.plan import plan_from_job_kwargs


def recording(durations=(1.0, 0.25), num_channels=4, dtype="int16", fs=1000.0):
    return le.generate_recording(num_channels=num_channels, durations=list(durations),
                                 sampling_frequency=fs, dtype=dtype, set_probe=False)


def expected_chunks(lengths, size):
    return [(seg, start, min(start + size, n)) for seg, n in enumerate(lengths)
            for start in range(0, n, size)]


def test_chunk_size():
    plan = make_chunk_plan(recording(), chunk_size=300)
    assert list(plan) == expected_chunks([1000, 250], 300)
    assert plan.chunk_size == 300 and len(plan) == 5


def test_chunk_duration_string_and_float():
    rec = recording()
    assert list(make_chunk_plan(rec, chunk_duration="0.2s")) == expected_chunks([1000, 250], 200)
    assert list(make_chunk_plan(rec, chunk_duration="100ms")) == expected_chunks([1000, 250], 100)
    assert list(make_chunk_plan(rec, chunk_duration=0.4)) == expected_chunks([1000, 250], 400)


def test_chunk_memory_counts_channels_and_itemsize():
    rec = recording(num_channels=4, dtype="int16")  # 8 bytes per frame
    assert make_chunk_plan(rec, chunk_memory="1.6k").chunk_size == 200
    assert make_chunk_plan(rec, chunk_memory="1Ki").chunk_size == 128
    rec32 = recording(num_channels=4, dtype="float32")  # 16 bytes per frame
    assert make_chunk_plan(rec32, chunk_memory=1600).chunk_size == 100


def test_total_memory_is_divided_by_n_jobs():
    rec = recording()
    assert make_chunk_plan(rec, total_memory="3.2k", n_jobs=2).chunk_size == 200
    assert make_chunk_plan(rec, total_memory="3.2k", n_jobs=1).chunk_size == 400


def test_precedence_size_memory_total_duration():
    rec = recording()
    assert make_chunk_plan(rec, chunk_size=7, chunk_memory="1k", total_memory="1k",
                           chunk_duration="1s").chunk_size == 7
    assert make_chunk_plan(rec, chunk_memory="800", total_memory="8k",
                           chunk_duration="1s").chunk_size == 100
    assert make_chunk_plan(rec, total_memory="800", chunk_duration="1s").chunk_size == 100


def test_default_is_one_second():
    assert make_chunk_plan(recording()).chunk_size == 1000


def test_plan_from_fixed_job_kwargs_uses_globals():
    rec = recording()
    le.set_global_job_kwargs(chunk_duration="0.5s")
    try:
        fixed = le.fix_job_kwargs({})
        assert plan_from_job_kwargs(rec, fixed).chunk_size == 500
        fixed = le.fix_job_kwargs({"chunk_size": 10})
        assert plan_from_job_kwargs(rec, fixed).chunk_size == 10
    finally:
        le.reset_global_job_kwargs()


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [({"chunk_duration": "0.1ms"}, "chunk_duration"), ({"chunk_memory": 7}, "chunk_memory"),
     ({"total_memory": "10", "n_jobs": 2}, "total_memory"), ({"chunk_size": 0}, "chunk_size")],
)
def test_chunk_smaller_than_one_sample_raises(kwargs, named):
    with pytest.raises(InvalidJobKwargsError, match=named):
        make_chunk_plan(recording(), **kwargs)


def test_grid_aligns_every_edge():
    plan = make_chunk_plan(recording(), chunk_size=330, grid=100)
    assert plan.chunk_size == 300 and plan.grid == 100
    for _, start, end in plan:
        assert start % 100 == 0
        assert end % 100 == 0 or end in (1000, 250)


def test_grid_larger_than_chunk_gives_one_cell():
    plan = make_chunk_plan(recording(), chunk_size=30, grid=128)
    assert plan.chunk_size == 128
    assert list(plan)[:2] == [(0, 0, 128), (0, 128, 256)]


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_bad_grid(bad):
    with pytest.raises(InvalidJobKwargsError, match="grid"):
        make_chunk_plan(recording(), chunk_size=10, grid=bad)


@given(
    lengths=st.lists(st.integers(0, 5000), min_size=1, max_size=4),
    size=st.integers(1, 3000),
    grid=st.one_of(st.none(), st.integers(1, 700)),
)
def test_plan_tiles_every_segment_exactly(lengths, size, grid):
    rec = le.NumpyRecording([np.zeros((n, 1), "int8") for n in lengths], 1000.0)
    plan = make_chunk_plan(rec, chunk_size=size, grid=grid)
    for seg, n in enumerate(lengths):
        chunks = [(s, e) for g, s, e in plan if g == seg]
        covered = [frame for s, e in chunks for frame in (s, e)]
        if n == 0:
            assert chunks == []
            continue
        assert chunks[0][0] == 0 and chunks[-1][1] == n
        assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
        assert all(e - s <= plan.chunk_size and e > s for s, e in chunks)
        if grid:
            assert all(f % grid == 0 or f == n for f in covered)
    assert plan.total_samples == sum(lengths)


def test_plan_is_printable_data():
    plan = make_chunk_plan(recording(durations=[2.0]), chunk_size=100)
    text = repr(plan)
    assert text.startswith("ChunkPlan: 20 chunks of 100 samples (0.1 s, 800 B) over 1 segment")
    assert "(0, 0, 100)" in text and "(0, 1900, 2000)" in text and "..." in text
    assert plan[3] == (0, 300, 400) and plan[-1] == (0, 1900, 2000)
    assert plan[1:3] == [(0, 100, 200), (0, 200, 300)]
    assert all(type(v) is int for v in plan[0])
    assert plan.chunks.shape == (20, 3) and not plan.chunks.flags.writeable
    assert plan == ChunkPlan(plan.chunks, 100, 1000.0, 8)
    assert plan.chunk_bytes == 800 and plan.chunk_nbytes(19) == 800


def test_long_recording_plan_is_cheap():
    rec = le.generate_recording(num_channels=384, durations=[24 * 3600.0], set_probe=False)
    plan = make_chunk_plan(rec, chunk_duration="1s")
    assert len(plan) == 86400 and plan.chunks.nbytes == 86400 * 24
