"""The thread-pool backend: one worker state per thread, closed when the pool has stopped."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .job import JobSpec, Progress, chunk_failure, close_worker_state, drive
from .plan import ChunkPlan

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = ["run_thread_pool"]

_NO_STATE = object()


def run_thread_pool(recording: Recording, plan: ChunkPlan, spec: JobSpec, job_name: str,
                     n_workers: int, progress: Progress) -> list[Any]:
    local = threading.local()
    states: list[Any] = []
    lock = threading.Lock()

    def task(index: int) -> Any:
        state = getattr(local, "state", _NO_STATE)
        if state is _NO_STATE:
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
            return drive(
                plan, lambda i: executor.submit(task, i), 2 * n_workers, progress,
                lambda i, e: chunk_failure(plan, job_name, i, e),
            )
    finally:
        # running chunks finish (threads cannot be stopped) before any state is closed
        executor.shutdown(wait=True, cancel_futures=True)
        for state in states:
            close_worker_state(state)
