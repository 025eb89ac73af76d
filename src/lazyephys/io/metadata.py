"""Properties and annotations on disk, read back without pickle and with their dtypes.

A property is an array with one row per id. Arrays of a plain numpy dtype (numbers, bools,
fixed-width strings, structured records such as a probe's contact vector) are written as
``.npy`` files (or zarr arrays); object arrays are written as JSON lists of values. Reading
never unpickles: a file that would need it is refused, naming it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..base.locations import file_inside
from ..base.provenance import PathEncoder, decode_value, encode_value
from .formats import FormatError

__all__ = [
    "property_file_names",
    "encode_json_property",
    "decode_json_property",
    "encode_annotations",
    "decode_annotations",
    "write_properties",
    "read_properties",
    "check_property_length",
    "load_npy",
    "NeedsPickleError",
]

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def property_file_names(keys: list[str]) -> dict[str, str]:
    """A file (or zarr node) name for each property key.

    A key that is a safe, case-insensitively unique name is used as it is (``group.npy``);
    any other key (slashes, spaces, clashes on case-insensitive file systems) gets
    ``property_<n>`` and the mapping is kept in the metadata.
    """
    names: dict[str, str] = {}
    used: set[str] = set()
    for index, key in enumerate(keys):
        name = key if _SAFE_NAME.fullmatch(key) and not key.startswith("__") else ""
        if not name or name.lower() in used:
            name = f"property_{index}"
        used.add(name.lower())
        names[key] = name
    return names


def _refuse_paths(marker: dict[str, Any]) -> Path:
    raise FormatError(f"metadata values may not hold paths, found {marker!r}")


def encode_json_property(key: str, values: np.ndarray) -> Any:
    """A JSON-safe encoding of a property (object arrays: a list of encoded values)."""
    try:
        if values.dtype.kind == "O":
            if values.ndim != 1:
                raise TypeError(f"object arrays must be 1-d, got shape {values.shape}")
            items = [encode_value(item, PathEncoder(), True) for item in values]
            return {"__object_array__": items}
        return encode_value(values, PathEncoder(), True)
    except TypeError as err:
        raise TypeError(f"the property {key!r} cannot be saved: {err}") from err


def decode_json_property(encoded: Any) -> np.ndarray:
    """Inverse of :func:`encode_json_property`."""
    if isinstance(encoded, dict) and "__object_array__" in encoded:
        items = encoded["__object_array__"]
        values = np.empty(len(items), dtype=object)
        for index, item in enumerate(items):
            values[index] = decode_value(item, _refuse_paths)
        return values
    decoded = decode_value(encoded, _refuse_paths)
    if not isinstance(decoded, np.ndarray):
        raise FormatError(f"a property must decode to an array, got {type(decoded).__name__}")
    return decoded


def encode_annotations(annotations: dict[str, Any]) -> dict[str, Any]:
    """Annotations as JSON-safe values (numpy arrays and scalars included)."""
    encoded = {}
    for key, value in annotations.items():
        try:
            encoded[key] = encode_value(value, PathEncoder(), True)
        except TypeError as err:
            raise TypeError(f"the annotation {key!r} cannot be saved: {err}") from err
    return encoded


def decode_annotations(encoded: Any, where: str) -> dict[str, Any]:
    """Inverse of :func:`encode_annotations`."""
    if not isinstance(encoded, dict):
        raise FormatError(f"{where}: annotations must be a JSON object, got {encoded!r}")
    return {key: decode_value(value, _refuse_paths) for key, value in encoded.items()}


def check_property_length(key: str, values: np.ndarray, num_ids: int, where: str) -> None:
    """Raise if a loaded property does not have one row per id."""
    if values.ndim == 0 or values.shape[0] != num_ids:
        raise FormatError(
            f"{where}: the property {key!r} has shape {values.shape}, expected {num_ids} rows "
            "(one per id); the file is damaged or belongs to another object"
        )


def write_properties(
    folder: Path, properties: dict[str, np.ndarray], subfolder: str = "properties"
) -> list[dict[str, Any]]:
    """Write properties under ``folder/subfolder``; return their metadata entries."""
    entries: list[dict[str, Any]] = []
    names = property_file_names(list(properties))
    for key, values in properties.items():
        if values.dtype.kind == "O" or values.dtype.hasobject:
            entries.append({"key": key, "json": encode_json_property(key, values)})
            continue
        relative = f"{subfolder}/{names[key]}.npy"
        (folder / subfolder).mkdir(exist_ok=True)
        np.save(folder / relative, np.ascontiguousarray(values), allow_pickle=False)
        entries.append({"key": key, "file": relative})
    return entries


class NeedsPickleError(FormatError):
    """A ``.npy`` file holding Python objects, which only unpickling could read."""


def load_npy(path: Path, what: str, folder: Path | None = None,
             mmap_mode: Any = None) -> np.ndarray:
    """``np.load`` without pickle, with errors that name the file.

    With ``folder``, ``path`` must resolve (symbolic links followed) inside it: a saved folder
    reads only its own files. A file that is not ``.npy`` at all is reported as such, not as
    needing unpickling.
    """
    if folder is not None:
        path = file_inside(folder, os.path.relpath(path, folder), what)
    if not path.exists():
        raise FileNotFoundError(f"{what}: the file {path} is missing")
    if not path.is_file():
        raise FormatError(f"{what}: {path} is not a regular file")
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic != b"\x93NUMPY":
        raise FormatError(
            f"{what}: {path} is not a .npy file (it starts with {magic!r}, not the .npy magic "
            "b'\\x93NUMPY'); it is damaged or is another kind of file"
        )
    try:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err):
            raise NeedsPickleError(
                f"{what}: {path} holds Python objects and cannot be read without unpickling "
                f"it ({err}); lazyephys never unpickles data files"
            ) from err
        raise FormatError(f"{what}: {path} is damaged or truncated: {err}") from err
    except (OSError, EOFError) as err:
        raise FormatError(f"{what}: {path} is damaged or truncated: {err}") from err


def read_properties(
    folder: Path, entries: Any, num_ids: int, where: str
) -> dict[str, np.ndarray]:
    """Read the properties described by ``entries`` (see :func:`write_properties`)."""
    if not isinstance(entries, list):
        raise FormatError(f"{where}: 'properties' must be a list, got {entries!r}")
    properties: dict[str, np.ndarray] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "key" not in entry:
            raise FormatError(f"{where}: bad property entry {entry!r}")
        key = entry["key"]
        if "file" in entry:
            path = file_inside(folder, entry["file"], f"{where}, property {key!r}")
            values = load_npy(path, f"{where}, property {key!r}", folder)
        elif "json" in entry:
            values = decode_json_property(entry["json"])
        else:
            raise FormatError(f"{where}: property {key!r} has neither 'file' nor 'json'")
        check_property_length(key, values, num_ids, where)
        properties[key] = values
    return properties
