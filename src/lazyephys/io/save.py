"""``save``: compute a recording or sorting to a binary folder, a zarr store, or memory.

Every save is atomic (see :mod:`lazyephys.io.atomic`): it writes under a hidden temporary
sibling of the target and renames it into place only once complete, never replacing a folder
unless ``overwrite=True``. An interrupted save (an exception, Ctrl-C, a killed process) never
leaves a folder at the target, and a leftover temporary folder never loads (its metadata file is
written last; the next save to the target removes it). ``overwrite=True`` swaps the new folder
in only once complete, and refuses when the object being saved reads from inside the target.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..base.casting import cast_traces, overflow_raised_plainly
from ..base.doors import register_persistence
from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_remote_url
from ..base.validation import check_traces_dtype
from ..recording.base import Recording
from ..sorting.base import Sorting
from . import builtin_formats  # noqa: F401  (registers the shipped formats)
from .atomic import atomic_file, atomic_folder, resolve_target
from .registry import Format, get_format, get_registered_formats

__all__ = ["save", "atomic_folder", "atomic_file", "paths_read_by", "default_save_folder",
           "SaveFormat"]

#: The names ``save(format=...)`` knows without plugins; registered formats add theirs.
SaveFormat = Literal["binary", "zarr", "memory", "numpy_folder", "hdf5"]


def paths_read_by(extractor: BaseExtractor) -> Iterator[Path]:
    """Every file or folder ``extractor`` (and everything it is built on) reads from.

    Walks the provenance tree through the path arguments each kind declares.
    """
    stack = [extractor]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for name in current._path_arguments:
            value = current._kwargs.get(name)
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                if item is None or is_remote_url(item):
                    continue
                yield as_local_path(item).resolve()
        stack.extend(current._child_extractors())


def _check_not_reading_from(extractor: BaseExtractor, target: Path) -> None:
    resolved = target.resolve()
    for path in paths_read_by(extractor):
        if path == resolved or resolved in path.parents:
            raise ValueError(
                f"cannot overwrite {target}: the object being saved reads from {path}, which "
                "is inside it. Save to another folder (then move it) instead"
            )


def default_save_folder(extractor: BaseExtractor, suffix: str = "") -> Path:
    """A new folder under the system's temporary directory, for ``save(folder=None)``."""
    base = Path(tempfile.gettempdir()) / "lazyephys_cache"
    base.mkdir(parents=True, exist_ok=True)
    return base / f"{type(extractor).__name__}_{uuid.uuid4().hex[:12]}{suffix}"


def _target_folder(extractor: BaseExtractor, folder: Any, fmt: Format) -> Path:
    suffix = str(getattr(fmt, "suffix", ""))
    suffixes = tuple(getattr(fmt, "suffixes", (suffix,)))
    if folder is None:
        return default_save_folder(extractor, suffix)
    if is_remote_url(folder):
        raise ValueError(
            f"save writes to local folders only, got {folder!r}; write locally and copy the "
            "store (remote stores are read with load(url, storage_options=...))"
        )
    path = as_local_path(folder)
    if suffix and path.suffix not in suffixes:
        path = path.with_name(path.name + suffix)
    return path


def _writing_format(name: Any, extractor: Recording | Sorting) -> Format:
    kind = "recording" if isinstance(extractor, Recording) else "sorting"
    fmt = get_format(name)
    if kind not in fmt.writes:
        writers = [other for other in get_registered_formats()
                   if kind in get_format(other).writes]
        raise ValueError(
            f"the format {name!r} does not write a {kind}; the formats that do are "
            f"{', '.join(['memory', *writers])}"
        )
    return fmt


