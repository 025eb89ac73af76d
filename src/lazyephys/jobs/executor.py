"""The chunked job executor: one engine for every job that walks a recording chunk by chunk.

A job is three functions:

- ``init_func(recording, **init_args) -> state``, run once per worker, in the worker (open
  output files there);
- ``run_func(segment_index, start_frame, end_frame, state) -> small result``, run per chunk in
  a worker; it writes its output itself, so large arrays never travel back;
- ``gather_func(results)``, optional, run in the caller with the results in plan order.

If a state has a ``close()`` method (or is a dict with a callable under ``"close"``), it is
called when the worker finishes, on success and on failure.

Backends
--------
``n_jobs=1``
    In-process, for debugging and small data.
``pool_engine="process"``
    :class:`concurrent.futures.ProcessPoolExecutor` with an explicit multiprocessing context
    (the global start method is never changed). The recording reaches each worker once: with
    ``fork`` it is inherited; with ``spawn``/``forkserver`` as its ``to_dict()`` description
    (rebuilt in the worker) or, for in-memory recordings, pickled.
``pool_engine="thread"``
    :class:`concurrent.futures.ThreadPoolExecutor`; one state per thread.
``pool_engine="dask"``
    ``dask.distributed``: the ``client`` job kwarg, else the current default client, else a
    temporary local cluster of ``n_jobs`` processes. The job description is scattered to every
    worker once; the state is built once per dask worker (shared by its threads) and closed
    when the job ends.

Start method
------------
Measured here (Linux, 2 workers, one trivial task each): a pool starts in 0.01 s with
``fork``, 0.2 s with ``forkserver`` and 0.2-0.3 s with ``spawn``. ``mp_context=None``
therefore picks ``fork`` on Linux when the calling process runs no other thread, because a
fork is only unsafe when another thread may hold a lock at that moment; when other threads
run (a dask client, zarr's event loop, a GUI) it picks ``forkserver`` (the default of Python
3.14 on Linux). Other platforms use ``spawn``, their own default. ``spawn`` and
``forkserver`` import the main script in each worker: scripts must keep their top-level code
under ``if __name__ == "__main__":``, and the error says so when they do not.

Errors
------
The first failing chunk cancels what is queued, shuts the pool down and raises
:class:`~lazyephys.jobs.errors.JobChunkError` naming the chunk, the original exception
chained. A dead worker raises :class:`~lazyephys.jobs.errors.JobWorkerDiedError` saying
which chunk it ran and what to change. Ctrl-C terminates the workers at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import pickle
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from ..core.margins import get_traces_with_margin
from ..core.validation import resolve_frame_range, resolve_segment_index
from .errors import (
    InvalidJobKwargsError,
    JobChunkError,
    JobInitError,
    JobWorkerDiedError,
    MainGuardError,
)
from .job_kwargs import fix_job_kwargs
from .plan import ChunkPlan, plan_from_job_kwargs

if TYPE_CHECKING:
    from ..core.recording import Recording

__all__ = [
    "run_chunked_job",
    "read_chunk_with_margin",
    "close_worker_state",
    "default_mp_context",
    "check_not_bootstrapping",
]

MAIN_GUARD_EXPLANATION = (
    "with mp_context='spawn' or 'forkserver' every worker process imports your main script; "
    "a job started at the top level of that script starts again in each worker. Put the "
    "script's top-level code under\n\n    if __name__ == \"__main__\":\n        ...\n\n"
    "or use mp_context='fork' (Linux) or n_jobs=1"
)


# ------------------------------------------------------------------ helpers
def check_not_bootstrapping() -> None:
    """Raise :class:`MainGuardError` when called while a spawned worker imports ``__main__``.

    That happens when a script without an ``if __name__ == "__main__":`` guard starts a
    process pool under ``spawn``/``forkserver``: the worker re-runs the script's top level.
    """
    from multiprocessing import spawn

    checker = getattr(spawn, "_check_not_importing_main", None)
    try:
        if checker is not None:
            checker()
        elif getattr(multiprocessing.current_process(), "_inheriting", False):
            raise RuntimeError("a new job was started while the process was bootstrapping")
    except RuntimeError as exc:
        raise MainGuardError(
            "a chunked job was started while a worker process was still importing the main "
            f"script: {MAIN_GUARD_EXPLANATION}"
        ) from exc


def default_mp_context() -> str:
    """The start method used when ``mp_context`` is None (see the module docstring)."""
    if sys.platform.startswith("linux"):
        others = [t for t in threading.enumerate() if t is not threading.current_thread()]
        return "forkserver" if others else "fork"
    return multiprocessing.get_start_method(allow_none=False)


def close_worker_state(state: Any) -> None:
    """Call a worker state's ``close()`` (or its ``"close"`` entry), if it has one."""
    if isinstance(state, dict):
        closer = state.get("close")
    else:
        closer = getattr(state, "close", None)
    if callable(closer):
        closer()


