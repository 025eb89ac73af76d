"""Sorting core speed and memory against plain numpy doing the same work, in the same run.

Default size: 300 units, about 10 million spikes over one hour at 30 kHz. Every operation is
timed (best of ``--repeats``) next to a plain-numpy reference, and its peak of traced memory
(tracemalloc, numpy allocations included) is reported as a multiple of the spike vector's
bytes. Objects with caches are rebuilt before every repeat so that nothing is measured warm.

Usage::

    python benchmarks/bench_sorting.py                  # 300 units, ~10 M spikes, 1 hour
    python benchmarks/bench_sorting.py --spikes 1e6     # smaller
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import psutil

import lazyephys as le

SPIKE_DTYPE = le.SPIKE_DTYPE


def timed(setup: Callable[[], Any], run: Callable[[Any], Any]) -> float:
    state = setup()
    gc.collect()
    start = time.perf_counter()
    result = run(state)
    elapsed = time.perf_counter() - start
    del result, state
    return elapsed


def best_times(ours: tuple[Any, Any], ref: tuple[Any, Any], repeats: int) -> tuple[float, float]:
    """Best time of each, alternating the two so that both see the same machine load."""
    best_ours = best_ref = float("inf")
    for _ in range(repeats):
        best_ours = min(best_ours, timed(*ours))
        best_ref = min(best_ref, timed(*ref))
    return best_ours, best_ref


def peak_bytes(setup: Callable[[], Any], run: Callable[[Any], Any]) -> int:
    """Peak traced bytes allocated by ``run`` above what existed before it (result included)."""
    state = setup()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = run(state)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del result, state
    return peak


# ----------------------------------------------------------- numpy references
def np_build(trains: dict[str, np.ndarray]) -> np.ndarray:
    values = list(trains.values())
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    samples = np.concatenate(values)
    units = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    order = np.argsort(samples, kind="stable")
    out = np.empty(samples.size, dtype=SPIKE_DTYPE)
    out["sample_index"] = samples[order]
    out["unit_index"] = units[order]
    out["segment_index"] = 0
    return out


def np_all_trains(vector: np.ndarray, num_units: int) -> list[np.ndarray]:
    order = np.argsort(vector["unit_index"], kind="stable")
    by_unit = vector["sample_index"][order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(vector["unit_index"],
                                                        minlength=num_units))])
    return [by_unit[bounds[i] : bounds[i + 1]] for i in range(num_units)]


def np_select(vector: np.ndarray, keep: np.ndarray, num_units: int) -> np.ndarray:
    lut = np.full(num_units, -1, dtype=np.int64)
    lut[keep] = np.arange(keep.size)
    new_units = lut[vector["unit_index"]]
    mask = new_units >= 0
    out = vector[mask]
    out["unit_index"] = new_units[mask]
    return out


def np_frame_slice(vector: np.ndarray, start: int, end: int) -> np.ndarray:
    lo, hi = np.searchsorted(vector["sample_index"], [start, end])
    out = vector[lo:hi].copy()
    out["sample_index"] -= start
    return out


def np_concatenate(a: np.ndarray, b: np.ndarray, shift: int) -> np.ndarray:
    out = np.concatenate([a, b])
    out["sample_index"][a.size :] += shift
    return out


# ----------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--spikes", type=float, default=10e6, help="approximate total spikes")
    parser.add_argument("--duration", type=float, default=3600.0, help="seconds")
    parser.add_argument("--fs", type=float, default=30000.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rate = args.spikes / args.duration / args.units
    generated = le.generate_sorting(num_units=args.units, sampling_frequency=args.fs,
                                    durations=[args.duration], firing_rates=rate, seed=0)
    start = time.perf_counter()
    tracemalloc.start()
    drawn = generated.to_spike_vector()  # the spikes are drawn here, on first use
    generate_peak = tracemalloc.get_traced_memory()[1] / drawn.nbytes
    tracemalloc.stop()
    t_generate = time.perf_counter() - start
    vector = np.array(drawn)
    del drawn
    num_samples = generated.get_num_samples()
    ids = generated.get_unit_ids()
    trains = {uid: vector["sample_index"][vector["unit_index"] == i].copy()
              for i, uid in enumerate(ids.tolist())}
    n = vector.size
    vector_bytes = vector.nbytes
    print(f"{args.units} units, {n:,} spikes, {args.duration:g} s at {args.fs:g} Hz; "
          f"spike vector {vector_bytes / 2**20:.0f} MiB")
    print(f"generate_sorting (drawing the spikes): {t_generate:.2f} s, traced peak "
          f"{generate_peak:.2f} x the spike vector bytes\n")

    def fresh() -> le.NumpySorting:
        return le.NumpySorting.from_spike_vector(vector.copy(), args.fs, ids)

    keep = np.arange(0, args.units, 2)
    keep_ids = ids[keep].tolist()
    half = round(1800 * args.fs) if args.duration >= 3600 else num_samples // 2
    cut = (num_samples - half) // 2, (num_samples - half) // 2 + half
    other = le.generate_sorting(num_units=args.units, sampling_frequency=args.fs,
                                durations=[args.duration], firing_rates=rate, seed=1)
    other_vector = np.array(other.to_spike_vector())

    def fresh_pair() -> tuple[le.NumpySorting, le.NumpySorting]:
        return fresh(), le.NumpySorting.from_spike_vector(other_vector.copy(), args.fs, ids)

    rows: list[tuple[str, Any, Any, Any, Any]] = [
        ("build from unit dict",
         (lambda: trains, lambda d: le.NumpySorting.from_unit_dict(d, args.fs)),
         (lambda: trains, np_build), "concatenate+argsort", None),
        ("to_spike_vector",
         (fresh, lambda s: s.to_spike_vector()),
         (lambda: vector, lambda v: v.copy()), "copy of the vector", None),
        ("all spike trains (300 units)",
         (fresh, lambda s: [s.get_unit_spike_train(u) for u in ids.tolist()]),
         (lambda: vector, lambda v: np_all_trains(v, args.units)), "argsort by unit + slices",
         None),
        ("count_num_spikes_per_unit (array)",
         (fresh, lambda s: s.count_num_spikes_per_unit(outputs="array")),
         (lambda: vector, lambda v: np.bincount(v["unit_index"], minlength=args.units)),
         "bincount", None),
        ("count_num_spikes_per_unit (dict)",
         (fresh, lambda s: s.count_num_spikes_per_unit(outputs="dict")),
         (lambda: vector, lambda v: np.bincount(v["unit_index"], minlength=args.units)),
         "bincount", None),
        ("select_units(150) + to_spike_vector",
         (fresh, lambda s: s.select_units(keep_ids).to_spike_vector()),
         (lambda: vector, lambda v: np_select(v, keep, args.units)), "boolean mask + remap",
         None),
        ("select_units(150, reversed) + to_spike_vector",
         (fresh, lambda s: s.select_units(keep_ids[::-1]).to_spike_vector()),
         (lambda: vector, lambda v: np_select(v, keep[::-1], args.units)),
         "boolean mask + remap (ties not re-sorted)", None),
        ("frame_slice(30 min) + to_spike_vector",
         (fresh, lambda s: s.frame_slice(*cut).to_spike_vector()),
         (lambda: vector, lambda v: np_frame_slice(v, *cut)), "searchsorted cut", None),
        ("concatenate_sortings(2) + to_spike_vector",
         (fresh_pair, lambda p: le.concatenate_sortings(
             list(p), total_samples_list=[num_samples, num_samples]).to_spike_vector()),
         (lambda: (vector, other_vector), lambda p: np_concatenate(p[0], p[1], num_samples)),
         "concatenate + shift", None),
    ]

    header = (f"{'operation':46s} {'lazyephys s':>11s} {'numpy s':>9s} {'ratio':>6s} "
              f"{'peak/vec':>8s}  reference")
    print(header)
    print("-" * len(header))
    worst_peak = 0.0
    for name, ours, ref, ref_name, _ in rows:
        t_ours, t_ref = best_times(ours, ref, args.repeats)
        peak = peak_bytes(ours[0], ours[1]) / vector_bytes
        worst_peak = max(worst_peak, peak)
        print(f"{name:46s} {t_ours:11.4f} {t_ref:9.4f} {t_ours / t_ref:6.2f} {peak:8.2f}  "
              f"{ref_name}")
    rss = psutil.Process().memory_info().rss
    print(f"\nworst traced peak of one operation: {worst_peak:.2f} x the spike vector bytes "
          f"({worst_peak * vector_bytes / 2**20:.0f} MiB, including the result)")
    print(f"process RSS at the end (inputs and references included): {rss / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
