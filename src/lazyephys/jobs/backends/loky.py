"""The loky backend (the default): joblib's reusable process pool, warm between jobs.

Why loky
--------
Its workers are started cleanly (a fresh interpreter, never a fork of a parent that may run
threads — zarr 3 always does), never import the caller's ``__main__``, and receive functions
defined in a script, a notebook or ``python -c`` by value (cloudpickle). The pool is kept
between jobs with the same worker count and thread limit, so the second job of a session
starts in milliseconds; loky shuts it down at interpreter exit and after
:data:`IDLE_TIMEOUT` seconds without work, and its workers exit when the caller dies.

How a job travels
-----------------
The pool's initializer is the same for every job (loky keeps a pool only while it is), so a
job cannot be handed to workers when they start. Instead each task carries a small
reference to the job: its serial number and its description (the object walked, as its
provenance or pickled, and the cloudpickled functions and arguments), inline when small or
as a temporary file when large. A worker decodes a job on the first chunk it runs of it and
builds its state once; the job's end closes the state in every worker that built one, and
the workers stay for the next job.

A new pool
----------
A worker takes a second or more to start (a fresh interpreter importing numpy, joblib and
this library), and starting two of them takes as much processor time as a small job needs
in all. So without a warm pool the caller runs the job's chunks itself, with a state of its
own, timing them; the pool is started only once the work left is projected to take longer
than :data:`START_AFTER` seconds in the caller. A small job is then done at the speed of one
process and never waits for, or competes with, starting workers; a large one starts them
after its first chunk. Until the first worker answers the caller goes on running chunks and
stops after the one it is on; no worker runs a chunk meanwhile, so at most ``n_jobs`` chunks
are ever computed at once, and the memory the caller used for its chunks is handed back to
the system when it stops.

Memory in workers
-----------------
Workers hand large freed blocks back to the system at once, and the caller gives back what
its own chunks used when workers take over (:mod:`lazyephys.jobs.worker_memory`): a worker
holds its current chunk, not the largest chunks it once held.

The status board
----------------
A small file shared by the caller and its workers (memory-mapped, in ``/dev/shm`` where there
is one) holds, per worker, its pid and the chunk it runs, so a worker that dies is reported
with its chunk; and a counter that lets the job's end reach every worker exactly once.
"""

from __future__ import annotations

import atexit
import contextlib
import mmap
import os
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from ...errors import (
    JobChunkError,
    JobCloseError,
    JobInitError,
    JobTransferError,
    JobWorkerDiedError,
)
from ..job import (
    Job,
    chunk_failure,
    close_worker_state,
    describe_chunk,
    drive,
    job_pieces,
    make_payload,
    mark_init_failure,
    rebuild_chunkable,
    unpicklable_error,
)
from ..worker_memory import release_freed_memory, return_large_blocks

__all__ = ["LokyBackend", "BACKEND", "IDLE_TIMEOUT", "START_AFTER", "start_workers",
           "shutdown_pool"]

#: Seconds a warm pool waits for the next job before its workers exit.
IDLE_TIMEOUT = 300.0

#: Job descriptions larger than this travel as a temporary file, not with every chunk: an
#: inline description is sent again with each chunk (a worker decodes it once per job), so a
#: large in-memory recording would otherwise cross the pipe once per chunk.
INLINE_LIMIT = 64 << 10

#: Seconds of work left (projected from the chunks the caller has run) above which a job
#: without a warm pool starts one: below, the caller finishes sooner than workers start.
START_AFTER = 0.5

# board layout, in int64 cells: [0] end-of-job arrivals, [1] the job ending; then per slot
# (pid, job serial, chunk index)
_HEADER = 8
_SLOT = 3
_SLOTS = 1024
_BOARD_CELLS = _HEADER + _SLOT * _SLOTS
_END_TIMEOUT = 30.0
_PARENT_POLL = 0.5
_BOARD_PREFIX = "lazyephys-board-"

# ----------------------------------------------------------------- worker side
# One loky worker process: its board, its slot, and the states of the jobs it has seen.
_worker: dict[str, Any] = {}


