"""Every exception lazyephys raises on purpose.

All derive from :class:`LazyEphysError`, so ``except lazyephys.LazyEphysError`` catches any of
them; each also subclasses the built-in exception a user would catch for that kind of mistake
(``except KeyError``, ``except ValueError``, ``except BrokenProcessPool`` keep working). The
message always names the offending value and what was valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures.process import BrokenProcessPool

__all__ = [
    "LazyEphysError",
    "UnknownIdError",
    "FrameRangeError",
    "SegmentIndexError",
    "IncompatibleExtractorsError",
    "DtypeOverflowError",
    "FormatError",
    "FormatVersionError",
    "UnsafePathError",
    "UnknownKindError",
    "UnknownFormatError",
    "InvalidJobKwargsError",
    "UnknownJobKwargError",
    "JobChunkError",
    "JobInitError",
    "MainGuardError",
    "JobTransferError",
    "JobCloseError",
    "UnknownPropertyError",
    "InvalidEpochsError",
    "OptionalDependencyError",
    "SweepMetadataError",
    "UnknownFeatureError",
    "UnknownProtocolError",
    "RheobaseWarning",
    "SavedKindWarning",
]
# JobWorkerDiedError is built on first use (see __getattr__ below): its base class lives in
# concurrent.futures.process, whose import (multiprocessing, sockets, subprocess) would cost
# every ``import lazyephys`` tens of milliseconds. It is not in __all__ so that a star import
# does not build it; ``lazyephys.JobWorkerDiedError`` and ``from lazyephys.errors import
# JobWorkerDiedError`` both work.
LAZY_ERRORS = ("JobWorkerDiedError",)


class LazyEphysError(Exception):
    """The root of every exception lazyephys raises on purpose."""


# --------------------------------------------------------------- extractors
class UnknownIdError(LazyEphysError, KeyError):
    """An id (channel or unit) that the object does not have."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""


class FrameRangeError(LazyEphysError, IndexError):
    """A frame (sample index) or time outside a segment, or a reversed range."""


class SegmentIndexError(LazyEphysError, IndexError):
    """A segment index out of range, or missing on a multi-segment object."""


class IncompatibleExtractorsError(LazyEphysError, ValueError):
    """Objects that cannot be combined (different sampling frequency, dtype, ids...)."""


class DtypeOverflowError(LazyEphysError, OverflowError, ValueError):
    """Casting traces to a narrower dtype would overflow (and clipping was not asked for).

    The one overflow error of the library: exports, in-memory saves and preprocessing
    outputs all cast through :func:`lazyephys.base.casting.cast_traces`.
    """


# ------------------------------------------------------------- persistence
class FormatError(LazyEphysError, ValueError):
    """A file or store that is not of the expected format, or is incomplete."""


class FormatVersionError(FormatError):
    """A file written by a newer lazyephys than this one."""


class UnsafePathError(LazyEphysError, PermissionError):
    """A path that a file or description may not make us read: one pointing outside the folder
    it must stay in (``..``, an absolute path, a symlink out), or a plain string or URL where a
    relative path was promised. The message names the path and where it points."""


class UnknownKindError(LazyEphysError, ValueError):
    """A provenance description naming a kind that is not registered."""


class UnknownFormatError(LazyEphysError, ValueError):
    """A format name, or a path, that no registered format knows."""


# --------------------------------------------------------------------- jobs
class InvalidJobKwargsError(LazyEphysError, ValueError):
    """A job kwarg with a value that cannot be used (``n_jobs=0``, ``chunk_duration="x"``...)."""


class UnknownJobKwargError(InvalidJobKwargsError, TypeError):
    """A job kwarg name that does not exist; the message lists the valid names."""


class JobChunkError(LazyEphysError, RuntimeError):
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

    def __reduce__(self) -> tuple[object, ...]:
        return (
            type(self),
            (self.args[0], self.job_name, self.segment_index, self.start_frame, self.end_frame),
        )


class JobInitError(LazyEphysError, RuntimeError):
    """A job's init function failed (in a worker or in-process); the cause is chained."""


if TYPE_CHECKING:

    class JobWorkerDiedError(LazyEphysError, BrokenProcessPool):
        """A worker process died (killed by a signal, out of memory, or exited) during a job."""


def _build_job_worker_died_error() -> type:
    from concurrent.futures.process import BrokenProcessPool

    class JobWorkerDiedError(LazyEphysError, BrokenProcessPool):
        """A worker process died (killed by a signal, out of memory, or exited) during a job."""

    # pickled by name, so a worker's error reaches the parent as this very class
    JobWorkerDiedError.__module__ = __name__
    JobWorkerDiedError.__qualname__ = "JobWorkerDiedError"
    return JobWorkerDiedError


def __getattr__(name: str) -> Any:
    if name == "JobWorkerDiedError":
        built = _build_job_worker_died_error()
        globals()[name] = built  # built once: ``except`` clauses see one class
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class MainGuardError(LazyEphysError, RuntimeError):
    """A job was started while a spawned worker was importing the user's main script."""


class JobTransferError(LazyEphysError, TypeError):
    """What a job sends to its workers (functions, arguments, the object walked) cannot be
    pickled in the caller or loaded in a worker; the message names the piece and the cause."""


class JobCloseError(LazyEphysError, RuntimeError):
    """A worker state's ``close()`` failed at the end of a job; the cause is in the message."""


# ----------------------------------------------------------------- analysis
class UnknownPropertyError(LazyEphysError, KeyError):
    """A unit or channel property that the object does not have; the message lists those
    it has."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""


class InvalidEpochsError(LazyEphysError, ValueError):
    """An epochs table that cannot be used: no start/stop columns, a stop before its start,
    a zero-length epoch. The message names the offending rows or columns."""


# ---------------------------------------------------------------- optional
class OptionalDependencyError(LazyEphysError, ImportError):
    """An optional package that a feature needs is not installed; the message names the
    ``lazyephys`` extra that installs it."""


# ------------------------------------------------------------------ sweeps
class SweepMetadataError(LazyEphysError, ValueError):
    """A sweep whose metadata (cell, protocol, amplitude, stimulus start and end) is missing
    or inconsistent with its data; the message names the sweep."""


class UnknownFeatureError(LazyEphysError, KeyError):
    """A feature name the feature library does not know; the message lists close matches."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""



class UnknownProtocolError(LazyEphysError, KeyError):
    """A protocol named (in targets, in a rheobase request) that no sweep has; the message
    lists the protocols the sweeps have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RheobaseWarning(LazyEphysError, UserWarning):
    """A cell whose rheobase could not be found (no spiking sweep); reported per cell."""


class SavedKindWarning(LazyEphysError, UserWarning):
    """A saved folder names the kind it was saved from, but that kind cannot be rebuilt here
    (not installed or not registered): it loads as the plain recording or sorting saved."""
