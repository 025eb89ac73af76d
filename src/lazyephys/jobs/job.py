"""What every backend shares: the job description sent to workers, the worker-state contract,
the windowed submission loop, progress, and how failures are reported.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import JobChunkError, JobInitError
from .plan import ChunkPlan

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = ["JobSpec", "Payload", "make_payload", "close_worker_state", "Progress", "drive",
           "chunk_failure", "describe_chunk", "MAIN_GUARD_EXPLANATION"]

MAIN_GUARD_EXPLANATION = (
    "with mp_context='spawn' or 'forkserver' every worker process imports your main script; "
    "a job started at the top level of that script starts again in each worker. Put the "
    "script's top-level code under\n\n    if __name__ == \"__main__\":\n        ...\n\n"
    "or use mp_context='fork' (Linux) or n_jobs=1"
)


def close_worker_state(state: Any) -> None:
    """Call a worker state's ``close()`` (or its ``"close"`` entry), if it has one."""
    if isinstance(state, dict):
        closer = state.get("close")
    else:
        closer = getattr(state, "close", None)
    if callable(closer):
        closer()


@dataclass
class JobSpec:
    """What a worker needs to build its state and run chunks (sent once per worker)."""

    init_func: Callable[..., Any]
    init_args: dict[str, Any]
    run_func: Callable[[int, int, int, Any], Any]
    max_threads_per_worker: int | None


@dataclass
class Payload:
    """The recording (as an object, a description or pickled bytes) and the job spec."""

    recording_form: str
    recording_data: Any
    spec: JobSpec

    def rebuild_recording(self) -> Recording:
        if self.recording_form == "object":
            return self.recording_data
        if self.recording_form == "dict":
            from ..base.extractor import BaseExtractor

            return BaseExtractor.from_dict(self.recording_data)  # type: ignore[return-value]
        return pickle.loads(self.recording_data)

    def build_state(self) -> Any:
        recording = self.rebuild_recording()
        try:
            return self.spec.init_func(recording, **self.spec.init_args)
        except BaseException as exc:
            exc._lazyephys_in_init = True  # type: ignore[attr-defined]
            raise


def make_payload(recording: Recording, spec: JobSpec, inherit: bool) -> Payload:
    if inherit:
        return Payload("object", recording, spec)
    if recording.is_in_memory():
        return Payload("pickle", pickle.dumps(recording, protocol=pickle.HIGHEST_PROTOCOL), spec)
    return Payload("dict", recording.to_dict(), spec)


class Progress:
    """A tqdm bar over the bytes of the chunks done, or nothing."""

    def __init__(self, plan: ChunkPlan, enabled: bool, job_name: str) -> None:
        self._plan = plan
        self._bar: Any = None
        if enabled:
            self._bar = _quiet_tqdm()(
                total=plan.total_samples * plan.frame_bytes, unit="B", unit_scale=True,
                unit_divisor=1000, desc=f"{job_name or 'job'} ({len(plan)} chunks)",
            )

    def done(self, index: int) -> None:
        if self._bar is not None:
            self._bar.update(self._plan.chunk_nbytes(index))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@cache
def _quiet_tqdm() -> Any:
    # tqdm.auto pulls asyncio and importlib.metadata: imported when a bar is first shown,
    # never by ``import lazyephys``
    from tqdm.auto import tqdm

    class _QuietTqdm(tqdm):
        # no monitor thread: a stray thread would make the next pool start with forkserver
        monitor_interval = 0

    return _QuietTqdm


# ---------------------------------------------------------- windowed pools
def drive(
    plan: ChunkPlan,
    submit: Callable[[int], Future[Any]],
    window: int,
    progress: Progress,
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


def chunk_failure(plan: ChunkPlan, job_name: str, index: int, error: BaseException
                   ) -> BaseException:
    chunk = plan[index]
    if getattr(error, "_lazyephys_in_init", False):
        return JobInitError(
            f"the init function of job {job_name!r} failed in a worker: "
            f"{type(error).__name__}: {error}"
        )
    return JobChunkError(
        f"{describe_chunk(job_name, chunk)}: {type(error).__name__}: {error}", job_name, *chunk
    )


def describe_chunk(job_name: str, chunk: tuple[int, int, int]) -> str:
    segment, start, end = chunk
    name = f"job {job_name!r}" if job_name else "the job"
    return f"{name} failed on chunk (segment {segment}, frames {start}-{end})"
