"""Feature extraction over many sweeps: lazyephys against eFEL in a plain loop, and against
bluepyefe's ``extract_efeatures`` (with its default ``map``), on the same data.

Data: ``--cells`` cells (default 100) x 30 step sweeps of 2 s at 20 kHz, a leaky
integrate-and-fire cell per cell (each its own threshold), voltage stored as float32 binary
folders (one per cell) under ``LAZYEPHYS_BENCH_DIR`` or the temporary directory; the current
is the known step. Every run extracts the same features with bluepyefe's default settings.

    python benchmarks/bench_sweeps.py [--cells 100] [--repeat 1] [--skip-bluepyefe]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import lazyephys as le
from lazyephys.recording import NumpyRecording
from lazyephys.sweeps import (
    DEFAULT_EFEL_SETTINGS,
    SweepRecording,
    concatenate_sweeps,
    extract_features,
    group_by_targets,
)

FS = 20000.0
DURATION_MS, STIM_START, STIM_END = 2000.0, 200.0, 1700.0
SWEEPS_PER_CELL = 15  # per protocol: IDthresh and IDRest
FEATURES = ["Spikecount", "mean_frequency", "time_to_first_spike", "AP_amplitude", "ISI_CV"]
TARGETS = [{"efeature": name, "protocol": "IDRest", "amplitude": amplitude, "tolerance": 20}
           for amplitude in (150, 200, 250) for name in FEATURES]


def simulate_batch(amplitudes: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Voltages (sweeps, samples) of LIF cells under steps, all sweeps at once."""
    dt = 1000.0 / FS
    n = round(DURATION_MS / dt)
    on, off = round(STIM_START / dt), round(STIM_END / dt)
    decay = math.exp(-dt / 20.0)
    refractory = round(2.0 / dt)
    v = np.full(amplitudes.size, -70.0)
    hold = np.zeros(amplitudes.size, dtype=np.int64)
    out = np.empty((amplitudes.size, n), dtype=np.float32)
    for i in range(n):
        drive = amplitudes if on <= i < off else 0.0
        spiking = (v >= thresholds) & (hold == 0)
        out[:, i] = np.where(spiking, 30.0, np.where(hold == refractory, 0.0, v))
        held = hold > 0
        v = np.where(spiking | held, -70.0, -70.0 + 100.0 * drive
                     + (v + 70.0 - 100.0 * drive) * decay)
        hold = np.where(spiking, refractory, np.maximum(hold - 1, 0))
    return out


def make_sweeps(cells: int, folder: Path) -> SweepRecording:
    """One saved binary folder per cell (reused when present), their sweeps concatenated."""
    amplitudes = np.r_[np.linspace(0.1, 0.38, SWEEPS_PER_CELL),
                       np.linspace(0.3, 0.8, SWEEPS_PER_CELL)]
    protocols = ["IDthresh"] * SWEEPS_PER_CELL + ["IDRest"] * SWEEPS_PER_CELL
    rng = np.random.default_rng(0)
    thresholds = rng.uniform(-52.0, -46.0, cells)
    per_cell = []
    batch = 10
    for first in range(0, cells, batch):
        names = [folder / f"cell{c:03d}" for c in range(first, min(cells, first + batch))]
        if not all(p.exists() for p in names):
            amps = np.tile(amplitudes, len(names))
            ths = np.repeat(thresholds[first:first + len(names)], amplitudes.size)
            voltages = simulate_batch(amps, ths)
            for k, path in enumerate(names):
                rows = voltages[k * amplitudes.size:(k + 1) * amplitudes.size]
                recording = NumpyRecording([row[:, None] for row in rows], FS, ["voltage"])
                recording.save(folder=path, overwrite=True)
        for path in names:
            per_cell.append(SweepRecording(le.load(path), path.name, protocols,
                                           amplitudes.tolist(), STIM_START, STIM_END,
                                           current_channel_id=None))
    return concatenate_sweeps(per_cell)


def efel_loop(sweeps: SweepRecording, reset_each: bool = False) -> list[dict]:
    """eFEL called sweep by sweep in this process, with the settings extract_features uses.

    By default the settings are set once and only the stimulus current per sweep (the
    fastest plain loop); ``reset_each`` calls ``efel.reset()`` before each sweep's settings,
    the simple way to set them, which re-reads eFEL's dependency file every time.
    """
    import efel

    table = sweeps.get_sweep_table()
    results = []
    efel.reset()
    for key, value in DEFAULT_EFEL_SETTINGS.items():
        efel.set_setting(key, value)
    for index in range(sweeps.get_num_segments()):
        voltage = sweeps.get_traces(index, channel_ids=["voltage"])[:, 0]
        amplitude = float(table["amplitude"][index])
        if reset_each:
            efel.reset()
            for key, value in DEFAULT_EFEL_SETTINGS.items():
                efel.set_setting(key, value)
        else:
            # eFEL sets an undeclared setting such as stimulus_current only once: drop it
            vars(efel.get_settings()).pop("stimulus_current", None)
        efel.set_setting("stimulus_current", amplitude)
        trace = {"T": np.arange(voltage.size) * (1000.0 / FS), "V": voltage,
                 "stim_start": [STIM_START], "stim_end": [STIM_END]}
        results.append(efel.get_feature_values([trace], FEATURES, raise_warnings=False)[0])
    return results


