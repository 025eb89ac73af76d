"""Spike-train analytics against plain numpy/scipy references measured in the same run.

300 units, 10 million spikes over 1 h at 30 kHz (defaults; ``--spikes``/``--units``/
``--duration`` change them). Each line prints our time, the reference's and the ratio
(ours / reference: below 1 is faster).

- ``bin_spikes`` at 10 ms vs ``np.bincount(unit * nbins + bin)`` over contiguous int arrays;
- ``epoch_counts`` of 6000 epochs x 10 bins vs one ``np.searchsorted`` of every edge per unit;
- ``smooth_spikes`` at 1 kHz, sigma 10 ms, read window by window in one process, vs
  ``scipy.ndimage.gaussian_filter1d`` over the binned counts (float32, same windows + margins);
- the smoothed signal saved to zarr with ``n_jobs=2``: peak memory of the process tree above
  what it held before, against one chunk of float32 output: 10 s chunks with workers started
  by the job (their interpreters count), then 1 s and 10 s chunks with the same workers warm.

Run: ``python benchmarks/bench_analysis.py`` (a few minutes and 2 GB at the defaults);
``--memory-only`` skips the timings.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import lazyephys as le
from _common import TreeMemorySampler, best_time, print_table
from lazyephys.analysis import bin_spikes, epoch_counts, smooth_spikes


def make_sorting(num_units: int, num_spikes: int, duration: float, fs: float) -> le.Sorting:
    rng = np.random.default_rng(0)
    samples = np.sort(rng.integers(0, int(duration * fs), num_spikes))
    labels = rng.integers(0, num_units, num_spikes)
    return le.NumpySorting.from_samples_and_labels(
        [samples], [labels], fs, unit_ids=np.arange(num_units), num_samples=[int(duration * fs)]
    )


def bench_bin(sorting: le.Sorting, num_units: int, duration: float, fs: float) -> tuple:
    vector = sorting.to_spike_vector()
    samples = np.ascontiguousarray(vector["sample_index"])
    units = np.ascontiguousarray(vector["unit_index"])
    step = round(0.01 * fs)
    num_bins = int(np.ceil(duration * fs / step))

    def reference() -> np.ndarray:
        key = units * num_bins + samples // step
        return np.bincount(key, minlength=num_units * num_bins).reshape(num_units, num_bins)

    ours = best_time(lambda: bin_spikes(sorting, 0.01, end_time=duration), repeat=3)
    ref = best_time(reference, repeat=3)
    assert np.array_equal(bin_spikes(sorting, 0.01, end_time=duration).counts, reference().T)
    return ("bin_spikes 10 ms", f"{ours:.3f}", f"{ref:.3f}", f"{ours / ref:.2f}")


def bench_epochs(sorting: le.Sorting, duration: float) -> tuple:
    rng = np.random.default_rng(1)
    # 6000 stimulus presentations of 0.25 s that do not overlap (pynapple joins those that do)
    gap = (duration - 1.0) / 6000
    starts = np.arange(6000) * gap + rng.uniform(0, max(gap - 0.25, 0.0), 6000)
    epochs = {"start_time": starts, "stop_time": starts + 0.25}
    trains = [sorting.get_unit_spike_train(u, return_times=True) for u in sorting.unit_ids]

    def reference() -> np.ndarray:
        # the bins epoch_counts makes with num_bins and bin_duration: start + k * 25 ms
        edges = starts[:, None] + np.round(np.arange(11) * 0.025, 12)[None, :]
        flat = edges.ravel()
        out = np.empty((6000, 10, len(trains)), np.int64)
        for u, train in enumerate(trains):
            out[:, :, u] = np.diff(np.searchsorted(train, flat).reshape(6000, 11), axis=1)
        return out

    ours = best_time(lambda: epoch_counts(sorting, epochs, num_bins=10, bin_duration=0.025),
                     repeat=3)
    ref = best_time(reference, repeat=3)
    assert np.array_equal(
        epoch_counts(sorting, epochs, num_bins=10, bin_duration=0.025).counts, reference())
    return ("epoch_counts 6000x10", f"{ours:.3f}", f"{ref:.3f}", f"{ours / ref:.2f}")


def bench_smooth(sorting: le.Sorting, window_s: float) -> tuple:
    from scipy.ndimage import gaussian_filter1d

    signal = smooth_spikes(sorting, sigma=0.01, sampling_frequency=1000.0)
    total = signal.get_num_samples()
    window = int(window_s * 1000)
    counts = bin_spikes(sorting, 0.001).counts  # the reference's input, not timed
    radius = 40

    def ours() -> None:
        for start in range(0, total, window):
            signal.get_traces(start_frame=start, end_frame=min(start + window, total))

    def reference() -> None:
        for start in range(0, total, window):
            lo, hi = max(0, start - radius), min(total, start + window + radius)
            block = counts[lo:hi].astype(np.float32)
            gaussian_filter1d(block, 10.0, axis=0, mode="constant", truncate=4.0)

    first = signal.get_traces(start_frame=0, end_frame=window)
    expected = gaussian_filter1d(counts[: window + radius].astype(np.float64), 10.0, axis=0,
                                 mode="constant")[:window] * 1000.0
    assert np.max(np.abs(first - expected)) <= 1e-6 * expected.max()
    ours_s = best_time(ours, repeat=1)
    ref_s = best_time(reference, repeat=1)
    return ("smooth_spikes 1 kHz s=10 ms", f"{ours_s:.2f}", f"{ref_s:.2f}",
            f"{ours_s / ref_s:.2f}")


def bench_smooth_save(sorting: le.Sorting, folder: Path, chunk_s: float, name: str,
                      workers: str) -> tuple:
    on_disk = le.load(folder / "sorting")  # workers map it instead of copying it
    signal = smooth_spikes(on_disk, sigma=0.01, sampling_frequency=1000.0)
    chunk_bytes = int(chunk_s * 1000) * signal.get_num_channels() * 4
    with TreeMemorySampler() as before:
        pass
    start = time.perf_counter()
    with TreeMemorySampler() as sampler:
        signal.save(folder=folder / name, format="zarr", n_jobs=2, chunk_duration=f"{chunk_s}s")
    elapsed = time.perf_counter() - start
    extra = max(0, sampler.peak_total - before.peak_total)
    return (f"smooth -> zarr n_jobs=2, {chunk_s:g} s chunks, {workers} workers "
            f"({elapsed:.0f} s)",
            f"{extra / 1e6:.0f} MB", f"4 x {chunk_bytes / 1e6:.1f} MB + 200 MB",
            f"{extra / (4 * chunk_bytes + 200e6):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--duration", type=float, default=3600.0)
    parser.add_argument("--window", type=float, default=60.0, help="seconds per smoothed read")
    parser.add_argument("--memory-only", action="store_true", help="skip the timings")
    args = parser.parse_args()
    fs = 30000.0
    sorting = make_sorting(args.units, args.spikes, args.duration, fs)
    if not args.memory_only:
        rows = [bench_bin(sorting, args.units, args.duration, fs),
                bench_epochs(sorting, args.duration), bench_smooth(sorting, args.window)]
        print_table(f"{args.units} units, {args.spikes} spikes, {args.duration:g} s",
                    rows, ("step", "ours (s)", "reference (s)", "ratio"))
    folder = Path(tempfile.mkdtemp(prefix="lazyephys_bench_analysis_"))
    try:
        sorting.save(folder=folder / "sorting")
        # the first save starts the two workers (their interpreters count); the others
        # reuse them warm, so they show what the job itself holds
        long_chunk = args.window / 6
        memory = [bench_smooth_save(sorting, folder, long_chunk, "smooth_cold", "cold"),
                  bench_smooth_save(sorting, folder, 1.0, "smooth_1s", "warm"),
                  bench_smooth_save(sorting, folder, long_chunk, "smooth_long", "warm")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_table("memory above the starting point", memory, ("step", "peak", "bound", "ratio"))


if __name__ == "__main__":
    main()
