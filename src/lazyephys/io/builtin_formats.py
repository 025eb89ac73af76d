"""The shipped formats: binary folders, zarr stores, provenance JSON, SpikeInterface folders.

Each is registered in :mod:`lazyephys.io.registry` when :mod:`lazyephys.io` is imported, so
``load`` and ``save`` reach them exactly as they reach a third-party format. ``can_open`` looks
only at file names and the small JSON files that name a format; nothing is imported because a
file says so.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_remote_url
from ..base.provenance import PathResolver
from ..base.provenance_file import read_provenance_file
from ..recording.base import Recording
from .formats import (
    BINARY_FOLDER_FORMAT,
    METADATA_FILE,
    SORTING_FOLDER_FORMAT,
    FormatError,
    check_format,
    read_json,
)
from .registry import ExtractorKind, Location, register_format

__all__ = [
    "BUILTIN_FORMATS",
    "BinaryFolderFormat",
    "ZarrFormat",
    "ProvenanceJsonFormat",
    "SpikeInterfaceFolderFormat",
    "Hdf5Format",
]


def _local_folder(location: Location) -> Path | None:
    if is_remote_url(location):
        return None
    path = as_local_path(location)
    return path if path.is_dir() else None


def _refuse_options(name: str, options: dict[str, Any]) -> None:
    if options:
        raise TypeError(f"the {name!r} format takes no options {sorted(options)} when opening")


class BinaryFolderFormat:
    """Folders written by ``save(format="binary")``: raw traces or a spike vector, memory-mapped."""

    name = "binary"
    writes: tuple[ExtractorKind, ...] = ("recording", "sorting")

    def can_open(self, location: Location) -> bool:
        folder = _local_folder(location)
        return folder is not None and (folder / METADATA_FILE).is_file()

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        _refuse_options(self.name, options)
        folder = as_local_path(location)
        metadata_path = folder / METADATA_FILE
        fmt = check_format(read_json(metadata_path), (BINARY_FOLDER_FORMAT, SORTING_FOLDER_FORMAT),
                           str(metadata_path))
        if fmt == BINARY_FOLDER_FORMAT:
            from .binary_folder import BinaryFolderRecording

            return BinaryFolderRecording(folder)
        from .sorting_folder import NumpyFolderSorting

        return NumpyFolderSorting(folder)

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        if isinstance(extractor, Recording):
            from .binary_folder import write_binary_folder

            write_binary_folder(extractor, folder, **options)
        else:
            from .sorting_folder import write_sorting_folder

            write_sorting_folder(extractor, folder, **options)  # type: ignore[arg-type]


class ZarrFormat:
    """Zarr stores (format 3, or format 2 as SpikeInterface writes), local or at fsspec URLs."""

    name = "zarr"
    writes: tuple[ExtractorKind, ...] = ("recording", "sorting")
    #: the folder suffix ``save`` gives a store that lacks it
    suffix = ".zarr"

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            # a URL naming a file of another format (``.nwb``...) is left to that format
            name = PurePosixPath(urlsplit(str(location)).path.rstrip("/")).name
            suffix = PurePosixPath(name).suffix.lower()
            return suffix in ("", ".zarr")
        folder = _local_folder(location)
        return folder is not None and (
            (folder / "zarr.json").is_file() or (folder / ".zgroup").is_file()
        )

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        storage_options = options.pop("storage_options", None)
        _refuse_options(self.name, options)
        from .zarr_store import read_zarr

        return read_zarr(location, storage_options=storage_options)

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        if isinstance(extractor, Recording):
            from .zarr_store import write_zarr_recording

            write_zarr_recording(extractor, folder, **options)
        else:
            from .zarr_sorting import write_zarr_sorting

            write_zarr_sorting(extractor, folder, **options)  # type: ignore[arg-type]


class ProvenanceJsonFormat:
    """Provenance files written by ``dump_to_json``: a lazy chain rebuilt from registered kinds."""

    name = "json"
    writes: tuple[ExtractorKind, ...] = ()

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            return False
        path = as_local_path(location)
        return path.suffix.lower() == ".json" and path.is_file()

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        base_folder = options.pop("base_folder", None)
        allow_paths_outside = bool(options.pop("allow_paths_outside", False))
        _refuse_options(self.name, options)
        description, base, confined = read_provenance_file(
            as_local_path(location), None if base_folder is None else Path(base_folder)
        )
        resolver = PathResolver(base, confined, allow_paths_outside)
        return BaseExtractor.from_dict(description, _resolve_path=resolver)

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        raise FormatError("provenance files are written by dump_to_json, not by save")


class Hdf5Format:
    """HDF5 files written by ``save(format="hdf5")``: one dataset per segment, read lazily."""

    name = "hdf5"
    writes: tuple[ExtractorKind, ...] = ("recording",)
    #: ``save`` writes one file (atomically) rather than a folder
    single_file = True
    #: the suffix ``save`` gives a file that has none of ``suffixes``
    suffix = ".h5"
    suffixes = (".h5", ".hdf5")

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            return False
        path = as_local_path(location)
        if path.suffix.lower() not in self.suffixes or not path.is_file():
            return False
        from .hdf5 import is_saved_hdf5_recording

        return is_saved_hdf5_recording(path)

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        _refuse_options(self.name, options)
        from .hdf5 import Hdf5RecordingExtractor

        return Hdf5RecordingExtractor(as_local_path(location))

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        from .hdf5 import write_hdf5_recording

        write_hdf5_recording(extractor, folder, **options)  # type: ignore[arg-type]


class SpikeInterfaceFolderFormat:
    """Folders written by SpikeInterface: binary recordings and numpy_folder sortings."""

    name = "spikeinterface_folder"
    writes: tuple[ExtractorKind, ...] = ()

    def can_open(self, location: Location) -> bool:
        folder = _local_folder(location)
        if folder is None:
            return False
        from .spikeinterface_compat import spikeinterface_folder_class

        return spikeinterface_folder_class(folder) is not None

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        _refuse_options(self.name, options)
        from .spikeinterface_compat import spikeinterface_folder_class

        folder = as_local_path(location)
        si_class = spikeinterface_folder_class(folder)
        if si_class == "BinaryFolderRecording":
            from .binary_folder import BinaryFolderRecording

            return BinaryFolderRecording(folder)
        if si_class == "NumpyFolderSorting":
            from .sorting_folder import NumpyFolderSorting

            return NumpyFolderSorting(folder)
        raise FormatError(
            f"{folder} was written by SpikeInterface as {si_class!r}, which lazyephys does not "
            "read; lazyephys reads SpikeInterface binary folders, numpy_folder sortings and zarr "
            "stores"
        )

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        raise FormatError(
            "lazyephys does not write SpikeInterface-only folders; save(format='binary') "
            "folders carry the metadata SpikeInterface reads"
        )


#: The shipped formats, registered once when :mod:`lazyephys.io` is imported.
BUILTIN_FORMATS = (BinaryFolderFormat(), ZarrFormat(), ProvenanceJsonFormat(),
                   SpikeInterfaceFolderFormat(), Hdf5Format())

for _fmt in BUILTIN_FORMATS:
    register_format(_fmt, priority=0)
