"""Ten small saves in one process: where starting workers dominates.

Each case runs in a fresh Python process that saves the same 20 MB recording (a binary
file on disk, so it reaches workers as its description) ten times with ``n_jobs=2``, and
reports the first save, the median of the nine others, and the total. Cases:

- ``default``: no ``mp_context`` (joblib's loky workers, warm between jobs; without a warm
  pool a job runs in the caller and starts workers only once its projected work left exceeds
  ``START_AFTER``, which these small saves never do);
- ``default warm``: the same, with the workers started (``start_workers(2)``, not timed)
  before the first save, so every save runs in them;
- ``old default``: the start method the executor picked before loky, chosen again at each
  save (``fork``, or ``forkserver`` once the caller runs another thread, as zarr 3 does);
- ``fork``: ``mp_context="fork"``, a new pool per job (the old default when the caller runs
  no other thread);
- ``forkserver``: ``mp_context="forkserver"``, a new pool per job (the old default once zarr
  or any other thread runs in the caller);
- ``n_jobs=1``: in-process, the floor.

The ratio column is each case's total against the default's, measured in the same run.

A second table isolates start-up: the median and best wall time of 15 jobs of four trivial
chunks (no I/O) on an in-memory recording, in one process, per case; the default's pool is
started first (``start_workers``), so this is the warm figure.

Usage::

    python benchmarks/bench_job_startup.py                 # binary and zarr, 10 saves
    python benchmarks/bench_job_startup.py --saves 5 --formats binary
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES: dict[str, dict] = {
    "default": {"n_jobs": 2},
    "default warm": {"n_jobs": 2},
    "old default": {"n_jobs": 2},
    "fork": {"n_jobs": 2, "mp_context": "fork"},
    "forkserver": {"n_jobs": 2, "mp_context": "forkserver"},
    "n_jobs=1": {"n_jobs": 1},
}
CHANNELS = 32
FS = 30000.0
SECONDS = 20e6 / (CHANNELS * 2 * FS)  # 20 MB of int16


def one_process(source: str, folder: str, fmt: str, case: str, saves: int) -> None:
    """Run in the child: ``saves`` saves, then print the times as JSON."""
    import lazyephys as le

    case = list(CASES)[int(case)]
    from lazyephys.jobs.executor import default_mp_context

    recording = le.load(source)
    if case == "default warm":
        from lazyephys.jobs.backends.loky import start_workers

        start_workers(2)
    times = []
    for index in range(saves):
        target = Path(folder) / f"{case}-{index}{'.zarr' if fmt == 'zarr' else ''}"
        kwargs = dict(CASES[case])
        started = time.perf_counter()
        if case == "old default":
            kwargs["mp_context"] = default_mp_context()
        recording.save(folder=target, format=fmt, **kwargs)
        times.append(time.perf_counter() - started)
        shutil.rmtree(target)
    print(json.dumps(times))


def _init_nothing(recording: object) -> None:
    return None


def _run_nothing(segment_index: int, start: int, end: int, state: None) -> int:
    return start


def trivial_jobs(repeat: int = 15) -> None:
    """Start-up alone: jobs of four chunks that do nothing, on a warm default pool."""
    import numpy as np

    import lazyephys as le
    from lazyephys.jobs import run_chunked_job
    from lazyephys.jobs.backends.loky import start_workers
    from lazyephys.jobs.executor import default_mp_context

    recording = le.NumpyRecording([np.zeros((4000, 2), "int16")], 1000.0)
    start_workers(2)
    print(f"\n{repeat} jobs of 4 trivial chunks, n_jobs=2, one process (default pool warm)")
    print(f"{'case':<13}{'median ms':>11}{'best ms':>9}{'ratio':>8}")
    medians = {}
    for case in CASES:
        if case == "default warm":  # the default's pool is warm here already
            continue
        kwargs = dict(CASES[case])
        times = []
        for _ in range(repeat):
            if case == "old default":
                kwargs["mp_context"] = default_mp_context()
            started = time.perf_counter()
            run_chunked_job(recording, _init_nothing, {}, _run_nothing, chunk_size=1000,
                            **kwargs)
            times.append(time.perf_counter() - started)
        medians[case] = statistics.median(times)
        ratio = medians[case] / medians["default"]
        print(f"{case:<13}{medians[case] * 1e3:>11.1f}{min(times) * 1e3:>9.1f}{ratio:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--formats", nargs="+", default=["binary", "zarr"])
    parser.add_argument("--child", nargs=4, metavar=("SOURCE", "FOLDER", "FORMAT", "CASE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_process(*args.child, saves=args.saves)
        return

    import lazyephys as le

    folder = Path(tempfile.mkdtemp(prefix="lazyephys-bench-startup-"))
    try:
        source = folder / "source"
        le.generate_recording(num_channels=CHANNELS, durations=[SECONDS], sampling_frequency=FS,
                              dtype="int16", seed=0, set_probe=False).save(folder=source)
        print(f"{args.saves} saves of {CHANNELS} ch x {SECONDS:.2f} s int16 (20 MB) in one "
              f"process, default chunks (1 s); each case in a fresh process")
        print(f"{'format':<8}{'case':<13}{'first s':>9}{'then s':>9}{'total s':>9}"
              f"{'ratio':>8}")
        for fmt in args.formats:
            totals = {}
            for case in CASES:
                out = subprocess.run(
                    [sys.executable, __file__, "--saves", str(args.saves), "--child",
                     str(source), str(folder), fmt, str(list(CASES).index(case))],
                    capture_output=True, text=True, check=True,
                ).stdout
                times = json.loads(out.strip().splitlines()[-1])
                totals[case] = (times[0], statistics.median(times[1:] or times), sum(times))
            for case, (first, then, total) in totals.items():
                ratio = total / totals["default"][2]
                print(f"{fmt:<8}{case:<13}{first:>9.3f}{then:>9.3f}{total:>9.2f}{ratio:>8.2f}")
        print("ratio: the case's total time / the default's (above 1: the default is faster)")
        trivial_jobs()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
