"""The ``lazyephys`` command: ``demo``, ``info PATH`` and ``convert SOURCE TARGET``."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .recording.base import Recording

__all__ = ["main"]


def _neuropixels_like_probe(num_channels: int) -> Any:
    from probeinterface import generate_multi_columns_probe

    columns = 4
    probe = generate_multi_columns_probe(
        num_columns=columns, num_contact_per_column=num_channels // columns,
        xpitch=16, ypitch=20, y_shift_per_column=[0, 10, 0, 10],
    )
    probe.set_device_channel_indices(np.arange(num_channels))
    return probe


def run_demo(out: Sequence[str] | None = None) -> None:
    """Generate a Neuropixels-like recording and show the lazy operations on it."""
    import lazyephys as le

    started = time.perf_counter()
    say = print
    say("lazyephys demo: a lazy Neuropixels-like recording (nothing is loaded)")
    recording = le.generate_recording(num_channels=384, sampling_frequency=30000.0,
                                      durations=[24 * 3600.0], set_probe=False, seed=0)
    recording = recording.set_probe(_neuropixels_like_probe(384))
    say(f"  created  {recording}")
    names = [f"AP{i:03d}" for i in range(384)]
    renamed = recording.rename_channels(new_channel_ids=names)
    say(f"  renamed  channels 0..383 -> {names[0]}..{names[-1]}")
    window = renamed.time_slice(start_time=3600.0, end_time=3660.0)
    say(f"  cut      one minute at 1 h: {window}")
    shank = window.select_channels(channel_ids=names[:96])
    say(f"  selected first 96 channels: {shank}")
    joined = le.concatenate_recordings([shank, shank])
    say(f"  joined   the minute twice: {joined.get_duration():.1f} s")
    other = le.generate_recording(num_channels=32, durations=[60.0], set_probe=True, seed=1)
    other = other.rename_channels([f"EXT{i}" for i in range(32)])
    combined = le.aggregate_channels([shank, other])
    say(f"  aggregated with 32 external channels: {combined.get_num_channels()} channels")
    traces = combined.get_traces(start_frame=0, end_frame=30000,
                                 channel_ids=["AP000", "AP095", "EXT0"])
    say(f"  read     1 s of AP000, AP095, EXT0: shape {traces.shape}, dtype {traces.dtype}, "
        f"rms {np.sqrt(np.mean(traces.astype(np.float64) ** 2, axis=0)).round(2).tolist()}")
    locations = shank.get_channel_locations()
    say(f"  probe    {len(locations)} contacts, depth {locations[:, 1].min():.0f}.."
        f"{locations[:, 1].max():.0f} um")
    say(f"  provenance of the chain: {len(str(combined.to_dict()))} characters of JSON-safe dict")
    with tempfile.TemporaryDirectory(prefix="lazyephys-demo-") as folder:
        _demo_persistence(Path(folder), shank.time_slice(3600.0, 3605.0), say)
    say(f"done in {time.perf_counter() - started:.2f} s")


def _demo_persistence(folder: Path, recording: Any, say: Any) -> None:
    """Export, reload, preprocess and move: what the demo does on disk."""
    import lazyephys as le
    from lazyephys.preprocessing import bandpass_filter, common_reference

    job_kwargs = {"n_jobs": 2, "chunk_duration": "1s"}
    began = time.perf_counter()
    binary = recording.save(folder=folder / "raw" / "recording", **job_kwargs)
    seconds = time.perf_counter() - began
    same = np.array_equal(binary.get_traces(), recording.get_traces())
    say(f"  saved    5 s x {recording.get_num_channels()} channels to a binary folder with "
        f"n_jobs=2 in {seconds:.2f} s; reloaded memory-mapped, identical: {same}")
    zarr_recording = recording.save(folder=folder / "recording.zarr", format="zarr", **job_kwargs)
    stored = sum(f.stat().st_size for f in (folder / "recording.zarr").rglob("*") if f.is_file())
    say(f"  saved    the same as zarr: {recording.get_memory_size() / stored:.2f}x smaller "
        f"than raw, identical: {np.array_equal(zarr_recording.get_traces(), binary.get_traces())}")
    raw: Any = le.load(folder / "raw" / "recording")
    pipeline = bandpass_filter(common_reference(raw))
    pipeline.dump_to_json(folder / "analysis" / "pipeline.json", relative_to=folder)
    window = pipeline.get_traces(start_frame=30000, end_frame=33000)
    moved = folder.parent / (folder.name + "-moved")
    folder.rename(moved)
    try:
        again: Any = le.load(moved / "analysis" / "pipeline.json", base_folder=moved)
        same = np.array_equal(again.get_traces(start_frame=30000, end_frame=33000), window)
        say(f"  moved    the folder; the band-pass + median-reference pipeline reloads from its "
            f"JSON provenance, identical: {same}")
    finally:
        moved.rename(folder)
    sorting = le.generate_sorting(num_units=50, durations=[60.0], seed=0)
    saved: Any = sorting.save(folder=folder / "sorting")
    counts = saved.count_num_spikes_per_unit(outputs="array")
    say(f"  sorting  {sorting.get_num_units()} units, {saved.count_total_num_spikes()} spikes "
        f"saved and reloaded; busiest unit fires {counts.max() / 60.0:.1f} Hz")


def describe(extractor: Any) -> str:
    """A few lines describing a recording or sorting: shape, ids, properties, probe."""
    lines = [repr(extractor)]
    is_recording = isinstance(extractor, Recording)
    ids = (extractor.get_channel_ids() if is_recording else extractor.get_unit_ids()).tolist()
    shown = ", ".join(map(str, ids[:8])) + (", ..." if len(ids) > 8 else "")
    lines.append(f"  {'channel' if is_recording else 'unit'} ids ({len(ids)}): {shown}")
    if extractor.get_property_keys():
        lines.append(f"  properties: {', '.join(extractor.get_property_keys())}")
    if extractor.get_annotation_keys():
        lines.append(f"  annotations: {', '.join(extractor.get_annotation_keys())}")
    if hasattr(extractor, "has_probe") and extractor.has_probe():
        lines.append(f"  probe: {extractor.get_probegroup()}")
    if hasattr(extractor, "count_total_num_spikes"):
        lines.append(f"  spikes: {extractor.count_total_num_spikes()}")
    return "\n".join(lines)


def run_info(path: str, base_folder: str | None) -> None:
    """Print what a saved folder, zarr store or provenance JSON holds."""
    import lazyephys as le

    print(describe(le.load(path, base_folder=base_folder)))


def run_convert(
    source: str, target: str, fmt: str, overwrite: bool, job_kwargs: dict[str, Any],
    **options: Any,
) -> None:
    """Load ``source`` and save it to ``target`` in ``fmt``, in parallel chunks.

    Prints the folder written: a zarr store is named with ``.zarr``, which is added when
    ``target`` lacks it (and said).
    """
    import lazyephys as le
    from lazyephys.io.save import save_target

    extractor: Any = le.load(source)
    written = save_target(extractor, target, fmt)
    if (written.exists() or written.is_symlink()) and not overwrite:
        raise FileExistsError(f"{written} already exists; add --overwrite to replace it")
    started = time.perf_counter()
    saved = extractor.save(folder=written, format=fmt, overwrite=overwrite, **job_kwargs,
                           **options)
    note = ("" if written == Path(target)
            else f" (a zarr store's name ends with .zarr; asked for {target})")
    print(f"wrote {written}{note} in {time.perf_counter() - started:.2f} s")
    print(describe(saved))


def run_clean(path: str, dry_run: bool) -> None:
    """List, and unless ``dry_run`` remove, the leftovers of killed saves in a folder."""
    from .io.atomic import clean_stale_temporaries

    stale = clean_stale_temporaries(path, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for item in stale:
        print(f"{verb} {item.path} ({item.size} bytes)")
    total = sum(item.size for item in stale)
    print(f"{verb} {len(stale)} stale temporar{'y' if len(stale) == 1 else 'ies'}, "
          f"{total} bytes")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lazyephys`` console script."""
    from ._version import __version__

    parser = argparse.ArgumentParser(prog="lazyephys", description=__doc__)
    parser.add_argument("--version", action="version", version=f"lazyephys {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="generate, cut, combine and read a lazy recording")
    info = commands.add_parser("info", help="describe a saved folder, zarr store or JSON file")
    info.add_argument("path")
    info.add_argument("--base-folder", default=None, help="resolves relative paths of a JSON")
    convert = commands.add_parser(
        "convert", help="save a loaded object in another format",
        description="Load SOURCE (a saved folder, zarr store or provenance JSON) and save it "
                    "to TARGET. A zarr store's name ends with .zarr: it is added to TARGET "
                    "when missing, and the folder written is printed.")
    convert.add_argument("source", help="what to read")
    convert.add_argument("target", help="the folder or zarr store to write")
    convert.add_argument("--format", default="zarr", choices=("binary", "zarr"),
                         help="what to write (default: %(default)s)")
    convert.add_argument("--zarr-format", type=int, default=3, choices=(2, 3),
                         help="zarr format of a zarr store; 2 is what SpikeInterface 0.105 "
                              "opens (default: %(default)s)")
    convert.add_argument("--overwrite", action="store_true",
                         help="replace TARGET if it holds a saved object (or is empty)")
    convert.add_argument("--n-jobs", type=int, default=1,
                         help="worker processes (default: %(default)s)")
    convert.add_argument("--chunk-duration", default="1s",
                         help="length of the chunks each worker writes (default: %(default)s)")
    convert.add_argument("--progress-bar", action="store_true", help="show a progress bar")
    clean = commands.add_parser(
        "clean", help="remove the temporary folders and files that killed saves left in PATH")
    clean.add_argument("path")
    clean.add_argument("--dry-run", action="store_true", help="list them, remove nothing")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo()
        return 0
    try:
        if args.command == "info":
            run_info(args.path, args.base_folder)
        elif args.command == "clean":
            run_clean(args.path, args.dry_run)
        else:
            job_kwargs = {"n_jobs": args.n_jobs, "progress_bar": args.progress_bar,
                          "chunk_duration": args.chunk_duration}
            options = {"zarr_format": args.zarr_format} if args.format == "zarr" else {}
            if args.format != "zarr" and args.zarr_format != 3:
                raise ValueError("--zarr-format applies to --format zarr only")
            run_convert(args.source, args.target, args.format, args.overwrite, job_kwargs,
                        **options)
    except (OSError, ValueError, KeyError, TypeError) as error:
        # bad input (a missing folder, a file that is not ours...): its message, no traceback
        print(f"lazyephys {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