def read_chunk_with_margin(
    recording: Recording,
    segment_index: int,
    start_frame: int,
    end_frame: int,
    margin: int,
    channel_ids: Any = None,
    padding: str = "none",
) -> tuple[np.ndarray, int, int]:
    """Traces of a chunk with ``margin`` samples on each side (clipped to the segment).

    Parameters
    ----------
    recording : Recording
    segment_index, start_frame, end_frame : int
        The chunk, as the executor gives it to ``run_func``.
    margin : int
        Samples wanted before and after the chunk.
    channel_ids : list or None
        Channels to read; None reads all.
    padding : {"none", "zeros", "reflect"}
        What fills the part of a margin outside the segment (see
        :func:`lazyephys.core.margins.get_traces_with_margin`).

    Returns
    -------
    traces : numpy.ndarray
        (time, channel).
    left, right : int
        Samples of ``traces`` before ``start_frame`` and after ``end_frame``: the chunk itself
        is ``traces[left : len(traces) - right]``.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0])
    >>> traces, left, right = read_chunk_with_margin(rec, 0, 0, 100, 10)
    >>> traces.shape, left, right
    ((110, 2), 0, 10)
    """
    index = resolve_segment_index(segment_index, recording.get_num_segments())
    segment = recording._segments[index]
    start, end = resolve_frame_range(start_frame, end_frame, segment.num_samples)
    if isinstance(margin, bool) or int(margin) != margin or margin < 0:
        raise ValueError(f"margin must be an int >= 0 (samples), got {margin!r}")
    selector = recording._channel_selector(channel_ids)
    return get_traces_with_margin(segment, start, end, selector, int(margin), padding)


def _describe_chunk(job_name: str, chunk: tuple[int, int, int]) -> str:
    segment, start, end = chunk
    name = f"job {job_name!r}" if job_name else "the job"
    return f"{name} failed on chunk (segment {segment}, frames {start}-{end})"


# ----------------------------------------------------------------- the job
@dataclass
class _JobSpec:
    """What a worker needs to build its state and run chunks (sent once per worker)."""

    init_func: Callable[..., Any]
    init_args: dict[str, Any]
    run_func: Callable[[int, int, int, Any], Any]
    max_threads_per_worker: int | None


@dataclass
class _Payload:
    """The recording (as an object, a description or pickled bytes) and the job spec."""

    recording_form: str
    recording_data: Any
    spec: _JobSpec

    def rebuild_recording(self) -> Recording:
        if self.recording_form == "object":
            return self.recording_data  # type: ignore[no-any-return]
        if self.recording_form == "dict":
            from ..core.base import BaseExtractor

            return BaseExtractor.from_dict(self.recording_data)  # type: ignore[return-value]
        return pickle.loads(self.recording_data)  # type: ignore[no-any-return]

    def build_state(self) -> Any:
        recording = self.rebuild_recording()
        try:
            return self.spec.init_func(recording, **self.spec.init_args)
        except BaseException as exc:
            exc._lazyephys_in_init = True  # type: ignore[attr-defined]
            raise


