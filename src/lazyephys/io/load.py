"""``load``: one entry point for every saved form of a recording or sorting.

What is recognised, in order:

- a dict: a provenance description (``to_dict()``);
- a ``.json`` file: a provenance file (``dump_to_json``);
- a folder with ``lazyephys.json``: a binary folder or a sorting folder;
- a zarr store (``zarr.json`` or ``.zgroup``), local or at an fsspec URL;
- a folder written by SpikeInterface (``si_folder.json``, ``binary.json``,
  ``numpysorting_info.json``).

Only registered kinds are ever built; nothing is imported, called or unpickled because a file
says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_remote_url
from ..base.provenance import PathResolver
from ..base.provenance_file import check_provenance_description, read_provenance_file
from .formats import (
    BINARY_FOLDER_FORMAT,
    METADATA_FILE,
    SORTING_FOLDER_FORMAT,
    FormatError,
    check_format,
    read_json,
)

__all__ = ["load", "load_extractor"]

def _from_description(
    description: Any, base_folder: Path | None, where: str, allow_paths_outside: bool
) -> BaseExtractor:
    return BaseExtractor.from_dict(check_provenance_description(description, where),
                                   base_folder=base_folder,
                                   allow_paths_outside=allow_paths_outside)


def _load_json_file(path: Path, base_folder: Path | None,
                    allow_paths_outside: bool) -> BaseExtractor:
    description, base_folder, confined = read_provenance_file(path, base_folder)
    resolver = PathResolver(base_folder, confined, allow_paths_outside)
    return BaseExtractor.from_dict(description, _resolve_path=resolver)


def _load_folder(folder: Path, storage_options: dict[str, Any] | None) -> BaseExtractor:
    metadata_path = folder / METADATA_FILE
    if metadata_path.is_file():
        metadata = read_json(metadata_path)
        fmt = check_format(metadata, (BINARY_FOLDER_FORMAT, SORTING_FOLDER_FORMAT),
                           str(metadata_path))
        if fmt == BINARY_FOLDER_FORMAT:
            from .binary_folder import BinaryFolderRecording

            return BinaryFolderRecording(folder)
        from .sorting_folder import NumpyFolderSorting

        return NumpyFolderSorting(folder)
    if (folder / "zarr.json").is_file() or (folder / ".zgroup").is_file():
        from .zarr_store import read_zarr

        return read_zarr(folder, storage_options=storage_options)
    from .spikeinterface_compat import spikeinterface_folder_class

    si_class = spikeinterface_folder_class(folder)
    if si_class == "BinaryFolderRecording":
        from .binary_folder import BinaryFolderRecording

        return BinaryFolderRecording(folder)
    if si_class in ("NumpyFolderSorting",):
        from .sorting_folder import NumpyFolderSorting

        return NumpyFolderSorting(folder)
    if si_class is not None:
        raise FormatError(
            f"{folder} was written by SpikeInterface as {si_class!r}, which lazyephys does not "
            "read; lazyephys reads SpikeInterface binary folders, numpy_folder sortings and zarr "
            "stores"
        )
    raise FormatError(
        f"{folder} is not a saved recording or sorting: it has no {METADATA_FILE}, zarr "
        "metadata, or SpikeInterface folder description (an interrupted save leaves none)"
    )


def load(
    file_or_folder_or_dict: Any,
    base_folder: str | os.PathLike[str] | None = None,
    *,
    storage_options: dict[str, Any] | None = None,
    allow_paths_outside: bool = False,
) -> BaseExtractor:
    """Load a saved recording or sorting: a folder, a zarr store, a JSON file or a dict.

    Parameters
    ----------
    file_or_folder_or_dict : path, URL or dict
        A binary or sorting folder, a zarr store (local or an fsspec URL such as
        ``s3://bucket/rec.zarr``), a provenance JSON file written by ``dump_to_json``, or a
        dict from ``to_dict()``. Folders and zarr stores written by SpikeInterface load too.
    base_folder : path or None
        Resolve the relative paths of a provenance file or dict against this folder. A JSON
        file written with ``relative_to=True`` resolves against its own folder by default.
        Relative paths are never resolved against the current working directory.
        Every path of a relative description (a JSON file written with ``relative_to``, or a
        dict loaded with ``base_folder``) must resolve inside its folder, symbolic links
        followed; absolute paths, plain strings and URLs in it are refused (``UnsafePathError``).
    storage_options : dict or None
        fsspec options for remote zarr stores (credentials, anonymous access...).
    allow_paths_outside : bool
        Trust the description: follow its paths even outside its folder (absolute paths,
        ``..``, symbolic links, URLs). Only for files you wrote yourself or trust.

    Returns
    -------
    Recording or Sorting

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0])
    >>> rec.save(folder="saved_rec")  # doctest: +SKIP
    >>> le.load("saved_rec")  # doctest: +SKIP
    """
    base = None if base_folder is None else Path(base_folder)
    if isinstance(file_or_folder_or_dict, dict):
        return _from_description(file_or_folder_or_dict, base, "the dict",
                                 allow_paths_outside)
    if isinstance(file_or_folder_or_dict, BaseExtractor):
        raise TypeError("load() takes a path, URL or dict; this is already a loaded object")
    if is_remote_url(file_or_folder_or_dict):
        from .zarr_store import read_zarr

        return read_zarr(file_or_folder_or_dict, storage_options=storage_options)
    if not isinstance(file_or_folder_or_dict, (str, os.PathLike)):
        raise TypeError(
            f"load() takes a path, URL or dict, got {type(file_or_folder_or_dict).__name__}"
        )
    path = as_local_path(file_or_folder_or_dict)
    if path.is_dir():
        return _load_folder(path, storage_options)
    if path.is_file():
        if path.suffix.lower() == ".json":
            return _load_json_file(path, base, allow_paths_outside)
        if path.suffix.lower() in (".pkl", ".pickle"):
            raise FormatError(
                f"{path} is a pickle; lazyephys does not unpickle files (a pickle can run any "
                "code). Save the object with save() or dump_to_json() instead"
            )
        raise FormatError(f"{path} is not a JSON provenance file, a folder or a zarr store")
    hint = ""
    if path.parent.is_dir():
        partial = sorted(p.name for p in path.parent.glob(f".{path.name}.partial-*"))
        if partial:
            hint = f" (an interrupted save left the incomplete {partial[0]} beside it)"
    raise FileNotFoundError(f"{path} does not exist{hint}")


#: The same function, under the name older notebooks call.
load_extractor = load
