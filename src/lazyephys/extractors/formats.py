"""The readers as formats of :mod:`lazyephys.io.registry`, so ``load(path)`` opens their files.

``can_open`` looks only at file names (and, for HDF5 files, at the names inside), never at
what a file says to import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..base.extractor import BaseExtractor
from ..base.locations import as_local_path, is_remote_url
from ..errors import FormatError
from ..io.registry import ExtractorKind, Location, register_format

__all__ = [
    "SpikeGLXFormat",
    "OpenEphysFormat",
    "IntanFormat",
    "BlackrockFormat",
    "NwbFormat",
    "SonataFormat",
    "SpikeInterfaceJsonFormat",
    "READER_FORMATS",
]


def _local_folder(location: Location) -> Path | None:
    if is_remote_url(location):
        return None
    path = as_local_path(location)
    return path if path.is_dir() else None


class _ReadOnly:
    name = ""
    writes: tuple[ExtractorKind, ...] = ()

    def write(self, extractor: BaseExtractor, folder: Path, **options: Any) -> None:
        raise FormatError(f"the {self.name!r} format is read-only")


class SpikeGLXFormat(_ReadOnly):
    """SpikeGLX folders: ``.bin``/``.meta`` pairs (options: those of ``read_spikeglx``)."""

    name = "spikeglx"

    def can_open(self, location: Location) -> bool:
        folder = _local_folder(location)
        if folder is None:
            return False
        patterns = ("*.ap.meta", "*.lf.meta", "*.nidq.meta", "*/*.ap.meta", "*/*.lf.meta",
                    "*/*.nidq.meta")
        return any(next(folder.glob(pattern), None) is not None for pattern in patterns)

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .spikeglx import read_spikeglx

        return read_spikeglx(as_local_path(location), **options)


class OpenEphysFormat(_ReadOnly):
    """Open Ephys folders (options: those of ``read_openephys``).

    A folder opens when a ``structure.oebin`` lies in it or up to three levels below (record
    node / experiment / recording), or when it holds legacy ``.continuous`` files.
    """

    name = "openephys"

    def can_open(self, location: Location) -> bool:
        folder = _local_folder(location)
        if folder is None:
            return False
        patterns = ("structure.oebin", "*/structure.oebin", "*/*/structure.oebin",
                    "*/*/*/structure.oebin", "*.continuous")
        return any(next(folder.glob(pattern), None) is not None for pattern in patterns)

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .named_neo import read_openephys

        return read_openephys(as_local_path(location), **options)


class IntanFormat(_ReadOnly):
    """Intan ``.rhd``/``.rhs`` files (options: those of ``read_intan``)."""

    name = "intan"

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            return False
        path = as_local_path(location)
        return path.is_file() and path.suffix.lower() in (".rhd", ".rhs")

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .named_neo import read_intan

        return read_intan(as_local_path(location), **options)


class BlackrockFormat(_ReadOnly):
    """Blackrock ``.ns1``-``.ns6`` files (options: those of ``read_blackrock``)."""

    name = "blackrock"

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            return False
        path = as_local_path(location)
        return path.is_file() and path.suffix.lower() in tuple(f".ns{k}" for k in range(1, 7))

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .named_neo import read_blackrock

        return read_blackrock(as_local_path(location), **options)


def _suffix(location: Location) -> str:
    text = str(location).split("?", 1)[0]
    return Path(text).suffix.lower()


class NwbFormat(_ReadOnly):
    """NWB files, local or at a URL ending in ``.nwb``.

    Opens the electrical series as a recording (options: those of ``read_nwb_recording``);
    a file without electrical series, or ``load(path, kind="sorting")``, opens its Units
    table as a sorting (options: those of ``read_nwb_sorting``).
    """

    name = "nwb"

    def can_open(self, location: Location) -> bool:
        if _suffix(location) != ".nwb":
            return False
        return is_remote_url(location) or as_local_path(location).is_file()

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .nwb_recording import get_nwb_electrical_series, read_nwb_recording
        from .nwb_sorting import read_nwb_sorting

        kind = options.pop("kind", None)
        if kind not in (None, "recording", "sorting"):
            raise ValueError(f"kind must be 'recording' or 'sorting', got {kind!r}")
        target = location if is_remote_url(location) else as_local_path(location)
        if kind is None:
            series = get_nwb_electrical_series(target, options.get("stream_mode"),
                                               options.get("storage_options"))
            kind = "recording" if series else "sorting"
        if kind == "recording":
            return read_nwb_recording(target, **options)
        return read_nwb_sorting(target, **options)


class SonataFormat(_ReadOnly):
    """SONATA spike files: local HDF5 files with a top-level ``spikes`` group.

    Needs the option ``sampling_frequency`` (and ``population`` when there are several).
    """

    name = "sonata"

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location) or _suffix(location) not in (".h5", ".hdf5", ".sonata"):
            return False
        path = as_local_path(location)
        if not path.is_file():
            return False
        try:
            import h5py
        except ImportError:
            return False
        try:
            with h5py.File(path, "r") as file:
                return "spikes" in file and "units" not in file
        except OSError:
            return False

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .sonata import read_sonata_sorting

        return read_sonata_sorting(as_local_path(location), **options)


class SpikeInterfaceJsonFormat(_ReadOnly):
    """SpikeInterface's provenance JSON files, translated (options: ``base_folder``,
    ``allow_paths_outside``); asked before lazyephys's own JSON format."""

    name = "spikeinterface_json"
    priority = 1

    def can_open(self, location: Location) -> bool:
        if is_remote_url(location):
            return False
        path = as_local_path(location)
        if path.suffix.lower() != ".json" or not path.is_file():
            return False
        import json

        from .spikeinterface_json import is_spikeinterface_description

        try:
            with open(path, encoding="utf-8") as handle:
                return is_spikeinterface_description(json.load(handle))
        except (OSError, ValueError):
            return False

    def open(self, location: Location, **options: Any) -> BaseExtractor:
        from .spikeinterface_json import read_spikeinterface_json

        base_folder = options.pop("base_folder", None)
        allow_paths_outside = bool(options.pop("allow_paths_outside", False))
        if options:
            raise TypeError(
                f"the {self.name!r} format takes base_folder and allow_paths_outside, not "
                f"{sorted(options)}"
            )
        return read_spikeinterface_json(as_local_path(location), base_folder,
                                        allow_paths_outside)


READER_FORMATS = (SpikeGLXFormat(), OpenEphysFormat(), IntanFormat(), BlackrockFormat(),
                  NwbFormat(), SonataFormat(), SpikeInterfaceJsonFormat())

for _fmt in READER_FORMATS:
    # beside the shipped formats: none of them opens what these open (SpikeInterface's JSON
    # files are asked first, before the JSON format refuses them as not lazyephys's own)
    register_format(_fmt, priority=int(getattr(_fmt, "priority", 0)))
