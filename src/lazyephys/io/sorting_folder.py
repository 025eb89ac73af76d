"""Sorting folders: the spike vector as ``.npy``, JSON metadata, properties.

Layout of a folder written by :func:`write_sorting_folder`::

    lazyephys.json          {"format": "lazyephys.sorting-folder", "version": 1, ...}
    spikes.npy              the spike vector of all segments (sample_index, unit_index,
                            segment_index: int64), sorted by segment, sample, unit
    properties/<key>.npy    one file per property (object properties live in the JSON)
    provenance.json         how the saved object was made (not needed to load the folder)
    numpysorting_info.json, si_folder.json, annotations.json
                            what SpikeInterface reads to open the same folder

The spike vector is memory-mapped when loaded. SpikeInterface's ``numpy_folder`` sortings
(``numpysorting_info.json`` + ``spikes.npy``) are read by the same kind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..base.locations import file_inside
from ..base.provenance import register_kind
from ..sorting.base import Sorting
from ..sorting.in_memory import NumpySorting
from .formats import (
    FORMAT_VERSIONS,
    METADATA_FILE,
    SORTING_FOLDER_FORMAT,
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
from .spikeinterface_metadata import write_spikeinterface_sorting_files

__all__ = ["NumpyFolderSorting", "read_sorting_folder", "read_numpy_sorting_folder",
           "write_sorting_folder",
           "sorting_to_memory", "sorting_metadata"]


def _check_spike_vector(spikes: np.ndarray, where: str) -> None:
    names = spikes.dtype.names or ()
    if not {"sample_index", "unit_index", "segment_index"} <= set(names) or spikes.ndim != 1:
        raise FormatError(f"{where} is not a spike vector: dtype {spikes.dtype}")


def _read_our_sorting_folder(folder: Path) -> dict[str, Any]:
    where = str(folder / METADATA_FILE)
    meta = read_json(folder / METADATA_FILE)
    check_format(meta, SORTING_FOLDER_FORMAT, where)
    require_keys(meta, ("sampling_frequency", "unit_ids", "num_samples", "spikes"), where)
    spikes_path = file_inside(folder, Path(str(meta["spikes"])).name, where)
    if not spikes_path.exists():
        raise FileNotFoundError(f"{where} names {meta['spikes']!r}, but {spikes_path} is missing")
    spikes = load_npy(spikes_path, f"{where}, spike vector", folder, mmap_mode="r")
    _check_spike_vector(spikes, str(spikes_path))
    if "num_spikes" in meta and spikes.size != int(meta["num_spikes"]):
        raise FormatError(f"{spikes_path} holds {spikes.size} spikes, the metadata says "
                          f"{meta['num_spikes']}: the file is damaged")
    unit_ids = meta["unit_ids"]
    return {
        "spikes": spikes,
        "sampling_frequency": float(meta["sampling_frequency"]),
        "unit_ids": unit_ids,
        "num_samples": list(meta["num_samples"]),
        "properties": read_properties(folder, meta.get("properties", []), len(unit_ids), where),
        "annotations": decode_annotations(meta.get("annotations", {}), where),
    }


def read_sorting_folder_contents(folder: Path) -> dict[str, Any]:
    """The contents of a sorting folder of ours or a SpikeInterface ``numpy_folder``."""
    if not folder.is_dir():
        raise FileNotFoundError(f"the folder {folder} does not exist")
    if (folder / METADATA_FILE).is_file():
        return _read_our_sorting_folder(folder)
    if (folder / "numpysorting_info.json").is_file():
        from .spikeinterface_compat import read_numpy_folder_sorting

        contents = read_numpy_folder_sorting(folder)
        contents["num_samples"] = [None] * contents.pop("num_segments")
        return contents
    raise FormatError(
        f"{folder} is not a sorting folder: it has neither {METADATA_FILE} nor "
        "numpysorting_info.json (an interrupted save leaves a folder without them)"
    )


@register_kind
class NumpyFolderSorting(NumpySorting):
    """A sorting saved as a folder, its spike vector memory-mapped.

    What ``save(format="binary")`` returns for sortings; reads SpikeInterface ``numpy_folder``
    sortings too.

    Parameters
    ----------
    folder_path : str or Path

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0])
    >>> saved = sorting.save(folder="my_sorting")  # doctest: +SKIP
    >>> le.NumpyFolderSorting("my_sorting").get_num_units()  # doctest: +SKIP
    3
    """

    _path_arguments = ("folder_path",)
    _holds_data_in_memory = False

    def __init__(self, folder_path: str | os.PathLike[str]) -> None:
        folder = Path(folder_path)
        contents = read_sorting_folder_contents(folder)
        num_samples = contents["num_samples"] or None
        super().__init__(contents["spikes"], contents["sampling_frequency"],
                         contents["unit_ids"], num_samples)
        for key, values in contents["properties"].items():
            self.set_property(key, values)
        if contents["annotations"]:
            self.annotate(**contents["annotations"])
        self._kwargs = {"folder_path": folder}


def read_sorting_folder(folder_path: str | os.PathLike[str]) -> NumpyFolderSorting:
    """Open a sorting folder (ours or a SpikeInterface ``numpy_folder``)."""
    return NumpyFolderSorting(folder_path)


def read_numpy_sorting_folder(folder_path: str | os.PathLike[str]) -> NumpyFolderSorting:
    """Open a sorting folder (SpikeInterface's name of :func:`read_sorting_folder`)."""
    return NumpyFolderSorting(folder_path)


def sorting_metadata(sorting: Sorting) -> dict[str, Any]:
    """The metadata common to sorting folders and zarr stores."""
    from .binary_folder import source_provenance

    num_segments = sorting.get_num_segments()
    return {
        "sampling_frequency": sorting.get_sampling_frequency(),
        "unit_ids": sorting.get_unit_ids().tolist(),
        "num_segments": num_segments,
        "num_samples": [sorting.known_num_samples(i) for i in range(num_segments)],
        "annotations": encode_annotations(
            {key: sorting.get_annotation(key, copy_value=False)
             for key in sorting.get_annotation_keys()}
        ),
        "provenance": source_provenance(sorting),
    }


def _check_job_kwargs(kwargs: dict[str, Any], what: str) -> None:
    from ..jobs import split_job_kwargs

    _, rest = split_job_kwargs(kwargs)
    if rest:
        raise TypeError(f"unexpected arguments for {what}: {sorted(rest)}")


def write_sorting_folder(
    sorting: Sorting, folder: str | os.PathLike[str], **job_kwargs: Any
) -> None:
    """Write ``sorting`` into the (existing, empty) ``folder``.

    Used by :func:`lazyephys.save` inside a temporary folder; call that instead. Job kwargs
    are accepted (and unused: the spike vector is written in one piece).
    """
    _check_job_kwargs(job_kwargs, "saving a sorting")
    folder = Path(folder)
    spikes = sorting.to_spike_vector(concatenated=True)
    np.save(folder / "spikes.npy", np.ascontiguousarray(spikes), allow_pickle=False)
    properties = {key: sorting.get_property(key) for key in sorting.get_property_keys()}
    metadata: dict[str, Any] = {
        "format": SORTING_FOLDER_FORMAT,
        "version": FORMAT_VERSIONS[SORTING_FOLDER_FORMAT],
        "spikes": "spikes.npy",
        "num_spikes": int(spikes.size),
        "properties": write_properties(folder, properties),
    }
    metadata.update(sorting_metadata(sorting))
    provenance = metadata.pop("provenance")
    metadata["provenance"] = None
    if provenance is not None:
        write_json(folder / "provenance.json", provenance)
        metadata["provenance"] = "provenance.json"
    write_spikeinterface_sorting_files(sorting, folder)
    write_json(folder / METADATA_FILE, metadata)


def sorting_to_memory(sorting: Sorting, **job_kwargs: Any) -> NumpySorting:
    """An in-memory copy of ``sorting`` (``save(format="memory")``)."""
    _check_job_kwargs(job_kwargs, "format='memory'")
    return NumpySorting.from_sorting(sorting, with_metadata=True)

