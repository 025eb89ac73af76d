"""File-format names and versions, and the checks every reader makes before trusting a file.

Every file lazyephys writes carries ``{"format": name, "version": n}``. A reader refuses a file
of another format (naming what it found) and a version newer than it knows (asking for an
upgrade) before it reads anything else.
"""

from __future__ import annotations

from typing import Any

from ..base.jsonfile import read_json, write_json
from ..errors import FormatError, FormatVersionError

__all__ = [
    "BINARY_FOLDER_FORMAT",
    "SORTING_FOLDER_FORMAT",
    "ZARR_RECORDING_FORMAT",
    "ZARR_SORTING_FORMAT",
    "HDF5_RECORDING_FORMAT",
    "BINNED_SPIKES_FORMAT",
    "EPOCH_COUNTS_FORMAT",
    "FORMAT_VERSIONS",
    "METADATA_FILE",
    "FormatError",
    "FormatVersionError",
    "check_format",
    "require_keys",
    "read_json",
    "write_json",
]

BINARY_FOLDER_FORMAT = "lazyephys.binary-folder"
SORTING_FOLDER_FORMAT = "lazyephys.sorting-folder"
ZARR_RECORDING_FORMAT = "lazyephys.zarr-recording"
ZARR_SORTING_FORMAT = "lazyephys.zarr-sorting"
HDF5_RECORDING_FORMAT = "lazyephys.hdf5-recording"
BINNED_SPIKES_FORMAT = "lazyephys.binned-spikes"
EPOCH_COUNTS_FORMAT = "lazyephys.epoch-counts"

#: The newest version of each format this library reads and writes.
FORMAT_VERSIONS: dict[str, int] = {
    BINARY_FOLDER_FORMAT: 1,
    SORTING_FOLDER_FORMAT: 1,
    ZARR_RECORDING_FORMAT: 1,
    ZARR_SORTING_FORMAT: 1,
    HDF5_RECORDING_FORMAT: 1,
    BINNED_SPIKES_FORMAT: 1,
    EPOCH_COUNTS_FORMAT: 1,
}

#: The metadata file of every lazyephys folder; it is written last, so a folder whose writing
#: was interrupted never has it.
METADATA_FILE = "lazyephys.json"


def check_format(metadata: Any, expected: str | tuple[str, ...], where: str) -> str:
    """Check the ``format`` and ``version`` keys of a metadata dict; return the format.

    Parameters
    ----------
    metadata : object
        What was read from the file.
    expected : str or tuple of str
        The accepted format names.
    where : str
        The file or store, for error messages.
    """
    names = (expected,) if isinstance(expected, str) else expected
    if not isinstance(metadata, dict):
        raise FormatError(f"{where} does not hold a JSON object: it is not a lazyephys file")
    fmt = metadata.get("format")
    if fmt not in names:
        raise FormatError(
            f"{where} is not a lazyephys file of format {' or '.join(map(repr, names))}: its "
            f"'format' is {fmt!r}"
        )
    version = metadata.get("version")
    known = FORMAT_VERSIONS[fmt]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(f"{where}: the format version {version!r} is not a positive integer")
    if version > known:
        raise FormatVersionError(
            f"{where} has format {fmt!r} version {version}, newer than this lazyephys reads "
            f"(up to version {known}); upgrade lazyephys"
        )
    return str(fmt)


def require_keys(metadata: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    """Raise naming the first of ``keys`` missing from ``metadata``."""
    for key in keys:
        if key not in metadata:
            raise FormatError(f"{where} is missing the key {key!r}")
