"""Throughput and peak memory of write_binary_recording against a plain pwrite loop.

The reference, measured in the same run: a Python loop that reads each chunk of a memory-mapped
raw file into a buffer and writes it with ``os.pwrite``. The runs alternate (reference,
n_jobs=1, n_jobs=2, ...; the order rotates each round, and dirty pages are flushed before
each run) and the best of each is kept, because the disk is noisy.

Timings come from unsampled runs; one more run of each case measures peak memory: the
highest total, over the caller and all its child processes (sampled every
20 ms), of the proportional anonymous memory (``Pss_Anon + Pss_Shmem`` of
``/proc/<pid>/smaps_rollup``): memory the job holds, not page cache mapped from the source
file. The summed RSS is shown beside it. The budget is ``n_jobs x chunk bytes x 4 + 150 MB``.

Usage::

    python benchmarks/bench_write_binary.py                  # 384 ch x 60 s, 3 rounds, dask
    python benchmarks/bench_write_binary.py --duration 10 --rounds 2 --no-dask
    python benchmarks/bench_write_binary.py --long 600       # also a 600 s generated export

Large files go under --tmp (default /tmp) and are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import lazyephys as le
from _common import TreeMemorySampler

FS = 30000.0


def reference_loop(source: Path, target: Path, num_channels: int, chunk: int) -> None:
    """Read each chunk of a memmap into a buffer and pwrite it: the plain-Python reference."""
    data = np.memmap(source, dtype="int16", mode="r").reshape(-1, num_channels)
    frame_bytes = num_channels * 2
    buffer = np.empty((chunk, num_channels), dtype="int16")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.ftruncate(fd, data.shape[0] * frame_bytes)
        for start in range(0, data.shape[0], chunk):
            end = min(start + chunk, data.shape[0])
            view = buffer[: end - start]
            np.copyto(view, data[start:end])
            os.pwrite(fd, view.data.cast("B"), start * frame_bytes)
    finally:
        os.close(fd)
    del data


def timed(function, *args, **kwargs) -> float:
    # start every case with no dirty pages left by the previous one, whose write-back would
    # otherwise throttle this one
    os.sync()
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def sampled(function, *args, **kwargs) -> tuple[float, int, int]:
    """A separate, memory-sampled run: reading smaps_rollup of a process with a large
    mapping slows that process down, so timings come from unsampled runs."""
    os.sync()
    with TreeMemorySampler() as sampler:
        started = time.perf_counter()
        function(*args, **kwargs)
        elapsed = time.perf_counter() - started
    return elapsed, sampler.peak_total, sampler.peak_rss


def make_source(folder: Path, num_channels: int, duration: float) -> Path:
    source = folder / "source.raw"
    generated = le.generate_recording(num_channels=num_channels, durations=[duration],
                                      sampling_frequency=FS, dtype="int16", seed=0,
                                      set_probe=False)
    le.write_binary_recording(generated, source, n_jobs=2, chunk_duration="1s")
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=384)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traces")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--tmp", default="/tmp", help="folder for the large files")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask backend")
    parser.add_argument("--long", type=float, default=0.0,
                        help="also export a generated recording this long (s) at n_jobs=2")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="lazyephys-bench-", dir=args.tmp))
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: Path) -> None:
    channels = args.channels
    chunk = int(FS)  # chunk_duration="1s"
    chunk_bytes = chunk * channels * 2
    source = make_source(folder, channels, args.duration)
    size = source.stat().st_size
    recording = le.BinaryRecordingExtractor(source, FS, "int16", channels)
    target = folder / "out.raw"
    print(f"{channels} channels x {args.duration:g} s int16 = {size / 1e9:.2f} GB, "
          f"chunk_duration='1s' ({chunk_bytes / 1e6:.1f} MB), {args.rounds} alternating rounds, "
          f"{le.jobs.job_kwargs.usable_cpu_count()} usable cores")

    cases = {
        "plain memmap->pwrite loop": lambda: reference_loop(source, target, channels, chunk),
        "write_binary n_jobs=1": lambda: le.write_binary_recording(
            recording, target, n_jobs=1, chunk_duration="1s"),
        "write_binary n_jobs=2": lambda: le.write_binary_recording(
            recording, target, n_jobs=2, chunk_duration="1s"),
        "write_binary n_jobs=2 fork": lambda: le.write_binary_recording(
            recording, target, n_jobs=2, chunk_duration="1s", mp_context="fork"),
    }
    budgets = {"plain memmap->pwrite loop": None, "write_binary n_jobs=1": 1,
               "write_binary n_jobs=2": 2, "write_binary n_jobs=2 fork": 2}
    best: dict[str, tuple[float, int, int]] = {}
    names = list(cases)
    for round_index in range(args.rounds):
        # rotate the order so that no case always runs first or last
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed = timed(cases[name])
            target.unlink()
            old = best.get(name)
            best[name] = (min(elapsed, old[0]) if old else elapsed, 0, 0)
    for name in names:
        _, private, rss = sampled(cases[name])
        target.unlink()
        best[name] = (best[name][0], private, rss)
    if not args.no_dask:
        best.update(dask_case(recording, target, args.rounds))
        budgets["write_binary dask, 2 workers"] = None

    reference = size / best["plain memmap->pwrite loop"][0]
    print()
    print(f"{'case':<32}{'best s':>8}{'MB/s':>8}{'ratio':>7}{'peak MB':>9}{'RSS MB':>8}"
          f"{'budget MB':>10}")
    for name, (elapsed, private, rss) in best.items():
        rate = size / elapsed
        workers = budgets.get(name)
        budget = f"{(workers * chunk_bytes * 4 + 150e6) / 1e6:.0f}" if workers else "-"
        peak = f"{private / 1e6:.0f}" if private else "-"
        rss_text = f"{rss / 1e6:.0f}" if rss else "-"
        print(f"{name:<32}{elapsed:>8.2f}{rate / 1e6:>8.0f}{rate / reference:>7.2f}"
              f"{peak:>9}{rss_text:>8}{budget:>10}")
    print("n_jobs=2 uses the default workers (joblib's loky, warm between jobs); 'fork' is a "
          "new fork pool per job, the start method chosen before loky when no other thread runs")
    print("ratio: throughput / plain loop's; peak: summed proportional anonymous memory of "
          "the process tree; RSS: summed RSS (counts page cache mapped from the source)")

    if args.long:
        long_run(args, folder, channels, chunk_bytes)


def dask_case(recording, target: Path, rounds: int) -> dict[str, tuple[float, int, int]]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        times = []
        for _ in range(rounds):
            os.sync()
            started = time.perf_counter()
            le.write_binary_recording(recording, target, chunk_duration="1s", client=client)
            times.append(time.perf_counter() - started)
            target.unlink()
    return {"write_binary dask, 2 workers": (min(times), 0, 0)}


def long_run(args: argparse.Namespace, folder: Path, channels: int, chunk_bytes: int) -> None:
    generated = le.generate_recording(num_channels=channels, durations=[args.long],
                                      sampling_frequency=FS, dtype="int16", seed=1,
                                      set_probe=False)
    target = folder / "long.raw"
    elapsed, private, rss = sampled(le.write_binary_recording, generated, target, n_jobs=2,
                                    chunk_duration="1s")
    size = target.stat().st_size
    target.unlink()
    budget = 2 * chunk_bytes * 4 + 150e6
    print()
    print(f"generated {channels} ch x {args.long:g} s int16, n_jobs=2: {size / 1e9:.1f} GB in "
          f"{elapsed:.1f} s ({size / elapsed / 1e6:.0f} MB/s); peak {private / 1e6:.0f} MB "
          f"(RSS {rss / 1e6:.0f} MB) vs budget {budget / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
