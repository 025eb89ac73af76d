"""The chunk plan: which ``(segment_index, start_frame, end_frame)`` windows a job walks.

A plan is explicit data that can be printed, indexed and iterated. It is stored as one int64
array (three numbers per chunk), so the plan of a day-long recording cut into small chunks
stays small.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from ..errors import InvalidJobKwargsError
from .job_kwargs import CHUNK_KEYS, parse_duration, parse_memory, resolve_n_jobs

if TYPE_CHECKING:
    from .chunkable import Chunkable

__all__ = ["ChunkPlan", "make_chunk_plan", "resolve_chunk_size"]

_DEFAULT_CHUNK_DURATION = "1s"


class ChunkPlan:
    """An ordered list of chunks ``(segment_index, start_frame, end_frame)``.

    Parameters
    ----------
    chunks : array-like of shape (n, 3)
        The chunks, in the order they are run and gathered.
    chunk_size : int
        The nominal chunk length in samples (the last chunk of a segment may be shorter).
    sampling_frequency : float
    frame_bytes : int
        Bytes of one frame (all channels) of the recording, to report chunk memory.
    grid : int or None
        The grid chunk edges were aligned to.

    Examples
    --------
    >>> plan = ChunkPlan([(0, 0, 100), (0, 100, 150)], 100, 1000.0, 8)
    >>> len(plan), plan[1]
    (2, (0, 100, 150))
    """

    def __init__(
        self,
        chunks: Any,
        chunk_size: int,
        sampling_frequency: float,
        frame_bytes: int,
        grid: int | None = None,
    ) -> None:
        array = np.asarray(chunks, dtype=np.int64).reshape(-1, 3)
        array.flags.writeable = False
        self._chunks = array
        self.chunk_size = int(chunk_size)
        self.sampling_frequency = float(sampling_frequency)
        self.frame_bytes = int(frame_bytes)
        self.grid = grid

    @property
    def chunks(self) -> np.ndarray:
        """The (n, 3) int64 array of chunks (read-only)."""
        return self._chunks

    @property
    def chunk_bytes(self) -> int:
        """Bytes of one full chunk of the recording's traces."""
        return self.chunk_size * self.frame_bytes

    @property
    def total_samples(self) -> int:
        """Samples covered by the plan, summed over chunks."""
        return int((self._chunks[:, 2] - self._chunks[:, 1]).sum())

    def chunk_nbytes(self, index: int) -> int:
        """Bytes of the traces of chunk ``index``."""
        _, start, end = self[index]
        return (end - start) * self.frame_bytes

    def __len__(self) -> int:
        return int(self._chunks.shape[0])

    @overload
    def __getitem__(self, index: int) -> tuple[int, int, int]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int, int]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [tuple(int(v) for v in row) for row in self._chunks[index]]
        segment, start, end = self._chunks[index]
        return int(segment), int(start), int(end)

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        yield from ((seg, start, end) for seg, start, end in self._chunks.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChunkPlan):
            return bool(np.array_equal(self._chunks, other._chunks))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def summary(self) -> str:
        """One line: chunks, their length and memory, segments."""
        n = len(self)
        segments = len(np.unique(self._chunks[:, 0])) if n else 0
        seconds = self.chunk_size / self.sampling_frequency
        grid = f", edges on a grid of {self.grid}" if self.grid else ""
        return (
            f"ChunkPlan: {n} chunk{'s' if n != 1 else ''} of {self.chunk_size} samples "
            f"({seconds:g} s, {_format_bytes(self.chunk_bytes)}) over {segments} "
            f"segment{'s' if segments != 1 else ''}{grid}"
        )

    def __repr__(self) -> str:
        lines = [self.summary()]
        rows = [*self]
        shown = rows if len(rows) <= 8 else [*rows[:4], None, *rows[-3:]]
        for row in shown:
            lines.append("  ..." if row is None else f"  {row}")
        return "\n".join(lines)


