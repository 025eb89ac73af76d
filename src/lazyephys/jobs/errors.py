"""Errors raised by the chunked job executor.

Each subclasses the built-in exception a caller would already catch for that failure, so
``except ValueError`` (bad job kwargs) or ``except BrokenProcessPool`` (a dead worker) keep
working, while the message says what happened and what to change.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

__all__ = [
    "InvalidJobKwargsError",
    "UnknownJobKwargError",
    "JobChunkError",
    "JobInitError",
    "JobWorkerDiedError",
    "MainGuardError",
    "DtypeOverflowError",
]


class InvalidJobKwargsError(ValueError):
    """A job kwarg with a value that cannot be used (``n_jobs=0``, ``chunk_duration="x"``...)."""


class UnknownJobKwargError(InvalidJobKwargsError, TypeError):
    """A job kwarg name that does not exist; the message lists the valid names."""


class JobChunkError(RuntimeError):
    """A chunk of a job failed; the original exception is chained as ``__cause__``.

    Attributes
    ----------
    job_name : str
    segment_index, start_frame, end_frame : int
        The chunk that failed.
    """

    def __init__(
        self, message: str, job_name: str, segment_index: int, start_frame: int, end_frame: int
    ) -> None:
        super().__init__(message)
        self.job_name = job_name
        self.segment_index = segment_index
        self.start_frame = start_frame
        self.end_frame = end_frame


class JobInitError(RuntimeError):
    """A job's init function failed (in a worker or in-process); the cause is chained."""


class JobWorkerDiedError(BrokenProcessPool):
    """A worker process died (killed by a signal, out of memory, or exited) during a job."""


class MainGuardError(RuntimeError):
    """A job was started while a spawned worker was importing the user's main script."""


class DtypeOverflowError(OverflowError, ValueError):
    """Casting traces to a narrower dtype would overflow (and ``clip`` was not asked for)."""
