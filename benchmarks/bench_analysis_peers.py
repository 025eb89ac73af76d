"""The analytics of ``bench_analysis.py`` done by pynapple or elephant, each in its own
environment, on the same data (the same seeded generator), each timed against the same numpy
or scipy reference measured in the same run.

Run with the interpreter of an environment that has the library (no lazyephys needed):
``python benchmarks/bench_analysis_peers.py pynapple`` or ``... elephant``. Smoothing uses the
first tenth of the hour (a full hour at 1 kHz is 8.6 GB of float64 for these libraries).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_data(num_units: int, num_spikes: int, duration: float, fs: float):
    rng = np.random.default_rng(0)  # the same draws as bench_analysis.make_sorting
    samples = np.sort(rng.integers(0, int(duration * fs), num_spikes))
    labels = rng.integers(0, num_units, num_spikes)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(num_units + 1))
    times = samples[order] / fs
    return samples, labels, [times[bounds[u]:bounds[u + 1]] for u in range(num_units)]


def best(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("library", choices=["pynapple", "elephant"])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--duration", type=float, default=3600.0)
    args = parser.parse_args()
    fs = 30000.0
    samples, labels, trains = make_data(args.units, args.spikes, args.duration, fs)
    step = round(0.01 * fs)
    num_bins = int(np.ceil(args.duration * fs / step))

    def bincount_reference():
        key = labels * num_bins + samples // step
        return np.bincount(key, minlength=args.units * num_bins)

    rng = np.random.default_rng(1)
    # 6000 stimulus presentations of 0.25 s that do not overlap (pynapple joins those that do)
    gap = (args.duration - 1.0) / 6000
    starts = np.arange(6000) * gap + rng.uniform(0, max(gap - 0.25, 0.0), 6000)
    edges = (starts[:, None] + np.linspace(0, 0.25, 11)[None, :]).ravel()

    def searchsorted_reference():
        return [np.diff(np.searchsorted(t, edges).reshape(6000, 11), axis=1) for t in trains]

    part = args.duration / 10
    short = [t[t < part] for t in trains]

    counts = np.zeros((int(part * 1000), len(short)), np.float32)  # not timed
    for u, t in enumerate(short):
        np.add.at(counts[:, u], (t * 1000).astype(np.int64), 1)

    def gaussian_reference():
        from scipy.ndimage import gaussian_filter1d

        gaussian_filter1d(counts, 10.0, axis=0, mode="constant")

    rows = []
    if args.library == "pynapple":
        import pynapple as nap

        group = nap.TsGroup({u: nap.Ts(t) for u, t in enumerate(trains)})
        whole = nap.IntervalSet(0, args.duration)
        rows.append(("TsGroup.count 10 ms", best(lambda: group.count(0.01, ep=whole)),
                     best(bincount_reference)))
        epochs = nap.IntervalSet(starts, starts + 0.25)
        rows.append(("TsGroup.count over 6000 epochs (10 bins)",
                     best(lambda: group.count(0.025, ep=epochs)), best(searchsorted_reference)))
        rows.append(("TsGroup.trial_count 6000 x 10",
                     best(lambda: group.trial_count(epochs, 0.025)),
                     best(searchsorted_reference)))
        short_group = nap.TsGroup({u: nap.Ts(t) for u, t in enumerate(short)})
        window = nap.IntervalSet(0, part)
        rows.append((f"count 1 ms + smooth(std=10 ms), {part:g} s",
                     best(lambda: short_group.count(0.001, ep=window).smooth(std=0.01),
                          repeat=1), best(gaussian_reference, repeat=1)))
    else:
        import logging

        logging.disable(logging.WARNING)  # elephant logs every edge spike it moves
        import neo
        import quantities as pq
        from elephant.conversion import BinnedSpikeTrain
        from elephant.kernels import GaussianKernel
        from elephant.statistics import instantaneous_rate

        spiketrains = [neo.SpikeTrain(t, units="s", t_start=0.0, t_stop=args.duration)
                       for t in trains]
        rows.append(("BinnedSpikeTrain 10 ms .to_array()",
                     best(lambda: BinnedSpikeTrain(spiketrains, bin_size=10 * pq.ms,
                                                   t_start=0 * pq.s,
                                                   t_stop=args.duration * pq.s).to_array()),
                     best(bincount_reference)))
        short_trains = [neo.SpikeTrain(t, units="s", t_start=0.0, t_stop=part) for t in short]
        rows.append((f"instantaneous_rate gaussian 10 ms at 1 kHz, {part:g} s",
                     best(lambda: instantaneous_rate(short_trains, 1 * pq.ms,
                                                     kernel=GaussianKernel(10 * pq.ms)),
                          repeat=1), best(gaussian_reference, repeat=1)))
    print(f"\n{args.library}: {args.units} units, {args.spikes} spikes, {args.duration:g} s")
    for name, ours, reference in rows:
        print(f"{name:55s} {ours:8.3f} s  reference {reference:8.3f} s  ratio "
              f"{ours / reference:6.2f}")


if __name__ == "__main__":
    main()
