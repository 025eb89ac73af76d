"""``bin_spikes`` and ``recruitment`` with ``n_jobs=2`` (ranges of bins counted in threads
through the executor) against one pass (``n_jobs=1``), and against ``np.bincount`` over
``unit * nbins + bin``, on the same sorting in the same run.

300 units, 10 million spikes over 1 h at 30 kHz, 10 ms bins (the defaults; ``--units``,
``--spikes``, ``--duration`` change them). Best of ``--repeat`` runs each.

    python benchmarks/bench_bin_ranges.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from _common import best_time, print_table
from bench_analysis import make_sorting
from lazyephys.analysis import bin_spikes, recruitment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--duration", type=float, default=3600.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    fs = 30000.0
    sorting = make_sorting(args.units, args.spikes, args.duration, fs)
    sorting.set_property("group", np.arange(args.units) % 12)
    vector = sorting.to_spike_vector()
    samples = np.ascontiguousarray(vector["sample_index"])
    units = np.ascontiguousarray(vector["unit_index"])
    step = round(0.01 * fs)
    num_bins = int(np.ceil(args.duration * fs / step))

    def reference() -> np.ndarray:
        key = units * num_bins + samples // step
        return np.bincount(key, minlength=args.units * num_bins)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ref = best_time(reference, args.repeat)
    rows = [("np.bincount(unit * nbins + bin)", f"{ref:.3f}", "1.00")]
    times = {}
    for n_jobs in (1, 2):
        times[n_jobs] = best_time(lambda n=n_jobs: bin_spikes(sorting, 0.01, n_jobs=n),
                                  args.repeat)
        rows.append((f"bin_spikes 10 ms n_jobs={n_jobs}", f"{times[n_jobs]:.3f}",
                     f"{times[n_jobs] / ref:.2f}"))
    assert np.array_equal(bin_spikes(sorting, 0.01, n_jobs=2).counts,
                          bin_spikes(sorting, 0.01).counts)
    for n_jobs in (1, 2):
        seconds = best_time(lambda n=n_jobs: recruitment(sorting, 0.01, n_jobs=n),
                            args.repeat)
        rows.append((f"recruitment 10 ms, 12 groups, n_jobs={n_jobs}", f"{seconds:.3f}",
                     f"{seconds / ref:.2f}"))
    print_table(f"{args.units} units, {args.spikes} spikes, {args.duration:g} s "
                "(ratio: time / bincount's)", rows, ("step", "s", "ratio"))
    print(f"bin_spikes n_jobs=1 / n_jobs=2: {times[1] / times[2]:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
