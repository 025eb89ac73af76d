"""The thread backend: one worker state per thread, closed when the pool has stopped.

Threads share the caller's memory, so the object walked and the functions are used as they
are (no pickling): right for I/O-bound jobs and for functions that release the GIL.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from ..job import Job, chunk_failure, close_worker_state, drive

__all__ = ["ThreadBackend", "BACKEND"]

_NO_STATE = object()


class ThreadBackend:
    """``concurrent.futures.ThreadPoolExecutor`` for the duration of one job."""

    name = "thread"
    serial_when_single = True

    def describe(self, job: Job) -> str:
        return f"thread pool of {job.n_workers} threads"

    def run(self, job: Job) -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor

        local = threading.local()
        states: list[Any] = []
        lock = threading.Lock()
        plan, spec = job.plan, job.spec

        def task(index: int) -> Any:
            state = getattr(local, "state", _NO_STATE)
            if state is _NO_STATE:
                state = job.build_state_here()
                local.state = state
                with lock:
                    states.append(state)
            return spec.run_func(*plan[index], state)

        executor = ThreadPoolExecutor(max_workers=job.n_workers,
                                      thread_name_prefix="lazyephys-job")
        limits: Any = contextlib.nullcontext()
        if spec.max_threads_per_worker is not None:
            from threadpoolctl import threadpool_limits

            # threads share one process: the limit applies to the whole process during the job
            limits = threadpool_limits(limits=spec.max_threads_per_worker)
        try:
            with limits:
                return drive(
                    plan, lambda i: executor.submit(task, i), 2 * job.n_workers, job.progress,
                    lambda i, e: chunk_failure(plan, job.job_name, i, e),
                )
        finally:
            # running chunks finish (threads cannot be stopped) before any state is closed
            executor.shutdown(wait=True, cancel_futures=True)
            for state in states:
                close_worker_state(state)


BACKEND = ThreadBackend()