def _format_bytes(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000:
            return f"{size:.3g} {unit}"
        size /= 1000
    return f"{size:.3g} TB"


def resolve_chunk_size(
    recording: Chunkable,
    chunk_size: Any = None,
    chunk_duration: Any = None,
    chunk_memory: Any = None,
    total_memory: Any = None,
    n_jobs: Any = 1,
) -> int:
    """Samples per chunk from whichever chunk key is given (see the module for precedence).

    ``chunk_size`` wins over ``chunk_memory``, over ``total_memory`` (divided by ``n_jobs``),
    over ``chunk_duration``; with none of them, chunks last one second.

    Raises
    ------
    InvalidJobKwargsError
        If the chunk would be shorter than one sample.
    """
    frame_bytes = recording.get_frame_bytes()
    fs = recording.get_sampling_frequency()
    longest = max((recording.get_num_samples(i) for i in range(recording.get_num_segments())),
                  default=0)
    if frame_bytes == 0 and chunk_size is None and (chunk_memory is not None
                                                     or total_memory is not None):
        # no channels: a chunk of any length holds no bytes, so one chunk per segment
        return max(1, longest)
    if chunk_size is not None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral):
            raise InvalidJobKwargsError(f"chunk_size must be an int (samples), got {chunk_size!r}")
        size, source = int(chunk_size), f"chunk_size={chunk_size!r}"
    elif chunk_memory is not None:
        size = parse_memory(chunk_memory, "chunk_memory") // frame_bytes
        source = f"chunk_memory={chunk_memory!r}"
    elif total_memory is not None:
        workers = resolve_n_jobs(n_jobs)
        size = parse_memory(total_memory, "total_memory") // (workers * frame_bytes)
        source = f"total_memory={total_memory!r} over n_jobs={workers}"
    else:
        duration = _DEFAULT_CHUNK_DURATION if chunk_duration is None else chunk_duration
        size = round(parse_duration(duration) * fs)
        source = f"chunk_duration={duration!r} at {fs:g} Hz"
    if size < 1:
        raise InvalidJobKwargsError(
            f"{source} gives chunks shorter than one sample (one frame of this recording is "
            f"{frame_bytes} bytes, one sample lasts {1 / fs:g} s); give a larger chunk"
        )
    # a chunk longer than every segment is one chunk per segment (and stays a small integer)
    return min(size, max(1, longest))


def make_chunk_plan(
    recording: Chunkable,
    chunk_size: Any = None,
    chunk_duration: Any = None,
    chunk_memory: Any = None,
    total_memory: Any = None,
    n_jobs: Any = 1,
    grid: int | None = None,
) -> ChunkPlan:
    """Cut every segment of a recording (or a sorting: anything Chunkable) into chunks.

    Parameters
    ----------
    recording : Recording or Sorting
    chunk_size, chunk_duration, chunk_memory, total_memory : see :mod:`.job_kwargs`
        One of them sets the chunk length (``chunk_size`` first, then ``chunk_memory``,
        ``total_memory``, ``chunk_duration``); none gives one-second chunks.
    n_jobs : int or float
        Workers, used to divide ``total_memory``.
    grid : int or None
        Force chunk edges onto multiples of ``grid`` samples (e.g. a zarr chunk length), so
        that no two chunks touch the same grid cell. The chunk length is rounded down to a
        multiple of ``grid`` (at least one grid cell).

    Returns
    -------
    ChunkPlan

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], sampling_frequency=1000.0)
    >>> list(make_chunk_plan(rec, chunk_size=300, grid=200))
    [(0, 0, 200), (0, 200, 400), (0, 400, 600), (0, 600, 800), (0, 800, 1000)]
    """
    size = resolve_chunk_size(recording, chunk_size, chunk_duration, chunk_memory, total_memory,
                              n_jobs)
    if grid is not None:
        if isinstance(grid, bool) or not isinstance(grid, numbers.Integral) or grid < 1:
            raise InvalidJobKwargsError(f"grid must be a positive int (samples), got {grid!r}")
        grid = int(grid)
        size = max(grid, (size // grid) * grid)
    pieces = []
    for segment_index in range(recording.get_num_segments()):
        num_samples = recording.get_num_samples(segment_index)
        starts = np.arange(0, num_samples, size, dtype=np.int64)
        piece = np.empty((starts.size, 3), dtype=np.int64)
        piece[:, 0] = segment_index
        piece[:, 1] = starts
        piece[:, 2] = np.minimum(starts + size, num_samples)
        pieces.append(piece)
    chunks = np.concatenate(pieces) if pieces else np.empty((0, 3), dtype=np.int64)
    frame_bytes = recording.get_frame_bytes()
    return ChunkPlan(chunks, size, recording.get_sampling_frequency(), frame_bytes, grid)


def plan_from_job_kwargs(
    recording: Chunkable, job_kwargs: dict[str, Any], grid: int | None = None
) -> ChunkPlan:
    """The plan for fixed job kwargs (see :func:`~lazyephys.jobs.job_kwargs.fix_job_kwargs`)."""
    chunk_args = {key: job_kwargs.get(key) for key in CHUNK_KEYS}
    return make_chunk_plan(recording, n_jobs=job_kwargs.get("n_jobs", 1), grid=grid,
                           **chunk_args)
