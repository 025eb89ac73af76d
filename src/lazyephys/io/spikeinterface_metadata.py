"""The metadata SpikeInterface reads, written beside ours in the folders we save.

A binary folder or sorting folder saved by lazyephys also carries what SpikeInterface (0.94 to
0.105) needs to open it with ``spikeinterface.load(folder)``: ``si_folder.json`` (the class
that opens the folder), ``binary.json`` (the raw files' description) for recordings,
``numpysorting_info.json`` for sortings, and ``annotations.json``. The data files themselves
(raw traces, ``spikes.npy``, ``properties/*.npy``, ``probegroup.json``,
``times_cached_seg<i>.npy``) are shared by both libraries, so nothing is written twice.
The layouts are those of SpikeInterface's file formats; lazyephys loads its own folders from
``lazyephys.json`` and never reads these files back when that one is present.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..recording.base import Recording
from ..sorting.base import Sorting
from .formats import write_json

__all__ = [
    "SPIKEINTERFACE_FORMAT_VERSION",
    "write_spikeinterface_recording_files",
    "write_spikeinterface_sorting_files",
    "write_spikeinterface_zarr_recording",
    "write_spikeinterface_zarr_sorting",
    "plain_json_annotations",
]

#: The SpikeInterface release whose folder layout these files follow.
SPIKEINTERFACE_FORMAT_VERSION = "0.105.3"


def plain_json_annotations(extractor: Recording | Sorting) -> dict[str, Any]:
    """The annotations whose values are plain JSON (others cannot be read by SpikeInterface)."""
    plain: dict[str, Any] = {}
    for key in extractor.get_annotation_keys():
        value = extractor.get_annotation(key, copy_value=False)
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            continue
        plain[key] = value
    return plain


def _header(class_path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "class": class_path,
        "module": "spikeinterface",
        "version": SPIKEINTERFACE_FORMAT_VERSION,
        "kwargs": kwargs,
        # SpikeInterface recognises a description by these keys; the folder's own files
        # (annotations.json, properties/) hold the values
        "annotations": {},
        "properties": {},
        "relative_paths": True,
    }


def _per_channel(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64)]


def write_spikeinterface_recording_files(
    recording: Recording, folder: Path, trace_names: list[str], dtype: np.dtype
) -> None:
    """Write ``binary.json``, ``si_folder.json`` and ``annotations.json`` for a binary folder.

    Parameters
    ----------
    recording : Recording
        What was saved.
    folder : Path
        The folder (its raw files already written).
    trace_names : list of str
        The raw file of each segment, relative to ``folder``.
    dtype : numpy dtype
        The dtype of the raw files.
    """
    num_segments = recording.get_num_segments()
    t_starts = [recording.get_start_time(i) for i in range(num_segments)]
    scaled = recording.has_scaleable_traces()
    annotations = plain_json_annotations(recording)
    binary_kwargs = {
        "file_paths": list(trace_names),
        "sampling_frequency": recording.get_sampling_frequency(),
        "t_starts": None if not any(t_starts) else t_starts,
        "num_channels": recording.get_num_channels(),
        "dtype": np.dtype(dtype).str,
        "channel_ids": recording.get_channel_ids().tolist(),
        "time_axis": 0,
        "file_offset": 0,
        "gain_to_uV": _per_channel(recording.get_channel_gains()) if scaled else None,
        "offset_to_uV": _per_channel(recording.get_channel_offsets()) if scaled else None,
        "is_filtered": bool(annotations.get("is_filtered", False)),
        "file_timestamps_paths": None,
    }
    binary = _header("spikeinterface.core.binaryrecordingextractor.BinaryRecordingExtractor",
                     binary_kwargs)
    binary["annotations"] = {"is_filtered": binary_kwargs["is_filtered"]}
    write_json(folder / "binary.json", binary)
    write_json(folder / "annotations.json", annotations)
    write_json(folder / "si_folder.json",
               _header("spikeinterface.core.binaryfolder.BinaryFolderRecording",
                       {"folder_path": "."}))


def write_spikeinterface_sorting_files(sorting: Sorting, folder: Path) -> None:
    """Write ``numpysorting_info.json``, ``si_folder.json`` and ``annotations.json`` for a
    sorting folder whose ``spikes.npy`` is already written."""
    info = {
        "sampling_frequency": float(sorting.get_sampling_frequency()),
        "unit_ids": sorting.get_unit_ids().tolist(),
        "num_segments": sorting.get_num_segments(),
    }
    write_json(folder / "numpysorting_info.json", info)
    write_json(folder / "annotations.json", plain_json_annotations(sorting))
    write_json(folder / "si_folder.json",
               _header("spikeinterface.core.sortingfolder.NumpyFolderSorting",
                       {"folder_path": ".", "mmap_mode": None}))


def _zarr_class_info(name: str) -> dict[str, str]:
    return {"class": f"spikeinterface.core.zarrextractors.{name}", "module": "spikeinterface",
            "version": SPIKEINTERFACE_FORMAT_VERSION}


def _id_array(ids: np.ndarray) -> np.ndarray:
    # fixed-width strings or integers: what zarr format 2 stores natively
    return ids.astype(str) if ids.dtype.kind in "OU" else ids


def write_spikeinterface_zarr_recording(
    root: Any, recording: Recording, properties: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Add to a zarr format 2 recording store the arrays SpikeInterface reads; return the root
    attributes it reads besides ours (``sampling_frequency``, ``annotations`` and
    ``probegroup`` are shared)."""
    root.create_array("channel_ids", data=_id_array(recording.get_channel_ids()),
                      compressors=None)
    num_segments = recording.get_num_segments()
    t_starts = np.array([np.nan if recording.has_time_vector(i) else recording.get_start_time(i)
                         for i in range(num_segments)], dtype=np.float64)
    root.create_array("t_starts", data=t_starts, compressors=None)
    group = root.require_group("properties")
    for key, values in properties.items():
        # numeric properties are already arrays of ours; strings are added for SpikeInterface
        if values.dtype.kind == "U" and values.ndim == 1 and key not in group:
            group.create_array(key, data=values, compressors=None)
    return {"num_segments": num_segments,
            "zarr_class_info": _zarr_class_info("ZarrRecordingExtractor")}


def write_spikeinterface_zarr_sorting(root: Any, sorting: Sorting, offsets: np.ndarray) -> None:
    """Add to a zarr format 2 sorting store the arrays SpikeInterface reads."""
    root.create_array("unit_ids", data=_id_array(sorting.get_unit_ids()), compressors=None)
    slices = np.column_stack([offsets[:-1], offsets[1:]]).astype(np.int64)
    root.create_array("spikes/segment_slices", data=slices, compressors=None)
    root.attrs["zarr_class_info"] = _zarr_class_info("ZarrSortingExtractor")
