"""The default backend (joblib's loky reusable pool) and the backend registry, in-process."""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le
from lazyephys.errors import (
    InvalidJobKwargsError,
    JobChunkError,
    JobCloseError,
    JobInitError,
    JobTransferError,
    JobWorkerDiedError,
)
from lazyephys.jobs import run_chunked_job
from lazyephys.jobs.backends import (
    get_backend,
    register_backend,
    registered_backends,
    unregister_backend,
)
from lazyephys.jobs.backends.loky import shutdown_pool, start_workers
from lazyephys.jobs.executor import backend_name

from . import jobs_helpers as helpers

LOKY = {"n_jobs": 2}  # no mp_context: the default backend


@pytest.fixture(scope="module")
def recording():
    return le.generate_recording(num_channels=3, durations=[0.5, 0.2], sampling_frequency=10000.0,
                                 dtype="int16", seed=7, set_probe=False)


@pytest.fixture
def warm():
    """Workers up and answering, so that no chunk runs in this process."""
    return start_workers(2)


def tokens(folder, prefix):
    # MarkerState files are named <prefix>-<pid>-<random>
    return sorted(p.name[len(prefix) + 1:] for p in Path(folder).glob(f"{prefix}-*"))


def test_default_is_loky_and_spelled_out_names_choose_their_backend():
    assert backend_name(le.fix_job_kwargs({"n_jobs": 2}), 2) == "loky"
    assert backend_name(le.fix_job_kwargs({"n_jobs": 2, "pool_engine": "loky"}), 2) == "loky"
    for context in ("fork", "spawn", "forkserver"):
        fixed = le.fix_job_kwargs({"n_jobs": 2, "mp_context": context})
        assert backend_name(fixed, 2) == "process"
    assert backend_name(le.fix_job_kwargs({"pool_engine": "thread"}), 2) == "thread"
    assert backend_name(le.fix_job_kwargs({"n_jobs": 2}), 1) == "serial"
    assert backend_name(le.fix_job_kwargs({"pool_engine": "dask"}), 1) == "dask"


def test_loky_with_a_start_method_is_refused_naming_both():
    with pytest.raises(InvalidJobKwargsError, match="mp_context='spawn'.*pool_engine='loky'"):
        le.fix_job_kwargs({"pool_engine": "loky", "mp_context": "spawn"})
    with pytest.raises(InvalidJobKwargsError, match="'lokky'"):
        le.fix_job_kwargs({"pool_engine": "lokky"})


def test_global_job_kwargs_accept_every_engine():
    try:
        for engine in ("process", "loky", "thread", "dask", "serial"):
            le.set_global_job_kwargs(pool_engine=engine)
            assert le.get_global_job_kwargs()["pool_engine"] == engine
        with pytest.raises(InvalidJobKwargsError, match="'gpu'"):
            le.set_global_job_kwargs(pool_engine="gpu")
    finally:
        le.reset_global_job_kwargs()


def test_results_match_numpy_and_states_are_built_once_per_job_per_worker(recording, tmp_path,
                                                                           warm):
    pids_per_job = []
    for job in range(2):
        folder = tmp_path / f"job{job}"
        folder.mkdir()
        results = run_chunked_job(recording, helpers.init_marker, {"folder": str(folder)},
                                  helpers.run_sum, chunk_size=300, **LOKY)
        assert [r[:3] for r in results] == list(le.make_chunk_plan(recording, chunk_size=300))
        for seg, start, end, total, _ in results:
            assert total == recording.get_traces(seg, start, end).astype(np.float64).sum()
        inits = tokens(folder, "init")
        worker_pids = {token.split("-")[0] for token in inits}
        # one state per worker that ran chunks, each closed when the job returned
        assert len(inits) == len(worker_pids) == len({r[4] for r in results})
        assert tokens(folder, "close") == inits
        pids_per_job.append({r[4] for r in results})
    # both jobs ran in the same warm workers, never in this process
    assert pids_per_job[0] & pids_per_job[1]
    assert os.getpid() not in pids_per_job[0] | pids_per_job[1]
    assert pids_per_job[0] | pids_per_job[1] <= set(warm)


