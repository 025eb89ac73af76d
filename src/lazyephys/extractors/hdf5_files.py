"""Opening HDF5 files (NWB, SONATA) read-only, from a local path or a remote URL.

A local file is opened by h5py directly. A remote one (``s3://``, ``https://``, any fsspec
URL) is read through a file object that fetches only the byte ranges h5py asks for:
fsspec's (``stream_mode="fsspec"``, the default for URLs) or remfile's
(``stream_mode="remfile"``, HTTP(S) only).
"""

from __future__ import annotations

import os
from typing import Any, Literal

from ..base.locations import as_local_path, is_remote_url
from ..errors import FormatError
from ._optional import require

__all__ = ["StreamMode", "STREAM_MODES", "open_hdf5"]

StreamMode = Literal["fsspec", "remfile"]

#: The ways of reading a remote HDF5 file.
STREAM_MODES: tuple[str, ...] = ("fsspec", "remfile")

#: Bytes fetched per remote request: HDF5 metadata is scattered in small pieces, and one
#: request per piece would cost a round trip each.
_REMOTE_BLOCK_SIZE = 2**20


def open_hdf5(
    file_path: str | os.PathLike[str],
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
    what: str = "HDF5",
) -> Any:
    """An open, read-only ``h5py.File`` over a local path or a remote URL.

    Parameters
    ----------
    file_path : str or path
        A local path, a ``file://`` URL, or a remote fsspec URL.
    stream_mode : {"fsspec", "remfile"} or None
        How a remote file is read; None means fsspec. Local files take None only.
    storage_options : dict or None
        fsspec options (credentials, ``anon``, endpoint) for a remote file.
    what : str
        What the file should be, for messages (``"NWB"``).

    Raises
    ------
    FileNotFoundError
        For a local path that does not exist.
    FormatError
        If the file is not HDF5.
    ValueError
        For an unknown ``stream_mode``, or one given for a local file.
    """
    h5py = require("h5py", "nwb", f"reading {what} files")
    if stream_mode is not None and stream_mode not in STREAM_MODES:
        raise ValueError(
            f"unknown stream_mode {stream_mode!r}; expected one of {list(STREAM_MODES)} or None"
        )
    if is_remote_url(file_path):
        handle = _remote_file(str(file_path), stream_mode or "fsspec", storage_options)
        try:
            return h5py.File(handle, "r")
        except OSError as error:
            handle.close()
            raise FormatError(
                f"{file_path} is not a readable {what} (HDF5) file: {error}"
            ) from error
    if stream_mode is not None:
        raise ValueError(
            f"stream_mode={stream_mode!r} is for remote URLs; {file_path} is a local path "
            "(give stream_mode=None)"
        )
    path = as_local_path(file_path)
    if not path.is_file():
        raise FileNotFoundError(f"the {what} file {path} does not exist")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise FormatError(f"{path} is not a readable {what} (HDF5) file: {error}") from error


def _remote_file(url: str, stream_mode: str, storage_options: dict[str, Any] | None) -> Any:
    if stream_mode == "remfile":
        if storage_options:
            raise ValueError("storage_options are fsspec's: give stream_mode='fsspec' with them")
        remfile = require("remfile", "remote", f"reading {url} with stream_mode='remfile'")
        return remfile.File(url)
    fsspec = require("fsspec", "remote", f"reading {url}")
    filesystem, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
    return filesystem.open(path, "rb", block_size=_REMOTE_BLOCK_SIZE, cache_type="blockcache")
