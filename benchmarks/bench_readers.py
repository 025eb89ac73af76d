"""Speed of the readers against the plainest direct read of the same bytes, in the same run.

Run: python benchmarks/bench_readers.py [--seconds 60] [--nwb-seconds 60] [--spikes 10000000]
     [--only spikeglx|nwb|sorting] [--si-python /path/to/python]

- SpikeGLX, 385 channels (384 + sync) x ``--seconds``: random 1 s windows and one sequential
  pass in 1 s windows through ``read_spikeglx``, against slicing a numpy memmap of the same
  ``.bin`` (the same 384 columns, copied so that the pages are really read); opening the
  reader against parsing the ``.meta`` plus mapping the file.
- NWB, 64 channels int16 chunked 30000 x 64, plain and gzip, and unchunked (contiguous):
  random 1 s and 10 ms windows of all 64 channels through ``read_nwb_recording``, against
  ``h5py`` slicing the same dataset; opening against ``h5py.File``.
- NWB Units, ``--spikes`` spikes over 300 units: ``read_nwb_sorting`` plus every unit's train,
  against ``h5py`` reading ``spike_times`` and ``spike_times_index``.

- With ``--si-python`` (a Python with SpikeInterface installed): the same files opened and
  read by SpikeInterface's readers and by ours, both through ``readers_peer.py`` in a
  subprocess of their own Python, alternately (best of two runs each): open time, the same
  random windows, a sequential pass; ratios are SpikeInterface's time over ours.

Speed figures are ``reference time / our time`` (1.0: as fast as the direct read; higher is
faster); open times are in milliseconds. Files are written once into ``LAZYEPHYS_BENCH_DIR``
(default: the temporary folder) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, print_table

FS = 30000.0

#: The NWB data layouts measured: (label, compression, chunked 30000 x 64).
NWB_LAYOUTS = (("plain", None, True), ("gzip", "gzip", True), ("contiguous", None, False))


def paired_best(reference: Callable[[], object], ours: Callable[[], object],
                repeat: int = 6) -> tuple[float, float]:
    """Best times of two readers measured alternately, so that both see the same machine
    (other processes, page cache) as closely as possible; which one goes first alternates
    too, as the second of a pair reads what the first left in caches."""
    t_ref, t_ours = float("inf"), float("inf")
    for round_index in range(repeat):
        if round_index % 2:
            t_ours = min(t_ours, best_time(ours, 1))
            t_ref = min(t_ref, best_time(reference, 1))
        else:
            t_ref = min(t_ref, best_time(reference, 1))
            t_ours = min(t_ours, best_time(ours, 1))
    return t_ref, t_ours


def _bench_dir() -> Path:
    folder = Path(os.environ.get("LAZYEPHYS_BENCH_DIR", tempfile.gettempdir())) / "readers"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_spikeglx(folder: Path, seconds: float) -> Path:
    """A 1.0-probe AP file pair of noise (384 channels + sync), written in 1 s blocks."""
    folder.mkdir(parents=True, exist_ok=True)
    n_chan, n_neural = 385, 384
    frames = int(seconds * FS)
    bin_path = folder / "bench_g0_t0.imec0.ap.bin"
    if not (bin_path.exists() and bin_path.stat().st_size == frames * n_chan * 2):
        block = np.random.default_rng(0).normal(0, 30, (int(FS), n_chan)).astype(np.int16)
        with open(bin_path, "wb") as handle:
            for start in range(0, frames, int(FS)):
                handle.write(block[: min(int(FS), frames - start)].tobytes())
    # the .meta keys a 1.0 probe's AP file carries (SpikeGLX's metadata guide)
    imro = "(0,384)" + "".join(f"({c} 0 0 500 250 1)" for c in range(n_neural))
    chan_map = "(384,0,1)" + "".join(f"(AP{c};{c}:{c})" for c in range(n_neural)) + \
        "(SY0;384:384)"
    meta = {
        "imAiRangeMax": 0.6, "imAiRangeMin": -0.6, "imMaxInt": 512, "imDatPrb_pn": "NP1000",
        "imDatPrb_type": 0, "imSampRate": FS, "nSavedChans": n_chan, "snsApLfSy": "384,0,1",
        "snsSaveChanSubset": "all", "fileSizeBytes": frames * n_chan * 2, "firstSample": 0,
        "typeThis": "imec", "fileName": str(bin_path), "imDatPrb_sn": 1234,
        "imDatPrb_port": 1, "imDatPrb_slot": 2, "~imroTbl": imro, "~snsChanMap": chan_map,
    }
    (folder / "bench_g0_t0.imec0.ap.meta").write_text(
        "".join(f"{k}={v}\n" for k, v in meta.items()))
    return bin_path


def bench_spikeglx(seconds: float, windows: int) -> None:
    import lazyephys as le
    from lazyephys.extractors.spikeglx_meta import parse_meta

    folder = _bench_dir() / f"spikeglx_{int(seconds)}s"
    bin_path = write_spikeglx(folder, seconds)
    meta_path = bin_path.with_suffix(".meta")
    rec = le.read_spikeglx(folder, stream_id="imec0.ap")
    ref = np.memmap(bin_path, dtype=np.int16, mode="r").reshape(-1, 385)
    n = ref.shape[0]
    step = int(FS)
    starts = np.random.default_rng(1).integers(0, n - step, windows)
    assert np.array_equal(rec.get_traces(start_frame=5, end_frame=9), ref[5:9, :384])

    def numpy_windows() -> None:
        for s in starts:
            np.array(ref[s : s + step, :384])

    def our_windows() -> None:
        for s in starts:
            np.array(rec.get_traces(start_frame=int(s), end_frame=int(s) + step))

    def numpy_pass() -> None:
        for s in range(0, n, step):
            np.array(ref[s : s + step, :384])

    def our_pass() -> None:
        for s in range(0, n, step):
            np.array(rec.get_traces(start_frame=s, end_frame=min(s + step, n)))

    numpy_pass()  # the file in the page cache for both
    rows = []
    for name, ours, reference in (("random 1 s windows", our_windows, numpy_windows),
                                  ("sequential pass, 1 s windows", our_pass, numpy_pass)):
        t_ref, t_ours = paired_best(reference, ours)
        rows.append((name, f"{t_ref * 1e3:.1f}", f"{t_ours * 1e3:.1f}", f"{t_ref / t_ours:.2f}"))
    print_table(f"SpikeGLX 385 ch x {seconds:.0f} s: speed vs a numpy memmap", rows,
                ("read", "numpy ms", "lazyephys ms", "speed (>=0.95 wanted)"))

    def open_reference() -> None:
        parse_meta(meta_path)
        np.memmap(bin_path, dtype=np.int16, mode="r").reshape(-1, 385)

    t_open_ref = best_time(open_reference, 20)
    t_open = best_time(lambda: le.read_spikeglx(folder, stream_id="imec0.ap"), 20)
    t_open_noprobe = best_time(lambda: le.read_spikeglx(folder, stream_id="imec0.ap-SYNC"), 20)
    print_table("SpikeGLX open", [
        ("read_spikeglx (probe attached)", f"{t_open * 1e3:.2f}"),
        ("read_spikeglx, sync stream (no probe)", f"{t_open_noprobe * 1e3:.2f}"),
        ("parse .meta + np.memmap", f"{t_open_ref * 1e3:.2f}"),
    ], ("open", "ms (< 5 wanted)"))


def write_nwb(path: Path, seconds: float, compression: str | None,
              chunked: bool = True) -> Path:
    if path.exists():
        return path
    from datetime import datetime, timezone

    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries

    traces = np.random.default_rng(2).normal(0, 30, (int(seconds * FS), 64)).astype(np.int16)
    nwb = NWBFile(session_description="bench", identifier="bench",
                  session_start_time=datetime(2020, 1, 1, tzinfo=timezone.utc))
    device = nwb.create_device(name="probe")
    group = nwb.create_electrode_group(name="shank", description="", location="brain",
                                       device=device)
    for c in range(64):
        nwb.add_electrode(group=group, location="brain", rel_x=0.0, rel_y=20.0 * c)
    region = nwb.create_electrode_table_region(list(range(64)), "all")
    data = H5DataIO(traces, chunks=(30000, 64), compression=compression) if chunked else traces
    nwb.add_acquisition(ElectricalSeries(name="ElectricalSeries", data=data, electrodes=region,
                                         rate=FS, conversion=0.195e-6))
    temporary = path.with_name(path.stem + ".partial.nwb")
    with NWBHDF5IO(str(temporary), "w") as io:
        io.write(nwb)
    temporary.rename(path)
    return path


def bench_nwb(seconds: float, windows: int) -> None:
    import h5py

    import lazyephys as le

    rows, open_rows = [], []
    for label, compression, chunked in NWB_LAYOUTS:
        path = write_nwb(_bench_dir() / f"bench_{label}_{int(seconds)}s.nwb", seconds,
                         compression, chunked)
        file = h5py.File(path, "r")
        dataset = file["acquisition/ElectricalSeries/data"]
        rec = le.read_nwb_recording(path, electrical_series_path="acquisition/ElectricalSeries")
        n = dataset.shape[0]
        for length, name in ((int(FS), "1 s"), (300, "10 ms")):
            starts = np.random.default_rng(3).integers(0, n - length, windows)

            def h5py_windows(starts: np.ndarray = starts, length: int = length,
                             dataset: Any = dataset) -> None:
                for s in starts:
                    dataset[s : s + length]

            def our_windows(starts: np.ndarray = starts, length: int = length,
                            rec: Any = rec) -> None:
                for s in starts:
                    window = rec.get_traces(start_frame=int(s), end_frame=int(s) + length)
                    if not window.flags.owndata:  # a mapped file's view: read its pages
                        np.array(window)

            t_ref, t_ours = paired_best(h5py_windows, our_windows)
            rows.append((f"{label}, {name} x 64 ch", f"{t_ref * 1e3:.1f}",
                         f"{t_ours * 1e3:.1f}", f"{t_ref / t_ours:.2f}"))
        file.close()

        def h5py_open(path: Path = path) -> None:
            h5py.File(path, "r").close()

        t_h5 = best_time(h5py_open, 20)
        t_ours_open = best_time(lambda path=path: le.read_nwb_recording(
            path, electrical_series_path="acquisition/ElectricalSeries"), 20)
        open_rows.append((label, f"{t_ours_open * 1e3:.2f}", f"{t_h5 * 1e3:.2f}"))
    print_table(f"NWB 64 ch x {seconds:.0f} s, chunks 30000 x 64: speed vs h5py", rows,
                ("windows", "h5py ms", "lazyephys ms", "speed (>=0.95 wanted)"))
    print_table("NWB open", open_rows, ("file", "read_nwb_recording ms (< 2 wanted)",
                                        "h5py.File ms"))


def write_units(path: Path, num_spikes: int, num_units: int = 300) -> Path:
    """An NWB Units table in the schema's layout (ragged spike_times), written with h5py."""
    if path.exists():
        return path
    import h5py

    rng = np.random.default_rng(4)
    counts = rng.multinomial(num_spikes, np.full(num_units, 1.0 / num_units))
    times = np.concatenate([np.sort(rng.uniform(0, 3600.0, c)) for c in counts])
    temporary = path.with_name(path.stem + ".partial.nwb")
    with h5py.File(temporary, "w") as file:
        units = file.create_group("units")
        units.attrs["neurodata_type"] = "Units"
        units.attrs["colnames"] = ["spike_times"]
        units.create_dataset("id", data=np.arange(num_units))
        units.create_dataset("spike_times", data=times)
        units.create_dataset("spike_times_index", data=np.cumsum(counts))
    temporary.rename(path)
    return path