def _make_payload(recording: Recording, spec: _JobSpec, inherit: bool) -> _Payload:
    if inherit:
        return _Payload("object", recording, spec)
    if recording.is_in_memory():
        return _Payload("pickle", pickle.dumps(recording, protocol=pickle.HIGHEST_PROTOCOL), spec)
    return _Payload("dict", recording.to_dict(), spec)


class _Progress:
    """A tqdm bar over the bytes of the chunks done, or nothing."""

    def __init__(self, plan: ChunkPlan, enabled: bool, job_name: str) -> None:
        self._plan = plan
        self._bar: Any = None
        if enabled:
            self._bar = _QuietTqdm(
                total=plan.total_samples * plan.frame_bytes, unit="B", unit_scale=True,
                unit_divisor=1000, desc=f"{job_name or 'job'} ({len(plan)} chunks)",
            )

    def done(self, index: int) -> None:
        if self._bar is not None:
            self._bar.update(self._plan.chunk_nbytes(index))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _QuietTqdm(tqdm):  # type: ignore[misc]
    # no monitor thread: a stray thread would make the next pool start with forkserver
    monitor_interval = 0


# ---------------------------------------------------------------- serial
def _run_serial(recording: Recording, plan: ChunkPlan, spec: _JobSpec, job_name: str,
                progress: _Progress) -> list[Any]:
    try:
        state = spec.init_func(recording, **spec.init_args)
    except Exception as exc:
        raise JobInitError(f"the init function of job {job_name!r} failed: {exc!r}") from exc
    results: list[Any] = []
    try:
        for index, chunk in enumerate(plan):
            try:
                results.append(spec.run_func(*chunk, state))
            except Exception as exc:
                raise JobChunkError(
                    f"{_describe_chunk(job_name, chunk)}: {type(exc).__name__}: {exc}",
                    job_name, *chunk,
                ) from exc
            progress.done(index)
    finally:
        close_worker_state(state)
    return results


# ---------------------------------------------------------- windowed pools
def _drive(
    plan: ChunkPlan,
    submit: Callable[[int], Future[Any]],
    window: int,
    progress: _Progress,
    on_error: Callable[[int, BaseException], BaseException],
) -> list[Any]:
    """Submit chunks keeping at most ``window`` in flight; results in plan order.

    Keeping the queue short bounds the caller's memory for any plan length and lets a
    failure cancel the rest at once.
    """
    results: list[Any] = [None] * len(plan)
    pending: dict[Future[Any], int] = {}
    next_index = 0
    try:
        while next_index < len(plan) or pending:
            while next_index < len(plan) and len(pending) < window:
                pending[submit(next_index)] = next_index
                next_index += 1
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                error = future.exception()
                if error is not None:
                    raise on_error(index, error) from error
                results[index] = future.result()
                progress.done(index)
    finally:
        for future in pending:
            future.cancel()
    return results


def _chunk_failure(plan: ChunkPlan, job_name: str, index: int, error: BaseException
                   ) -> BaseException:
    chunk = plan[index]
    if getattr(error, "_lazyephys_in_init", False):
        return JobInitError(
            f"the init function of job {job_name!r} failed in a worker: "
            f"{type(error).__name__}: {error}"
        )
    return JobChunkError(
        f"{_describe_chunk(job_name, chunk)}: {type(error).__name__}: {error}", job_name, *chunk
    )


# ----------------------------------------------------------- process pool
# One worker process runs one job: these module globals hold its payload and state.
_worker: dict[str, Any] = {}