class _Board:
    """int64 cells in a shared file, read and written by the caller and every worker."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, _BOARD_CELLS * 8)
        self.cells = memoryview(self._map).cast("q")

    @classmethod
    def create(cls) -> _Board:
        folder = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()
        _remove_stale_boards(folder)
        fd, path = tempfile.mkstemp(prefix=f"{_BOARD_PREFIX}{os.getpid()}-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(_BOARD_CELLS * 8))
        return cls(path)

    @contextlib.contextmanager
    def locked(self) -> Any:
        """The cells, with every other process of the pool kept out (a file lock)."""
        _lock_file(self._fd)
        try:
            yield self.cells
        finally:
            _unlock_file(self._fd)

    def claim_slot(self, pid: int) -> int:
        with self.locked() as cells:
            for slot in range(_SLOTS):
                base = _HEADER + _SLOT * slot
                if cells[base] == 0 or not _alive(int(cells[base])):
                    cells[base], cells[base + 1], cells[base + 2] = pid, 0, -1
                    return slot
        return -1

    def running(self, serial: int) -> dict[int, int]:
        """pid -> chunk index of the workers running a chunk of job ``serial``."""
        found = {}
        for slot in range(_SLOTS):
            base = _HEADER + _SLOT * slot
            pid = int(self.cells[base])
            if pid and self.cells[base + 1] == serial and self.cells[base + 2] >= 0:
                found[pid] = int(self.cells[base + 2])
        return found

    def live_pids(self) -> list[int]:
        """Pids of the workers that hold a slot and are alive."""
        pids = (int(self.cells[_HEADER + _SLOT * slot]) for slot in range(_SLOTS))
        return [pid for pid in pids if pid and _alive(pid)]

    def close(self, remove: bool) -> None:
        with contextlib.suppress(Exception):
            self.cells.release()
            self._map.close()
            os.close(self._fd)
        if remove:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _lock_file(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_file(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _remove_stale_boards(folder: str) -> None:
    """Remove the boards of callers that died without cleaning up (killed with SIGKILL)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if not name.startswith(_BOARD_PREFIX):
                continue
            pid = name[len(_BOARD_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a dead worker its parent has not reaped yet counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            # the state follows the parenthesised command name, which may hold spaces
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _init_worker(board_path: str, threads: int | None, parent_pid: int) -> None:
    # a terminal's Ctrl-C reaches the whole process group; the caller decides what stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
    _no_rss_leak_check()
    return_large_blocks()
    board = _Board(board_path)
    _worker.clear()
    _worker.update(board=board, slot=board.claim_slot(os.getpid()), jobs={})
    if threads is not None:
        from threadpoolctl import threadpool_limits

        _worker["limiter"] = threadpool_limits(limits=threads)
    # what rebuilding any description imports, loaded now, while the caller still works
    from ...base.provenance import get_registered_kinds

    get_registered_kinds()


def _no_rss_leak_check() -> None:
    """Turn off loky's memory-leak guard in this worker.

    loky restarts a worker whose RSS grew by 300 MB since its first task. A worker reading a
    memory-mapped recording grows its RSS by the file pages it has touched (page cache, not a
    leak), so a long export would restart its workers again and again. Memory here is bounded
    by the chunk size instead; loky then only collects garbage once a second.
    """
    from joblib.externals.loky import process_executor

    if hasattr(process_executor, "_USE_PSUTIL"):
        process_executor._USE_PSUTIL = False


def _watch_parent(parent_pid: int) -> None:
    """Exit when the caller dies (killed, crashed): an idle worker would otherwise wait on its
    queue until the idle timeout, holding memory and open files."""

    def watch() -> None:
        while True:
            time.sleep(_PARENT_POLL)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="lazyephys-parent-watch", daemon=True).start()


@dataclass(frozen=True)
class _WireJob:
    """What every task carries: which job, and where its description is."""

    serial: int
    key: str
    name: str
    inline: bytes | None
    path: str | None


@dataclass
class _WorkerJob:
    run_func: Any
    state: Any


def _cloudpickle() -> Any:
    """cloudpickle: a dependency of joblib >= 1.5, vendored inside older joblib releases."""
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - joblib < 1.5
        from joblib.externals import cloudpickle
    return cloudpickle


def _loads(data: bytes, label: str, job_name: str) -> Any:
    try:
        return _cloudpickle().loads(data)
    except BaseException as exc:
        name = f"job {job_name!r}" if job_name else "the job"
        raise JobTransferError(
            f"a worker process could not load {label} of {name}: {type(exc).__name__}: {exc}. "
            "Functions defined in the main script, a notebook or `python -c` travel by value; "
            "anything else must be importable in a fresh Python process (its module on "
            "sys.path, installed, not created at run time)."
        ) from None


def _job_in_worker(wire: _WireJob) -> _WorkerJob:
    jobs: dict[str, _WorkerJob] = _worker["jobs"]
    job = jobs.get(wire.key)
    if job is not None:
        return job
    # a caller runs one job at a time: a state still here belongs to a job that ended
    # without reaching this worker (its end timed out), so it is closed now
    for stale in list(jobs):
        with contextlib.suppress(Exception):
            close_worker_state(jobs.pop(stale).state)
    if wire.inline is not None:
        data = wire.inline
    else:
        with open(str(wire.path), "rb") as handle:
            data = handle.read()
    labelled = _cloudpickle().loads(data)
    pieces = {key: _loads(blob, label, wire.name) for key, label, blob in labelled}
    init_func, run_func = pieces.pop("init_func"), pieces.pop("run_func")
    form, walked = pieces.pop("walked")
    init_args = {key[len("init_args:"):]: value for key, value in pieces.items()}
    try:
        chunkable = rebuild_chunkable(form, walked)
    except Exception as exc:
        raise JobTransferError(
            f"a worker process could not rebuild the object walked by job {wire.name!r} from "
            f"its description: {type(exc).__name__}: {exc}. Register its kind (register_kind) "
            "in an importable module, or use pool_engine='thread'."
        ) from None
    try:
        state = init_func(chunkable, **init_args)
    except BaseException as exc:
        mark_init_failure(exc)
        raise
    job = jobs[wire.key] = _WorkerJob(run_func, state)
    return job


def _run_task(wire: _WireJob, index: int, segment_index: int, start: int, end: int) -> Any:
    board: _Board = _worker["board"]
    base = _HEADER + _SLOT * _worker["slot"] if _worker["slot"] >= 0 else -1
    if base >= 0:
        board.cells[base + 1] = wire.serial
        board.cells[base + 2] = index
    job = _job_in_worker(wire)
    result = job.run_func(segment_index, start, end, job.state)
    if base >= 0:
        board.cells[base + 2] = -1
    return result


def _end_job(key: str, serial: int, n_workers: int) -> str | None:
    """Close this worker's state of a job, then wait until every worker has done the same.

    Waiting keeps this worker from taking a second end task, so the ``n_workers`` end tasks
    reach ``n_workers`` different workers. Returns a close failure as text (or None).
    """
    job = _worker["jobs"].pop(key, None)
    failure = None
    if job is not None:
        try:
            close_worker_state(job.state)
        except BaseException as exc:
            failure = f"{type(exc).__name__}: {exc}"
    board: _Board = _worker["board"]
    with board.locked() as cells:
        if cells[1] == serial:
            cells[0] += 1
    deadline = time.monotonic() + _END_TIMEOUT
    while board.cells[1] == serial and board.cells[0] < n_workers:
        if time.monotonic() > deadline:
            break
        time.sleep(0.0005)
    return failure


# ----------------------------------------------------------------- caller side
@dataclass
class _Pool:
    """The caller's side of the warm pool: its board, the job counter, the last executor."""

    pid: int
    board: _Board
    serial: int = 0
    last_executor: Any = None
    started: Any = None  # a future that completes when the executor's first worker is ready
    settings: tuple[int, int | None] | None = None  # (workers, threads) of last_executor


_pool: _Pool | None = None
# one loky job at a time per process: jobs share the pool and its board (re-entrant: a
# chunk the caller runs while workers start may itself start a job)
_job_lock = threading.RLock()


def _caller_pool() -> _Pool:
    global _pool
    if _pool is None or _pool.pid != os.getpid():
        # a forked child must not share its parent's board
        _pool = _Pool(os.getpid(), _Board.create())
        atexit.register(_remove_board, _pool)
    return _pool


def _remove_board(pool: _Pool) -> None:
    if pool.pid == os.getpid():
        pool.board.close(remove=True)


def _executor(n_workers: int, threads: int | None, board: _Board) -> Any:
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(
        max_workers=n_workers, timeout=IDLE_TIMEOUT, initializer=_init_worker,
        initargs=(board.path, threads, os.getpid()),
    )


def _started_executor(pool: _Pool, n_workers: int, threads: int | None) -> Any:
    """loky's executor for these settings, its workers started (or starting); sets
    ``pool.started`` to a future that completes when the first worker answers."""
    executor = _executor(n_workers, threads, pool.board)
    if executor is not pool.last_executor:
        pool.last_executor, pool.started = executor, executor.submit(_ping)
    pool.settings = (n_workers, threads)  # loky resizes a pool in place for a new count
    return executor


def _live_executor(pool: _Pool, n_workers: int, threads: int | None) -> Any:
    """The executor this process started for these settings if it still runs, else None.

    Asked without calling loky, which would build (and later start) an executor: a job that
    runs in the caller alone must not start workers.
    """
    executor = pool.last_executor
    if executor is None or pool.settings != (n_workers, threads):
        return None
    from joblib.externals.loky import reusable_executor

    # anything else that asked loky for a pool with other settings has replaced ours
    if getattr(reusable_executor, "_executor", None) is not executor:
        return None
    flags = getattr(executor, "_flags", None)
    if flags is not None and (flags.broken is not None or flags.shutdown):
        return None
    return executor


def start_workers(n_jobs: int = 2, max_threads_per_worker: int | None = 1) -> list[int]:
    """Start the warm pool now and wait until every worker answers; returns their pids.

    Jobs start them on their own once they have more than :data:`START_AFTER` seconds of
    work (running chunks in the caller meanwhile); starting them ahead, in a notebook's first
    cell, makes every job parallel from its first chunk.

    Parameters
    ----------
    n_jobs : int
        Workers, with the job kwarg's meaning (``-1``: one per core).
    max_threads_per_worker : int or None
        Threads each worker's numeric libraries may use.

    Returns
    -------
    list of int
        The workers' process ids.

    Examples
    --------
    >>> from lazyephys.jobs import start_workers, shutdown_pool
    >>> len(start_workers(n_jobs=2))
    2
    >>> shutdown_pool()
    """
    from ..job_kwargs import resolve_n_jobs

    n_workers = resolve_n_jobs(n_jobs)
    with _job_lock:
        pool = _caller_pool()
        executor = _started_executor(pool, n_workers, max_threads_per_worker)
        pool.started.result()
        # one ping per worker, each held until all have answered: every worker is up
        with pool.board.locked() as cells:
            pool.serial += 1
            cells[0], cells[1] = 0, pool.serial
        futures = [executor.submit(_end_job, "", pool.serial, n_workers)
                   for _ in range(n_workers)]
        for future in futures:
            future.result()
        return sorted(int(pid) for pid in pool.board.live_pids())


def shutdown_pool() -> None:
    """Stop the warm workers now (the next job that needs them starts new ones).

    They also stop on their own after an idle timeout and when the interpreter exits.
    """
    from joblib.externals.loky import get_reusable_executor

    with contextlib.suppress(Exception):
        get_reusable_executor().shutdown(wait=True, kill_workers=True)


def _dumps(value: Any) -> bytes:
    return bytes(_cloudpickle().dumps(value, protocol=5))


def _describe_job(job: Job) -> bytes:
    """The job's pieces, each pickled on its own so a worker can say which one fails."""
    spec = job.spec
    payload = make_payload(job.chunkable, spec, inherit=False)
    (init_label, _), (run_label, _) = job_pieces(job.chunkable, spec)[:2]
    pieces: list[tuple[str, str, Any]] = [
        ("init_func", init_label, spec.init_func), ("run_func", run_label, spec.run_func),
        ("walked", f"the {type(job.chunkable).__name__} walked",
         (payload.recording_form, payload.recording_data)),
    ]
    pieces += [(f"init_args:{key}", f"init_args[{key!r}]", value)
               for key, value in spec.init_args.items()]
    try:
        blobs = [(key, label, _dumps(value)) for key, label, value in pieces]
    except Exception as exc:
        raise unpicklable_error(
            job.job_name, job_pieces(job.chunkable, spec), _dumps, "worker processes",
            "Pass paths, numbers, arrays or recordings, and open files or connections in "
            "init_func instead; or use pool_engine='thread'.", exc,
        ) from exc
    return _dumps(blobs)


_EXIT_CODES = re.compile(r"([A-Z]+|EXIT)\((-?\d+)\)")


def _dead_worker_error(job: Job, error: BaseException, running: dict[int, int]
                       ) -> JobWorkerDiedError:
    plan, name = job.plan, (f"job {job.job_name!r}" if job.job_name else "the job")
    codes = [int(code) for _, code in _EXIT_CODES.findall(str(error))]
    advice = (
        f"If the system ran out of memory, lower chunk_memory (or chunk_duration / "
        f"chunk_size; chunks are now {plan.chunk_size} samples, about "
        f"{plan.chunk_bytes / 1e6:.3g} MB of input each) or n_jobs (now {job.n_workers})."
    )
    dead = {pid: index for pid, index in running.items() if not _alive(pid)}
    how = "died"
    killer = next((code for code in codes if code < 0 and code != -signal.SIGTERM), None)
    if killer is None and codes:
        killer = codes[0]
    if killer is not None:
        how = (f"was killed by {_signal_name(killer)}" if killer < 0
               else f"exited with code {killer}")
    if not dead:
        return JobWorkerDiedError(f"a worker process of {name} {how} abruptly. {advice}")
    pid, index = sorted(dead.items())[0]
    segment, start, end = plan[index]
    killed = killer == -getattr(signal, "SIGKILL", 9)
    cause = ("This is most often the operating system stopping it when memory runs out."
             if killed else "The worker died without raising a Python exception.")
    return JobWorkerDiedError(
        f"worker process {pid} of {name} {how} while running chunk (segment {segment}, "
        f"frames {start}-{end}). {cause} {advice}"
    )


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class LokyBackend:
    """joblib's loky reusable executor, shared by the jobs of a process."""

    name = "loky"
    serial_when_single = True

    def describe(self, job: Job) -> str:
        return f"loky pool of {job.n_workers} workers"

    def run(self, job: Job) -> list[Any]:
        description = _describe_job(job)
        with _job_lock:
            return _run_locked(job, description)


def _run_locked(job: Job, description: bytes) -> list[Any]:
    from concurrent.futures import wait
    from concurrent.futures.process import BrokenProcessPool

    pool = _caller_pool()
    pool.serial += 1
    serial = pool.serial
    key = f"{os.getpid()}-{serial}-{uuid.uuid4().hex[:8]}"
    path = None
    inline: bytes | None = description
    if len(description) > INLINE_LIMIT:
        fd, path = tempfile.mkstemp(prefix="lazyephys-job-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(description)
        inline = None
    wire = _WireJob(serial, key, job.job_name, inline, path)
    threads = job.spec.max_threads_per_worker
    # the executor of a warm (or starting) pool; None until this job starts one, if it does
    executors = [_live_executor(pool, job.n_workers, threads)]
    plan = job.plan
    broken: list[BaseException] = []  # the pool broke: its workers are gone with their states
    submitted: list[int] = []

    def start() -> Any:
        executors[0] = _started_executor(pool, job.n_workers, threads)
        return pool.started

    def submit(index: int) -> Any:
        submitted.append(index)
        try:
            return executors[0].submit(_run_task, wire, index, *plan[index])
        except BrokenProcessPool as exc:  # the pool broke before this chunk was queued
            broken.append(exc)
            raise _dead_worker_error(job, exc, pool.board.running(serial)) from exc

    def on_error(index: int, error: BaseException) -> BaseException:
        if isinstance(error, BrokenProcessPool):
            broken.append(error)
            return _dead_worker_error(job, error, pool.board.running(serial))
        return chunk_failure(plan, job.job_name, index, error)

    def finish(running: list[Any]) -> None:
        # chunks already in a worker's hands finish before the job's states are closed
        wait(running)

    try:
        try:
            ping = pool.started if executors[0] is not None else None
            done_here: list[Any] = []
            if ping is None or not ping.done():
                # no warm pool: the caller runs chunks, starting workers only for a long job
                done_here = _run_while_starting(job, ping, start)
            if len(done_here) == len(plan):
                return done_here
            if done_here:
                release_freed_memory()  # what the caller's chunks used, before workers run
            results = drive(plan, submit, 2 * job.n_workers, job.progress, on_error, finish,
                            start=len(done_here))
            results[: len(done_here)] = done_here
        except Exception:
            if submitted and not broken:
                # the original error matters more than a close failing after it
                with contextlib.suppress(JobCloseError):
                    _end_everywhere(executors[0], pool, wire, job)
            raise
        if submitted:
            _end_everywhere(executors[0], pool, wire, job)
        return results
    except KeyboardInterrupt:
        # stop now: the caller discards partial output, no worker may write after that; the
        # next job starts a new pool
        if executors[0] is not None:
            with contextlib.suppress(Exception):
                executors[0].shutdown(wait=True, kill_workers=True)
        raise
    finally:
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _ping() -> int:
    return os.getpid()


def _run_while_starting(job: Job, ping: Any, start: Any) -> list[Any]:
    """Run chunks in the caller, from the first, until the pool's first worker answers.

    ``ping`` completes when it does (None: no pool is starting). Without one, the pool is
    started (``start()`` returns the new ping) once the work left, projected from the chunks
    after the first (or the first chunk alone, if it took that long), exceeds
    :data:`START_AFTER` seconds; a job that never does runs here to its end. The caller
    stops after the chunk it is on when a worker is ready, before any worker runs a chunk of
    this job.
    """
    limits: Any = contextlib.nullcontext()
    if job.spec.max_threads_per_worker is not None:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=job.spec.max_threads_per_worker)
    with limits:
        return _run_here(job, ping, start)


def _run_here(job: Job, ping: Any, start: Any) -> list[Any]:
    plan = job.plan
    results: list[Any] = []
    try:
        state = job.build_state_here()
    except Exception as exc:
        raise JobInitError(f"the init function of job {job.job_name!r} failed: {exc!r}") from exc
    try:
        first_chunk, later_chunks = 0.0, 0.0
        while len(results) < len(plan) and not (ping is not None and ping.done()):
            index = len(results)
            chunk = plan[index]
            began = time.perf_counter()
            try:
                results.append(job.spec.run_func(*chunk, state))
            except Exception as exc:
                raise JobChunkError(
                    f"{describe_chunk(job.job_name, chunk)}: {type(exc).__name__}: {exc}",
                    job.job_name, *chunk,
                ) from exc
            job.progress.done(index)
            took = time.perf_counter() - began
            if index == 0:
                first_chunk = took
            else:
                later_chunks += took
            if ping is None and len(results) < len(plan):
                # the first chunk also pays for first reads, opened files and imports, so the
                # chunks after it predict the rest; it decides alone only when it alone took
                # longer than the threshold
                projected = (later_chunks / index * (len(plan) - len(results)) if index
                             else first_chunk)
                if projected > START_AFTER:
                    ping = start()
    finally:
        close_worker_state(state)
    return results


def _end_everywhere(executor: Any, pool: _Pool, wire: _WireJob, job: Job) -> None:
    """Close the job's state in every worker that built one; raise if a close failed."""
    n_workers = int(getattr(executor, "_max_workers", job.n_workers))
    with pool.board.locked() as cells:
        cells[0], cells[1] = 0, wire.serial
    futures = [executor.submit(_end_job, wire.key, wire.serial, n_workers)
               for _ in range(n_workers)]
    failures = [f.result() for f in futures]
    failed = [failure for failure in failures if failure]
    if failed:
        name = f"job {job.job_name!r}" if job.job_name else "the job"
        raise JobCloseError(f"closing the worker state of {name} failed: {failed[0]}")


BACKEND = LokyBackend()
