"""Export a recording to raw binary files, one per segment, with the chunked executor.

The files are created at their final size under a temporary name next to the target; every
worker opens them once and writes each of its chunks at its offset with ``os.pwrite`` (no
memory-mapped writes, no arrays sent back to the caller). When every chunk is written the
files are renamed to their targets; if anything fails, or on Ctrl-C, they are removed.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.casting import cast_traces, overflow_raised_plainly
from ..base.validation import check_traces_dtype
from ..jobs.executor import check_not_bootstrapping, run_chunked_job
from ..jobs.job_kwargs import fix_job_kwargs

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = ["write_binary_recording"]


# ------------------------------------------------------------- the job
class _BinaryWriter:
    """A worker's state: the recording and one open file descriptor per segment."""

    def __init__(self, recording: Recording, paths: list[str], dtype: str, file_offset: int,
                 clip: bool) -> None:
        self.recording = recording
        self.dtype = np.dtype(dtype)
        self.file_offset = file_offset
        self.clip = clip
        self.frame_bytes = recording.get_num_channels() * self.dtype.itemsize
        self.channel_ids = recording.get_channel_ids()
        self.fds: list[int] = []
        try:
            for path in paths:
                self.fds.append(os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0)))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        while self.fds:
            os.close(self.fds.pop())


def _open_writer(recording: Recording, paths: list[str], dtype: str, file_offset: int,
                 clip: bool) -> _BinaryWriter:
    return _BinaryWriter(recording, paths, dtype, file_offset, clip)


def _write_chunk(segment_index: int, start: int, end: int, writer: _BinaryWriter) -> None:
    traces = writer.recording.get_traces(segment_index=segment_index, start_frame=start,
                                         end_frame=end)
    if traces.dtype != writer.dtype:
        traces = cast_traces(traces, writer.dtype, writer.clip, writer.channel_ids,
                             segment_index, start)
    # a contiguous read-only view (e.g. of a memory-mapped source) is written without a copy
    buffer = np.ascontiguousarray(traces).data.cast("B")
    offset = writer.file_offset + start * writer.frame_bytes
    fd = writer.fds[segment_index]
    while buffer:
        written = os.pwrite(fd, buffer, offset)
        buffer, offset = buffer[written:], offset + written


def _as_paths(file_paths: Any) -> list[Path]:
    if isinstance(file_paths, (str, os.PathLike)):
        return [Path(file_paths)]
    return [Path(p) for p in file_paths]


def write_binary_recording(
    recording: Recording,
    file_paths: Any,
    dtype: Any = None,
    file_offset: int = 0,
    clip: bool = False,
    **job_kwargs: Any,
) -> None:
    """Write a recording to raw binary files (time, channel), one file per segment.

    The bytes written are exactly those of ``recording.get_traces(segment_index)`` (cast to
    ``dtype``), whatever the backend. Files appear at their paths only once complete.

    Parameters
    ----------
    recording : Recording
    file_paths : path or list of paths
        One file per segment; existing files are replaced.
    dtype : numpy dtype or None
        The dtype to write; None keeps the recording's. Narrowing casts check for overflow.
    file_offset : int
        Bytes of zeros before the traces in every file (room for a header).
    clip : bool
        Clip values outside ``dtype``'s range instead of raising.
    **job_kwargs
        ``n_jobs``, ``chunk_duration``, ``progress_bar``... (see
        :mod:`lazyephys.jobs.job_kwargs`).

    Raises
    ------
    DtypeOverflowError
        A value does not fit ``dtype`` (and ``clip`` is False): the message names the channel,
        the value and where it is.
    JobChunkError, JobWorkerDiedError
        See :func:`~lazyephys.jobs.executor.run_chunked_job`. No output remains after them.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=3, durations=[10])
    >>> write_binary_recording(rec, ["traces.raw"], n_jobs=2,
    ...                        chunk_duration="1s")  # doctest: +SKIP
    """
    check_not_bootstrapping()
    paths = _as_paths(file_paths)
    if len(paths) != recording.get_num_segments():
        raise ValueError(
            f"{len(paths)} file paths given for {recording.get_num_segments()} segments: give "
            "one file per segment"
        )
    if isinstance(file_offset, bool) or int(file_offset) != file_offset or file_offset < 0:
        raise ValueError(f"file_offset must be an int >= 0 (bytes), got {file_offset!r}")
    file_offset = int(file_offset)
    target = check_traces_dtype(recording.get_dtype() if dtype is None else dtype)
    fixed = fix_job_kwargs(job_kwargs)  # validate before any file is created
    frame_bytes = recording.get_num_channels() * target.itemsize
    token = uuid.uuid4().hex[:12]
    temporaries = [path.with_name(f".{path.name}.{token}.partial") for path in paths]
    try:
        for segment_index, temporary in enumerate(temporaries):
            size = file_offset + recording.get_num_samples(segment_index) * frame_bytes
            with open(temporary, "wb") as handle:
                handle.truncate(size)
        init_args = {
            "paths": [str(p.resolve()) for p in temporaries], "dtype": target.str,
            "file_offset": file_offset, "clip": bool(clip),
        }
        with overflow_raised_plainly():
            run_chunked_job(recording, _open_writer, init_args, _write_chunk,
                            job_name="write_binary_recording", **fixed)
        for temporary, path in zip(temporaries, paths, strict=True):
            os.replace(temporary, path)
    except BaseException:
        for temporary in temporaries:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        raise
