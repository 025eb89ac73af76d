"""The IBL destriping chain, lazyephys beside SpikeInterface 0.105 on the same file.

Run: python benchmarks/bench_ibl.py [--seconds 60] [--channels 384] [--dtype float32|int16]
[--si-python PATH]

The chain is ``highpass_filter -> phase_shift -> detect_bad_channels -> interpolate_bad_channels
-> highpass_spatial_filter``, saved as a binary folder with ``n_jobs=2`` and 1 s chunks, in
float32 (``--dtype``: the high-pass gives it and the later steps keep it, in both libraries;
``--dtype int16`` keeps the input's dtype throughout, rounding after every step). The input is
an int16 (time, channel) file of a Neuropixels-like signal (a common signal seen by every
channel, each channel's own noise, one dead and one noisy channel), read through the page
cache. Each variant runs in its own process (SpikeInterface in its own interpreter:
``--si-python`` or ``LAZYEPHYS_SI_PYTHON``), so its peak memory is its own.

Throughput is MB/s of int16 input over the whole run (building the chain, which includes the
bad-channel detection on 100 random 0.3 s chunks, also with ``n_jobs=2`` in both libraries,
plus the save); the ratio is against SpikeInterface in the same run. Peak memory is
proportional anonymous memory of the process and its workers (page cache of the
memory-mapped input not counted), sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import TreeMemorySampler, print_table

FS = 30000.0

SI_SCRIPT = r"""
import json, sys, time, threading
import numpy as np
import spikeinterface.core as sc
import spikeinterface.preprocessing as spre
sys.path.insert(0, sys.argv[4])
from _common import TreeMemorySampler
path, out, channels, dtype = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5]
meta = np.load(path + ".meta.npz")
sampler = TreeMemorySampler().__enter__()
start = time.perf_counter()
rec = sc.read_binary(path, sampling_frequency=30000.0, dtype="int16", num_channels=channels)
rec.set_channel_locations(meta["locations"])
rec.set_channel_gains(meta["gains"]); rec.set_channel_offsets(0.0)
rec.set_property("inter_sample_shift", meta["shifts"])
rec = spre.highpass_filter(rec, dtype=dtype)
rec = spre.phase_shift(rec)
bad, labels = spre.detect_bad_channels(rec, seed=0, job_kwargs=dict(n_jobs=2,
                                                                        progress_bar=False))
rec = spre.interpolate_bad_channels(rec, bad)
rec = spre.highpass_spatial_filter(rec)
built = time.perf_counter() - start
rec.save(folder=out, format="binary", n_jobs=2, chunk_duration="1s", progress_bar=False)
seconds = time.perf_counter() - start
sampler.__exit__()
print(json.dumps({"seconds": seconds, "build_seconds": built, "peak_mb": sampler.peak_total / 1e6,
                  "bad": [int(b) for b in bad]}))
"""


def write_input(path: Path, num_channels: int, seconds: float) -> None:
    """int16 blocks of 1 s: a common signal, each channel's noise, a dead and a noisy channel."""
    rng = np.random.default_rng(0)
    block_len = int(FS)
    with open(path, "wb") as handle:
        for k in range(int(np.ceil(seconds))):
            n = min(block_len, int(seconds * FS) - k * block_len)
            common = np.cumsum(rng.normal(0, 1, n))
            common = (common - common.mean()) * 2 + rng.normal(0, 2, n)
            block = rng.normal(0, 4, (n, num_channels)) + common[:, None]
            block[:, 10] = rng.normal(0, 1, n)
            block[:, 100] += rng.normal(0, 40, n)
            handle.write(np.clip(np.rint(block), -32768, 32767).astype(np.int16).tobytes())
    locations = np.c_[np.tile([16.0, 48.0, 0.0, 32.0], num_channels // 4 + 1)[:num_channels],
                      (np.arange(num_channels) // 2) * 20.0]
    shifts = (np.arange(num_channels) % 32 // 2) / 16.0
    np.savez(str(path) + ".meta.npz", locations=locations, shifts=shifts,
             gains=np.full(num_channels, 2.34375))


def run_lazyephys(path: Path, out: Path, num_channels: int, dtype: str) -> dict:
    import lazyephys as le
    from lazyephys import preprocessing as pp

    meta = np.load(str(path) + ".meta.npz")
    sampler = TreeMemorySampler().__enter__()
    start = time.perf_counter()
    rec = le.BinaryRecordingExtractor(path, FS, "int16", num_channels)
    rec.set_channel_locations(meta["locations"])
    rec.set_channel_gains(meta["gains"])
    rec.set_channel_offsets(0.0)
    rec.set_property("inter_sample_shift", meta["shifts"])
    rec = pp.highpass_filter(rec, dtype=dtype)
    rec = pp.phase_shift(rec)
    bad, _ = pp.detect_bad_channels(rec, seed=0, job_kwargs={"n_jobs": 2})
    rec = pp.interpolate_bad_channels(rec, bad)
    rec = pp.highpass_spatial_filter(rec)
    built = time.perf_counter() - start
    rec.save(folder=out, n_jobs=2, chunk_duration="1s", progress_bar=False)
    seconds = time.perf_counter() - start
    sampler.__exit__()
    return {"seconds": seconds, "build_seconds": built, "peak_mb": sampler.peak_total / 1e6,
            "bad": [int(b) for b in bad]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=384)
    parser.add_argument("--si-python", default=os.environ.get("LAZYEPHYS_SI_PYTHON"))
    parser.add_argument("--dtype", default="float32", choices=("float32", "int16"),
                        help="dtype of the chain (given to highpass_filter; the later steps "
                             "keep it), and of the saved result")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_lazyephys(Path(args.path), Path(args.out), args.channels,
                                       args.dtype)))
        return

    folder = Path(tempfile.mkdtemp(prefix="lazyephys_bench_ibl_", dir="/tmp"))
    try:
        path = folder / "input.raw"
        write_input(path, args.channels, args.seconds)
        input_mb = path.stat().st_size / 1e6
        path.read_bytes()  # warm the page cache: both variants read from memory
        commands = {"lazyephys": [sys.executable, __file__, "--variant", "lazyephys"]}
        if args.si_python:
            commands["spikeinterface 0.105"] = [args.si_python, "-c", SI_SCRIPT]
        results = {}
        for name, command in commands.items():
            out = folder / "saved"
            if name == "lazyephys":
                command = [*command, "--path", str(path), "--out", str(out),
                           "--channels", str(args.channels), "--dtype", args.dtype]
            else:
                command = [*command, str(path), str(out), str(args.channels),
                           str(Path(__file__).parent), args.dtype]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            shutil.rmtree(out, ignore_errors=True)
        reference = results.get("spikeinterface 0.105", {}).get("seconds")
        rows = []
        for name, r in results.items():
            ratio = f"{reference / r['seconds']:.2f}x" if reference else "-"
            bad = r["bad"]
            shown = f"{len(bad)}: {bad[:6]}{' ...' if len(bad) > 6 else ''}"
            rows.append((name, f"{input_mb / r['seconds']:.1f}", ratio, f"{r['seconds']:.1f}",
                         f"{r['build_seconds']:.1f}", f"{r['peak_mb']:.0f}", shown))
        print_table(
            f"IBL chain (highpass, phase shift, bad channels, interpolation, destriping) saved "
            f"as {args.dtype} with n_jobs=2; {args.channels} ch x {args.seconds:g} s int16 "
            f"({input_mb:.0f} MB), 1 s chunks",
            rows, ("variant", "MB/s of input", "vs SpikeInterface", "total s",
                   "build s (detection)", "peak MB", "bad channels"),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
