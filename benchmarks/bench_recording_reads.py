"""Read speed of memory-mapped recordings and of chains of lazy views, against numpy.

Run: python benchmarks/bench_recording_reads.py [--seconds 60] [--channels 384]
     [--library spikeinterface]   (the same reads through SpikeInterface, in a venv that has it)

Every figure is a ratio to plain numpy memmap slicing of the same windows, measured in the
same run (a ratio of 1.0 means as fast as numpy; higher is faster). Results are copied so
that the pages are really read.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, make_int16_file, per_call_seconds, print_table


def build_chain(rec: Any, num_channels: int) -> tuple[Any, np.ndarray, int]:
    """Ten alternating frame_slice / select_channels / rename_channels; returns the chain,
    the base channel indices it ends on, and its frame offset."""
    indices = np.arange(num_channels)
    offset = 0
    chain = rec
    rng = np.random.default_rng(1)
    for step in range(10):
        kind = step % 3
        n = chain.get_num_samples()
        if kind == 0:
            chain = chain.frame_slice(1000, n - 1000)
            offset += 1000
        elif kind == 1:
            keep = np.sort(rng.permutation(len(indices))[: len(indices) - 8])
            chain = chain.select_channels(chain.get_channel_ids()[keep])
            indices = indices[keep]
        else:
            chain = chain.rename_channels([f"s{step}_{i}" for i in range(len(indices))])
    return chain, indices, offset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=384)
    parser.add_argument("--library", choices=("lazyephys", "spikeinterface"), default="lazyephys",
                        help="whose recordings to measure (the API is the same)")
    args = parser.parse_args()
    le = importlib.import_module("lazyephys" if args.library == "lazyephys"
                                 else "spikeinterface.core")
    fs, c = 30000.0, args.channels
    path = make_int16_file(c, args.seconds, fs)
    ref = np.memmap(path, dtype="int16", mode="r").reshape(-1, c)
    rec = le.BinaryRecordingExtractor(path, fs, "int16", c)
    n = rec.get_num_samples()
    second = int(fs)
    starts = list(range(0, n - second + 1, second))
    rng = np.random.default_rng(0)
    random_starts = rng.integers(0, n - second, size=len(starts)).tolist()
    subset = np.sort(rng.permutation(c)[:32])
    subset_ids = rec.get_channel_ids()[subset]
    chain, chain_idx, offset = build_chain(rec, c)
    chain_n = chain.get_num_samples()
    chain_starts = list(range(0, chain_n - second + 1, second))
    np.array(ref)  # warm the page cache so both sides read from memory

    rows = []

    def measure(name, ours, theirs):
        t_ours, t_ref = best_time(ours, 3), best_time(theirs, 3)
        mb = len(starts) * second * c * 2 / 1e6
        rows.append((name, f"{mb / t_ours:8.0f}", f"{mb / t_ref:8.0f}", f"{t_ref / t_ours:5.2f}x"))

    measure("sequential 1 s, all channels",
            lambda: [np.array(rec.get_traces(start_frame=s, end_frame=s + second)) for s in starts],
            lambda: [np.array(ref[s:s + second]) for s in starts])
    measure("random 1 s windows",
            lambda: [np.array(rec.get_traces(start_frame=s, end_frame=s + second))
                     for s in random_starts],
            lambda: [np.array(ref[s:s + second]) for s in random_starts])
    measure("32-channel subset, 1 s",
            lambda: [rec.get_traces(start_frame=s, end_frame=s + second, channel_ids=subset_ids)
                     for s in starts],
            lambda: [ref[s:s + second][:, subset] for s in starts])
    measure("10-op chain, 1 s",
            lambda: [np.array(chain.get_traces(start_frame=s, end_frame=s + second))
                     for s in chain_starts],
            lambda: [np.array(ref[s + offset:s + offset + second][:, chain_idx])
                     for s in chain_starts])
    size_gb = path.stat().st_size / 1e9
    print_table(f"{args.library}: {c} channels x {args.seconds:g} s int16 ({size_gb:.2f} GB)",
                rows, ("read", "MB/s", "numpy MB/s", "ratio to numpy"))

    small = 10
    t_chain = per_call_seconds(lambda: chain.get_traces(start_frame=5000, end_frame=5000 + small))
    t_numpy = per_call_seconds(lambda: ref[5000 + offset:5000 + offset + small][:, chain_idx])
    plain = np.asarray(ref)  # an ndarray view: no numpy.memmap subclass overhead
    t_plain = per_call_seconds(lambda: plain[5000 + offset:5000 + offset + small][:, chain_idx])
    all_ids = rec.get_channel_ids()
    t_none = per_call_seconds(lambda: rec.get_traces(start_frame=0, end_frame=small), 5000)
    t_all = per_call_seconds(
        lambda: rec.get_traces(start_frame=0, end_frame=small, channel_ids=all_ids), 5000)
    t_list = per_call_seconds(
        lambda: rec.get_traces(start_frame=0, end_frame=small, channel_ids=list(all_ids)), 5000)
    print_table("per-call overhead (microseconds)", [
        ("10-sample read through the 10-op chain", f"{t_chain * 1e6:.2f}"),
        ("  same selection on numpy.memmap", f"{t_numpy * 1e6:.2f}"),
        ("  same selection on a plain ndarray", f"{t_plain * 1e6:.2f}"),
        ("  overhead of the chain vs memmap", f"{(t_chain - t_numpy) * 1e6:.2f}"),
        ("  overhead of the chain vs ndarray", f"{(t_chain - t_plain) * 1e6:.2f}"),
        ("get_traces naming no channel", f"{t_none * 1e6:.2f}"),
        ("get_traces naming all 384 ids (array)", f"{t_all * 1e6:.2f}"),
        ("  extra cost of naming them", f"{(t_all - t_none) * 1e6:.2f}"),
        ("get_traces naming all 384 ids (list)", f"{t_list * 1e6:.2f}"),
        ("  extra cost of naming them", f"{(t_list - t_none) * 1e6:.2f}"),
    ], ("what", "us"))


if __name__ == "__main__":
    main()
