"""What every backend shares: the job a backend runs, the description sent to workers, the
worker-state contract, the windowed submission loop, progress, and how failures are reported.

Nothing here imports ``concurrent.futures`` or ``tqdm`` at module level: they load when a
job runs, so that ``import lazyephys`` stays cheap.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import JobChunkError, JobInitError, JobTransferError
from .plan import ChunkPlan

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .chunkable import Chunkable

__all__ = ["JobSpec", "Job", "Payload", "make_payload", "close_worker_state", "Progress",
           "drive", "chunk_failure", "describe_chunk", "mark_init_failure", "job_pieces",
           "unpicklable_error", "rebuild_chunkable", "MAIN_GUARD_EXPLANATION"]

MAIN_GUARD_EXPLANATION = (
    "with mp_context='spawn' or 'forkserver' every worker process imports your main script; "
    "a job started at the top level of that script starts again in each worker. Put the "
    "script's top-level code under\n\n    if __name__ == \"__main__\":\n        ...\n\n"
    "or leave mp_context unset (the default workers never import the main script), or use "
    "n_jobs=1"
)


def close_worker_state(state: Any) -> None:
    """Call a worker state's ``close()`` (or its ``"close"`` entry), if it has one."""
    if isinstance(state, dict):
        closer = state.get("close")
    else:
        closer = getattr(state, "close", None)
    if callable(closer):
        closer()


def mark_init_failure(exc: BaseException) -> BaseException:
    """Tag an exception raised by ``init_func``, so the caller reports a :class:`JobInitError`."""
    exc._lazyephys_in_init = True  # type: ignore[attr-defined]
    return exc


@dataclass
class JobSpec:
    """What a worker needs to build its state and run chunks (sent once per worker)."""

    init_func: Callable[..., Any]
    init_args: dict[str, Any]
    run_func: Callable[[int, int, int, Any], Any]
    max_threads_per_worker: int | None


@dataclass(frozen=True)
class Job:
    """One run of a job, as every backend receives it.

    Attributes
    ----------
    chunkable : Chunkable
        The recording or sorting walked.
    plan : ChunkPlan
        The chunks, in the order results are returned.
    spec : JobSpec
        The functions and arguments every worker uses.
    job_name : str
        For progress, verbose output and errors.
    n_workers : int
        Workers to use (already capped by the number of chunks).
    job_kwargs : Mapping
        The fixed job kwargs (``mp_context``, ``client``... for the backends that read them).
    progress : Progress
        Call ``progress.done(index)`` as each chunk completes.
    """

    chunkable: Chunkable
    plan: ChunkPlan
    spec: JobSpec
    job_name: str
    n_workers: int
    job_kwargs: Mapping[str, Any]
    progress: Progress

    def build_state_here(self) -> Any:
        """The worker state built in this process (serial and thread backends)."""
        try:
            return self.spec.init_func(self.chunkable, **self.spec.init_args)
        except BaseException as exc:
            mark_init_failure(exc)
            raise


@dataclass
class Payload:
    """The recording (as an object, a description or pickled bytes) and the job spec."""

    recording_form: str
    recording_data: Any
    spec: JobSpec

    def rebuild_recording(self) -> Any:
        return rebuild_chunkable(self.recording_form, self.recording_data)

    def build_state(self) -> Any:
        recording = self.rebuild_recording()
        try:
            return self.spec.init_func(recording, **self.spec.init_args)
        except BaseException as exc:
            mark_init_failure(exc)
            raise


def rebuild_chunkable(form: str, data: Any) -> Any:
    """The walked object from how it travelled (see :func:`make_payload`)."""
    if form == "object":
        return data
    if form == "dict":
        from ..base.extractor import BaseExtractor

        return BaseExtractor.from_dict(data)
    return pickle.loads(data)


def make_payload(chunkable: Chunkable, spec: JobSpec, inherit: bool) -> Payload:
    """How the walked object travels: itself (inherited by fork), its description, or pickled.

    An object that holds its data in memory has no description that rebuilds it elsewhere, so
    it is pickled; anything else travels as its provenance description.
    """
    if inherit:
        return Payload("object", chunkable, spec)
    if chunkable.is_in_memory():
        return Payload("pickle", pickle.dumps(chunkable, protocol=pickle.HIGHEST_PROTOCOL), spec)
    return Payload("dict", chunkable.to_dict(), spec)


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
        # no monitor thread: a stray thread outlives the bar and slows every later fork
        monitor_interval = 0

    return _QuietTqdm


# ---------------------------------------------------------- windowed pools
def drive(
    plan: ChunkPlan,
    submit: Callable[[int], Future[Any]],
    window: int,
    progress: Progress,
    on_error: Callable[[int, BaseException], BaseException],
    finish: Callable[[list[Future[Any]]], None] | None = None,
    start: int = 0,
) -> list[Any]:
    """Submit chunks keeping at most ``window`` in flight; results in plan order.

    Chunks before ``start`` are not submitted (their results stay None: the caller ran them).

    Keeping the queue short bounds the caller's memory for any plan length and lets a
    failure cancel the rest at once. On a failure, the futures not yet started are
    cancelled and ``finish(running)`` (when given) receives those that could not be, so a
    backend that keeps its workers can wait for them before it closes the job.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    results: list[Any] = [None] * len(plan)
    pending: dict[Future[Any], int] = {}
    next_index = start
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
        running = [future for future in pending if not future.cancel()]
        if finish is not None:
            finish(running)
    return results


def chunk_failure(plan: ChunkPlan, job_name: str, index: int, error: BaseException
                   ) -> BaseException:
    """The exception the caller raises for a chunk (or its worker's init) that failed."""
    chunk = plan[index]
    if isinstance(error, JobTransferError):
        return JobTransferError(str(error))
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


def job_pieces(chunkable: Any, spec: JobSpec) -> list[tuple[str, Any]]:
    """What a job sends to workers, piece by piece, each with the name an error gives it."""
    pieces: list[tuple[str, Any]] = [
        (f"init_func {_callable_name(spec.init_func)}", spec.init_func),
        (f"run_func {_callable_name(spec.run_func)}", spec.run_func),
    ]
    pieces += [(f"init_args[{key!r}]", value) for key, value in spec.init_args.items()]
    pieces.append((f"the {type(chunkable).__name__} walked", chunkable))
    return pieces


def unpicklable_error(job_name: str, pieces: list[tuple[str, Any]],
                      dumps: Callable[[Any], bytes], where: str, advice: str,
                      exc: BaseException) -> JobTransferError:
    """A :class:`JobTransferError` naming the first piece ``dumps`` refuses, and why."""
    label, cause = "the job", f"{type(exc).__name__}: {exc}"
    for piece_label, value in pieces:
        try:
            dumps(value)
        except Exception as piece_exc:
            label, cause = piece_label, f"{type(piece_exc).__name__}: {piece_exc}"
            break
    name = f"job {job_name!r}" if job_name else "the job"
    return JobTransferError(
        f"{label} of {name} cannot be sent to {where}: it cannot be pickled ({cause}). {advice}"
    )


def _callable_name(func: Any) -> str:
    module = getattr(func, "__module__", None) or "?"
    qualname = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{qualname}"
