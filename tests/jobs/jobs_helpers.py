"""Module-level job functions and small recordings for the executor tests.

They live in an importable module so that spawned and dask workers can unpickle them.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import numpy as np

from lazyephys.recording.base import Recording, RecordingSegment


class MarkerState:
    """A state that leaves a file behind when it is built and when it is closed."""

    def __init__(self, recording: Recording, folder: str) -> None:
        self.recording = recording
        self.folder = Path(folder)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        (self.folder / f"init-{self.token}").touch()
        # an open handle: left open it would raise ResourceWarning in the caller's process
        self.handle = open(self.folder / f"log-{self.token}", "w")

    def close(self) -> None:
        self.handle.close()
        (self.folder / f"close-{self.token}").touch()


def init_marker(recording: Recording, folder: str) -> MarkerState:
    return MarkerState(recording, folder)


def run_sum(segment_index: int, start: int, end: int, state: MarkerState) -> tuple:
    traces = state.recording.get_traces(segment_index, start, end)
    state.handle.write(f"{start}\n")
    return segment_index, start, end, float(traces.astype(np.float64).sum()), os.getpid()


def init_dict(recording: Recording, fail_start: int = -1, kill_start: int = -1,
              folder: str | None = None) -> dict:
    return {"recording": recording, "fail_start": fail_start, "kill_start": kill_start,
            "folder": folder}


def run_maybe_fail(segment_index: int, start: int, end: int, state: dict) -> int:
    if state["folder"] is not None:
        Path(state["folder"], f"ran-{segment_index}-{start}").touch()
    if start == state["fail_start"]:
        raise ValueError(f"planned failure at frame {start}")
    if start == state["kill_start"]:
        os.kill(os.getpid(), signal.SIGKILL)
    if state["fail_start"] >= 0 or state["kill_start"] >= 0:
        time.sleep(0.01)  # let the failure reach the caller while chunks remain queued
    return start


def init_raise(recording: Recording) -> None:
    raise OSError("cannot open the output")


def gather_total(results: list) -> float:
    return sum(r[3] for r in results)


class RampSegment(RecordingSegment):
    """frame * (channel + 1), as any dtype; cheap and easy to check by hand."""

    def __init__(self, num_samples: int, num_channels: int, dtype: str, scale: float) -> None:
        super().__init__(num_samples)
        self.num_channels = num_channels
        self.dtype = np.dtype(dtype)
        self.scale = scale

    def get_traces(self, start, end, channel_selector):
        frames = np.arange(start, end, dtype=np.float64)[:, None]
        values = frames * np.arange(1, self.num_channels + 1) * self.scale
        return values.astype(self.dtype)[:, channel_selector]


class RampRecording(Recording):
    """Not registered: it reaches fork workers by inheritance and threads by reference."""

    def __init__(self, num_samples: int = 1000, num_channels: int = 3, dtype: str = "int16",
                 scale: float = 1.0) -> None:
        super().__init__(1000.0, [f"ch{i}" for i in range(num_channels)], dtype)
        self.add_segment(RampSegment(num_samples, num_channels, dtype, scale))


INIT_CALLS: list[int] = []


def init_none(recording: Recording) -> None:
    INIT_CALLS.append(1)


def run_start(segment_index: int, start: int, end: int, state: None) -> int:
    return start


def run_started(segment_index: int, start: int, end: int, state: object) -> tuple:
    """When (wall clock) and where the chunk started."""
    return time.time(), os.getpid()


class FailingClose:
    def close(self) -> None:
        raise OSError("the disk is full")


def init_failing_close(recording: Recording) -> FailingClose:
    return FailingClose()


def init_sorting(sorting) -> object:
    return sorting


def run_count_spikes(segment_index: int, start: int, end: int, sorting) -> int:
    """Spikes of every unit in the chunk, counted through the public API."""
    return sum(
        sorting.get_unit_spike_train(unit_id, segment_index, start_frame=start,
                                     end_frame=end).size
        for unit_id in sorting.get_unit_ids()
    )


def run_sleep(segment_index: int, start: int, end: int, state: object) -> int:
    time.sleep(0.05)
    return start


def run_blas_threads(segment_index: int, start: int, end: int, state: object) -> int:
    from threadpoolctl import threadpool_info

    return max([lib["num_threads"] for lib in threadpool_info()] or [1])


def run_timed_sleep(segment_index: int, start: int, end: int, state: object) -> tuple:
    """Sleep 50 ms; report where the chunk ran and when (monotonic clock) it began and ended."""
    began = time.monotonic()
    time.sleep(0.05)
    return os.getpid(), began, time.monotonic()


def run_slow_first(segment_index: int, start: int, end: int, state: object) -> int:
    """The first chunk takes 0.3 s (as first reads and imports can), the others nothing."""
    if start == 0:
        time.sleep(0.3)
    return os.getpid()