def bluepyefe_run(sweeps: SweepRecording, output: Path) -> None:
    from bluepyefe.extract import extract_efeatures

    table = sweeps.get_sweep_table()
    files_metadata: dict = {}
    for index, cell in enumerate(table["cell_id"]):
        files_metadata.setdefault(str(cell), {}).setdefault(
            str(table["protocol"][index]), []).append(
            {"filepath": f"sweep{index}", "sweep": index, "ton": STIM_START, "toff": STIM_END,
             "amp": float(table["amplitude"][index]), "hypamp": 0.0})

    def reader(config: dict) -> list[dict]:
        traces = sweeps.get_traces(config["sweep"])
        return [{"voltage": traces[:, 0], "current": traces[:, 1], "dt": 1000.0 / FS,
                 "t_unit": "ms", "v_unit": "mV", "i_unit": "nA"}]

    extract_efeatures(output_directory=str(output), files_metadata=files_metadata,
                      targets=[dict(t) for t in TARGETS], protocols_rheobase=["IDthresh"],
                      recording_reader=reader, write_files=True)


def timed(func, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = func(*args, **kwargs)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--skip-bluepyefe", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="interleaved runs of the loop and of extract_features")
    args = parser.parse_args()
    base = Path(os.environ.get("LAZYEPHYS_BENCH_DIR", tempfile.gettempdir()))
    folder = base / f"lazyephys_bench_sweeps_{args.cells}"
    folder.mkdir(parents=True, exist_ok=True)
    # ratios of parallel runs mean something only on an otherwise idle machine
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    seconds, sweeps = timed(make_sweeps, args.cells, folder)
    print(f"{sweeps} (made or opened in {seconds:.1f} s)")
    logging.getLogger("bluepyefe").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    reset_s, _ = timed(efel_loop, sweeps, reset_each=True)
    # interleaved repeats, medians reported: other work on a shared machine comes and goes
    runs: dict[str, list[tuple[float, float]]] = {}
    loop: list[dict] = []
    table: dict = {}
    for repeat in range(args.repeat):
        seconds, cpu, loop = timed_cpu(efel_loop, sweeps)
        runs.setdefault("loop", []).append((seconds, cpu))
        for n_jobs in (1, 2):
            seconds, cpu, table = timed_cpu(extract_features, sweeps, FEATURES, n_jobs=n_jobs,
                                            output="dict")
            label = f"n_jobs={n_jobs}" + (" (first: the pool starts)" if n_jobs == 2
                                          and repeat == 0 else "")
            runs.setdefault(label, []).append((seconds, cpu))
    counts = [0 if r["Spikecount"] is None else int(r["Spikecount"][0]) for r in loop]
    assert np.array_equal(counts, table["Spikecount"]), "the loop and the job disagree"
    loop_s = float(np.median([w for w, _ in runs["loop"]]))
    rows = [("eFEL in a plain loop, efel.reset() per sweep", f"{reset_s:.1f}", "",
             f"{loop_s / reset_s:.2f}")]
    names = {"loop": "eFEL in a plain loop, settings set once (1 process)"}
    for label, measured in runs.items():
        wall = float(np.median([w for w, _ in measured]))
        cpu = float(np.median([c for _, c in measured]))
        name = names.get(label, f"extract_features {label}")
        if len(measured) > 1:
            name += f" (median of {len(measured)})"
        rows.append((name, f"{wall:.1f}", f"{cpu:.1f}", f"{loop_s / wall:.2f}"))
    print_rows("Extraction of " + ", ".join(FEATURES) + " (ratio: loop time / time; cpu: "
               "seconds of CPU of this process and its workers)", rows)

    times = {}
    for n_jobs in (1, 2):
        times[n_jobs], _ = timed(group_by_targets, sweeps, TARGETS, n_jobs=n_jobs)
    reference = None
    if not args.skip_bluepyefe:
        try:
            reference, _ = timed(bluepyefe_run, sweeps, folder / "bluepyefe_out")
        except ImportError:
            print("bluepyefe is not installed: its row is skipped")
    rows = []
    if reference is not None:
        rows.append(("bluepyefe extract_efeatures (map)", f"{reference:.1f}", "", "1.00"))
    for n_jobs, seconds in times.items():
        ratio = "" if reference is None else f"{reference / seconds:.2f}"
        rows.append((f"group_by_targets n_jobs={n_jobs} (extraction, rheobase, targets)",
                     f"{seconds:.1f}", "", ratio))
    print_rows("Targets from the same sweeps (ratio: bluepyefe time / time)", rows)
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def timed_cpu(func, *args, **kwargs) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds of this process and its workers, and the value."""
    import psutil

    def tree_cpu() -> float:
        me = psutil.Process()
        total = 0.0
        for process in [me, *me.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:  # a worker gone meanwhile
                continue
            total += times.user + times.system
        return total

    before = tree_cpu()
    seconds, value = timed(func, *args, **kwargs)
    return seconds, tree_cpu() - before, value


def print_rows(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"\n{title}")
    print(f"{'run'.ljust(widths[0])}  {'s'.rjust(max(widths[1], 4))}  "
          f"{'cpu'.rjust(max(widths[2], 4))}  ratio")
    for name, seconds, cpu, ratio in rows:
        print(f"{name.ljust(widths[0])}  {seconds.rjust(max(widths[1], 4))}  "
              f"{cpu.rjust(max(widths[2], 4))}  {ratio}")


if __name__ == "__main__":
    main()
