"""Where data lives: the one rule that tells a remote URL from a local path, and the one rule
that keeps a path inside the folder it must stay in.

A location is remote when it is a string with a scheme other than ``file`` (``s3://``,
``gs://``, ``https://``...). ``file://`` URLs are local paths and are treated exactly as
the path they name: resolved, checked and made relative like any other path.

Confinement compares *resolved* paths (``os.path.realpath``): ``..`` components and symbolic
links are followed first, so neither can lead out of a folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..errors import UnsafePathError

__all__ = ["is_remote_url", "as_local_path", "is_inside", "file_inside"]


def is_remote_url(value: Any) -> bool:
    """True for a string naming remote data with a URL scheme other than ``file``.

    Examples
    --------
    >>> is_remote_url("s3://bucket/rec.zarr"), is_remote_url("file:///data/rec.zarr")
    (True, False)
    >>> is_remote_url("/data/rec.zarr")
    False
    """
    if not isinstance(value, str) or "://" not in value:
        return False
    scheme = value.split("://", 1)[0]
    return scheme.lower() != "file" and scheme.replace("+", "").replace("-", "").isalnum()


def as_local_path(value: str | os.PathLike[str]) -> Path:
    """The local path of a path or a ``file://`` URL.

    Examples
    --------
    >>> as_local_path("file:///data/rec.zarr").as_posix()
    '/data/rec.zarr'
    """
    if isinstance(value, str) and value.lower().startswith("file://"):
        return Path(unquote(urlparse(value).path))
    return Path(value)


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True if ``path``, resolved, is ``folder`` (resolved) or lies under it.

    Examples
    --------
    >>> is_inside("/data/rec/../rec/a.raw", "/data/rec"), is_inside("/data/other", "/data/rec")
    (True, False)
    """
    resolved = os.path.realpath(path)
    root = os.path.realpath(folder)
    return resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep)


def file_inside(folder: str | os.PathLike[str], name: Any, where: str) -> Path:
    """The resolved path of ``name`` inside ``folder``; refused if it leads out of it.

    For the files a saved folder names as its own (raw files, ``.npy`` properties, spike
    vectors): ``name`` must be a relative path whose resolved form, symbolic links followed,
    stays inside the resolved ``folder``.

    Raises
    ------
    UnsafePathError
        Naming ``name``, the file that names it (``where``) and where it points.
    """
    if not isinstance(name, (str, os.PathLike)):
        raise UnsafePathError(f"{where}: the file name {name!r} is not a string")
    relative = Path(name)
    if relative.is_absolute():
        raise UnsafePathError(
            f"{where}: {str(name)!r} is an absolute path, not a file inside {folder}"
        )
    resolved = Path(os.path.realpath(Path(folder) / relative))
    if not is_inside(resolved, folder):
        raise UnsafePathError(
            f"{where}: {str(name)!r} points to {resolved}, outside the folder "
            f"{os.path.realpath(folder)}; a saved folder only reads its own files"
        )
    return resolved
