"""run_chunked_job on every local backend: results, worker state, errors, margins."""

import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le
from lazyephys.jobs import (
    InvalidJobKwargsError,
    JobChunkError,
    JobInitError,
    JobWorkerDiedError,
    read_chunk_with_margin,
    run_chunked_job,
)
from lazyephys.jobs.executor import close_worker_state, default_mp_context

from . import jobs_helpers as helpers

BACKENDS = {
    "serial": {"n_jobs": 1},
    "thread": {"n_jobs": 2, "pool_engine": "thread"},
    "fork": {"n_jobs": 2, "mp_context": "fork"},
    "spawn": {"n_jobs": 2, "mp_context": "spawn"},
    "forkserver": {"n_jobs": 2, "mp_context": "forkserver"},
}


@pytest.fixture(scope="module")
def recording():
    return le.generate_recording(num_channels=3, durations=[0.5, 0.2], sampling_frequency=10000.0,
                                 dtype="int16", seed=7, set_probe=False)


def markers(folder, prefix):
    return sorted(p.name[len(prefix) + 1:] for p in Path(folder).glob(f"{prefix}-*"))


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_results_in_plan_order_and_state_once_per_worker(recording, backend, tmp_path):
    kwargs = BACKENDS[backend]
    results = run_chunked_job(recording, helpers.init_marker, {"folder": str(tmp_path)},
                              helpers.run_sum, chunk_size=300, **kwargs)
    plan = le.make_chunk_plan(recording, chunk_size=300)
    assert [r[:3] for r in results] == list(plan)
    for seg, start, end, total, _ in results:
        expected = recording.get_traces(seg, start, end).astype(np.float64).sum()
        assert total == expected
    inits, closes = markers(tmp_path, "init"), markers(tmp_path, "close")
    assert 1 <= len(inits) <= kwargs["n_jobs"]
    assert closes == inits  # every state built was closed
    if backend in ("fork", "spawn", "forkserver"):
        assert len(inits) == len({r[4] for r in results})  # one state per worker process


def test_gather_runs_in_the_caller_with_results_in_order(recording, tmp_path):
    total = run_chunked_job(recording, helpers.init_marker, {"folder": str(tmp_path)},
                            helpers.run_sum, helpers.gather_total, chunk_size=1000, n_jobs=2,
                            mp_context="fork")
    expected = sum(recording.get_traces(s).astype(np.float64).sum() for s in range(2))
    assert total == expected
    seen = []
    run_chunked_job(recording, helpers.init_dict, {}, helpers.run_maybe_fail, seen.extend,
                    chunk_size=700, n_jobs=2, pool_engine="thread")
    assert seen == [0, 700, 1400, 2100, 2800, 3500, 4200, 4900, 0, 700, 1400]


def test_in_memory_recording_is_pickled_to_spawn_workers(tmp_path):
    traces = np.arange(600, dtype="float32").reshape(200, 3)
    rec = le.NumpyRecording([traces], 1000.0)
    assert rec.is_in_memory()
    results = run_chunked_job(rec, helpers.init_marker, {"folder": str(tmp_path)},
                              helpers.run_sum, chunk_size=50, n_jobs=2, mp_context="spawn")
    assert [r[3] for r in results] == [float(traces[i:i + 50].sum()) for i in range(0, 200, 50)]


def test_unregistered_recording_runs_on_fork_and_threads(tmp_path):
    rec = helpers.RampRecording(num_samples=500)
    for kwargs in ({"mp_context": "fork"}, {"pool_engine": "thread"}):
        results = run_chunked_job(rec, helpers.init_marker, {"folder": str(tmp_path)},
                                  helpers.run_sum, chunk_size=100, n_jobs=2, **kwargs)
        assert sum(r[3] for r in results) == rec.get_traces().astype(np.float64).sum()


@pytest.mark.parametrize("backend", ["serial", "thread", "fork", "spawn"])
def test_failing_chunk_names_it_and_cancels_the_rest(recording, backend, tmp_path):
    fail_start = 5 * 20
    with pytest.raises(JobChunkError) as info:
        run_chunked_job(recording, helpers.init_dict,
                        {"fail_start": fail_start, "folder": str(tmp_path)},
                        helpers.run_maybe_fail, chunk_size=20, job_name="demo",
                        **BACKENDS[backend])
    error = info.value
    assert (error.segment_index, error.start_frame, error.end_frame) == (0, 100, 120)
    assert error.job_name == "demo"
    assert "job 'demo' failed on chunk (segment 0, frames 100-120)" in str(error)
    assert "planned failure at frame 100" in str(error)
    assert isinstance(error.__cause__, ValueError)
    ran = len(list(tmp_path.glob("ran-*")))
    assert ran < 50  # of 350 chunks: the queue was cancelled