def test_a_warm_pool_starts_the_next_job_within_50_ms(warm):
    rec = le.NumpyRecording([np.zeros((2000, 2), "int16")], 1000.0)
    delays = []
    for _ in range(3):  # the best of three: the machine may be busy
        called = time.time()
        starts = run_chunked_job(rec, helpers.init_dict, {}, helpers.run_started,
                                 chunk_size=1000, **LOKY)
        assert {pid for _, pid in starts} <= set(warm)  # in the workers
        delays.append(min(start for start, _ in starts) - called)
    assert min(delays) < 0.05, delays


def test_a_failing_chunk_names_it_and_leaves_the_pool_warm(recording, tmp_path, warm):
    with pytest.raises(JobChunkError) as info:
        run_chunked_job(recording, helpers.init_dict,
                        {"fail_start": 100, "folder": str(tmp_path)}, helpers.run_maybe_fail,
                        chunk_size=20, job_name="demo", **LOKY)
    error = info.value
    assert (error.segment_index, error.start_frame, error.end_frame) == (0, 100, 120)
    assert "job 'demo' failed on chunk (segment 0, frames 100-120)" in str(error)
    assert "planned failure at frame 100" in str(error)
    assert len(list(tmp_path.glob("ran-*"))) < 50  # of 350 chunks: the queue was cancelled
    after = {pid for _, pid in run_chunked_job(recording, helpers.init_dict, {},
                                               helpers.run_started, chunk_size=2000, **LOKY)}
    assert after <= set(warm)


def test_a_failing_init_is_a_job_init_error_and_the_pool_stays_usable(recording, warm):
    with pytest.raises(JobInitError, match="cannot open the output"):
        run_chunked_job(recording, helpers.init_raise, {}, helpers.run_maybe_fail,
                        chunk_size=1000, **LOKY)
    assert len(run_chunked_job(recording, helpers.init_dict, {}, helpers.run_start,
                               chunk_size=1000, **LOKY)) == 7


def test_a_failing_close_is_reported(recording, warm):
    with pytest.raises(JobCloseError, match="the disk is full"):
        run_chunked_job(recording, helpers.init_failing_close, {}, helpers.run_start,
                        chunk_size=1000, job_name="closer", **LOKY)


def test_what_cannot_be_pickled_is_named(recording):
    with pytest.raises(JobTransferError, match=r"init_args\['lock'\].*cannot be pickled"):
        run_chunked_job(recording, helpers.init_dict, {"folder": None, "lock": threading.Lock()},
                        helpers.run_start, **LOKY)


def test_lambdas_and_closures_travel_by_value(recording, warm):
    offset = 5
    results = run_chunked_job(recording, lambda rec: offset,
                              {}, lambda seg, start, end, state: start + state,
                              chunk_size=1000, **LOKY)
    assert results == [start + 5 for _, start, _ in le.make_chunk_plan(recording,
                                                                       chunk_size=1000)]


def test_a_large_in_memory_recording_reaches_every_worker(tmp_path, warm):
    traces = np.random.default_rng(0).normal(size=(100_000, 4)).astype("float32")  # 1.6 MB
    rec = le.NumpyRecording([traces], 1000.0)
    results = run_chunked_job(rec, helpers.init_marker, {"folder": str(tmp_path)},
                              helpers.run_sum, chunk_size=25_000, **LOKY)
    expected = [traces[i:i + 25_000].astype(np.float64).sum() for i in range(0, 100_000, 25_000)]
    assert [r[3] for r in results] == expected


@pytest.mark.parametrize("init_args", [(1, 2), [1]])
def test_init_args_as_a_tuple_says_a_dict_is_expected_and_why(recording, init_args):
    with pytest.raises(TypeError, match=r"init_args must be a dict.*recording, \*\*init_args"):
        run_chunked_job(recording, helpers.init_dict, init_args, helpers.run_start, n_jobs=1)


