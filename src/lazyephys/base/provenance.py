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

from ..errors import FormatError, UnsafePathError
from .locations import as_local_path, is_inside, is_remote_url

if TYPE_CHECKING:
    from .extractor import BaseExtractor

__all__ = [
    "register_kind",
    "get_registered_kinds",
    "get_kind",
    "encode_value",
    "decode_value",
    "PathEncoder",
    "PathResolver",
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


def _load_all_kinds() -> None:
    """The library's own kinds (imported on first need), then the installed plugins'."""
    from .._builtins import load_builtins

    load_builtins()
    _load_kind_entry_points()


def get_registered_kinds() -> list[str]:
    """Names of every registered kind, sorted."""
    _load_all_kinds()
    return sorted(_REGISTRY)


def get_kind(name: Any) -> type[BaseExtractor]:
    """The registered class called ``name``; anything else raises listing the known kinds."""
    if isinstance(name, str) and name not in _REGISTRY:
        _load_all_kinds()
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
        if not is_inside(absolute, self.relative_to):
            # loading confines relative paths to their folder: what is written must load
            raise ValueError(
                f"cannot write {absolute} relative to {self.relative_to}: it is outside that "
                "folder, and relative paths may not lead out of it. Write relative to a folder "
                "holding every path (relative_to=...), or absolute paths (no relative_to)"
            )
        rel = os.path.relpath(os.path.realpath(absolute), os.path.realpath(self.relative_to))
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


def decode_value(
    value: Any,
    resolve_path: Callable[[dict[str, Any]], Path],
    built: Mapping[int, BaseExtractor] | None = None,
) -> Any:
    """Inverse of :func:`encode_value`.

    ``built`` maps ``id()`` of nested ``__extractor__`` descriptions to the objects already
    built from them (see :func:`nested_descriptions`), so a deep chain is never decoded by
    recursion.
    """
    if isinstance(value, dict):
        if "__extractor__" in value:
            inner = value["__extractor__"]
            if built is not None and id(inner) in built:
                return built[id(inner)]
            from .extractor import BaseExtractor

            return BaseExtractor.from_dict(inner, _resolve_path=resolve_path)
        if "__ndarray__" in value:
            return _decode_array(value)
        if "__path__" in value:
            return resolve_path(value)
        return {key: decode_value(item, resolve_path, built) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_value(item, resolve_path, built) for item in value]
    return value


def _decode_array(value: dict[str, Any]) -> np.ndarray:
    data = value["__ndarray__"]
    if isinstance(data, np.ndarray):
        return data
    try:
        dtype = _dtype_from(value.get("dtype"))
        if dtype.kind == "O" or (dtype.itemsize == 0 and not dtype.names):
            raise TypeError(f"the dtype {dtype} cannot hold array data read from a file")
        if dtype.names:
            rows = [tuple(row) for row in data]
            return np.array(rows, dtype=dtype).reshape(value.get("shape", (len(rows),)))
        return np.array(data, dtype=dtype).reshape(value.get("shape", np.shape(data)))
    except (TypeError, ValueError, OverflowError) as err:
        raise FormatError(
            f"an array in the provenance cannot be decoded (dtype {value.get('dtype')!r}, "
            f"shape {value.get('shape')!r}): {err}"
        ) from err


def nested_descriptions(description: dict[str, Any]) -> list[dict[str, Any]]:
    """Every extractor description in ``description`` (itself last), children before parents.

    Walked with an explicit stack: a chain thousands of steps deep is listed without
    recursion, and each description can then be built once its children are.
    """
    order: list[dict[str, Any]] = []
    stack: list[tuple[dict[str, Any], bool]] = [(description, False)]
    seen: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        values: list[Any] = [node.get("kwargs"), node.get("state")]
        while values:
            value = values.pop()
            if isinstance(value, dict):
                inner = value.get("__extractor__")
                if isinstance(inner, dict):
                    stack.append((inner, False))
                elif "__ndarray__" not in value and "__path__" not in value:
                    values.extend(value.values())
            elif isinstance(value, list):
                values.extend(value)
    return order


class PathResolver:
    """Turns the paths of a description back into paths, and refuses the ones it may not follow.

    Parameters
    ----------
    base_folder : path or None
        The folder relative paths resolve against (never the working directory).
    confined : bool
        The description promised relative paths (a relative paths mode, or a base folder given
        for a dict): every path must resolve (``realpath``, so ``..`` and symbolic links are
        followed first) inside ``base_folder``; absolute paths, plain strings and URLs are
        refused.
    allow_paths_outside : bool
        Follow what a confined description names even outside ``base_folder`` (plain relative
        strings still resolve against ``base_folder`` only).

    A path that does not exist raises naming it.
    """

    def __init__(
        self,
        base_folder: str | os.PathLike[str] | None = None,
        confined: bool = False,
        allow_paths_outside: bool = False,
    ) -> None:
        self.base = None if base_folder is None else Path(os.path.realpath(base_folder))
        if confined and self.base is None:
            raise ValueError("a confined path resolver needs a base folder")
        self.confined = confined and not allow_paths_outside
        self.allow_paths_outside = allow_paths_outside

    # -- the refusals, each naming the path and where it points
    def _refuse(self, raw: Any, what: str, points_to: Any = None) -> UnsafePathError:
        where = "" if points_to is None else f" (it points to {points_to})"
        return UnsafePathError(
            f"the provenance names the path {raw!r}{where}: {what}. Pass "
            "allow_paths_outside=True to load() if you trust this description"
        )

    def _existing(self, path: Path, raw: Any) -> Path:
        if not path.exists():
            if self.base is not None and not Path(str(raw)).is_absolute():
                raise FileNotFoundError(
                    f"the relative path {raw!r} does not exist under base_folder {self.base}: "
                    f"{path} is missing"
                )
            raise FileNotFoundError(
                f"the provenance points at {path}, which is missing. The file was written "
                "with absolute paths; if the data moved, write it with relative_to=... and "
                "load it with base_folder=..."
            )
        return path

    def _absolute(self, raw: Any, path: Path) -> Path:
        if self.confined:
            raise self._refuse(raw, "an absolute path in a description whose paths are "
                               f"relative to {self.base}", os.path.realpath(path))
        return self._existing(Path(os.path.realpath(path)), raw)

    def _relative(self, raw: Any) -> Path:
        if self.base is None:
            raise ValueError(
                f"the provenance holds the relative path {raw!r} but no base_folder was given "
                "to resolve it against (relative paths never resolve against the working "
                "directory)"
            )
        resolved = Path(os.path.realpath(self.base / raw))
        if self.confined and not is_inside(resolved, self.base):
            raise self._refuse(raw, f"it leads outside the base folder {self.base}", resolved)
        return self._existing(resolved, raw)

    def __call__(self, marker: dict[str, Any]) -> Path:
        """Resolve a ``{"__path__": ..., "relative": ...}`` marker."""
        raw = marker.get("__path__")
        if not isinstance(raw, str) or not raw or "\x00" in raw:
            raise self._refuse(raw, "a path must be a non-empty string")
        if "://" in raw:
            return self.plain(raw)
        path = Path(raw)
        if path.is_absolute():
            return self._absolute(raw, path)
        if marker.get("relative") is not True and self.base is None:
            raise self._refuse(raw, "a relative path marked absolute would resolve against "
                               "the working directory")
        return self._relative(raw)

    def plain(self, value: Any) -> Any:
        """Resolve a value of a path argument that is not a marker: a string or a URL."""
        if is_remote_url(value):
            if self.confined:
                raise self._refuse(value, "a URL in a description whose paths are relative to "
                                   f"{self.base}")
            return value
        if not isinstance(value, (str, os.PathLike)):
            return value  # not a path at all: the constructor's own check names it
        path = as_local_path(value)
        if path.is_absolute():
            return self._absolute(value, path)
        if self.confined or self.base is None:
            raise self._refuse(value, "a plain string, not a path marker: it would resolve "
                               "against the working directory")
        return self._relative(str(path))

    def argument(self, value: Any) -> Any:
        """Resolve the value of a declared path argument (a marker, a string, or a list)."""
        if isinstance(value, list):
            return [self.argument(item) for item in value]
        if isinstance(value, dict) and "__path__" in value:
            return self(value)
        if isinstance(value, dict):
            return value
        return self.plain(value)


def make_path_resolver(
    base_folder: str | os.PathLike[str] | None,
    confined: bool = False,
    allow_paths_outside: bool = False,
) -> PathResolver:
    """A resolver for ``__path__`` markers (see :class:`PathResolver`).

    Relative paths resolve only against ``base_folder``; never against the working directory.
    A path that does not exist raises naming it (and suggesting ``base_folder`` for absolute
    paths of a moved file).
    """
    return PathResolver(base_folder, confined, allow_paths_outside)