def _process_initializer(payload: Any, slots: Any, slot_counter: Any) -> None:
    # Ctrl-C is handled by the caller, which terminates the workers; ignoring SIGINT here keeps
    # a terminal's Ctrl-C (sent to the whole process group) from printing a traceback per worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(payload, bytes):
        payload = pickle.loads(payload)
    with slot_counter.get_lock():
        slot = slot_counter.value
        slot_counter.value += 1
    if 2 * slot + 1 < len(slots):
        slots[2 * slot] = os.getpid()
        slots[2 * slot + 1] = -1
    else:
        slot = -1
    _worker.clear()
    _worker.update(payload=payload, slots=slots, slot=slot)
    threads = payload.spec.max_threads_per_worker
    if threads is not None:
        from threadpoolctl import threadpool_limits

        _worker["limiter"] = threadpool_limits(limits=threads)
    # Workers end with the pool at the end of the job; multiprocessing runs these finalizers
    # as a worker process exits, so the state's files are closed there.
    multiprocessing.util.Finalize(None, _close_process_state, exitpriority=100)


def _close_process_state() -> None:
    if "state" in _worker:
        state = _worker.pop("state")
        close_worker_state(state)


def _process_task(index: int, segment_index: int, start: int, end: int) -> Any:
    slots, slot = _worker["slots"], _worker["slot"]
    if slot >= 0:
        slots[2 * slot + 1] = index
    if "state" not in _worker:
        _worker["state"] = _worker["payload"].build_state()
    result = _worker["payload"].spec.run_func(segment_index, start, end, _worker["state"])
    if slot >= 0:
        slots[2 * slot + 1] = -1
    return result


def _signal_name(exitcode: int) -> str:
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


def _dead_worker_error(
    plan: ChunkPlan, job_name: str, context: str, n_workers: int,
    processes: dict[int, Any], slots: Any,
) -> JobWorkerDiedError:
    chunk_of = {int(slots[2 * i]): int(slots[2 * i + 1]) for i in range(len(slots) // 2)
                if slots[2 * i] > 0}
    # a broken pool terminates its other workers with SIGTERM: the first death is another one
    dead = sorted(
        ((pid, p.exitcode) for pid, p in processes.items() if p.exitcode not in (None, 0)),
        key=lambda item: item[1] == -signal.SIGTERM,
    )
    name = f"job {job_name!r}" if job_name else "the job"
    advice = (
        f"If the system ran out of memory, lower chunk_memory (or chunk_duration / "
        f"chunk_size; chunks are now {plan.chunk_size} samples, about "
        f"{plan.chunk_bytes / 1e6:.3g} MB of input each) or n_jobs (now {n_workers})."
    )
    if not dead:
        return JobWorkerDiedError(
            f"a worker process of {name} died abruptly (process pool broken). {advice}"
        )
    pid, code = dead[0]
    how = f"was killed by {_signal_name(code)}" if code < 0 else f"exited with code {code}"
    if pid not in chunk_of:
        if code > 0 and context in ("spawn", "forkserver"):
            return JobWorkerDiedError(
                f"a worker process of {name} {how} while starting, before running any chunk. "
                f"This usually means the main script is not guarded: {MAIN_GUARD_EXPLANATION}. "
                "The worker's own traceback is printed above."
            )
        return JobWorkerDiedError(
            f"a worker process of {name} {how} while starting, before running any chunk. "
            f"{advice}"
        )
    index = chunk_of[pid]
    where = ""
    if index >= 0:
        segment, start, end = plan[index]
        where = f" while running chunk (segment {segment}, frames {start}-{end})"
    if code == -signal.SIGKILL:
        cause = "This is most often the operating system stopping it when memory runs out."
    else:
        cause = "The worker died without raising a Python exception."
    return JobWorkerDiedError(f"worker process {pid} of {name} {how}{where}. {cause} {advice}")


def _run_process_pool(recording: Recording, plan: ChunkPlan, spec: _JobSpec, job_name: str,
                      n_workers: int, context_name: str, progress: _Progress) -> list[Any]:
    context = multiprocessing.get_context(context_name)
    inherit = context_name == "fork"
    payload = _make_payload(recording, spec, inherit)
    initial: Any = payload
    if not inherit:
        try:
            initial = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise TypeError(
                f"job {job_name!r} cannot be sent to {context_name} workers: init_func, "
                "run_func and init_args must be picklable (module-level functions, not "
                f"lambdas or closures); use mp_context='fork' or pool_engine='thread' ({exc})"
            ) from exc
    slots = context.Array("q", 2 * n_workers, lock=False)
    counter = context.Value("i", 0)
    executor = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context, initializer=_process_initializer,
        initargs=(initial, slots, counter),
    )
    processes: dict[int, Any] = {}

    def submit(index: int) -> Future[Any]:
        future = executor.submit(_process_task, index, *plan[index])
        # remember the worker processes: their exit codes explain a broken pool
        processes.update(getattr(executor, "_processes", None) or {})
        return future

    def on_error(index: int, error: BaseException) -> BaseException:
        if isinstance(error, BrokenProcessPool):
            with contextlib.suppress(Exception):
                executor.shutdown(wait=True, cancel_futures=True)
            return _dead_worker_error(plan, job_name, context_name, n_workers, processes, slots)
        return _chunk_failure(plan, job_name, index, error)

    try:
        results = _drive(plan, submit, 2 * n_workers, progress, on_error)
    except KeyboardInterrupt:
        _terminate(executor, processes)
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return results


