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
Found by name in one registry (:mod:`lazyephys.jobs.backends`), each with one signature:

``n_jobs=1``
    ``serial``: in-process, for debugging and small data.
``mp_context=None`` (the default), ``pool_engine="process"`` or ``"loky"``
    ``loky``: joblib's reusable process pool. Workers start cleanly even when the caller runs
    threads, never re-run the caller's ``__main__``, receive functions defined in scripts and
    notebooks by value, and stay warm between jobs, so a second job starts in milliseconds.
    Without a warm pool a job runs in the caller and starts workers only once its projected
    work left exceeds ``START_AFTER`` (half a second): a small job is done before workers
    could start.
``mp_context="fork"|"spawn"|"forkserver"``
    ``process``: :class:`concurrent.futures.ProcessPoolExecutor` with exactly that start
    method, for one job (the global start method is never changed). ``spawn`` and
    ``forkserver`` import the main script in each worker: scripts keep their top-level code
    under ``if __name__ == "__main__":``, and the error says so when they do not.
``pool_engine="thread"``
    ``thread``: :class:`concurrent.futures.ThreadPoolExecutor`; one state per thread.
``pool_engine="dask"``
    ``dask``: ``dask.distributed``: the ``client`` job kwarg, else the current default
    client, else a temporary local cluster of ``n_jobs`` processes.

The object walked reaches each worker once per job: its provenance description (rebuilt in
the worker), or pickled when it holds its data in memory, or inherited under ``fork``.

Errors
------
The first failing chunk cancels what is queued and raises
:class:`~lazyephys.errors.JobChunkError` naming the chunk, the original exception
chained. A dead worker raises :class:`~lazyephys.errors.JobWorkerDiedError` saying
which chunk it ran and what to change; what cannot be sent to or loaded in a worker raises
:class:`~lazyephys.errors.JobTransferError` naming it. Ctrl-C stops the workers at once.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.validation import resolve_frame_range
from ..errors import InvalidJobKwargsError, MainGuardError
from ..recording.margins import get_traces_with_margin
from .backends.registry import get_backend
from .chunkable import Chunkable
from .job import MAIN_GUARD_EXPLANATION, Job, JobSpec, Progress, close_worker_state
from .job_kwargs import fix_job_kwargs
from .plan import plan_from_job_kwargs

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = [
    "run_chunked_job",
    "read_chunk_with_margin",
    "close_worker_state",
    "default_mp_context",
    "check_not_bootstrapping",
    "backend_name",
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
    """The start method of ``pool_engine="process"`` when forced without ``mp_context``.

    On Linux ``fork`` when the calling process runs no other thread, else ``forkserver``;
    elsewhere the platform's own default.
    """
    from .backends.process import default_mp_context as process_default

    return process_default()


def backend_name(job_kwargs: Mapping[str, Any], n_workers: int) -> str:
    """The registered backend that runs a job with these (fixed) job kwargs.

    ``pool_engine="process"`` means loky unless ``mp_context`` names a start method; one
    worker runs in-process unless the backend says otherwise (dask).

    Examples
    --------
    >>> backend_name({"pool_engine": "process", "mp_context": None}, 2)
    'loky'
    >>> backend_name({"pool_engine": "process", "mp_context": "spawn"}, 2)
    'process'
    >>> backend_name({"pool_engine": "thread", "mp_context": None}, 1)
    'serial'
    """
    name = str(job_kwargs.get("pool_engine", "process"))
    if name == "process" and job_kwargs.get("mp_context") is None:
        name = "loky"
    if n_workers == 1 and get_backend(name).serial_when_single:
        name = "serial"
    return name


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
    segment = recording.get_segment(segment_index)
    start, end = resolve_frame_range(start_frame, end_frame, segment.num_samples)
    if isinstance(margin, bool) or int(margin) != margin or margin < 0:
        raise ValueError(f"margin must be an int >= 0 (samples), got {margin!r}")
    selector = recording.channel_selector(channel_ids)
    return get_traces_with_margin(segment, start, end, selector, int(margin), padding)


# ------------------------------------------------------------------ public
def run_chunked_job(
    recording: Chunkable,
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
    recording : Recording or Sorting
        What to walk (anything :class:`~lazyephys.jobs.chunkable.Chunkable`); it reaches each
        worker once per job.
    init_func : callable
        ``init_func(recording, **init_args) -> state``, run once per worker, in the worker.
        Open output files here. A state with ``close()`` (or a dict with a callable
        ``"close"``) is closed when the worker finishes, on success and on failure.
    init_args : dict
        Keyword arguments of ``init_func`` (picklable for process and dask backends). A
        tuple (spikeinterface's positional convention) is refused with an explanation.
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
    JobTransferError
        A function, an argument or the walked object cannot be sent to or loaded in a worker.
    JobCloseError
        A worker state's ``close()`` failed at the job's end.

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
    if not isinstance(recording, Chunkable):
        raise TypeError(
            f"run_chunked_job walks a Recording or Sorting (anything Chunkable: segments, "
            f"samples, sampling frequency, frame bytes, a description), got "
            f"{type(recording).__name__}"
        )
    plan = plan_from_job_kwargs(recording, fixed, grid)
    spec = JobSpec(init_func, _checked_init_args(init_args, init_func), run_func,
                   fixed["max_threads_per_worker"])
    n_workers = max(1, min(fixed["n_jobs"], len(plan)))
    backend = get_backend(backend_name(fixed, n_workers))
    verbose = fixed["verbose"]
    started = time.perf_counter()
    progress = Progress(plan, fixed["progress_bar"], job_name)
    job = Job(recording, plan, spec, job_name, n_workers, fixed, progress)
    if verbose:
        extra = f", margin {int(margin)} samples" if margin else ""
        print(f"{job_name or 'job'}: {plan.summary()}{extra}; {backend.describe(job)}")
    try:
        results = backend.run(job) if len(plan) else []
    finally:
        progress.close()
    if verbose:
        elapsed = time.perf_counter() - started
        size = plan.total_samples * plan.frame_bytes
        rate = size / elapsed / 1e6 if elapsed > 0 else float("inf")
        print(f"{job_name or 'job'}: done in {elapsed:.2f} s ({rate:.0f} MB/s of traces)")
    return gather_func(results) if gather_func is not None else results


def _checked_init_args(init_args: Any, init_func: Callable[..., Any]) -> dict[str, Any]:
    """``init_args`` as a dict of keyword arguments, or an error saying why it must be one."""
    if isinstance(init_args, Mapping):
        bad = [key for key in init_args if not isinstance(key, str)]
        if bad:
            raise TypeError(f"init_args keys are argument names (str), got {bad[0]!r}")
        return dict(init_args)
    name = getattr(init_func, "__name__", repr(init_func))
    if isinstance(init_args, (tuple, list)):
        raise TypeError(
            f"init_args must be a dict of keyword arguments, got a {type(init_args).__name__} "
            f"of {len(init_args)} values. The executor builds each worker's state as "
            f"{name}(recording, **init_args): it sends the recording to every worker itself "
            "(once, as its description) and passes it first, so the arguments are named, not "
            "positional with the recording among them as in spikeinterface's "
            "ChunkRecordingExecutor. Write init_args={'name': value, ...}."
        )
    raise TypeError(
        f"init_args must be a dict of keyword arguments for {name}(recording, **init_args), "
        f"got {type(init_args).__name__}"
    )
