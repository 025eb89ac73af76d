"""Counting over consecutive ranges of bins through the chunked executor, in threads.

A long binned span (an hour at 10 ms is 360 000 bins) is cut into ranges of whole bins; each
range is counted by one worker from the spikes in it (a contiguous run of the sorted spike
vector), and the ranges' results are put together in order. The executor walks the bins as
the frames of one segment (:class:`BinGrid`), so its job kwargs mean what they always mean:
``chunk_size`` is bins per range, ``chunk_duration`` seconds of bins. Workers are threads:
numpy's counting (``bincount``, ``searchsorted``, integer ufuncs) releases the GIL, and the
spike vector and the results are shared, never copied to other processes. With one job, or
without job kwargs given to the call (global job kwargs do not apply), the whole span is
counted in one pass, exactly as without the executor: for 300 units and 10 million spikes
one pass is as fast as two threads (benchmarks/bench_bin_ranges.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..jobs import run_chunked_job
from ..jobs.job_kwargs import CHUNK_KEYS, fix_job_kwargs

__all__ = ["BinGrid", "run_over_bins", "RANGES_PER_WORKER"]

#: Ranges per worker a span is cut into when no chunk size is given
RANGES_PER_WORKER = 4


class BinGrid:
    """The bins of a span as the frames of one segment, for the executor."""

    def __init__(self, num_bins: int, bin_duration: float, frame_bytes: int) -> None:
        self.num_bins = int(num_bins)
        self.bin_duration = float(bin_duration)
        self.frame_bytes = max(1, int(frame_bytes))

    def get_num_segments(self) -> int:
        return 1

    def get_num_samples(self, segment_index: int | None = None) -> int:
        return self.num_bins

    def get_sampling_frequency(self) -> float:
        return 1.0 / self.bin_duration

    def get_frame_bytes(self) -> int:
        return self.frame_bytes

    def is_in_memory(self) -> bool:
        return True

    def to_dict(self, relative_to: Any = None) -> dict[str, Any]:
        raise TypeError("a grid of bins is counted in threads; it has no description")


def _init(grid: BinGrid, count: Callable[[int, int], Any]) -> dict[str, Any]:
    return {"count": count}


def _run(segment_index: int, first_bin: int, stop_bin: int, state: dict[str, Any]) -> Any:
    return state["count"](first_bin, stop_bin)


def run_over_bins(
    num_bins: int,
    bin_duration: float,
    frame_bytes: int,
    count: Callable[[int, int], Any],
    job_kwargs: dict[str, Any],
    job_name: str,
) -> list[Any]:
    """``count(first_bin, stop_bin)`` over consecutive ranges covering ``[0, num_bins)``.

    Parameters
    ----------
    num_bins : int
    bin_duration : float
        Seconds per bin (for ``chunk_duration``).
    frame_bytes : int
        Bytes of result per bin (for ``chunk_memory`` and the progress bar).
    count : callable
        Counts a range of bins; called from worker threads, on disjoint ranges.
    job_kwargs : dict
        ``n_jobs``, ``chunk_size`` (bins), ``chunk_duration``, ``progress_bar``...; a
        ``pool_engine`` other than ``"thread"`` is refused.
    job_name : str

    Returns
    -------
    list
        The results of the ranges, in order: one (the whole span) with one job.
    """
    given = dict(job_kwargs)
    engine = given.pop("pool_engine", "thread")
    if engine != "thread":
        raise ValueError(
            f"{job_name} counts in threads (pool_engine='thread'), which share the spikes and "
            f"the counts; got pool_engine={engine!r}"
        )
    fixed = fix_job_kwargs(given)
    chunked = any(given.get(key) is not None for key in CHUNK_KEYS)
    # only job kwargs given here cut the span: one pass is as fast or faster for spike
    # vectors that fit in memory (a global n_jobs set for exports does not apply)
    if num_bins == 0 or not given or (fixed["n_jobs"] == 1 and not chunked):
        return [count(0, num_bins)]
    if not chunked:
        given["chunk_size"] = max(1, math.ceil(num_bins / (RANGES_PER_WORKER * fixed["n_jobs"])))
    grid = BinGrid(num_bins, bin_duration, frame_bytes)
    return list(run_chunked_job(grid, _init, {"count": count}, _run, job_name=job_name,
                                pool_engine="thread", **given))
