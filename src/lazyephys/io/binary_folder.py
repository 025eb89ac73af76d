"""Binary folders: a raw file per segment plus JSON metadata, loaded as a memory-mapped recording.

Layout of a folder written by :func:`write_binary_folder`::

    lazyephys.json          {"format": "lazyephys.binary-folder", "version": 1, ...}
    traces_seg0.raw ...     C-order (time, channel) samples of each segment
    times_cached_seg0.npy   float64 time vectors of the segments that have one
    properties/<key>.npy    one file per property (object properties live in the JSON)
    probegroup.json         the probe, in probeinterface's own format
    provenance.json         how the saved object was made (not needed to load the folder)
    binary.json, si_folder.json, annotations.json
                            what SpikeInterface reads to open the same folder

The metadata file is written last: a folder whose writing was interrupted never has it, so it
never loads as if whole. Every path inside the folder is relative, so a folder loads after
being moved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..base.locations import file_inside
from ..base.provenance import register_kind
from ..base.validation import check_traces_dtype
from ..recording.base import Recording
from .binary import BinarySegment, read_binary_file
from .formats import (
    BINARY_FOLDER_FORMAT,
    FORMAT_VERSIONS,
    METADATA_FILE,
    FormatError,
    check_format,
    read_json,
    require_keys,
    write_json,
)
from .metadata import (
    decode_annotations,
    encode_annotations,
    load_npy,
    read_properties,
    write_properties,
)
from .saved_kind import SAVED_KIND_KEY, saved_kind_of
from .spikeinterface_metadata import write_spikeinterface_recording_files
from .write_binary import write_binary_recording

__all__ = [
    "BinaryFolderRecording",
    "read_binary_folder",
    "write_binary_folder",
    "BinaryFolderSpec",
    "write_common_recording_files",
]


@dataclass(frozen=True)
class BinaryFolderSpec:
    """Everything needed to open a binary folder, whatever wrote it."""

    file_paths: list[Path]
    sampling_frequency: float
    dtype: np.dtype
    num_channels: int
    channel_ids: Any
    num_samples: list[int] | None
    t_starts: list[float | None]
    time_vectors: list[np.ndarray | None]
    properties: dict[str, np.ndarray] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    probegroup: Any = None
    file_offset: int = 0
    time_axis: int = 0
    saved_kind: str | None = None


def _read_time_vector(path: Path, num_samples: int, where: str) -> np.ndarray:
    if path.suffix == ".npy":
        vector = load_npy(path, f"{where}, time vector", path.parent, mmap_mode="r")
        vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    else:  # folders written before time vectors were .npy files
        vector = read_binary_file(path, np.float64, 1).reshape(-1)
    if vector.size != num_samples:
        raise FormatError(
            f"{where}: the time vector {path.name} has {vector.size} values for "
            f"{num_samples} samples; the file is truncated or damaged"
        )
    return vector


def _inside(folder: Path, name: Any, where: str) -> Path:
    return file_inside(folder, name, where)


def read_lazyephys_binary_spec(folder: Path) -> BinaryFolderSpec:
    """Read the metadata of a folder written by :func:`write_binary_folder`."""
    where = str(folder / METADATA_FILE)
    meta = read_json(folder / METADATA_FILE)
    check_format(meta, BINARY_FOLDER_FORMAT, where)
    require_keys(meta, ("sampling_frequency", "dtype", "channel_ids", "num_samples",
                        "traces", "t_starts"), where)
    num_samples = [int(n) for n in meta["num_samples"]]
    traces = [_inside(folder, name, where) for name in meta["traces"]]
    if len(traces) != len(num_samples) or len(meta["t_starts"]) != len(num_samples):
        raise FormatError(f"{where}: 'traces', 't_starts' and 'num_samples' differ in length")
    channel_ids = meta["channel_ids"]
    vectors: list[np.ndarray | None] = []
    for index, name in enumerate(meta.get("time_vectors") or [None] * len(traces)):
        vectors.append(None if name is None else
                       _read_time_vector(_inside(folder, name, where), num_samples[index], where))
    return BinaryFolderSpec(
        file_paths=traces,
        sampling_frequency=float(meta["sampling_frequency"]),
        dtype=check_traces_dtype(meta["dtype"], f"{where}: dtype"),
        num_channels=len(channel_ids),
        channel_ids=channel_ids,
        num_samples=num_samples,
        t_starts=list(meta["t_starts"]),
        time_vectors=vectors,
        properties=read_properties(folder, meta.get("properties", []), len(channel_ids), where),
        annotations=decode_annotations(meta.get("annotations", {}), where),
        saved_kind=meta.get(SAVED_KIND_KEY),
    )


def read_binary_folder_spec(folder: Path) -> BinaryFolderSpec:
    """The spec of a binary folder of ours, or of one written by SpikeInterface."""
    if not folder.is_dir():
        raise FileNotFoundError(f"the folder {folder} does not exist")
    if (folder / METADATA_FILE).is_file():
        return read_lazyephys_binary_spec(folder)
    if (folder / "binary.json").is_file():
        from .spikeinterface_compat import read_spikeinterface_binary_spec

        return read_spikeinterface_binary_spec(folder)
    raise FormatError(
        f"{folder} is not a binary folder: it has neither {METADATA_FILE} (lazyephys) nor "
        "binary.json (SpikeInterface); an interrupted save leaves a folder without them"
    )


@register_kind
class BinaryFolderRecording(Recording):
    """A recording saved as a binary folder, memory-mapped (what ``save(format="binary")`` returns).

    Reads folders written by lazyephys and by SpikeInterface (0.94 and later).

    Parameters
    ----------
    folder_path : str or Path
        The folder.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
    >>> saved = rec.save(folder="my_recording")  # doctest: +SKIP
    >>> le.BinaryFolderRecording("my_recording")  # doctest: +SKIP
    """

    _path_arguments = ("folder_path",)

    def __init__(self, folder_path: str | os.PathLike[str]) -> None:
        folder = Path(folder_path)
        spec = read_binary_folder_spec(folder)
        super().__init__(spec.sampling_frequency, spec.channel_ids, spec.dtype)
        if self.get_num_channels() != spec.num_channels:
            raise FormatError(
                f"{folder}: {self.get_num_channels()} channel ids for {spec.num_channels} channels"
            )
        for index, path in enumerate(spec.file_paths):
            segment = BinarySegment(path, self._dtype, spec.num_channels, spec.file_offset,
                                    spec.time_axis)
            expected = None if spec.num_samples is None else spec.num_samples[index]
            if expected is not None and segment.num_samples != expected:
                raise FormatError(
                    f"the raw file {path} holds {segment.num_samples} samples but the folder's "
                    f"metadata says {expected}: the file is truncated or damaged"
                )
            self.add_segment(segment, spec.t_starts[index], spec.time_vectors[index])
        for key, values in spec.properties.items():
            self.set_property(key, values)
        if spec.probegroup is not None:
            self.set_probegroup(spec.probegroup, in_place=True)
        if spec.annotations:
            self.annotate(**spec.annotations)
        self._saved_kind = spec.saved_kind
        self._record_argument("folder_path", folder)


def read_binary_folder(folder_path: str | os.PathLike[str]) -> BinaryFolderRecording:
    """Open a binary folder (ours or SpikeInterface's) as a memory-mapped recording."""
    return BinaryFolderRecording(folder_path)


def write_common_recording_files(recording: Recording, folder: Path) -> dict[str, Any]:
    """Write the probe and provenance files; return the metadata describing them."""
    extra: dict[str, Any] = {"probe": None, "provenance": None}
    if recording.has_probe():
        from probeinterface import write_probeinterface

        write_probeinterface(folder / "probegroup.json", recording.get_probegroup())
        extra["probe"] = "probegroup.json"
    provenance = source_provenance(recording)
    if provenance is not None:
        write_json(folder / "provenance.json", provenance)
        extra["provenance"] = "provenance.json"
    return extra


def source_provenance(extractor: Any) -> dict[str, Any] | None:
    """The provenance dict of what is being saved, or None for objects held in memory."""
    if extractor.is_in_memory():
        return None
    try:
        return dict(extractor.to_dict())
    except TypeError:  # an argument that JSON cannot describe: the save does not depend on it
        return None


def write_binary_folder(
    recording: Recording, folder: str | os.PathLike[str], dtype: Any = None, **job_kwargs: Any
) -> None:
    """Write ``recording`` into the (existing, empty) ``folder`` as a binary folder.

    Used by :func:`lazyephys.save` inside a temporary folder; call that instead.

    Parameters
    ----------
    recording : Recording
    folder : path
        An existing empty folder.
    dtype : numpy dtype or None
        Cast the traces to this dtype (default: the recording's).
    **job_kwargs
        Chunking and parallelism (``n_jobs``, ``chunk_duration``, ...).
    """

    folder = Path(folder)
    num_segments = recording.get_num_segments()
    trace_names = [f"traces_seg{index}.raw" for index in range(num_segments)]
    write_binary_recording(recording, file_paths=[folder / name for name in trace_names],
                           dtype=dtype, **job_kwargs)
    time_names: list[str | None] = []
    for index in range(num_segments):
        if recording.has_time_vector(index):
            # the name and .npy form SpikeInterface reads too
            name = f"times_cached_seg{index}.npy"
            np.save(folder / name, np.ascontiguousarray(recording.get_times(index), "<f8"),
                    allow_pickle=False)
            time_names.append(name)
        else:
            time_names.append(None)
    properties = {key: recording.get_property(key) for key in recording.get_property_keys()}
    metadata: dict[str, Any] = {
        "format": BINARY_FOLDER_FORMAT,
        "version": FORMAT_VERSIONS[BINARY_FOLDER_FORMAT],
        "sampling_frequency": recording.get_sampling_frequency(),
        "dtype": check_traces_dtype(recording.get_dtype() if dtype is None else dtype).str,
        "num_channels": recording.get_num_channels(),
        "channel_ids": recording.get_channel_ids().tolist(),
        "num_samples": [recording.get_num_samples(i) for i in range(num_segments)],
        "t_starts": [recording.get_start_time(i) for i in range(num_segments)],
        "traces": trace_names,
        "time_vectors": time_names,
        "properties": write_properties(folder, properties),
        "annotations": encode_annotations(
            {key: recording.get_annotation(key, copy_value=False)
             for key in recording.get_annotation_keys()}
        ),
    }
    metadata.update(write_common_recording_files(recording, folder))
    saved_kind = saved_kind_of(recording)
    if saved_kind is not None:
        metadata[SAVED_KIND_KEY] = saved_kind
    write_spikeinterface_recording_files(recording, folder, trace_names,
                                         np.dtype(metadata["dtype"]))
    write_json(folder / METADATA_FILE, metadata)
