"""The reader measures of ``bench_readers.py``, run inside one library's own Python.

Run: python benchmarks/readers_peer.py LIBRARY SPEC_JSON
  LIBRARY is ``lazyephys`` or ``spikeinterface``; SPEC_JSON describes one measure:
  ``{"kind": "spikeglx"|"nwb"|"sorting", "path": ..., "series": ..., "fs": ...,
  "starts": [...], "length": N, "sequential": bool, "repeat": N}``.
Prints one JSON line of best times in milliseconds: ``open_ms`` and, for recordings,
``windows_ms`` (every window of ``starts``), ``direct_windows_ms`` (the same windows read by a
numpy memmap or h5py directly, alternately with the library's, in the same process) and
``pass_ms`` (``length``-frame windows over the whole recording, with ``direct_pass_ms``
likewise), for sortings ``trains_ms`` (open plus every unit's train).

Both libraries are measured by this same script, each in a subprocess of its own Python, so
that the two see the same code around the reader calls. It imports only numpy and the library.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _extractors(library: str) -> Any:
    if library == "spikeinterface":
        import spikeinterface.extractors as extractors
    elif library == "lazyephys":
        import lazyephys.extractors as extractors
    else:
        raise ValueError(f"library must be 'lazyephys' or 'spikeinterface', got {library!r}")
    return extractors


def _open(extractors: Any, spec: dict[str, Any]) -> Any:
    kind = spec["kind"]
    if kind == "spikeglx":
        return extractors.read_spikeglx(spec["path"], stream_id="imec0.ap")
    if kind == "nwb":
        return extractors.read_nwb_recording(spec["path"],
                                             electrical_series_path=spec["series"])
    if kind == "sorting":
        return extractors.read_nwb_sorting(spec["path"], sampling_frequency=spec["fs"],
                                           t_start=0.0)
    raise ValueError(f"kind must be 'spikeglx', 'nwb' or 'sorting', got {kind!r}")


def _best(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def measure(library: str, spec: dict[str, Any]) -> dict[str, float]:
    """Best times (ms) of opening and reading, as described in the module docstring."""
    extractors = _extractors(library)
    repeat = int(spec.get("repeat", 5))
    _open(extractors, spec)  # imports and caches warmed once, for both libraries alike
    out = {"open_ms": _best(lambda: _open(extractors, spec), max(repeat, 20))}
    if spec["kind"] == "sorting":
        def trains() -> None:
            sorting = _open(extractors, spec)
            for unit_id in sorting.get_unit_ids():
                sorting.get_unit_spike_train(unit_id)

        out["trains_ms"] = _best(trains, repeat)
        return out
    recording = _open(extractors, spec)
    length = int(spec["length"])
    starts = [int(s) for s in spec["starts"]]
    total = recording.get_num_samples()
    take = _owned

    def windows() -> None:
        for start in starts:
            take(recording.get_traces(start_frame=start, end_frame=start + length))

    def sequential() -> None:
        for start in range(0, total, length):
            take(recording.get_traces(start_frame=start, end_frame=min(start + length, total)))

    direct = _direct_reader(spec)

    def direct_windows() -> None:
        for start in starts:
            take(direct(start, start + length))

    # the library's windows and the direct read of the same bytes, alternately, in this
    # process: their ratio does not depend on what else the machine runs meanwhile
    out["windows_ms"], out["direct_windows_ms"] = float("inf"), float("inf")
    for _ in range(repeat):
        out["windows_ms"] = min(out["windows_ms"], _best(windows, 1))
        out["direct_windows_ms"] = min(out["direct_windows_ms"], _best(direct_windows, 1))
    if spec.get("sequential"):
        def direct_sequential() -> None:
            for start in range(0, total, length):
                take(direct(start, min(start + length, total)))

        out["pass_ms"], out["direct_pass_ms"] = float("inf"), float("inf")
        for _ in range(repeat):
            out["pass_ms"] = min(out["pass_ms"], _best(sequential, 1))
            out["direct_pass_ms"] = min(out["direct_pass_ms"], _best(direct_sequential, 1))
    return out


def _owned(window: Any) -> np.ndarray:
    """The window as an array of its own: a view of a mapped file is copied, so that its
    pages are really read (an HDF5 read already returns a new array)."""
    array = np.asarray(window)
    return array if array.flags.owndata else np.array(array)


def _direct_reader(spec: dict[str, Any]) -> Callable[[int, int], Any]:
    """The plainest read of the same samples: a numpy memmap of the SpikeGLX file, or h5py
    slicing the NWB dataset."""
    if spec["kind"] == "spikeglx":
        from pathlib import Path

        path = next(Path(spec["path"]).glob("*.ap.bin"))
        data = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, 385)
        return lambda start, stop: data[start:stop, :384]
    import h5py

    dataset = h5py.File(spec["path"], "r")[f"{spec['series']}/data"]
    return lambda start, stop: dataset[start:stop]


def main() -> None:
    library, spec = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(measure(library, spec)))


if __name__ == "__main__":
    main()
