"""The serial backend: every chunk in the calling process, one state for the whole job.

For debugging (a breakpoint in ``run_func`` stops there) and for jobs too small to share.
"""

from __future__ import annotations

from typing import Any

from ...errors import JobChunkError, JobInitError
from ..job import Job, close_worker_state, describe_chunk

__all__ = ["SerialBackend", "BACKEND"]


class SerialBackend:
    """Runs the plan in order in the caller."""

    name = "serial"
    serial_when_single = True

    def describe(self, job: Job) -> str:
        return "in-process"

    def run(self, job: Job) -> list[Any]:
        try:
            state = job.build_state_here()
        except Exception as exc:
            raise JobInitError(
                f"the init function of job {job.job_name!r} failed: {exc!r}"
            ) from exc
        results: list[Any] = []
        try:
            for index, chunk in enumerate(job.plan):
                try:
                    results.append(job.spec.run_func(*chunk, state))
                except Exception as exc:
                    raise JobChunkError(
                        f"{describe_chunk(job.job_name, chunk)}: {type(exc).__name__}: {exc}",
                        job.job_name, *chunk,
                    ) from exc
                job.progress.done(index)
        finally:
            close_worker_state(state)
        return results


BACKEND = SerialBackend()
