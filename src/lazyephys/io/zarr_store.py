"""Zarr stores: recordings and sortings, written as zarr format 3 (or 2 on request), read in
format 3 or 2.

A recording store holds one array per segment, ``traces_seg<i>`` (time, channel), chunked in
time with the executor's chunk length (so that no two workers ever write one chunk),
optionally chunked in channels and sharded; ``times_seg<i>`` for segments with a time vector;
numeric properties under ``properties/``. The root attributes carry
``{"format": "lazyephys.zarr-recording", "version": 1, ...}`` with the rest of the metadata,
the probe (probeinterface's dict) and the provenance of what was saved; they are written last,
so an interrupted write never loads.

A sorting store holds the spike vector's fields, ``spikes/sample_index`` and
``spikes/unit_index``, over all segments, with ``spikes/segment_offsets`` (segment ``i`` is
rows ``offsets[i]:offsets[i+1]``).

Stores written by SpikeInterface (zarr format 2, by zarr-python 2) are read too. Reading works
on local folders and on any fsspec URL (``storage_options`` for credentials).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..base.casting import cast_traces, overflow_raised_plainly
from ..base.locations import as_local_path, is_remote_url
from ..base.provenance import register_kind
from ..base.validation import check_traces_dtype
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from .formats import (
    FORMAT_VERSIONS,
    ZARR_RECORDING_FORMAT,
    ZARR_SORTING_FORMAT,
    FormatError,
    check_format,
    require_keys,
)
from .metadata import (
    check_property_length,
    decode_annotations,
    decode_json_property,
    encode_annotations,
    encode_json_property,
    property_file_names,
)
from .saved_kind import SAVED_KIND_KEY, saved_kind_of
from .zarr_codecs import array_codecs, quiet_numcodecs_warning

__all__ = [
    "ZarrRecordingExtractor",
    "read_zarr",
    "read_zarr_recording",
    "write_zarr_recording",
    "open_zarr_group",
]

_NUMERIC_KINDS = "biufc"


def open_zarr_group(folder_path: Any, storage_options: dict[str, Any] | None = None) -> Any:
    """Open a zarr group read-only (format 3 or 2), locally or at an fsspec URL."""
    import zarr

    if is_remote_url(folder_path):
        with quiet_numcodecs_warning():
            return zarr.open_group(str(folder_path), mode="r", storage_options=storage_options)
    path = as_local_path(folder_path)
    if not path.is_dir():
        raise FileNotFoundError(f"the zarr store {path} does not exist")
    try:
        with quiet_numcodecs_warning():
            return zarr.open_group(str(path), mode="r")
    except (FileNotFoundError, ValueError) as err:
        raise FormatError(f"{path} is not a zarr group: {err}") from err


def _array(group: Any, name: str, where: str) -> Any:
    try:
        with quiet_numcodecs_warning():
            return group[name]
    except KeyError as err:
        raise FormatError(f"the zarr store {where} has no array {name!r}") from err


def _write_properties(group: Any, properties: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    names = property_file_names(list(properties))
    for key, values in properties.items():
        if values.dtype.kind in _NUMERIC_KINDS and not values.dtype.names:
            path = f"properties/{names[key]}"
            group.create_array(path, data=np.ascontiguousarray(values), compressors=None)
            entries.append({"key": key, "array": path})
        else:
            entries.append({"key": key, "json": encode_json_property(key, values)})
    return entries


def _read_properties(group: Any, entries: Any, num_ids: int, where: str) -> dict[str, np.ndarray]:
    if not isinstance(entries, list):
        raise FormatError(f"{where}: 'properties' must be a list, got {entries!r}")
    properties = {}
    for entry in entries:
        if not isinstance(entry, dict) or "key" not in entry:
            raise FormatError(f"{where}: bad property entry {entry!r}")
        key = entry["key"]
        if "array" in entry:
            values = np.asarray(_array(group, entry["array"], where)[...])
        elif "json" in entry:
            values = decode_json_property(entry["json"])
        else:
            raise FormatError(f"{where}: property {key!r} has neither 'array' nor 'json'")
        check_property_length(key, values, num_ids, where)
        properties[key] = values
    return properties


def _read_v2_properties(group: Any, num_ids: int, where: str) -> dict[str, np.ndarray]:
    properties: dict[str, np.ndarray] = {}
    if "properties" not in group:
        return properties
    for name, array in group["properties"].arrays():
        values = np.asarray(array[...])
        if values.dtype.kind == "O":  # variable-length strings: back to a fixed-width array
            values = values.astype(str)
        check_property_length(name, values, num_ids, where)
        properties[name] = values
    return properties


class ZarrSegment(RecordingSegment):
    """A segment over a zarr array (time, channel); reads decode only the chunks touched."""

    __slots__ = ("array", "where")

    def __init__(self, array: Any, where: str = "") -> None:
        super().__init__(array.shape[0])
        self.array = array
        self.where = where

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        try:
            if isinstance(channel_selector, slice):
                return np.asarray(self.array[start_frame:end_frame, channel_selector])
            return np.asarray(self.array.oindex[start_frame:end_frame, channel_selector])
        except (RuntimeError, ValueError, OSError) as err:
            # a codec's bare message ("blosc decompression: -1") names neither store nor chunk
            length = self.array.chunks[0]
            first, last = start_frame // length, max(start_frame, end_frame - 1) // length
            raise FormatError(
                f"the zarr store {self.where}: reading frames {start_frame}:{end_frame} of "
                f"{self.array.name.lstrip('/')} (time chunks {first}..{last}) failed, the "
                f"store is damaged: {type(err).__name__}: {err}"
            ) from err


@register_kind
class ZarrRecordingExtractor(Recording):
    """A recording in a zarr store (what ``save(format="zarr")`` returns).

    Reads stores written by lazyephys (zarr format 3) and by SpikeInterface (zarr format 2).

    Parameters
    ----------
    folder_path : str or Path
        A local store, or an fsspec URL (``s3://...``, ``gs://...``, ``https://...``).
    storage_options : dict or None
        fsspec options for URLs.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
    >>> zrec = rec.save(folder="rec.zarr", format="zarr")  # doctest: +SKIP
    >>> le.ZarrRecordingExtractor("rec.zarr").get_num_channels()  # doctest: +SKIP
    4
    """

    _path_arguments = ("folder_path",)

    def __init__(
        self, folder_path: str | os.PathLike[str], storage_options: dict[str, Any] | None = None
    ) -> None:
        root = open_zarr_group(folder_path, storage_options)
        where = str(folder_path)
        attrs = dict(root.attrs)
        if "format" in attrs:
            spec = _our_recording_spec(root, attrs, where)
        elif "sampling_frequency" in attrs and "num_segments" in attrs:
            spec = _spikeinterface_recording_spec(root, attrs, where)
        else:
            raise FormatError(
                f"{where} is not a saved recording: its root attributes have no 'format' (an "
                "interrupted save leaves a store without it)"
            )
        arrays = spec["traces"]
        dtype = arrays[0].dtype if arrays else spec.get("dtype", "float32")
        super().__init__(spec["sampling_frequency"], spec["channel_ids"], dtype)
        num_channels = self.get_num_channels()
        for index, array in enumerate(arrays):
            if array.ndim != 2 or array.shape[1] != num_channels:
                raise FormatError(
                    f"{where}: traces of segment {index} have shape {array.shape}, expected "
                    f"(samples, {num_channels})"
                )
            vector = spec["time_vectors"][index]
            if vector is not None and vector.shape != (array.shape[0],):
                raise FormatError(f"{where}: the time vector of segment {index} has shape "
                                  f"{vector.shape} for {array.shape[0]} samples")
            self.add_segment(ZarrSegment(array, where), spec["t_starts"][index], vector)
        for key, values in spec["properties"].items():
            self.set_property(key, values)
        if spec.get("probegroup") is not None:
            self.set_probegroup(spec["probegroup"], in_place=True)
        if spec["annotations"]:
            self.annotate(**spec["annotations"])
        self._saved_kind = spec.get("saved_kind")
        self._root = root
        if not is_remote_url(folder_path):
            self._record_argument("folder_path", Path(folder_path))


def _our_recording_spec(root: Any, attrs: dict[str, Any], where: str) -> dict[str, Any]:
    check_format(attrs, ZARR_RECORDING_FORMAT, where)
    require_keys(attrs, ("sampling_frequency", "channel_ids", "traces", "t_starts"), where)
    traces = [_array(root, name, where) for name in attrs["traces"]]
    _check_traces_arrays(root, attrs, traces, where)
    vectors = []
    for name in attrs.get("time_vectors") or [None] * len(traces):
        vectors.append(None if name is None else np.asarray(_array(root, name, where)[...]))
    channel_ids = attrs["channel_ids"]
    return {
        "sampling_frequency": attrs["sampling_frequency"],
        "channel_ids": channel_ids,
        "dtype": attrs.get("dtype"),
        "traces": traces,
        "t_starts": attrs["t_starts"],
        "time_vectors": vectors,
        "properties": _read_properties(root, attrs.get("properties", []), len(channel_ids),
                                       where),
        "annotations": decode_annotations(attrs.get("annotations", {}), where),
        "saved_kind": attrs.get(SAVED_KIND_KEY),
    }


def _check_traces_arrays(root: Any, attrs: dict[str, Any], arrays: list[Any], where: str) -> None:
    """The arrays are as the store's metadata says they were written: shape, dtype, chunks."""
    num_samples = attrs.get("num_samples")
    if num_samples is not None and len(num_samples) != len(arrays):
        raise FormatError(f"{where}: {len(num_samples)} values of 'num_samples' for "
                          f"{len(arrays)} traces arrays")
    for index, array in enumerate(arrays):
        if num_samples is not None and array.shape[0] != num_samples[index]:
            raise FormatError(
                f"{where}: traces of segment {index} have {array.shape[0]} samples but the "
                f"store's metadata says {num_samples[index]}: the array was edited or damaged"
            )
        if attrs.get("dtype") is not None and array.dtype != np.dtype(attrs["dtype"]):
            raise FormatError(f"{where}: traces of segment {index} are {array.dtype} but the "
                              f"store's metadata says {attrs['dtype']}")
    if "stored_chunks" in attrs:
        for array, expected in zip(arrays, attrs["stored_chunks"], strict=False):
            _check_no_missing_chunks(root, array, int(expected), where)


def _chunk_keys(array: Any) -> list[str]:
    """The keys of every chunk (or shard) file of a 2-d array, relative to the array.

    The array's own key encoding spells them (``c/0/1`` in zarr 3, ``0.1`` in zarr 2).
    """
    outer = getattr(array, "shards", None) or array.chunks
    grid = [-(-size // length) for size, length in zip(array.shape, outer, strict=True)]
    encode = array.metadata.encode_chunk_key
    return [encode((i, j)) for i in range(grid[0]) for j in range(grid[1])]


def _listed_chunk_keys(root: Any, name: str) -> set[str]:
    """The keys stored under array ``name``, listed from the store (local or remote)."""
    from zarr.core.sync import sync

    prefix = "/".join(part for part in (root.path, name) if part) + "/"

    async def listed() -> set[str]:
        keys = {key[len(prefix):] async for key in root.store.list_prefix(prefix)}
        # the array's own metadata documents are not chunks
        return {key for key in keys if key != "zarr.json" and not key.startswith(".z")}

    return sync(listed())


def _check_no_missing_chunks(root: Any, array: Any, expected: int, where: str) -> None:
    name = array.name.lstrip("/")
    listed = _listed_chunk_keys(root, name)
    missing = [key for key in _chunk_keys(array) if key not in listed]
    if missing or len(listed) < expected:
        shown = ", ".join(f"{name}/{key}" for key in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise FormatError(
            f"the zarr store {where} is missing {len(missing)} of the {expected} chunks it was "
            f"written with: {shown}{more}; they would read as zeros, so it is refused"
        )


def _spikeinterface_recording_spec(root: Any, attrs: dict[str, Any], where: str) -> dict:
    num_segments = int(attrs["num_segments"])
    channel_ids = np.asarray(_array(root, "channel_ids", where)[...])
    if channel_ids.dtype.kind == "O":
        channel_ids = channel_ids.astype(str)
    traces = [_array(root, f"traces_seg{index}", where) for index in range(num_segments)]
    t_starts: list[float | None] = [None] * num_segments
    if "t_starts" in root:
        values = np.asarray(root["t_starts"][...], dtype=np.float64)
        t_starts = [None if np.isnan(v) else float(v) for v in values]
    vectors = [np.asarray(root[f"times_seg{index}"][...]) if f"times_seg{index}" in root else None
               for index in range(num_segments)]
    probegroup = None
    if attrs.get("probegroup"):
        from probeinterface import ProbeGroup

        probegroup = ProbeGroup.from_dict(attrs["probegroup"])
    return {
        "sampling_frequency": attrs["sampling_frequency"],
        "channel_ids": channel_ids,
        "traces": traces,
        "t_starts": t_starts,
        "time_vectors": vectors,
        "properties": _read_v2_properties(root, channel_ids.size, where),
        "annotations": dict(attrs.get("annotations") or {}),
        "probegroup": probegroup,
    }


def read_zarr_recording(
    folder_path: str | os.PathLike[str], storage_options: dict[str, Any] | None = None
) -> ZarrRecordingExtractor:
    """Open a zarr recording store (ours or SpikeInterface's)."""
    return ZarrRecordingExtractor(folder_path, storage_options)


def read_zarr(folder_path: Any, storage_options: dict[str, Any] | None = None) -> Any:
    """Open a zarr store as the recording or sorting it holds."""
    root = open_zarr_group(folder_path, storage_options)
    attrs = dict(root.attrs)
    fmt = attrs.get("format")
    class_info = attrs.get("zarr_class_info") or {}
    is_sorting = fmt == ZARR_SORTING_FORMAT or (
        fmt is None and ("Sorting" in str(class_info.get("class", "")) or "spikes" in root)
    )
    if is_sorting:
        from .zarr_sorting import ZarrSortingExtractor

        return ZarrSortingExtractor(folder_path, storage_options)
    return ZarrRecordingExtractor(folder_path, storage_options)


# ------------------------------------------------------------------ writing
class _ZarrTraceWriter:
    """A worker's state: the recording and the opened segment arrays."""

    def __init__(self, recording: Recording, folder: str, names: list[str], dtype: str,
                 clip: bool) -> None:
        import zarr

        self.recording = recording
        self.dtype = np.dtype(dtype)
        self.clip = clip
        with quiet_numcodecs_warning():
            # every chunk is written, even one that equals the fill value, so that a chunk
            # missing later is known to be lost (the store records how many there are)
            self.arrays = [zarr.open_array(store=folder, path=name, mode="r+")
                           .with_config({"write_empty_chunks": True}) for name in names]

    def write(self, segment_index: int, start_frame: int, end_frame: int) -> None:

        traces = self.recording.get_traces(segment_index, start_frame, end_frame)
        traces = cast_traces(traces, self.dtype, clip=self.clip,
                             channel_ids=self.recording.get_channel_ids(),
                             segment_index=segment_index, start_frame=start_frame)
        self.arrays[segment_index][start_frame:end_frame] = traces


def _init_zarr_writer(recording: Recording, folder: str, names: list[str], dtype: str,
                      clip: bool) -> _ZarrTraceWriter:
    return _ZarrTraceWriter(recording, folder, names, dtype, clip)


def _run_zarr_writer(segment_index: int, start_frame: int, end_frame: int,
                     state: _ZarrTraceWriter) -> None:
    state.write(segment_index, start_frame, end_frame)


def write_zarr_recording(
    recording: Recording,
    folder: str | os.PathLike[str],
    compressor: Any = "default",
    filters: Any = None,
    channel_chunk_size: int | None = None,
    chunks_per_shard: int | None = None,
    dtype: Any = None,
    clip: bool = False,
    zarr_format: Literal[2, 3] = 3,
    **job_kwargs: Any,
) -> None:
    """Write ``recording`` as a zarr store in the existing, empty ``folder``.

    Used by :func:`lazyephys.save` inside a temporary folder; call that instead.

    Parameters
    ----------
    recording : Recording
    folder : path
    compressor : "default", "wavpack", None, or a codec (zarr v3 or numcodecs), or a list
        "default" is :func:`~lazyephys.io.zarr_codecs.default_compressor`; "wavpack" is the
        lossless WavPack codec for integer traces (the ``wavpack`` extra); None stores raw.
    filters : list of codecs or None
        Array-to-array filters (e.g. ``numcodecs.Delta``).
    channel_chunk_size : int or None
        Channels per chunk (None: all channels in one chunk).
    chunks_per_shard : int or None
        Group this many time chunks per shard file (zarr sharding); workers then write whole
        shards.
    dtype : numpy dtype or None
        Cast the traces (None: the recording's dtype).
    clip : bool
        Clip values outside ``dtype``'s range instead of raising.
    zarr_format : {3, 2}
        Zarr format 2 is what SpikeInterface 0.94 to 0.105 (zarr-python 2) reads: the store
        then also holds the arrays and attributes it looks for (``channel_ids``,
        ``t_starts``, ``num_segments``, string properties as arrays), codecs are numcodecs
        codecs, and there is no sharding.
    **job_kwargs
        The chunk length of the job is the time chunk length of the arrays.
    """
    import zarr

    from ..jobs import fix_job_kwargs, run_chunked_job, split_job_kwargs
    from ..jobs.plan import resolve_chunk_size
    from .binary_folder import source_provenance

    job_kwargs, rest = split_job_kwargs(job_kwargs)
    if rest:
        raise TypeError(f"unexpected arguments for format='zarr': {sorted(rest)}")
    folder = Path(folder)
    fixed = fix_job_kwargs(job_kwargs)
    chunk_size = resolve_chunk_size(
        recording, fixed.get("chunk_size"), fixed.get("chunk_duration"),
        fixed.get("chunk_memory"), fixed.get("total_memory"), fixed["n_jobs"],
    )
    out_dtype = check_traces_dtype(recording.get_dtype() if dtype is None else dtype)
    num_channels = recording.get_num_channels()
    channel_chunk = num_channels if channel_chunk_size is None else int(channel_chunk_size)
    if channel_chunk < 1:
        raise ValueError(f"channel_chunk_size must be positive, got {channel_chunk_size!r}")
    grid = chunk_size
    if chunks_per_shard is not None:
        if int(chunks_per_shard) < 1:
            raise ValueError(f"chunks_per_shard must be positive, got {chunks_per_shard!r}")
        grid = chunk_size * int(chunks_per_shard)
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 3 or 2, got {zarr_format!r}")
    if zarr_format == 2 and chunks_per_shard is not None:
        raise ValueError("zarr format 2 has no sharding: chunks_per_shard needs zarr_format=3")
    root = zarr.open_group(str(folder), mode="w", zarr_format=zarr_format)
    codecs = array_codecs(compressor, filters, out_dtype, zarr_format)
    if zarr_format == 3:
        codecs["dimension_names"] = ("time", "channel")
    names: list[str] = []
    time_names: list[str | None] = []
    for index in range(recording.get_num_segments()):
        num_samples = recording.get_num_samples(index)
        chunks = (max(1, min(chunk_size, num_samples)), max(1, min(channel_chunk, num_channels)))
        shards = None
        if chunks_per_shard is not None:
            shards = (chunks[0] * int(chunks_per_shard), max(1, num_channels))
            shards = (shards[0], -(-shards[1] // chunks[1]) * chunks[1])
        name = f"traces_seg{index}"
        with quiet_numcodecs_warning():
            root.create_array(name, shape=(num_samples, num_channels), dtype=out_dtype,
                              chunks=chunks, shards=shards, fill_value=0, **codecs)
        names.append(name)
        if recording.has_time_vector(index):
            time_name = f"times_seg{index}"
            root.create_array(time_name, data=recording.get_times(index), chunks=(chunks[0],))
            time_names.append(time_name)
        else:
            time_names.append(None)
    job_kwargs = {**job_kwargs, "chunk_size": grid}
    for key in ("chunk_duration", "chunk_memory", "total_memory"):
        job_kwargs.pop(key, None)
    with overflow_raised_plainly():
        run_chunked_job(recording, _init_zarr_writer,
                        {"folder": str(folder), "names": names, "dtype": out_dtype.str,
                         "clip": clip},
                        _run_zarr_writer, grid=grid, job_name="write_zarr_recording",
                        **job_kwargs)
    properties = {key: recording.get_property(key) for key in recording.get_property_keys()}
    probegroup = None
    if recording.has_probe():
        probegroup = recording.get_probegroup().to_dict(array_as_list=True)
    num_segments = recording.get_num_segments()
    attrs = {
        "format": ZARR_RECORDING_FORMAT,
        "version": FORMAT_VERSIONS[ZARR_RECORDING_FORMAT],
        "sampling_frequency": recording.get_sampling_frequency(),
        "dtype": out_dtype.str,
        "channel_ids": recording.get_channel_ids().tolist(),
        "num_samples": [recording.get_num_samples(i) for i in range(num_segments)],
        "t_starts": [recording.get_start_time(i) for i in range(num_segments)],
        "traces": names,
        "stored_chunks": [len(_chunk_keys(root[name])) for name in names],
        "time_vectors": time_names,
        "properties": _write_properties(root, properties),
        "annotations": encode_annotations(
            {key: recording.get_annotation(key, copy_value=False)
             for key in recording.get_annotation_keys()}
        ),
        "probegroup": probegroup,
        "provenance": source_provenance(recording),
    }
    saved_kind = saved_kind_of(recording)
    if saved_kind is not None:
        attrs[SAVED_KIND_KEY] = saved_kind
    if zarr_format == 2:
        from .spikeinterface_metadata import write_spikeinterface_zarr_recording

        attrs.update(write_spikeinterface_zarr_recording(root, recording, properties))
    # Written last, in one write of the group's metadata (``attrs.update`` rewrites it once
    # per key): a store without its format attribute is incomplete and never loads.
    root.update_attributes(attrs)
