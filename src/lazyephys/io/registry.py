"""The format registry: every way of opening or writing a recording or sorting is a format.

A format is a small object (see :class:`Format`): a ``name``, ``can_open(location)`` that
says cheaply (by looking at a few file names or bytes, never by importing what a file names)
whether it reads a location, ``open(location, **options)``, and, for writable formats,
``write(extractor, folder, **options)`` plus the kinds of object it writes. ``load`` asks the
formats in priority order; ``save`` looks one up by name. Third-party packages register
formats by calling :func:`register_format` or through the ``lazyephys.formats`` entry point
group.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from ..errors import UnknownFormatError

if TYPE_CHECKING:
    from ..base.extractor import BaseExtractor

__all__ = [
    "Format",
    "ExtractorKind",
    "register_format",
    "unregister_format",
    "get_format",
    "get_registered_formats",
    "find_format",
    "ENTRY_POINT_GROUP",
    "Location",
]

#: What a format writes: recordings, sortings, or both.
ExtractorKind = Literal["recording", "sorting"]

Location = str | os.PathLike[str]


@runtime_checkable
class Format(Protocol):
    """One file or store format.

    Attributes
    ----------
    name : str
        The name users pass as ``save(format=...)`` and that ``load`` reports.
    writes : tuple of {"recording", "sorting"}
        The kinds of object ``write`` accepts; empty for read-only formats.
    """

    name: str
    writes: tuple[ExtractorKind, ...]

    def can_open(self, location: Location) -> bool:
        """True if this format reads ``location`` (cheap: no data is read)."""
        ...

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        """Open ``location`` lazily."""
        ...

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        """Write ``extractor`` into the new, empty ``folder`` (``save`` renames it when done)."""
        ...


_FORMATS: dict[str, tuple[int, Format]] = {}

#: The entry point group through which installed packages offer formats. Each entry point
#: names a format object (or a class building one with no arguments); its ``priority``
#: attribute, if any, sets the order ``load`` asks it in.
ENTRY_POINT_GROUP = "lazyephys.formats"
_entry_points_loaded = False


def _load_entry_points() -> None:
    """Register the formats installed packages declare, once, on first use of the registry.

    The group is read from installed packages' metadata, never from a data file. A plugin
    that fails to load is reported with a warning naming it, and the others still load.
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    # the library's own readers register here too, imported on first need
    from .._builtins import load_builtins

    load_builtins()
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            offered = entry_point.load()
            fmt = offered() if isinstance(offered, type) else offered
            register_format(fmt, priority=int(getattr(fmt, "priority", 0)))
        except Exception as error:
            warnings.warn(
                f"the format {entry_point.name!r} offered by {entry_point.value!r} through the "
                f"{ENTRY_POINT_GROUP!r} entry points could not be registered: {error}",
                stacklevel=2,
            )


def register_format(fmt: Format, priority: int = 0) -> Format:
    """Register a format; higher ``priority`` is asked first by ``load``.

    Registering another object under a name already taken raises; registering the same object
    again is a no-op.
    """
    if not isinstance(fmt, Format):
        raise TypeError(f"{fmt!r} is not a format: it needs name, writes, can_open, open, write")
    existing = _FORMATS.get(fmt.name)
    if existing is not None and existing[1] is not fmt:
        raise ValueError(f"a different format is already registered under the name {fmt.name!r}")
    _FORMATS[fmt.name] = (priority, fmt)
    return fmt


def unregister_format(name: str) -> None:
    """Remove the format registered as ``name`` (a plugin being unloaded, a test cleaning up)."""
    if name not in _FORMATS:
        raise UnknownFormatError(f"no format is registered as {name!r}")
    del _FORMATS[name]


def get_registered_formats() -> list[str]:
    """Names of the registered formats, in the order ``load`` asks them."""
    _load_entry_points()
    ordered = sorted(_FORMATS.items(), key=lambda item: -item[1][0])
    return [name for name, _ in ordered]


def get_format(name: Any) -> Format:
    """The format registered as ``name``; anything else raises listing the known names."""
    if isinstance(name, str) and name not in _FORMATS:
        _load_entry_points()
    if not isinstance(name, str) or name not in _FORMATS:
        raise UnknownFormatError(
            f"unknown format {name!r}; the registered formats are "
            f"{', '.join(get_registered_formats())}"
        )
    return _FORMATS[name][1]


def find_format(location: Location) -> Format | None:
    """The first format, by priority, that can open ``location``; None if none can."""
    for name in get_registered_formats():
        fmt = _FORMATS[name][1]
        if fmt.can_open(location):
            return fmt
    return None