def save(
    extractor: BaseExtractor,
    folder: str | os.PathLike[str] | None = None,
    format: SaveFormat | str = "binary",
    overwrite: bool = False,
    **kwargs: Any,
) -> Recording | Sorting:
    """Compute ``extractor`` into a binary folder, a zarr store or memory; return the result.

    Parameters
    ----------
    extractor : Recording or Sorting
    folder : path or None
        Where to write; None makes a new folder under the temporary directory. A zarr store
        gets the ``.zarr`` suffix if it lacks it.
    format : {"binary", "zarr", "memory"} or the name of a registered format
        ``"binary"``: a raw file per segment (recordings) or a spike-vector folder (sortings),
        loaded back memory-mapped. ``"zarr"``: a compressed zarr (format 3) store.
        ``"memory"``: numpy arrays in this process. ``"numpy_folder"`` is accepted for
        sortings as another name of ``"binary"``. ``"hdf5"``: one HDF5 file of a recording
        (a dataset per segment; ``.h5`` added to a name without ``.h5``/``.hdf5``). Any
        format registered with
        :func:`lazyephys.io.registry.register_format` that writes this kind of object.
    overwrite : bool
        Replace an existing folder, once the new one is complete.
    **kwargs
        Job kwargs (``n_jobs``, ``chunk_duration``, ``progress_bar``...) and format options:
        ``dtype`` and ``clip`` (binary, zarr, memory: a value that does not fit ``dtype`` raises
        :class:`~lazyephys.errors.DtypeOverflowError` unless ``clip=True``), ``compressor``,
        ``filters``, ``channel_chunk_size``,
        ``shard_duration`` (zarr).

    Returns
    -------
    Recording or Sorting
        The saved object, loaded: a memory-mapped ``BinaryFolderRecording``, a
        ``ZarrRecordingExtractor``, a ``NumpyRecording``...

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
    >>> saved = le.save(rec, folder="rec_folder", n_jobs=2)  # doctest: +SKIP
    >>> zarr_rec = rec.save(folder="rec", format="zarr")  # doctest: +SKIP
    """
    if not isinstance(extractor, (Recording, Sorting)):
        raise TypeError(f"save() takes a Recording or a Sorting, got {type(extractor).__name__}")
    if format == "numpy_folder" and isinstance(extractor, Sorting):
        format = "binary"
    if kwargs.pop("storage_options", None):
        raise ValueError(
            "save writes local folders only; storage_options is for reading remote stores "
            "with load(url, storage_options=...)"
        )
    if kwargs.get("channel_chunk_size", 0) is None:
        del kwargs["channel_chunk_size"]  # None means the default, as when it is not given
    if "channel_chunk_size" in kwargs and format != "zarr":
        raise ValueError("channel_chunk_size applies to format='zarr' only")
    if format == "memory":
        if folder is not None:
            raise ValueError("format='memory' writes no folder; do not pass folder")
        if isinstance(extractor, Recording):
            return recording_to_memory(extractor, **kwargs)
        from .sorting_folder import sorting_to_memory

        return sorting_to_memory(extractor, **kwargs)
    fmt = _writing_format(format, extractor)
    target = resolve_target(_target_folder(extractor, folder, fmt))

    def refuse_reading_from(resolved: Path) -> None:
        _check_not_reading_from(extractor, resolved)

    # a single-file format (HDF5) writes a file instead of filling a folder
    atomic = atomic_file if getattr(fmt, "single_file", False) else atomic_folder
    with atomic(target, overwrite, refuse_reading_from) as temporary:
        fmt.write(extractor, temporary, **kwargs)
    from .load import load

    return load(target)


def recording_to_memory(recording: Recording, **job_kwargs: Any) -> Recording:
    """Compute a recording into numpy arrays (``save(format="memory")``)."""
    from ..jobs import run_chunked_job, split_job_kwargs
    from ..recording.in_memory import NumpyRecording

    job_kwargs, rest = split_job_kwargs(job_kwargs)
    dtype = rest.pop("dtype", None)
    dtype = check_traces_dtype(recording.get_dtype() if dtype is None else dtype)
    clip = bool(rest.pop("clip", False))
    if rest:
        raise TypeError(f"unexpected arguments for format='memory': {sorted(rest)}")
    num_channels = recording.get_num_channels()
    arrays = [np.empty((recording.get_num_samples(i), num_channels), dtype=dtype)
              for i in range(recording.get_num_segments())]
    # Threads share the arrays, so workers fill them in place.
    job_kwargs["pool_engine"] = "thread"
    with overflow_raised_plainly():
        run_chunked_job(recording, _memory_init, {"arrays": arrays, "dtype": dtype, "clip": clip},
                        _memory_run, job_name="save to memory", **job_kwargs)
    result = NumpyRecording(arrays, recording.get_sampling_frequency(),
                            recording.get_channel_ids(),
                            [recording.get_start_time(i)
                             for i in range(recording.get_num_segments())])
    copy_recording_metadata(recording, result)
    return result


def _memory_init(recording: Recording, arrays: list[np.ndarray], dtype: np.dtype,
                 clip: bool) -> dict:
    return {"recording": recording, "arrays": arrays, "dtype": dtype, "clip": clip}


def _memory_run(segment_index: int, start_frame: int, end_frame: int, state: dict) -> None:
    recording = state["recording"]
    traces = recording.get_traces(segment_index, start_frame, end_frame)
    state["arrays"][segment_index][start_frame:end_frame] = cast_traces(
        traces, state["dtype"], state["clip"], channel_ids=recording.get_channel_ids(),
        segment_index=segment_index, start_frame=start_frame)


def copy_recording_metadata(source: Recording, target: Recording) -> None:
    """Give ``target`` the properties, annotations and time vectors of ``source``."""
    copy_extractor_metadata(source, target)
    for index in range(source.get_num_segments()):
        if source.has_time_vector(index):
            target.set_times(source.get_times(index), index)


def copy_extractor_metadata(source: BaseExtractor, target: BaseExtractor) -> None:
    """Give ``target`` the properties and annotations of ``source``."""
    for key in source.get_property_keys():
        target.set_property(key, source.get_property(key))
    annotations = {key: source.get_annotation(key) for key in source.get_annotation_keys()}
    if annotations:
        target.annotate(**annotations)


class _IoPersistence:
    """The door through which ``BaseExtractor.save`` reaches :func:`save`."""

    def save(
        self, extractor: BaseExtractor, folder: Any, format: str, overwrite: bool, **kwargs: Any
    ) -> BaseExtractor:
        return save(extractor, folder=folder, format=format, overwrite=overwrite, **kwargs)


register_persistence(_IoPersistence())