def bench_sorting(num_spikes: int) -> None:
    import h5py

    import lazyephys as le

    path = write_units(_bench_dir() / f"units_{num_spikes}.nwb", num_spikes)

    def h5py_read() -> None:
        with h5py.File(path, "r") as file:
            file["units/spike_times"][()]
            file["units/spike_times_index"][()]

    def ours() -> None:
        sorting = le.read_nwb_sorting(path, sampling_frequency=FS, t_start=0.0)
        for unit_id in sorting.get_unit_ids():
            sorting.get_unit_spike_train(unit_id)

    def ours_vector() -> None:
        le.read_nwb_sorting(path, sampling_frequency=FS, t_start=0.0).to_spike_vector()

    t_ref, t_ours = paired_best(h5py_read, ours, repeat=7)
    t_vector = best_time(ours_vector, 3)
    print_table(f"read_nwb_sorting, {num_spikes} spikes / 300 units", [
        ("h5py reads spike_times + index", f"{t_ref * 1e3:.0f}", "1.00"),
        ("read_nwb_sorting + every unit's train", f"{t_ours * 1e3:.0f}", f"{t_ours / t_ref:.2f}"),
        ("read_nwb_sorting + to_spike_vector (sorted)", f"{t_vector * 1e3:.0f}",
         f"{t_vector / t_ref:.2f}"),
    ], ("read", "ms", "x h5py (< 2 wanted)"))


