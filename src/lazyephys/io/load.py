"""``load``: one entry point for every saved form of a recording or sorting.

A dict is a provenance description (``to_dict()``). Anything else is a location, and the
registered formats (:mod:`lazyephys.io.registry`) are asked, in priority order, whether they
open it: the shipped ones read provenance files (``dump_to_json``), binary and sorting folders,
zarr stores (local or at an fsspec URL) and folders written by SpikeInterface; installed
packages add theirs through the ``lazyephys.formats`` entry points.

Only registered kinds are ever built; nothing is imported, called or unpickled because a file
says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_remote_url
from ..base.provenance_file import check_provenance_description
from ..recording.base import Recording
from ..sorting.base import Sorting
from . import builtin_formats  # noqa: F401  (registers the shipped formats)
from .formats import METADATA_FILE, FormatError
from .registry import find_format, get_registered_formats
from .saved_kind import restore_saved_kind

__all__ = ["load", "load_extractor"]

def _from_description(
    description: Any, base_folder: Path | None, where: str, allow_paths_outside: bool
) -> BaseExtractor:
    return BaseExtractor.from_dict(check_provenance_description(description, where),
                                   base_folder=base_folder,
                                   allow_paths_outside=allow_paths_outside)


def _checked(extractor: Any, where: str) -> Recording | Sorting:
    if not isinstance(extractor, (Recording, Sorting)):
        raise FormatError(
            f"{where} opened as a {type(extractor).__name__}, which is neither a Recording nor "
            "a Sorting"
        )
    return extractor


def _restored(extractor: Recording | Sorting, where: str) -> Recording | Sorting:
    """The kind the folder was saved from, when its metadata names one (see
    :mod:`lazyephys.io.saved_kind`)."""
    restored = restore_saved_kind(extractor, extractor._saved_kind, where)
    return _checked(restored, where)


def _no_format_error(path: Path) -> FormatError:
    if path.is_dir():
        return FormatError(
            f"{path} is not a saved recording or sorting: it has no {METADATA_FILE}, zarr "
            "metadata, or SpikeInterface folder description (an interrupted save leaves none); "
            f"no registered format ({', '.join(get_registered_formats())}) opens it"
        )
    if path.suffix.lower() in (".pkl", ".pickle"):
        return FormatError(
            f"{path} is a pickle; lazyephys does not unpickle files (a pickle can run any "
            "code). Save the object with save() or dump_to_json() instead"
        )
    return FormatError(
        f"{path} is not a JSON provenance file, a folder or a zarr store; no registered format "
        f"({', '.join(get_registered_formats())}) opens it"
    )


def load(
    file_or_folder_or_dict: Any,
    base_folder: str | os.PathLike[str] | None = None,
    *,
    storage_options: dict[str, Any] | None = None,
    allow_paths_outside: bool = False,
    **format_options: Any,
) -> Recording | Sorting:
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
        fsspec options for remote stores (credentials, anonymous access...).
    allow_paths_outside : bool
        Trust a provenance file or dict: follow its paths even outside its folder (absolute
        paths, ``..``, symbolic links, URLs). Only for descriptions you wrote or trust.
    **format_options
        Options of the format that opens the location (see its ``open``); a format given an
        option it does not take raises naming it.

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
        return _checked(_from_description(file_or_folder_or_dict, base, "the dict",
                                          allow_paths_outside), "the dict")
    if isinstance(file_or_folder_or_dict, BaseExtractor):
        raise TypeError("load() takes a path, URL or dict; this is already a loaded object")
    if not isinstance(file_or_folder_or_dict, (str, os.PathLike)):
        raise TypeError(
            f"load() takes a path, URL or dict, got {type(file_or_folder_or_dict).__name__}"
        )
    options = dict(format_options)
    if base is not None:
        options["base_folder"] = base
    if storage_options is not None:
        options["storage_options"] = storage_options
    if allow_paths_outside:
        options["allow_paths_outside"] = True
    location = file_or_folder_or_dict
    if is_remote_url(location):
        fmt = find_format(location)
        if fmt is None:
            raise FormatError(
                f"no registered format ({', '.join(get_registered_formats())}) opens the URL "
                f"{location}"
            )
        return _restored(_checked(fmt.open(location, **options), str(location)), str(location))
    path = as_local_path(location)
    if not path.exists():
        hint = ""
        if path.parent.is_dir():
            partial = sorted(p.name for p in path.parent.glob(f".{path.name}.partial-*"))
            if partial:
                hint = f" (an interrupted save left the incomplete {partial[0]} beside it)"
        raise FileNotFoundError(f"{path} does not exist{hint}")
    fmt = find_format(path)
    if fmt is None:
        raise _no_format_error(path)
    return _restored(_checked(fmt.open(path, **options), str(path)), str(path))


#: The same function, under the name older notebooks call.
load_extractor = load
