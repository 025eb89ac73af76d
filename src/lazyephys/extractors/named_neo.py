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

import numpy as np

from ..base.locations import as_local_path
from ..base.provenance import register_kind
from ..errors import FormatError
from ..recording.base import RecordingSegment
from .neo_recording import NeoRecordingExtractor, select_block

__all__ = [
    "BlackrockRecordingExtractor",
    "OpenEphysBinaryRecordingExtractor",
    "OpenEphysLegacyRecordingExtractor",
    "IntanRecordingExtractor",
    "read_openephys",
    "read_intan",
    "read_blackrock",
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
    costs a memmap slice. Gains to microvolts are each channel's ``bit_volts``. A Neuropixels
    stream (Neuropix-PXI, OneBox, ONIX) gets its probe from its experiment's settings file
    (``settings.xml``, ``settings_<n>.xml``), read by probeinterface, with the
    ``inter_sample_shift`` property :func:`~lazyephys.preprocessing.phase_shift` uses; a stream
    whose channel count differs from the probe's contacts (a sync channel kept in the stream)
    gets none.
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
        check_openephys_binary_files(folder)
        chosen = self._open_stream("openephysbinary", {"dirname": folder}, stream_id,
                                   stream_name, block_index, all_annotations, use_names_as_ids,
                                   where)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)
        self._attach_neuropixels_probe(chosen, select_block(self._neo_reader, block_index,
                                                            where))

    def _attach_neuropixels_probe(self, stream_id: str, block: int) -> None:
        # a Neuropixels stream's probe is described by its experiment's settings file
        from .openephys_probe import openephys_settings_file, read_openephys_probe
        from .spikeglx import inter_sample_shift

        streams = self._neo_reader.header["signal_streams"]
        name = str(streams["name"][list(streams["id"]).index(stream_id)])
        settings = openephys_settings_file(self._neo_reader, name, block)
        probe = None if settings is None else read_openephys_probe(settings, name)
        if probe is None or probe.get_contact_count() != self.get_num_channels():
            return  # not a Neuropixels stream (or one with extra channels, such as sync)
        many_shanks = probe.shank_ids is not None and len(set(probe.shank_ids)) > 1
        self.set_probe(probe, group_mode="by_shank" if many_shanks else "by_probe",
                       in_place=True)
        shifts = inter_sample_shift(probe.contact_annotations, probe.annotations)
        if shifts is not None:
            self.set_property("inter_sample_shift", shifts)


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


