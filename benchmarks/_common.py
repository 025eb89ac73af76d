"""Helpers shared by the benchmark scripts: timing and test files."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil


def best_time(func: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def per_call_seconds(func: Callable[[], object], calls: int = 20000, repeat: int = 5) -> float:
    """Best mean time of one call over ``repeat`` loops of ``calls`` calls."""
    def loop() -> None:
        for _ in range(calls):
            func()

    return best_time(loop, repeat) / calls


def make_int16_file(num_channels: int, seconds: float, fs: float = 30000.0,
                    folder: str | None = None) -> Path:
    """A raw int16 (time, channel) file of noise, written in 1 s blocks."""
    folder_path = Path(folder or os.environ.get("LAZYEPHYS_BENCH_DIR", tempfile.gettempdir()))
    path = folder_path / f"lazyephys_bench_{num_channels}x{int(seconds)}s.raw"
    frames = int(seconds * fs)
    if path.exists() and path.stat().st_size == frames * num_channels * 2:
        return path
    rng = np.random.default_rng(0)
    block = rng.normal(0, 30, size=(int(fs), num_channels)).astype(np.int16)
    with open(path, "wb") as handle:
        for start in range(0, frames, int(fs)):
            handle.write(block[: min(int(fs), frames - start)].tobytes())
    return path


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    """Print rows as an aligned table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


class TreeMemorySampler:
    """Peak memory of this process and its children, sampled in a background thread.

    ``peak_total`` / ``peak_main`` (bytes) are proportional anonymous memory (``Pss_Anon +
    Pss_Shmem`` of ``/proc/<pid>/smaps_rollup``) summed over the tree / of this process alone:
    memory a job holds, not page cache mapped from a source file. ``peak_rss`` is the summed
    RSS, which does count those mapped pages.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_total = 0
        self.peak_main = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _private(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                return sum(int(line.split()[1]) * 1024 for line in handle
                           if line.startswith(("Pss_Anon:", "Pss_Shmem:")))
        except OSError:
            return 0

    def _sample(self) -> None:
        me = psutil.Process()
        main = self._private(me.pid)
        total, rss = main, me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                rss += child.memory_info().rss
            except psutil.Error:
                continue
            total += self._private(child.pid)
        self.peak_main = max(self.peak_main, main)
        self.peak_total = max(self.peak_total, total)
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> TreeMemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