def _terminate(executor: Executor, processes: dict[int, Any]) -> None:
    """Stop the worker processes now (Ctrl-C): their partial output is discarded anyway."""
    processes.update(getattr(executor, "_processes", None) or {})
    for process in processes.values():
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + 5.0
    for process in processes.values():
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()


# ------------------------------------------------------------- thread pool
def _run_thread_pool(recording: Recording, plan: ChunkPlan, spec: _JobSpec, job_name: str,
                     n_workers: int, progress: _Progress) -> list[Any]:
    local = threading.local()
    states: list[Any] = []
    lock = threading.Lock()

    def task(index: int) -> Any:
        state = getattr(local, "state", None)
        if state is None:
            try:
                state = spec.init_func(recording, **spec.init_args)
            except BaseException as exc:
                exc._lazyephys_in_init = True  # type: ignore[attr-defined]
                raise
            local.state = state
            with lock:
                states.append(state)
        return spec.run_func(*plan[index], state)

    executor = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="lazyephys-job")
    limits: Any = contextlib.nullcontext()
    if spec.max_threads_per_worker is not None:
        from threadpoolctl import threadpool_limits

        # threads share one process: the limit applies to the whole process during the job
        limits = threadpool_limits(limits=spec.max_threads_per_worker)
    try:
        with limits:
            return _drive(
                plan, lambda i: executor.submit(task, i), 2 * n_workers, progress,
                lambda i, e: _chunk_failure(plan, job_name, i, e),
            )
    finally:
        # running chunks finish (threads cannot be stopped) before any state is closed
        executor.shutdown(wait=True, cancel_futures=True)
        for state in states:
            close_worker_state(state)


# -------------------------------------------------------------------- dask
@dataclass
class _DaskJobState:
    state: Any
    limiter: Any
    active: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)


_dask_jobs: dict[str, _DaskJobState] = {}
_dask_finished: set[str] = set()
_dask_lock = threading.Lock()


def _dask_task(payload: _Payload, job_id: str, segment_index: int, start: int, end: int) -> Any:
    with _dask_lock:
        if job_id in _dask_finished:
            raise RuntimeError(f"job {job_id} has already ended on this worker")
        job = _dask_jobs.get(job_id)
        if job is None:
            # built once per dask worker process and shared by its threads
            limiter = None
            threads = payload.spec.max_threads_per_worker
            if threads is not None:
                from threadpoolctl import threadpool_limits

                limiter = threadpool_limits(limits=threads)
            try:
                state = payload.build_state()
            except BaseException:
                if limiter is not None:
                    limiter.restore_original_limits()
                raise
            job = _dask_jobs[job_id] = _DaskJobState(state, limiter)
        with job.condition:
            job.active += 1
    try:
        return payload.spec.run_func(segment_index, start, end, job.state)
    finally:
        with job.condition:
            job.active -= 1
            job.condition.notify_all()


