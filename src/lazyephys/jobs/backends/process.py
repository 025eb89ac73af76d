"""The process backend: ``concurrent.futures.ProcessPoolExecutor`` with an explicit context.

Used when ``mp_context`` names a start method (``"fork"``, ``"spawn"``, ``"forkserver"``),
with exactly that meaning; the pool lives for one job. Each worker gets the job once, through
the pool's initializer: the recording is inherited under ``fork``, or sent as its
description (pickled bytes for in-memory recordings) under ``spawn``/``forkserver``. Its
state is built on its first chunk and closed by a multiprocessing finalizer when the worker
exits with the pool. Each worker records the chunk it runs in a small shared array, so that
a worker that dies can be named with its chunk.
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
from typing import TYPE_CHECKING, Any

from ...errors import JobWorkerDiedError
from ..caller_watch import watch_caller
from ..job import (
    MAIN_GUARD_EXPLANATION,
    Job,
    chunk_failure,
    close_worker_state,
    drive,
    job_pieces,
    make_payload,
    unpicklable_error,
)
from ..plan import ChunkPlan
from ..worker_memory import return_large_blocks

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

__all__ = ["ProcessBackend", "BACKEND", "default_mp_context"]


def default_mp_context() -> str:
    """The start method of ``pool_engine="process"`` when no ``mp_context`` is given.

    On Linux ``fork`` when the calling process runs no other thread (a fork is only unsafe
    when another thread may hold a lock at that moment), else ``forkserver``; elsewhere the
    platform's own default.
    """
    if sys.platform.startswith("linux"):
        others = [t for t in threading.enumerate() if t is not threading.current_thread()]
        return "forkserver" if others else "fork"
    return multiprocessing.get_start_method(allow_none=False)

# One worker process runs one job: these module globals hold its payload and state.
_worker: dict[str, Any] = {}


def _process_initializer(payload: Any, slots: Any, slot_counter: Any, caller_pid: int) -> None:
    # Ctrl-C is handled by the caller, which terminates the workers; ignoring SIGINT here keeps
    # a terminal's Ctrl-C (sent to the whole process group) from printing a traceback per worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_caller(caller_pid)  # a killed caller never leaves its workers behind
    return_large_blocks()
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


def _preload_forkserver(context: Any) -> None:
    """Have the fork server import lazyephys once, so its workers start in ~0.1 s, not ~0.3 s.

    Only done before the server starts and when nobody chose another preload list.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", 0) is not None:
        return
    if getattr(server, "_preload_modules", None) == ["__main__"]:
        context.set_forkserver_preload(["__main__", "lazyephys", "threadpoolctl"])


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


class ProcessBackend:
    """A process pool with the start method ``mp_context`` names, for one job."""

    name = "process"
    serial_when_single = True

    def describe(self, job: Job) -> str:
        return f"process pool of {job.n_workers} workers ({_context_name(job)})"

    def run(self, job: Job) -> list[Any]:
        return run_process_pool(job, _context_name(job))


def _context_name(job: Job) -> str:
    return str(job.job_kwargs.get("mp_context") or default_mp_context())


def _pickle(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def run_process_pool(job: Job, context_name: str) -> list[Any]:
    from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

    plan, job_name, n_workers = job.plan, job.job_name, job.n_workers
    context = multiprocessing.get_context(context_name)
    if context_name == "forkserver":
        _preload_forkserver(context)
    inherit = context_name == "fork"
    payload = make_payload(job.chunkable, job.spec, inherit)
    initial: Any = payload
    if not inherit:
        try:
            initial = _pickle(payload)
        except Exception as exc:
            raise unpicklable_error(
                job_name, job_pieces(job.chunkable, job.spec), _pickle,
                f"{context_name} workers",
                "Under spawn/forkserver, functions must be importable module-level functions "
                "(not lambdas, closures or functions of the main script); leave mp_context "
                "unset to send them by value, or use mp_context='fork' or "
                "pool_engine='thread'.", exc,
            ) from exc
    slots = context.Array("q", 2 * n_workers, lock=False)
    counter = context.Value("i", 0)
    executor = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context, initializer=_process_initializer,
        initargs=(initial, slots, counter, os.getpid()),
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
        return chunk_failure(plan, job_name, index, error)

    try:
        results = drive(plan, submit, 2 * n_workers, job.progress, on_error)
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


BACKEND = ProcessBackend()