def test_max_threads_per_worker_limits_blas_in_loky_workers(recording, warm):
    results = run_chunked_job(recording, helpers.init_dict, {}, helpers.run_blas_threads,
                              chunk_size=2000, max_threads_per_worker=1, **LOKY)
    assert all(r <= 1 for r in results)


@pytest.mark.parametrize("kwargs", [{"n_jobs": 1}, LOKY, {"n_jobs": 2, "pool_engine": "thread"}])
def test_a_sorting_is_walked_like_a_recording(kwargs):
    sorting = le.generate_sorting(num_units=4, durations=[2.0, 1.0], firing_rates=20.0, seed=3)
    counts = run_chunked_job(sorting, helpers.init_sorting, {}, helpers.run_count_spikes,
                             chunk_duration="0.5s", **kwargs)
    vectors = sorting.to_spike_vector(concatenated=False)
    expected = []
    for seg, start, end in le.make_chunk_plan(sorting, chunk_duration="0.5s"):
        frames = vectors[seg]["sample_index"]
        expected.append(int(((frames >= start) & (frames < end)).sum()))
    assert counts == expected and sum(counts) == sum(v.size for v in vectors)


# ----------------------------------------------------------------- registry
class ReversedSerial:
    """Runs the chunks last to first in the caller (results still come in plan order)."""

    name = "reversed_serial"
    serial_when_single = True

    def describe(self, job):
        return "in-process, last chunk first"

    def run(self, job):
        state = job.build_state_here()
        results = [None] * len(job.plan)
        for index in reversed(range(len(job.plan))):
            results[index] = job.spec.run_func(*job.plan[index], state)
            job.progress.done(index)
        return results


def test_a_registered_backend_is_a_pool_engine(recording, capsys):
    order = []
    register_backend(ReversedSerial())
    try:
        assert "reversed_serial" in registered_backends()
        results = run_chunked_job(recording, helpers.init_dict, {},
                                  lambda seg, start, end, state: order.append(start) or start,
                                  chunk_size=1000, n_jobs=2, pool_engine="reversed_serial",
                                  verbose=True)
        plan = list(le.make_chunk_plan(recording, chunk_size=1000))
        assert results == [start for _, start, _ in plan]
        assert order == [start for _, start, _ in reversed(plan)]
        assert "in-process, last chunk first" in capsys.readouterr().out
        with pytest.raises(ValueError, match="already registered"):
            register_backend(ReversedSerial())
    finally:
        unregister_backend("reversed_serial")
    assert "reversed_serial" not in registered_backends()
    with pytest.raises(InvalidJobKwargsError, match="'reversed_serial'"):
        run_chunked_job(recording, helpers.init_dict, {}, helpers.run_start,
                        pool_engine="reversed_serial")