def _peer(python: str, library: str, spec: dict[str, Any]) -> dict[str, float]:
    script = Path(__file__).parent / "readers_peer.py"
    out = subprocess.run([python, str(script), library, json.dumps(spec)], capture_output=True,
                         text=True, timeout=1200)
    if out.returncode:
        raise RuntimeError(f"{library} measure failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare_with_spikeinterface(si_python: str, specs: list[tuple[str, dict[str, Any]]]) -> None:
    """Each spec measured by both libraries alternately (two rounds, best kept)."""
    rows: list[tuple[str, ...]] = []
    for label, spec in specs:
        best: dict[str, dict[str, float]] = {"lazyephys": {}, "spikeinterface": {}}
        for _ in range(2):
            for library, python in (("lazyephys", sys.executable),
                                    ("spikeinterface", si_python)):
                for key, value in _peer(python, library, spec).items():
                    best[library][key] = min(best[library].get(key, float("inf")), value)
        for key, name in (("open_ms", "open"), ("windows_ms", "random windows"),
                          ("pass_ms", "sequential pass"), ("trains_ms", "open + every train")):
            if key in best["lazyephys"]:
                ours, theirs = best["lazyephys"][key], best["spikeinterface"][key]
                speeds: tuple[str, ...] = ("", "")
                if key in ("windows_ms", "pass_ms"):
                    # each library's speed against the direct read measured beside it
                    speeds = tuple(f"{best[lib]['direct_' + key] / best[lib][key]:.2f}"
                                   for lib in ("lazyephys", "spikeinterface"))
                rows.append((f"{label}: {name}", f"{ours:.2f}", f"{theirs:.2f}",
                             f"{theirs / ours:.2f}", *speeds))
    print_table("lazyephys vs SpikeInterface, same files, same measuring script", rows,
                ("measure", "lazyephys ms", "SpikeInterface ms", "SI time / ours",
                 "ours vs direct", "SI vs direct"))


def peer_specs(args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """What the SpikeInterface comparison measures (the files the benches above wrote)."""
    specs: list[tuple[str, dict[str, Any]]] = []
    folder = _bench_dir()
    if args.only in (None, "spikeglx"):
        path = folder / f"spikeglx_{int(args.seconds)}s"
        n = int(args.seconds * FS)
        starts = np.random.default_rng(1).integers(0, n - int(FS), args.windows).tolist()
        specs.append((f"SpikeGLX 385 ch x {args.seconds:.0f} s, 1 s windows", {
            "kind": "spikeglx", "path": str(path), "starts": starts, "length": int(FS),
            "sequential": True, "repeat": 3}))
    if args.only in (None, "nwb"):
        n = int(args.nwb_seconds * FS)
        for label, _, _ in NWB_LAYOUTS:
            path = folder / f"bench_{label}_{int(args.nwb_seconds)}s.nwb"
            for length, name in ((int(FS), "1 s"), (300, "10 ms")):
                starts = np.random.default_rng(3).integers(0, n - length, args.windows).tolist()
                specs.append((f"NWB {label}, {name} windows x 64 ch", {
                    "kind": "nwb", "path": str(path), "series": "acquisition/ElectricalSeries",
                    "starts": starts, "length": length, "repeat": 3}))
    if args.only in (None, "sorting"):
        specs.append((f"NWB Units, {args.spikes} spikes / 300 units", {
            "kind": "sorting", "path": str(folder / f"units_{args.spikes}.nwb"), "fs": FS,
            "repeat": 3}))
    return specs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--nwb-seconds", type=float, default=60.0)
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--only", choices=("spikeglx", "nwb", "sorting"))
    parser.add_argument("--si-python", help="a Python with SpikeInterface, to compare with")
    args = parser.parse_args()
    if args.only in (None, "spikeglx"):
        bench_spikeglx(args.seconds, args.windows)
    if args.only in (None, "nwb"):
        bench_nwb(args.nwb_seconds, args.windows)
    if args.only in (None, "sorting"):
        bench_sorting(args.spikes)
    if args.si_python:
        compare_with_spikeinterface(args.si_python, peer_specs(args))


if __name__ == "__main__":
    main()