def check_openephys_binary_files(folder: Path) -> None:
    """Refuse a ``continuous.dat`` shorter than its sample numbers say (a truncated file).

    neo sizes a stream from its data file alone, so a truncated file would silently read as
    a shorter recording; each stream's ``sample_numbers.npy`` (``timestamps.npy`` before GUI
    0.6) has one entry per sample written.
    """
    import json

    for description in folder.rglob("structure.oebin"):
        try:
            streams = json.loads(description.read_text(encoding="utf-8")).get("continuous", [])
        except (OSError, ValueError) as error:
            raise FormatError(f"{description} is not a readable JSON description: {error}") \
                from error
        for stream in streams:
            data_folder = description.parent / "continuous" / str(stream.get("folder_name", ""))
            data = data_folder / "continuous.dat"
            numbers = next((data_folder / name for name in ("sample_numbers.npy",
                                                           "timestamps.npy")
                            if (data_folder / name).is_file()), None)
            if not data.is_file() or numbers is None:
                continue
            frame = 2 * int(stream.get("num_channels", len(stream.get("channels", []))))
            expected = int(np.load(numbers, mmap_mode="r").shape[0])
            size = data.stat().st_size
            if frame and (size % frame or size // frame < expected):
                raise FormatError(
                    f"the Open Ephys data file {data} is truncated: it has {size} bytes, but "
                    f"{numbers.name} lists {expected} samples of {frame // 2} int16 channels "
                    f"({expected * frame} bytes)"
                )


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

    def _raw_segment(
        self, reader: Any, block: int, segment_index: int, stream_index: int, num_samples: int,
        num_channels: int,
    ) -> RecordingSegment | None:
        # the amplifier channels of a header-attached .rhd file: its blocks mapped directly
        path = Path(str(reader.filename))
        stream_id = str(reader.header["signal_streams"]["id"][stream_index])
        if stream_id != "0" or path.suffix.lower() != ".rhd" or path.name == "info.rhd":
            return super()._raw_segment(reader, block, segment_index, stream_index,
                                        num_samples, num_channels)
        from .intan_rhd import RhdAmplifierSegment, read_rhd_layout

        layout = read_rhd_layout(path)
        if (layout is None or layout.num_amplifier != num_channels
                or layout.num_blocks * layout.block_size != num_samples):
            return None
        segment = RhdAmplifierSegment(path, layout)
        if num_samples and not _same_as_neo(segment, reader, block, segment_index,
                                            stream_index, num_samples):
            return None
        return segment


def _same_as_neo(segment: RecordingSegment, reader: Any, block: int, segment_index: int,
                 stream_index: int, num_samples: int) -> bool:
    """The segment's first and last frames equal neo's (a layout misread is never used)."""
    for frame in {0, max(num_samples - 1, 0)}:
        expected = reader.get_analogsignal_chunk(
            block_index=block, seg_index=segment_index, i_start=frame, i_stop=frame + 1,
            stream_index=stream_index)
        if not np.array_equal(np.asarray(expected), segment.get_traces(frame, frame + 1,
                                                                       slice(None))):
            return False
    return True


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


def _nsx_single_packet(path: Path, num_samples: int, num_channels: int) -> int | None:
    """The byte offset of the samples of an NSx file (spec 2.2+) holding one data packet.

    Facts of Blackrock's NSx format: a basic header starting ``NEURALCD`` gives the bytes of
    all headers at offset 10; a data packet is a 0x01 byte, a uint32 timestamp, a uint32
    count, then ``count`` frames of int16 channels. None for anything else.
    """
    import struct

    try:
        with open(path, "rb") as handle:
            head = handle.read(14)
            if len(head) < 14 or head[:8] != b"NEURALCD":
                return None
            (header_bytes,) = struct.unpack("<I", head[10:14])
            handle.seek(header_bytes)
            packet = handle.read(9)
    except OSError:
        return None
    if len(packet) < 9 or packet[0] != 1:
        return None
    count = struct.unpack("<I", packet[5:9])[0]
    offset = header_bytes + 9
    if count != num_samples or path.stat().st_size != offset + 2 * count * num_channels:
        return None
    return offset


@register_kind
class BlackrockRecordingExtractor(_NamedNeoRecording):
    """One NSx stream of a Blackrock recording (``.ns1``-``.ns6``), through neo.

    Parameters
    ----------
    file_path : str or Path
        An ``.nsX`` file (its ``.nev`` beside it, if any, is neo's business).
    stream_id, stream_name : str or None
        ``"5"`` / ``"nsx5"`` for the ``.ns5`` file...; not needed when there is one.
    block_index : int or None
        The neo block; not needed when there is one.
    all_annotations, use_names_as_ids : bool
        As for :class:`~lazyephys.extractors.NeoRecordingExtractor`.

    Notes
    -----
    A file with one data packet (no pause) is mapped directly; others read through neo.
    Gains to microvolts come from each channel's analog and digital ranges.
    """

    _path_arguments = ("file_path",)

    def __init__(
        self,
        file_path: str | os.PathLike[str],
        stream_id: str | None = None,
        stream_name: str | None = None,
        block_index: int | None = None,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
    ) -> None:
        path = as_local_path(file_path)
        if not path.is_file():
            raise FileNotFoundError(f"the Blackrock file {path} does not exist")
        where = f"the Blackrock file {path}"
        chosen = self._open_stream("blackrock", {"filename": path}, stream_id, stream_name,
                                   block_index, all_annotations, use_names_as_ids, where)
        self._record_argument("stream_id", chosen)
        self._record_argument("stream_name", None)

    def _raw_segment(
        self, reader: Any, block: int, segment_index: int, stream_index: int, num_samples: int,
        num_channels: int,
    ) -> RecordingSegment | None:
        stream_id = str(reader.header["signal_streams"]["id"][stream_index])
        path = Path(f"{reader.filename}.ns{stream_id}")
        channels = reader.header["signal_channels"]
        in_stream = channels[channels["stream_id"] == stream_id]
        offset = _nsx_single_packet(path, num_samples, num_channels) if path.is_file() else None
        if offset is None or in_stream.size != num_channels or int(
                reader.segment_count(block)) != 1:
            return None
        from .buffers import MappedSegment, map_raw_buffer

        segment = MappedSegment(map_raw_buffer(path, np.dtype("<i2"),
                                               (num_samples, num_channels), offset))
        if num_samples and not _same_as_neo(segment, reader, block, segment_index,
                                            stream_index, num_samples):
            return None
        return segment


def read_blackrock(
    file_path: str | os.PathLike[str],
    stream_id: str | None = None,
    stream_name: str | None = None,
    block_index: int | None = None,
    all_annotations: bool = False,
    use_names_as_ids: bool = False,
) -> BlackrockRecordingExtractor:
    """Open one NSx stream of a Blackrock recording (see :class:`BlackrockRecordingExtractor`).

    Examples
    --------
    >>> rec = read_blackrock("/data/session.ns5")  # doctest: +SKIP
    """
    return BlackrockRecordingExtractor(file_path, stream_id, stream_name, block_index,
                                       all_annotations, use_names_as_ids)
