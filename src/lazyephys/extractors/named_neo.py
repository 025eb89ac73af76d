"""Named readers over one neo format each, with SpikeInterface's names and arguments.

Each is a :class:`~lazyephys.extractors.neo_recording.NeoRecordingExtractor` whose
provenance is its own arguments (``folder_path``, ``file_path``), checked for the companion
files its format needs before neo is asked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..base.locations import as_local_path
from ..base.provenance import register_kind
from ..errors import FormatError
from .neo_recording import NeoRecordingExtractor

__all__ = [
    "OpenEphysBinaryRecordingExtractor",
    "OpenEphysLegacyRecordingExtractor",
    "IntanRecordingExtractor",
    "read_openephys",
    "read_intan",
]


class _NamedNeoRecording(NeoRecordingExtractor):
    """A neo format behind a reader of its own: path arguments are the reader's."""

    @classmethod
    def _path_arguments_in(cls, kwargs: Mapping[str, Any]) -> tuple[str, ...]:
        return cls._path_arguments


def _existing_folder(folder_path: str | os.PathLike[str], what: str) -> Path:
    folder = as_local_path(folder_path)
    if not folder.is_dir():
        raise FileNotFoundError(f"the {what} folder {folder} does not exist")
    return folder


@register_kind
class OpenEphysBinaryRecordingExtractor(_NamedNeoRecording):
    """One continuous stream of an Open Ephys binary-format folder (``structure.oebin``).

    Parameters
    ----------
    folder_path : str or Path
        The recording folder, or any folder above it (record node, experiment); every
        ``structure.oebin`` below it is found. Experiments are blocks, recordings segments.
    stream_id, stream_name : str or None
        The stream (neo's ids ``"0"``..., names such as ``"Record Node 101#Acquisition_Board-
        100.Rhythm Data"``); not needed when there is one.
    block_index : int or None
        The experiment; not needed when there is one.
    all_annotations, use_names_as_ids : bool
        As for :class:`~lazyephys.extractors.NeoRecordingExtractor`.

    Notes
    -----
    The ``continuous.dat`` files are mapped directly (neo's buffer description), so a window
    costs a memmap slice. Gains to microvolts are each channel's ``bit_volts``.
    """

    _path_arguments = ("folder_path",)

    def __init__(
        self,
        folder_path: str | os.PathLike[str],
        stream_id: str | None = None,
        stream_name: str | None = None,
        block_index: int | None = None,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
    ) -> None:
        folder = _existing_folder(folder_path, "Open Ephys")
        if next(folder.rglob("structure.oebin"), None) is None:
            raise FileNotFoundError(
                f"the Open Ephys folder {folder} has no structure.oebin (the binary format's "
                "description of its streams)"
            )
        where = f"the Open Ephys folder {folder}"
        chosen = self._open_stream("openephysbinary", {"dirname": folder}, stream_id,
                                   stream_name, block_index, all_annotations, use_names_as_ids,
                                   where)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)


@register_kind
class OpenEphysLegacyRecordingExtractor(_NamedNeoRecording):
    """One stream of an Open Ephys legacy-format folder (``.continuous`` files), through neo."""

    _path_arguments = ("folder_path",)

    def __init__(
        self,
        folder_path: str | os.PathLike[str],
        stream_id: str | None = None,
        stream_name: str | None = None,
        block_index: int | None = None,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
    ) -> None:
        folder = _existing_folder(folder_path, "Open Ephys")
        where = f"the Open Ephys folder {folder}"
        chosen = self._open_stream("openephys", {"dirname": folder}, stream_id, stream_name,
                                   block_index, all_annotations, use_names_as_ids, where)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)


def read_openephys(
    folder_path: str | os.PathLike[str],
    stream_id: str | None = None,
    stream_name: str | None = None,
    block_index: int | None = None,
    all_annotations: bool = False,
    use_names_as_ids: bool = False,
) -> NeoRecordingExtractor:
    """Open one stream of an Open Ephys folder, binary (``structure.oebin``) or legacy format.

    The format is told by the files: a ``structure.oebin`` anywhere below ``folder_path``
    means the binary format, ``.continuous`` files the legacy one.

    Examples
    --------
    >>> rec = read_openephys("/data/2024-01-01_12-00-00", stream_id="0")  # doctest: +SKIP
    """
    folder = _existing_folder(folder_path, "Open Ephys")
    arguments = (folder_path, stream_id, stream_name, block_index, all_annotations,
                 use_names_as_ids)
    if next(folder.rglob("structure.oebin"), None) is not None:
        return OpenEphysBinaryRecordingExtractor(*arguments)
    if next(folder.glob("*.continuous"), None) is not None:
        return OpenEphysLegacyRecordingExtractor(*arguments)
    raise FileNotFoundError(
        f"the Open Ephys folder {folder} has neither a structure.oebin (binary format) nor "
        ".continuous files (legacy format)"
    )


@register_kind
class IntanRecordingExtractor(_NamedNeoRecording):
    """One stream of an Intan ``.rhd``/``.rhs`` file (or ``info.rhd`` folder), through neo.

    Parameters
    ----------
    file_path : str or Path
        The ``.rhd`` or ``.rhs`` file (``info.rhd`` for the one-file-per-signal and
        one-file-per-channel layouts).
    stream_id, stream_name : str or None
        ``"0"`` is the amplifier channels (``"RHD2000 amplifier channel"``); not needed when
        the file has one stream.
    all_annotations, use_names_as_ids : bool
        As for :class:`~lazyephys.extractors.NeoRecordingExtractor`; channel ids are the
        native names (``A-000``), names the custom ones.
    ignore_integrity_checks : bool
        Open a file whose timestamps jump (neo refuses it otherwise).

    Notes
    -----
    Amplifier gains are 0.195 uV per step; the header-attached format stores ``uint16`` with
    an offset of ``-32768 x 0.195`` uV.
    """

    _path_arguments = ("file_path",)

    def __init__(
        self,
        file_path: str | os.PathLike[str],
        stream_id: str | None = None,
        stream_name: str | None = None,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
        ignore_integrity_checks: bool = False,
    ) -> None:
        path = as_local_path(file_path)
        if not path.is_file():
            raise FileNotFoundError(f"the Intan file {path} does not exist")
        if path.suffix.lower() not in (".rhd", ".rhs"):
            raise FormatError(f"{path} is not an Intan file: expected a .rhd or .rhs file")
        where = f"the Intan file {path}"
        chosen = self._open_stream(
            "intan", {"filename": path, "ignore_integrity_checks": ignore_integrity_checks},
            stream_id, stream_name, None, all_annotations, use_names_as_ids, where)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)


def read_intan(
    file_path: str | os.PathLike[str],
    stream_id: str | None = None,
    stream_name: str | None = None,
    all_annotations: bool = False,
    use_names_as_ids: bool = False,
    ignore_integrity_checks: bool = False,
) -> IntanRecordingExtractor:
    """Open one stream of an Intan file (see :class:`IntanRecordingExtractor`).

    Examples
    --------
    >>> rec = read_intan("/data/session.rhd", stream_id="0")  # doctest: +SKIP
    """
    return IntanRecordingExtractor(file_path, stream_id, stream_name, all_annotations,
                                   use_names_as_ids, ignore_integrity_checks)
