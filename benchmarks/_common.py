"""Helpers shared by the benchmark scripts: timing and test files."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


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
