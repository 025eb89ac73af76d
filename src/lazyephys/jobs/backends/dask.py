"""The dask.distributed backend.

The job (recording description and functions) is scattered once to every worker. A worker
builds the state on its first chunk and keeps it in a module-level dict keyed by the job id,
shared by its threads; when the job ends, the caller asks every worker to wait for that
job's running chunks and close the state. At most two chunks per worker thread are queued,
so a failure cancels little and the scheduler's memory stays small for any plan length.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...errors import JobWorkerDiedError
from ..job import Job, Payload, chunk_failure, close_worker_state, make_payload

__all__ = ["DaskBackend", "BACKEND"]


@dataclass
class _DaskJobState:
    state: Any
    limiter: Any
    active: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)


_dask_jobs: dict[str, _DaskJobState] = {}
_dask_finished: set[str] = set()
_dask_lock = threading.Lock()


def _dask_task(payload: Payload, job_id: str, segment_index: int, start: int, end: int) -> Any:
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


class DaskBackend:
    """``dask.distributed``: the ``client`` job kwarg, the default client, or a local cluster."""

    name = "dask"
    serial_when_single = False

    def describe(self, job: Job) -> str:
        return "dask.distributed"

    def run(self, job: Job) -> list[Any]:
        return run_dask(job, job.job_kwargs.get("client"))


def run_dask(job: Job, client: Any) -> list[Any]:
    from distributed import Future as DaskFuture
    from distributed import as_completed

    plan, job_name, progress = job.plan, job.job_name, job.progress
    # n_jobs, not the worker count capped by the plan: a local cluster serves one job
    with _dask_client(client, int(job.job_kwargs.get("n_jobs", job.n_workers))) as client:
        job_id = f"{job_name or 'job'}-{uuid.uuid4().hex}"
        payload = make_payload(job.chunkable, job.spec, inherit=False)
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
                    raise chunk_failure(plan, job_name, index, error) from error
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


BACKEND = DaskBackend()
