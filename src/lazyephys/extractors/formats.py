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

__all__ = ["SpikeGLXFormat", "READER_FORMATS"]


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


READER_FORMATS = (SpikeGLXFormat(),)

for _fmt in READER_FORMATS:
    # beside the shipped formats: none of them opens what these open
    register_format(_fmt, priority=0)