def test_the_registry_refuses_what_is_not_a_backend():
    with pytest.raises(TypeError, match="run\\(job\\)"):
        register_backend(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already registered"):
        register_backend(get_backend("thread"))
    with pytest.raises(InvalidJobKwargsError, match="'serial', 'loky'.*got 'nope'"):
        get_backend("nope")


HELPER_MODULE = '''
def init_func(recording):
    return None


def run_func(segment_index, start, end, state):
    return start
'''


def test_a_function_workers_cannot_import_is_named_with_the_cause(recording, tmp_path, warm):
    import importlib.util
    import sys

    # importable here (loaded by path), not in a fresh interpreter: not on sys.path
    (tmp_path / "made_here.py").write_text(HELPER_MODULE)
    spec = importlib.util.spec_from_file_location("lazyephys_test_made_here",
                                                  tmp_path / "made_here.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        with pytest.raises(JobTransferError) as info:
            run_chunked_job(recording, module.init_func, {}, module.run_func, chunk_size=1000,
                            **LOKY)
    finally:
        del sys.modules[spec.name]
    message = str(info.value)
    assert "could not load init_func lazyephys_test_made_here.init_func" in message
    assert "No module named 'lazyephys_test_made_here'" in message
    # the pool is still usable
    assert len(run_chunked_job(recording, helpers.init_dict, {}, helpers.run_start,
                               chunk_size=1000, **LOKY)) == 7


# ------------------------------------------ last: these replace the pool
def test_a_killed_worker_is_reported_with_its_chunk_and_replaced(recording, warm):
    with pytest.raises(JobWorkerDiedError) as info:
        run_chunked_job(recording, helpers.init_dict, {"kill_start": 300},
                        helpers.run_maybe_fail, chunk_size=100, job_name="killer", **LOKY)
    message = str(info.value)
    assert "killed by SIGKILL" in message
    assert "chunk (segment 0, frames 300-400)" in message
    assert "chunk_memory" in message and "n_jobs (now 2)" in message
    # the next job gets a working pool
    assert len(run_chunked_job(recording, helpers.init_dict, {}, helpers.run_start,
                               chunk_size=1000, **LOKY)) == 7


def test_a_cold_pool_runs_the_first_chunks_in_the_caller_meanwhile(recording, tmp_path):
    shutdown_pool()
    results = run_chunked_job(recording, helpers.init_marker, {"folder": str(tmp_path)},
                              helpers.run_sum, chunk_size=300, **LOKY)
    for seg, start, end, total, _ in results:
        assert total == recording.get_traces(seg, start, end).astype(np.float64).sum()
    assert results[0][4] == os.getpid()  # workers take far longer to start than one chunk
    assert tokens(tmp_path, "close") == tokens(tmp_path, "init")


def loky_children():
    import psutil

    return [child for child in psutil.Process().children()
            if "LokyProcess" in " ".join(child.cmdline())]


def test_a_small_job_without_a_warm_pool_runs_in_the_caller_and_starts_no_worker(recording):
    shutdown_pool()
    assert loky_children() == []
    results = run_chunked_job(recording, helpers.init_dict, {}, helpers.run_started,
                              chunk_size=100, **LOKY)
    assert len(results) == 70 and {pid for _, pid in results} == {os.getpid()}
    assert loky_children() == []  # starting workers would have cost more than the job


def test_a_slow_first_chunk_alone_does_not_start_workers(recording):
    from lazyephys.jobs.backends import loky

    shutdown_pool()
    # projected from the first chunk, the job would take 69 x 0.3 s: the chunks after it,
    # which take nothing, predict the rest
    assert 0.3 < loky.START_AFTER < 69 * 0.3
    results = run_chunked_job(recording, helpers.init_none, {}, helpers.run_slow_first,
                              chunk_size=100, **LOKY)
    assert len(results) == 70 and set(results) == {os.getpid()}
    assert loky_children() == []


def test_a_long_job_starts_workers_which_take_over_after_the_callers_chunk():
    from lazyephys.jobs.backends import loky

    shutdown_pool()
    # 100 chunks of 50 ms: 5 s of work, well above the threshold
    assert 99 * 0.05 > loky.START_AFTER
    rec = le.NumpyRecording([np.zeros((10_000, 1), "int16")], 1000.0)
    results = run_chunked_job(rec, helpers.init_none, {}, helpers.run_timed_sleep,
                              chunk_size=100, **LOKY)
    here = [r for r in results if r[0] == os.getpid()]
    there = [r for r in results if r[0] != os.getpid()]
    assert here and there, "the caller ran the first chunks and workers the rest"
    assert results[: len(here)] == here  # the caller's chunks are the first ones
    # no worker chunk began before the caller's last one ended: never n_jobs + 1 at once
    assert min(began for _, began, _ in there) >= max(ended for _, _, ended in here)
    assert set(loky_children()) and {r[0] for r in there} <= {p.pid for p in loky_children()}


def test_idle_workers_exit_after_the_idle_timeout(monkeypatch):
    import psutil

    from lazyephys.jobs.backends import loky

    shutdown_pool()
    monkeypatch.setattr(loky, "IDLE_TIMEOUT", 1.0)
    workers = [psutil.Process(pid) for pid in start_workers(2)]
    deadline = time.monotonic() + 30
    while any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
        assert time.monotonic() < deadline, "idle workers still running"
        time.sleep(0.2)
    shutdown_pool()
