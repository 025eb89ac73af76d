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
``fork``, 0.2-0.3 s with ``spawn``, and with ``forkserver`` 0.3 s for the first pool of a
process (the server starts) and 0.1 s for later ones (the server preloads lazyephys). That is
small against any job worth parallelising, so pools are not kept alive between jobs: every
job starts clean workers, and a crashed one never poisons the next job. ``mp_context=None``
therefore picks ``fork`` on Linux when the calling process runs no other thread, because a
fork is only unsafe when another thread may hold a lock at that moment; when other threads
run (a dask client, zarr's event loop, a GUI) it picks ``forkserver`` (the default of Python
3.14 on Linux). Other platforms use ``spawn``, their own default. ``spawn`` and
``forkserver`` import the main script in each worker: scripts must keep their top-level code
under ``if __name__ == "__main__":``, and the error says so when they do not.

Errors
------
The first failing chunk cancels what is queued, shuts the pool down and raises
:class:`~lazyephys.errors.JobChunkError` naming the chunk, the original exception
chained. A dead worker raises :class:`~lazyephys.errors.JobWorkerDiedError` saying
which chunk it ran and what to change. Ctrl-C terminates the workers at once.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.validation import resolve_frame_range, resolve_segment_index
from ..errors import InvalidJobKwargsError, JobChunkError, JobInitError, MainGuardError
from ..recording.margins import get_traces_with_margin
from .backend_dask import run_dask
from .backend_process import run_process_pool
from .backend_thread import run_thread_pool
from .job import (
    MAIN_GUARD_EXPLANATION,
    JobSpec,
    Progress,
    close_worker_state,
    describe_chunk,
)
from .job_kwargs import fix_job_kwargs
from .plan import ChunkPlan, plan_from_job_kwargs

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = [
    "run_chunked_job",
    "read_chunk_with_margin",
    "close_worker_state",
    "default_mp_context",
    "check_not_bootstrapping",
]


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
        :func:`lazyephys.recording.margins.get_traces_with_margin`).

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


# ---------------------------------------------------------------- serial
def _run_serial(recording: Recording, plan: ChunkPlan, spec: JobSpec, job_name: str,
                progress: Progress) -> list[Any]:
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
                    f"{describe_chunk(job_name, chunk)}: {type(exc).__name__}: {exc}",
                    job_name, *chunk,
                ) from exc
            progress.done(index)
    finally:
        close_worker_state(state)
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
    spec = JobSpec(init_func, dict(init_args), run_func, fixed["max_threads_per_worker"])
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
    progress = Progress(plan, fixed["progress_bar"], job_name)
    try:
        if len(plan) == 0:
            results: list[Any] = []
        elif engine == "serial":
            results = _run_serial(recording, plan, spec, job_name, progress)
        elif engine == "process":
            results = run_process_pool(recording, plan, spec, job_name, n_workers,
                                        str(context), progress)
        elif engine == "thread":
            results = run_thread_pool(recording, plan, spec, job_name, n_workers, progress)
        else:
            results = run_dask(recording, plan, spec, job_name, fixed["n_jobs"],
                                fixed.get("client"), progress)
    finally:
        progress.close()
    if verbose:
        elapsed = time.perf_counter() - started
        size = plan.total_samples * plan.frame_bytes
        rate = size / elapsed / 1e6 if elapsed > 0 else float("inf")
        print(f"{job_name or 'job'}: done in {elapsed:.2f} s ({rate:.0f} MB/s of traces)")
    return gather_func(results) if gather_func is not None else results
