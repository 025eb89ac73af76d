"""Throughput of lazy preprocessing: band-pass then global median reference, saved as int16.

Run: python benchmarks/bench_preprocessing.py [--seconds 60] [--channels 384]

A (time, channel) int16 file of noise is written under /tmp (deleted at the end) and read
through the page cache. Every variant processes the same 1 s chunks and writes an int16 raw
file; each runs in its own process so that its peak memory is its own:

- ``scipy reference``: per chunk (with the same margin as ours), ``sosfiltfilt`` in the way
  most pipelines call it (float32 input, float64 coefficients) and ``x - np.median(x,
  axis=1)``, written in one process;
- ``lazyephys, 1 process``: ``common_reference(bandpass_filter(rec))`` read chunk by chunk;
- ``lazyephys, n_jobs=2``: the same chain through ``write_binary_recording(n_jobs=2)``.

Throughput is MB/s of int16 input; the ratio is against the scipy reference of the same run.
Peak memory is proportional anonymous memory (page-cache pages of the memory-mapped input are
not counted), summed over the process and its worker processes, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
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
VARIANTS = ("scipy reference", "lazyephys, 1 process", "lazyephys, n_jobs=2")


def write_input(path: Path, num_channels: int, seconds: float) -> None:
    """Noise plus a per-channel offset and a slow drift, in 1 s blocks of int16."""
    rng = np.random.default_rng(0)
    block_len = int(FS)
    offsets = rng.integers(-200, 200, num_channels)
    with open(path, "wb") as handle:
        for k in range(int(np.ceil(seconds))):
            n = min(block_len, int(seconds * FS) - k * block_len)
            block = rng.normal(0, 30, (n, num_channels)) + offsets + 50 * np.sin(k / 7.0)
            handle.write(block.astype(np.int16).tobytes())


def run_variant(name: str, path: Path, out: Path, num_channels: int) -> dict:
    import lazyephys as le
    from lazyephys.preprocessing import bandpass_filter, common_reference

    rec = le.BinaryRecordingExtractor(path, FS, "int16", num_channels)
    filtered = bandpass_filter(rec, freq_min=300.0, freq_max=6000.0)
    chain = common_reference(filtered, reference="global", operator="median")
    n = rec.get_num_samples()
    second = int(FS)
    starts = range(0, n, second)
    sampler = TreeMemorySampler().__enter__()
    start_time = time.perf_counter()
    if name == "scipy reference":
        from scipy import signal

        sos = filtered.design.coefficients
        margin = filtered.get_margin()
        raw = np.memmap(path, dtype="int16", mode="r").reshape(-1, num_channels)
        with open(out, "wb") as handle:
            for s in starts:
                lo, hi = max(0, s - margin), min(n, s + second + margin)
                x = np.asarray(raw[lo:hi]).astype(np.float32)
                y = signal.sosfiltfilt(sos, x, axis=0)[s - lo : s - lo + min(second, n - s)]
                y = y - np.median(y, axis=1, keepdims=True)
                handle.write(np.rint(y).astype(np.int16).tobytes())
    elif name == "lazyephys, 1 process":
        with open(out, "wb") as handle:
            for s in starts:
                y = chain.get_traces(start_frame=s, end_frame=min(s + second, n))
                handle.write(np.rint(y).astype(np.int16).tobytes())
    else:
        le.write_binary_recording(chain, [out], dtype="int16", n_jobs=2, chunk_duration="1s",
                                  progress_bar=False)
    seconds = time.perf_counter() - start_time
    sampler.__exit__()
    return {"seconds": seconds, "peak_mb": sampler.peak_total / 1e6,
            "main_peak_mb": sampler.peak_main / 1e6,
            "margin": filtered.get_margin()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=384)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        result = run_variant(args.variant, Path(args.path), Path(args.out), args.channels)
        print(json.dumps(result))
        return

    folder = Path(tempfile.mkdtemp(prefix="lazyephys_bench_pp_", dir="/tmp"))
    try:
        path = folder / "input.raw"
        write_input(path, args.channels, args.seconds)
        input_mb = path.stat().st_size / 1e6
        path.read_bytes()  # warm the page cache: every variant reads from memory
        rows, results = [], {}
        for name in VARIANTS:
            out = folder / "output.raw"
            done = subprocess.run(
                [sys.executable, __file__, "--variant", name, "--path", str(path),
                 "--out", str(out), "--channels", str(args.channels)],
                check=True, capture_output=True, text=True,
            )
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            out.unlink()
        reference = results["scipy reference"]["seconds"]
        for name in VARIANTS:
            r = results[name]
            rows.append((name, f"{input_mb / r['seconds']:.0f}", f"{reference / r['seconds']:.2f}x",
                         f"{r['peak_mb']:.0f}", f"{r['main_peak_mb']:.0f}"))
        print_table(
            f"band-pass 300-6000 Hz (margin {results['scipy reference']['margin']} samples) + "
            f"global median reference -> int16 raw; {args.channels} ch x {args.seconds:g} s int16 "
            f"({input_mb:.0f} MB), 1 s chunks",
            rows, ("variant", "MB/s of input", "vs scipy", "peak MB, all processes",
                   "peak MB, main process"),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
