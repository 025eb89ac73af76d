"""Provenance: the registry of loadable kinds and the encoding of constructor arguments.

An extractor describes itself as ``{"kind": name, "kwargs": {...}, "state": {...}}``. Values
that JSON cannot hold are written as explicit markers, never guessed from key names:

- ``{"__extractor__": {...}}``: a nested extractor;
- ``{"__ndarray__": [...], "dtype": ...}``: a numpy array (structured dtypes included);
- ``{"__path__": "...", "relative": bool}``: a file-system path, declared as one by the class
  (``_path_arguments``).

Decoding builds only classes found in the registry: a file never names a module to import.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .locations import as_local_path, is_remote_url

if TYPE_CHECKING:
    from .extractor import BaseExtractor

__all__ = [
    "register_kind",
    "get_registered_kinds",
    "get_kind",
    "encode_value",
    "decode_value",
    "PathEncoder",
]

PROVENANCE_FORMAT = "lazyephys.extractor"
PROVENANCE_VERSION = 1

_REGISTRY: dict[str, type[BaseExtractor]] = {}

T = TypeVar("T", bound=type)


def register_kind(cls: T) -> T:
    """Register an extractor class so that provenance files may name it.

    Use as a class decorator. Third-party kinds call it explicitly; nothing is registered
    implicitly by being imported or named in a file.
    """
    name = cls.__name__
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"a different kind is already registered under the name {name!r}")
    _REGISTRY[name] = cls
    return cls


#: The entry point group through which installed packages offer kinds: each entry point names
#: an extractor class, registered under its class name.
KINDS_ENTRY_POINT_GROUP = "lazyephys.kinds"
_kind_entry_points_loaded = False


def _load_kind_entry_points() -> None:
    """Register the kinds installed packages declare, once, when a name is not yet known.

    The group is read from installed packages' metadata, never from a data file, so a
    provenance file can only name a kind some installed package chose to offer. A plugin that
    fails to load is reported with a warning naming it, and the others still load.
    """
    global _kind_entry_points_loaded
    if _kind_entry_points_loaded:
        return
    _kind_entry_points_loaded = True
    from importlib.metadata import entry_points

    from .extractor import BaseExtractor

    for entry_point in entry_points(group=KINDS_ENTRY_POINT_GROUP):
        try:
            offered = entry_point.load()
            if not (isinstance(offered, type) and issubclass(offered, BaseExtractor)):
                raise TypeError(f"{offered!r} is not a Recording or Sorting class")
            register_kind(offered)
        except Exception as error:
            warnings.warn(
                f"the kind {entry_point.name!r} offered by {entry_point.value!r} through the "
                f"{KINDS_ENTRY_POINT_GROUP!r} entry points could not be registered: {error}",
                stacklevel=2,
            )


def get_registered_kinds() -> list[str]:
    """Names of every registered kind, sorted."""
    _load_kind_entry_points()
    return sorted(_REGISTRY)


def get_kind(name: Any) -> type[BaseExtractor]:
    """The registered class called ``name``; anything else raises listing the known kinds."""
    if isinstance(name, str) and name not in _REGISTRY:
        _load_kind_entry_points()
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(
            f"cannot load kind {name!r}: it is not a registered kind. Known kinds: "
            f"{', '.join(get_registered_kinds())}. Third-party kinds must be registered with "
            "lazyephys.register_kind before loading."
        )
    return _REGISTRY[name]


class PathEncoder:
    """Turns declared path arguments into ``__path__`` markers, relative to a folder or not.

    Parameters
    ----------
    relative_to : path or None
        When given, every path is written relative to this folder; a path that cannot be
        made relative raises naming it (all paths are relative, or the call fails).
    """

    def __init__(self, relative_to: str | os.PathLike[str] | None = None) -> None:
        self.relative_to = None if relative_to is None else Path(relative_to).resolve()

    def encode(self, value: str | os.PathLike[str]) -> dict[str, Any]:
        absolute = Path(value).expanduser().resolve()
        if self.relative_to is None:
            return {"__path__": absolute.as_posix(), "relative": False}
        try:
            rel = os.path.relpath(absolute, self.relative_to)
        except ValueError as err:  # e.g. different drives on Windows
            raise ValueError(
                f"cannot write {absolute} relative to {self.relative_to}: {err}. Either every "
                "path is relative or none is; call without relative_to."
            ) from err
        return {"__path__": Path(rel).as_posix(), "relative": True}


def encode_value(
    value: Any,
    paths: PathEncoder,
    arrays_as_lists: bool,
    is_path: bool = False,
) -> Any:
    """Encode one constructor argument (recursively) as described in the module docstring."""
    from .extractor import BaseExtractor

    if is_path and value is not None:
        if isinstance(value, (list, tuple)):
            return [_encode_location(v, paths) for v in value]
        return _encode_location(value, paths)
    if isinstance(value, BaseExtractor):
        return {"__extractor__": value._describe(paths, arrays_as_lists)}
    if isinstance(value, np.ndarray):
        if not arrays_as_lists:
            return {"__ndarray__": value}
        if value.dtype.kind == "O":
            raise TypeError("object arrays cannot be written to provenance")
        dtype: Any = value.dtype.descr if value.dtype.names else value.dtype.str
        return {"__ndarray__": value.tolist(), "dtype": dtype, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).str
    if isinstance(value, Path):
        raise TypeError(
            f"the path {value} is not a declared path argument; declare it in _path_arguments"
        )
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"provenance dict keys must be str, got {key!r}")
            out[key] = encode_value(item, paths, arrays_as_lists)
        return out
    if isinstance(value, (list, tuple)):
        return [encode_value(item, paths, arrays_as_lists) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot describe a value of type {type(value).__name__} in provenance")


def _encode_location(value: Any, paths: PathEncoder) -> Any:
    # a URL (s3://, https://, ...) names the same data from anywhere: kept as written
    if is_remote_url(value):
        return value
    return paths.encode(as_local_path(value))


def _dtype_from(spec: Any) -> np.dtype:
    if isinstance(spec, list):  # structured: [[name, type], ...] or [[name, type, shape]]
        return np.dtype([tuple(field) for field in spec])
    return np.dtype(spec)


def decode_value(value: Any, resolve_path: Callable[[dict[str, Any]], Path]) -> Any:
    """Inverse of :func:`encode_value`."""
    if isinstance(value, dict):
        if "__extractor__" in value:
            from .extractor import BaseExtractor

            return BaseExtractor.from_dict(value["__extractor__"], _resolve_path=resolve_path)
        if "__ndarray__" in value:
            data = value["__ndarray__"]
            if isinstance(data, np.ndarray):
                return data
            dtype = _dtype_from(value["dtype"])
            if dtype.names:
                rows = [tuple(row) for row in data]
                return np.array(rows, dtype=dtype).reshape(value.get("shape", (len(rows),)))
            return np.array(data, dtype=dtype).reshape(value.get("shape", np.shape(data)))
        if "__path__" in value:
            return resolve_path(value)
        return {key: decode_value(item, resolve_path) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_value(item, resolve_path) for item in value]
    return value


def make_path_resolver(base_folder: str | os.PathLike[str] | None) -> Callable[[dict], Path]:
    """A resolver for ``__path__`` markers.

    Relative paths resolve only against ``base_folder``; never against the working directory.
    A path that does not exist raises naming it (and suggesting ``base_folder`` for absolute
    paths of a moved file).
    """
    base = None if base_folder is None else Path(base_folder)

    def resolve(marker: dict[str, Any]) -> Path:
        raw = marker["__path__"]
        if marker.get("relative"):
            if base is None:
                raise ValueError(
                    f"the provenance holds the relative path {raw!r} but no base_folder was "
                    "given to resolve it against"
                )
            path = (base / raw).resolve()
            if not path.exists():
                raise FileNotFoundError(
                    f"the relative path {raw!r} does not exist under base_folder {base}: "
                    f"{path} is missing"
                )
            return path
        path = Path(raw)
        if not path.exists():
            hint = (
                " The file was written with absolute paths; if the data moved, write it with "
                "relative_to=... and load it with base_folder=..."
            )
            raise FileNotFoundError(f"the provenance points at {path}, which is missing.{hint}")
        return path

    return resolve