def _dask_end_job(job_id: str, timeout: float = 60.0) -> None:
    """On a dask worker: wait for the job's running chunks, then close its state."""
    with _dask_lock:
        _dask_finished.add(job_id)
        job = _dask_jobs.pop(job_id, None)
    if job is None:
        return
    with job.condition:
        job.condition.wait_for(lambda: job.active == 0, timeout)
    try:
        close_worker_state(job.state)
    finally:
        if job.limiter is not None:
            job.limiter.restore_original_limits()


@contextlib.contextmanager
def _dask_client(client: Any, n_workers: int) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster, default_client

    try:
        yield default_client()
        return
    except ValueError:
        pass
    # no client anywhere: a temporary local cluster of n_jobs processes, for this job only
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as own:
        yield own


def _run_dask(recording: Recording, plan: ChunkPlan, spec: _JobSpec, job_name: str,
              n_workers: int, client: Any, progress: _Progress) -> list[Any]:
    from distributed import Future as DaskFuture
    from distributed import as_completed

    with _dask_client(client, n_workers) as client:
        job_id = f"{job_name or 'job'}-{uuid.uuid4().hex}"
        payload = _make_payload(recording, spec, inherit=False)
        scattered = client.scatter(payload, broadcast=True, hash=False)
        threads = sum(client.nthreads().values()) or 1
        window = 2 * threads
        results: list[Any] = [None] * len(plan)
        pending: dict[DaskFuture, int] = {}
        next_index = 0

        def submit(index: int) -> DaskFuture:
            return client.submit(_dask_task, scattered, job_id, *plan[index], pure=False,
                                 key=f"{job_id}-{index}")

        try:
            while next_index < len(plan) and len(pending) < window:
                pending[submit(next_index)] = next_index
                next_index += 1
            queue = as_completed(list(pending), loop=client.loop)
            for future in queue:
                index = pending.pop(future)
                if future.status == "error":
                    error = future.exception()
                    if type(error).__name__ == "KilledWorker":
                        raise JobWorkerDiedError(
                            f"dask workers running job {job_name!r} died repeatedly on chunk "
                            f"{plan[index]} ({error}). If they ran out of memory, lower "
                            f"chunk_memory (chunks are now about {plan.chunk_bytes / 1e6:.3g} "
                            "MB of input) or the threads per dask worker."
                        ) from error
                    raise _chunk_failure(plan, job_name, index, error) from error
                results[index] = future.result()
                progress.done(index)
                future.release()
                if next_index < len(plan):
                    new = submit(next_index)
                    pending[new] = next_index
                    next_index += 1
                    queue.add(new)
        finally:
            if pending:
                client.cancel(list(pending))
            with contextlib.suppress(Exception):
                client.run(_dask_end_job, job_id)
            with contextlib.suppress(Exception):
                client.cancel([scattered])
    return results