@pytest.mark.parametrize("backend", ["serial", "thread", "fork"])
def test_failing_init_raises_job_init_error(recording, backend):
    with pytest.raises(JobInitError, match="cannot open the output") as info:
        run_chunked_job(recording, helpers.init_raise, {}, helpers.run_maybe_fail,
                        chunk_size=1000, **BACKENDS[backend])
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_killed_worker_says_so_and_what_to_change(recording, context):
    with pytest.raises(JobWorkerDiedError) as info:
        run_chunked_job(recording, helpers.init_dict, {"kill_start": 300},
                        helpers.run_maybe_fail, chunk_size=100, n_jobs=2, mp_context=context,
                        job_name="killer")
    message = str(info.value)
    assert "killed by SIGKILL" in message
    assert "chunk (segment 0, frames 300-400)" in message
    assert "chunk_memory" in message and "n_jobs (now 2)" in message
    assert isinstance(info.value, BrokenProcessPool)


def test_unpicklable_functions_under_spawn_are_explained(recording):
    with pytest.raises(TypeError, match="picklable"):
        run_chunked_job(recording, lambda rec: None, {}, helpers.run_maybe_fail,
                        n_jobs=2, mp_context="spawn")


def test_max_threads_per_worker_limits_blas_in_workers(recording):
    results = run_chunked_job(recording, helpers.init_dict, {}, blas_threads,
                              chunk_size=2000, n_jobs=2, mp_context="fork",
                              max_threads_per_worker=1)
    assert all(r <= 1 for r in results)


def blas_threads(segment_index, start, end, state):
    from threadpoolctl import threadpool_info

    return max([lib["num_threads"] for lib in threadpool_info()] or [1])


def test_empty_plan_returns_gather_of_nothing():
    rec = le.NumpyRecording([np.zeros((0, 2), "int16")], 1000.0)
    assert run_chunked_job(rec, helpers.init_raise, {}, helpers.run_maybe_fail, len,
                           n_jobs=2) == 0


def test_verbose_and_progress_bar(recording, capsys):
    run_chunked_job(recording, helpers.init_dict, {}, helpers.run_maybe_fail, chunk_size=1000,
                    margin=16, grid=500, n_jobs=2, pool_engine="thread", verbose=True,
                    progress_bar=True, job_name="show")
    captured = capsys.readouterr()
    assert "show: ChunkPlan: 7 chunks of 1000 samples" in captured.out
    assert "margin 16 samples" in captured.out and "thread pool of 2 threads" in captured.out
    assert "show: done in" in captured.out
    assert "show (7 chunks)" in captured.err and "100%" in captured.err


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_margin(recording, bad):
    with pytest.raises(InvalidJobKwargsError, match="margin"):
        run_chunked_job(recording, helpers.init_dict, {}, helpers.run_maybe_fail, margin=bad)


def test_unknown_job_kwarg_is_rejected(recording):
    with pytest.raises(TypeError, match="'n_worker'"):
        run_chunked_job(recording, helpers.init_dict, {}, helpers.run_maybe_fail, n_worker=2)


def test_read_chunk_with_margin_matches_numpy(recording):
    full = recording.get_traces(0)
    traces, left, right = read_chunk_with_margin(recording, 0, 1000, 2000, 50)
    np.testing.assert_array_equal(traces, full[950:2050])
    assert (left, right) == (50, 50)
    traces, left, right = read_chunk_with_margin(recording, 0, 0, 100, 50)
    np.testing.assert_array_equal(traces, full[0:150])
    assert (left, right) == (0, 50)
    traces, left, right = read_chunk_with_margin(recording, 0, 4900, 5000, 50, padding="zeros")
    assert (left, right) == (50, 50) and traces.shape == (200, 3)
    np.testing.assert_array_equal(traces[:150], full[4850:5000])
    assert not traces[150:].any()
    traces, _, _ = read_chunk_with_margin(recording, 1, 10, 20, 5, channel_ids=["2", "0"])
    np.testing.assert_array_equal(traces, recording.get_traces(1)[5:25][:, [2, 0]])
    with pytest.raises(ValueError, match="margin"):
        read_chunk_with_margin(recording, 0, 0, 10, -1)
    with pytest.raises(IndexError):
        read_chunk_with_margin(recording, 0, 0, 10**9, 1)


def test_close_worker_state_forms():
    calls = []

    class WithClose:
        def close(self):
            calls.append("object")

    close_worker_state(WithClose())
    close_worker_state({"close": lambda: calls.append("dict")})
    close_worker_state({"close": "not callable"})
    close_worker_state(None)
    assert calls == ["object", "dict"]


def test_default_mp_context_avoids_fork_with_threads():
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("the fork/forkserver choice is made on Linux")
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if not others:
        assert default_mp_context() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert default_mp_context() == "forkserver"
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("backend", ["serial", "thread"])
def test_a_none_state_is_built_once_per_worker(recording, backend):
    helpers.INIT_CALLS.clear()
    results = run_chunked_job(recording, helpers.init_none, {}, helpers.run_start,
                              chunk_size=100, **BACKENDS[backend])
    assert len(results) == 70
    assert 1 <= len(helpers.INIT_CALLS) <= BACKENDS[backend]["n_jobs"]
