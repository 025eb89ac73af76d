"""SpikeInterface's helpers for job kwargs: the resolved worker count and chunk length, and
job kwargs suited to this machine."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidJobKwargsError
from .job_kwargs import parse_duration, parse_memory, resolve_n_jobs, usable_cpu_count
from .plan import resolve_chunk_size

__all__ = ["ensure_n_jobs", "ensure_chunk_size", "get_best_job_kwargs"]


def ensure_n_jobs(extractor: Any, n_jobs: Any = 1) -> int:
    """The number of workers ``n_jobs`` stands for (-1: every usable core; None or 0: one).

    Parameters
    ----------
    extractor : Recording or Sorting
        The object the job runs over (kept for SpikeInterface's signature).
    n_jobs : int, float or None
        Workers; a float in (0, 1] is a fraction of the usable cores.

    Examples
    --------
    >>> import lazyephys as le
    >>> ensure_n_jobs(le.generate_recording(durations=[1.0]), n_jobs=None)
    1
    """
    if n_jobs is None or (not isinstance(n_jobs, bool) and n_jobs == 0):
        return 1
    return resolve_n_jobs(n_jobs)


def ensure_chunk_size(
    recording: Any,
    total_memory: Any = None,
    chunk_size: Any = None,
    chunk_memory: Any = None,
    chunk_duration: Any = None,
    n_jobs: Any = 1,
    **other_kwargs: Any,
) -> int:
    """Samples per chunk from whichever of the chunk kwargs is given.

    ``chunk_size`` wins over ``chunk_memory``, over ``total_memory`` (split between
    ``n_jobs`` workers), over ``chunk_duration``. With none of them, one worker reads each
    segment whole (the longest segment's length); several workers need one of them.

    Parameters
    ----------
    recording : Recording
    total_memory, chunk_memory : str or None
        Such as ``"100M"`` or ``"1G"``.
    chunk_size : int or None
        Samples.
    chunk_duration : str, float or None
        Such as ``"1s"``, ``"500ms"`` or seconds.
    n_jobs : int
    **other_kwargs
        Other job kwargs (ignored: they do not set the chunk length).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=4, durations=[2.0])  # float32, 30 kHz
    >>> ensure_chunk_size(rec, chunk_memory="160k"), ensure_chunk_size(rec, chunk_duration="1s")
    (10000, 30000)
    """
    if all(value is None for value in (total_memory, chunk_size, chunk_memory, chunk_duration)):
        if ensure_n_jobs(recording, n_jobs) != 1:
            raise InvalidJobKwargsError(
                "with n_jobs > 1 give the chunk length: chunk_size, chunk_duration, "
                "chunk_memory or total_memory"
            )
        return max(recording.get_num_samples(i) for i in range(recording.get_num_segments()))
    # the value as SpikeInterface computes it: not clipped to the segments' lengths (the
    # executor's plans clip it; this function only answers the question)
    frame_bytes = max(1, recording.get_frame_bytes())
    if chunk_size is not None:
        resolve_chunk_size(recording, chunk_size=chunk_size)  # checks it is an int >= 1
        size = int(chunk_size)
    elif chunk_memory is not None:
        size = parse_memory(chunk_memory, "chunk_memory") // frame_bytes
    elif total_memory is not None:
        workers = ensure_n_jobs(recording, n_jobs)
        size = parse_memory(total_memory, "total_memory") // (workers * frame_bytes)
    else:
        size = int(parse_duration(chunk_duration) * recording.get_sampling_frequency())
    if size < 1:
        raise InvalidJobKwargsError(f"the chunk kwargs give chunks shorter than one sample "
                                    f"(one frame is {frame_bytes} bytes); give a larger chunk")
    return size


def get_best_job_kwargs() -> dict[str, Any]:
    """Job kwargs suited to this machine: one single-threaded process per usable core, up to
    16 cores; beyond, a quarter as many processes with 8 threads each.

    Examples
    --------
    >>> sorted(get_best_job_kwargs())
    ['max_threads_per_worker', 'mp_context', 'n_jobs', 'pool_engine']
    """
    cores = usable_cpu_count()
    if cores <= 16:
        n_jobs, threads = cores, 1
    else:
        n_jobs, threads = max(1, cores // 4), 8
    return {"pool_engine": "process", "mp_context": None, "n_jobs": n_jobs,
            "max_threads_per_worker": threads}