# ------------------------------------------------------------------ public
def run_chunked_job(
    recording: Recording,
    init_func: Callable[..., Any],
    init_args: dict[str, Any],
    run_func: Callable[[int, int, int, Any], Any],
    gather_func: Callable[[list[Any]], Any] | None = None,
    *,
    margin: int = 0,
    grid: int | None = None,
    job_name: str = "",
    **job_kwargs: Any,
) -> Any:
    """Run a job over a recording, chunk by chunk, in one process or many.

    Parameters
    ----------
    recording : Recording
        The recording to walk; it reaches each worker once.
    init_func : callable
        ``init_func(recording, **init_args) -> state``, run once per worker, in the worker.
        Open output files here. A state with ``close()`` (or a dict with a callable
        ``"close"``) is closed when the worker finishes, on success and on failure.
    init_args : dict
        Keyword arguments of ``init_func`` (picklable for process and dask backends).
    run_func : callable
        ``run_func(segment_index, start_frame, end_frame, state) -> result``, per chunk. It
        should write its output itself and return something small.
    gather_func : callable or None
        ``gather_func(results)`` with the results in plan order, in the caller; its return
        value is returned. Without it, the list of results is returned.
    margin : int
        Samples each chunk reads around itself. The run function reads them with
        :func:`read_chunk_with_margin`; the executor reports the margin in the plan.
    grid : int or None
        Chunk edges fall on multiples of ``grid`` samples (e.g. a zarr chunk length).
    job_name : str
        Shown in the progress bar, verbose output and errors.
    **job_kwargs
        See :mod:`lazyephys.jobs.job_kwargs`; globals fill in what is not given.

    Returns
    -------
    object
        ``gather_func(results)``, or the list of results.

    Raises
    ------
    JobChunkError
        A chunk failed (the original exception is chained); nothing else keeps running.
    JobInitError
        ``init_func`` failed.
    JobWorkerDiedError
        A worker process died (signal, out of memory, unguarded main script).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[2.0])
    >>> def init(recording):
    ...     return {"recording": recording}
    >>> def run(segment_index, start, end, state):
    ...     return float(state["recording"].get_traces(segment_index, start, end).sum())
    >>> sums = run_chunked_job(rec, init, {}, run, chunk_duration="1s", n_jobs=1)
    >>> len(sums)
    2
    """
    check_not_bootstrapping()
    fixed = fix_job_kwargs(job_kwargs)
    if isinstance(margin, bool) or int(margin) != margin or margin < 0:
        raise InvalidJobKwargsError(f"margin must be an int >= 0 (samples), got {margin!r}")
    plan = plan_from_job_kwargs(recording, fixed, grid)
    spec = _JobSpec(init_func, dict(init_args), run_func, fixed["max_threads_per_worker"])
    n_workers = max(1, min(fixed["n_jobs"], len(plan)))
    engine = fixed["pool_engine"]
    if engine != "dask" and n_workers == 1:
        engine = "serial"
    context = (fixed["mp_context"] or default_mp_context()) if engine == "process" else None
    verbose = fixed["verbose"]
    if verbose:
        backend = {
            "serial": "in-process",
            "process": f"process pool of {n_workers} workers ({context})",
            "thread": f"thread pool of {n_workers} threads",
            "dask": "dask.distributed",
        }[engine]
        extra = f", margin {int(margin)} samples" if margin else ""
        print(f"{job_name or 'job'}: {plan.summary()}{extra}; {backend}")
    started = time.perf_counter()
    progress = _Progress(plan, fixed["progress_bar"], job_name)
    try:
        if len(plan) == 0:
            results: list[Any] = []
        elif engine == "serial":
            results = _run_serial(recording, plan, spec, job_name, progress)
        elif engine == "process":
            results = _run_process_pool(recording, plan, spec, job_name, n_workers,
                                        str(context), progress)
        elif engine == "thread":
            results = _run_thread_pool(recording, plan, spec, job_name, n_workers, progress)
        else:
            results = _run_dask(recording, plan, spec, job_name, fixed["n_jobs"],
                                fixed.get("client"), progress)
    finally:
        progress.close()
    if verbose:
        elapsed = time.perf_counter() - started
        size = plan.total_samples * plan.frame_bytes
        rate = size / elapsed / 1e6 if elapsed > 0 else float("inf")
        print(f"{job_name or 'job'}: done in {elapsed:.2f} s ({rate:.0f} MB/s of traces)")
    return gather_func(results) if gather_func is not None else results
