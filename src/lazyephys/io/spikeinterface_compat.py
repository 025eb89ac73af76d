"""Reading folders and stores written by SpikeInterface (0.94 to 0.105).

Users bring years of these. What is read (file layouts are facts of the format):

- binary folders: ``binary.json`` (the raw files' description: ``file_paths`` or the older
  ``files_path``, ``num_channels`` or the older ``num_chan``, ...), ``si_folder.json``,
  ``properties/*.npy``, ``annotations.json``, ``probegroup.json`` (or ``probe.json``) and
  ``times_cached_seg<i>.npy`` time vectors;
- ``numpy_folder`` sortings: ``numpysorting_info.json``, ``spikes.npy`` (the spike vector),
  ``properties/*.npy``, ``annotations.json``;
- zarr stores (zarr format 2) of recordings and sortings, read by :mod:`.zarr_store`.

Nothing is unpickled: a property file that would need it is skipped with a warning naming it,
and SpikeInterface's provenance files (which name Python classes to import) are never followed.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..base.locations import file_inside
from ..base.validation import check_traces_dtype
from .formats import FormatError, read_json
from .metadata import NeedsPickleError, load_npy

__all__ = [
    "read_spikeinterface_binary_spec",
    "read_spikeinterface_properties",
    "read_spikeinterface_annotations",
    "read_spikeinterface_probegroup",
    "spikeinterface_folder_class",
    "read_numpy_folder_sorting",
]


def spikeinterface_folder_class(folder: Path) -> str | None:
    """The class name SpikeInterface recorded for a folder (``si_folder.json``), if any."""
    for name in ("si_folder.json", "cached.json"):
        path = folder / name
        if path.is_file():
            info = read_json(path)
            if isinstance(info, dict) and isinstance(info.get("class"), str):
                return str(info["class"]).rsplit(".", 1)[-1]
    if (folder / "binary.json").is_file():
        return "BinaryFolderRecording"
    if (folder / "numpysorting_info.json").is_file():
        return "NumpyFolderSorting"
    return None


def read_spikeinterface_properties(folder: Path, num_ids: int) -> dict[str, np.ndarray]:
    """``properties/*.npy`` of a SpikeInterface folder, skipping files that need unpickling."""
    properties: dict[str, np.ndarray] = {}
    prop_folder = folder / "properties"
    if not prop_folder.is_dir():
        return properties
    for path in sorted(prop_folder.glob("*.npy")):
        try:
            values = load_npy(path, f"{folder}, property {path.stem!r}", folder)
        except NeedsPickleError:
            warnings.warn(
                f"the property file {path} holds Python objects and would need unpickling; "
                "lazyephys does not unpickle data files, so the property "
                f"{path.stem!r} is skipped",
                stacklevel=3,
            )
            continue
        if values.ndim == 0 or values.shape[0] != num_ids:
            raise FormatError(
                f"{folder}: the property {path.stem!r} has shape {values.shape}, expected "
                f"{num_ids} rows (one per id)"
            )
        properties[path.stem] = values
    return properties


def read_spikeinterface_annotations(folder: Path) -> dict[str, Any]:
    """``annotations.json`` of a SpikeInterface folder (empty if absent)."""
    path = folder / "annotations.json"
    if not path.is_file():
        return {}
    annotations = read_json(path)
    if not isinstance(annotations, dict):
        raise FormatError(f"{path} does not hold a JSON object")
    return annotations


def read_spikeinterface_probegroup(folder: Path) -> Any:
    """The probegroup of a SpikeInterface folder (``probegroup.json`` or ``probe.json``)."""
    for name in ("probegroup.json", "probe.json"):
        path = folder / name
        if path.is_file():
            from probeinterface import read_probeinterface

            return read_probeinterface(path)
    return None


def _binary_file_paths(folder: Path, kwargs: dict[str, Any], where: str) -> list[Path]:
    names = kwargs.get("file_paths", kwargs.get("files_path"))
    if names is None:
        raise FormatError(f"{where} names no raw files ('file_paths')")
    if isinstance(names, str):
        names = [names]
    paths = []
    for name in names:
        # The raw files of a SpikeInterface binary folder live in the folder itself; their
        # recorded path may be absolute (written before the folder moved): use the file name.
        local = file_inside(folder, Path(str(name)).name, where)
        if not local.is_file():
            raise FileNotFoundError(f"{where} names the raw file {name!r}, but {local} is missing")
        paths.append(local)
    return paths


def read_spikeinterface_binary_spec(folder: Path) -> Any:
    """The :class:`~.binary_folder.BinaryFolderSpec` of a SpikeInterface binary folder."""
    from .binary_folder import BinaryFolderSpec

    where = str(folder / "binary.json")
    description = read_json(folder / "binary.json")
    if not isinstance(description, dict) or not isinstance(description.get("kwargs"), dict):
        raise FormatError(f"{where} is not a SpikeInterface binary description (no 'kwargs')")
    kwargs = description["kwargs"]
    num_channels = kwargs.get("num_channels", kwargs.get("num_chan"))
    for key, value in (("num_channels", num_channels),
                       ("sampling_frequency", kwargs.get("sampling_frequency")),
                       ("dtype", kwargs.get("dtype"))):
        if value is None:
            raise FormatError(f"{where} is missing the key {key!r}")
    num_channels = int(num_channels)
    file_paths = _binary_file_paths(folder, kwargs, where)
    channel_ids = kwargs.get("channel_ids")
    if channel_ids is None:
        channel_ids = list(range(num_channels))
    t_starts = kwargs.get("t_starts") or [None] * len(file_paths)
    dtype = check_traces_dtype(kwargs["dtype"], f"{folder}: dtype")
    file_offset = int(kwargs.get("file_offset", kwargs.get("offset", 0)) or 0)
    time_axis = int(kwargs.get("time_axis", 0) or 0)
    vectors: list[np.ndarray | None] = []
    for index in range(len(file_paths)):
        path = folder / f"times_cached_seg{index}.npy"
        vectors.append(load_npy(path, f"{folder}, time vector of segment {index}", folder)
                       if path.exists() or path.is_symlink() else None)
    properties = read_spikeinterface_properties(folder, num_channels)
    for key in ("gain_to_uV", "offset_to_uV"):
        value = kwargs.get(key)
        if key not in properties and value is not None:
            properties[key] = np.broadcast_to(np.asarray(value, dtype=np.float64),
                                              (num_channels,)).copy()
    if "gain_to_uV" in properties and "offset_to_uV" not in properties:
        properties["offset_to_uV"] = np.zeros(num_channels)
    return BinaryFolderSpec(
        file_paths=file_paths,
        sampling_frequency=float(kwargs["sampling_frequency"]),
        dtype=dtype,
        num_channels=num_channels,
        channel_ids=channel_ids,
        num_samples=None,
        t_starts=list(t_starts),
        time_vectors=vectors,
        properties=properties,
        annotations=read_spikeinterface_annotations(folder),
        probegroup=read_spikeinterface_probegroup(folder),
        file_offset=file_offset,
        time_axis=time_axis,
    )


def read_numpy_folder_sorting(folder: Path) -> dict[str, Any]:
    """The contents of a SpikeInterface ``numpy_folder`` sorting, as plain values.

    Returns a dict with ``spikes`` (the spike vector), ``sampling_frequency``, ``unit_ids``,
    ``num_segments``, ``properties`` and ``annotations``.
    """
    where = str(folder / "numpysorting_info.json")
    info = read_json(folder / "numpysorting_info.json")
    if not isinstance(info, dict):
        raise FormatError(f"{where} does not hold a JSON object")
    for key in ("sampling_frequency", "unit_ids"):
        if key not in info:
            raise FormatError(f"{where} is missing the key {key!r}")
    spikes_path = folder / "spikes.npy"
    if not (spikes_path.exists() or spikes_path.is_symlink()):
        raise FileNotFoundError(f"{folder} is a numpy_folder sorting without spikes.npy")
    spikes = load_npy(spikes_path, f"{where}, spike vector", folder)
    names = spikes.dtype.names or ()
    if not {"sample_index", "unit_index", "segment_index"} <= set(names):
        raise FormatError(f"{spikes_path} is not a spike vector: its fields are {names}")
    unit_ids = info["unit_ids"]
    return {
        "spikes": spikes,
        "sampling_frequency": float(info["sampling_frequency"]),
        "unit_ids": unit_ids,
        "num_segments": int(info.get("num_segments", 1)),
        "properties": read_spikeinterface_properties(folder, len(unit_ids)),
        "annotations": read_spikeinterface_annotations(folder),
    }
