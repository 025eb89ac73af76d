"""Where data lives: the one rule that tells a remote URL from a local path.

A location is remote when it is a string with a scheme other than ``file`` (``s3://``,
``gs://``, ``https://``...). ``file://`` URLs are local paths and are treated exactly as
the path they name: resolved, checked and made relative like any other path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = ["is_remote_url", "as_local_path"]


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
