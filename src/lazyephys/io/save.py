"""``save``: compute a recording or sorting to a binary folder, a zarr store, or memory.

Every save is atomic (see :mod:`lazyephys.io.atomic`): it writes under a hidden temporary
sibling of the target and renames it into place only once complete, never replacing a folder
unless ``overwrite=True``. An interrupted save (an exception, Ctrl-C, a killed process) never
leaves a folder at the target, and a leftover temporary folder never loads (its metadata file is
written last; the next save to the target removes it). ``overwrite=True`` swaps the new folder
in only once complete, and refuses when the object being saved reads from inside the target.
"""

from __future__ import annotations

import errno
import os
import shutil
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
from ..errors import JobChunkError
from ..recording.base import Recording
from ..sorting.base import Sorting
from . import builtin_formats  # noqa: F401  (registers the shipped formats)
from .atomic import atomic_file, atomic_folder, resolve_target
from .overwrite import check_overwritable
from .registry import Format, get_format, get_registered_formats
from .saved_kind import restore_saved_kind, saved_kind_of

__all__ = ["save", "save_target", "atomic_folder", "atomic_file", "paths_read_by",
           "default_save_folder",
           "SaveFormat"]

#: The names ``save(format=...)`` knows without plugins; registered formats add theirs.
SaveFormat = Literal["binary", "zarr", "memory", "numpy_folder", "hdf5"]


def paths_read_by(extractor: BaseExtractor) -> Iterator[Path]:
    """Every file or folder ``extractor`` (and everything it is built on) reads from.

    Walks the provenance tree through the path arguments each kind declares; remote URLs
    are left out.
    """
    for item in extractor.paths_read():
        if not is_remote_url(item):
            yield as_local_path(item).resolve()


def _check_not_reading_from(extractor: BaseExtractor, target: Path) -> None:
    resolved = target.resolve()
    for path in paths_read_by(extractor):
        if path == resolved or resolved in path.parents:
            raise ValueError(
                f"cannot overwrite {target}: the object being saved reads from {path}, which "
                "is inside it. Save to another folder (then move it) instead"
            )


def default_save_folder(extractor: BaseExtractor, suffix: str = "") -> Path:
    """A new folder under the global temporary folder, for ``save(folder=None)``."""
    from .tmp_folder import get_global_tmp_folder

    base = get_global_tmp_folder()
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


def save_target(extractor: BaseExtractor, folder: Any, format: str = "binary") -> Path:
    """The folder ``save(extractor, folder, format)`` writes (a zarr store gets ``.zarr``).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(durations=[0.1])
    >>> save_target(rec, "out", "zarr").name
    'out.zarr'
    """
    if not isinstance(extractor, (Recording, Sorting)):
        raise TypeError(f"expected a Recording or a Sorting, got {type(extractor).__name__}")
    if format == "numpy_folder" and isinstance(extractor, Sorting):
        format = "binary"
    return _target_folder(extractor, folder, _writing_format(format, extractor))


def _full_disk_error(
    error: BaseException, extractor: BaseExtractor, target: Path
) -> OSError | None:
    """A clear error for a write that failed for lack of space, or None for any other error.

    Writers report a full disk in many ways: ``ENOSPC`` from ``os.pwrite`` (possibly inside a
    failed chunk), or numpy's bare "N requested and M written".
    """
    cause = error.__cause__ if isinstance(error, JobChunkError) else error
    if not isinstance(cause, OSError):
        return None
    short_write = cause.errno is None and "requested and" in str(cause)
    if cause.errno != errno.ENOSPC and not short_write:
        return None
    free = shutil.disk_usage(target.parent).free
    needed = (extractor.get_memory_size() if isinstance(extractor, Recording)
              else 24 * extractor.count_total_num_spikes() if isinstance(extractor, Sorting)
              else 0)
    if short_write and free >= needed:
        return None
    return OSError(
        errno.ENOSPC,
        f"no space left on the device holding {target}: the save needs about {needed} bytes "
        f"uncompressed and {free} bytes are free (nothing was written to {target})",
        str(target),
    )


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
        Replace an existing folder, once the new one is complete. Only an empty folder or
        one holding a saved recording or sorting (ours or SpikeInterface's) is replaced,
        never the working directory or its parents.
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
            in_memory: BaseExtractor = recording_to_memory(extractor, **kwargs)
        else:
            from .sorting_folder import sorting_to_memory

            in_memory = sorting_to_memory(extractor, **kwargs)
        # the kind saved, rebuilt over the arrays as load rebuilds it over a folder
        restored = restore_saved_kind(in_memory, saved_kind_of(extractor), "memory")
        assert isinstance(restored, (Recording, Sorting))
        return restored
    fmt = _writing_format(format, extractor)
    if isinstance(extractor, Recording) and extractor.get_num_channels() == 0:
        raise ValueError(
            f"this recording has no channels: a {format!r} folder of it would hold no traces "
            "and could not say how long it is; select channels to save, or use "
            "format='memory'"
        )
    target = resolve_target(_target_folder(extractor, folder, fmt))
    if overwrite and target.exists():
        _check_not_reading_from(extractor, target)  # the more specific refusal first
        check_overwritable(target)

    def refuse_reading_from(resolved: Path) -> None:
        _check_not_reading_from(extractor, resolved)

    # a single-file format (HDF5) writes a file instead of filling a folder
    atomic = atomic_file if getattr(fmt, "single_file", False) else atomic_folder
    with atomic(target, overwrite, refuse_reading_from) as temporary:
        try:
            fmt.write(extractor, temporary, **kwargs)
        except (OSError, JobChunkError) as error:
            full = _full_disk_error(error, extractor, target)
            if full is None:
                raise
            raise full from error
    from .load import load

    return load(target)


def recording_to_memory(recording: Recording, sharedmem: bool = False,
                        **job_kwargs: Any) -> Recording:
    """Compute a recording into numpy arrays (``save(format="memory")``).

    With ``sharedmem=True`` the arrays live in shared memory: the result is a
    :class:`~lazyephys.recording.SharedMemoryRecording` that process workers map without
    copies.
    """
    from ..jobs import run_chunked_job, split_job_kwargs
    from ..recording.in_memory import NumpyRecording

    job_kwargs, rest = split_job_kwargs(job_kwargs)
    dtype = rest.pop("dtype", None)
    dtype = check_traces_dtype(recording.get_dtype() if dtype is None else dtype)
    clip = bool(rest.pop("clip", False))
    if sharedmem:
        if rest or clip:
            raise TypeError(f"unexpected arguments for format='memory', sharedmem=True: "
                            f"{sorted(rest) + (['clip'] if clip else [])}")
        from ..jobs.shared_memory import save_to_shared_memory

        shared = save_to_shared_memory(recording, dtype=dtype, **job_kwargs)
        copy_recording_metadata(recording, shared)
        return shared
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
