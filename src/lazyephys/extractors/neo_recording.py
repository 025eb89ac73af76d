"""Recordings read through neo's rawio layer: one lazy recording per signal stream.

Where the rawio describes its raw buffer (neo's buffer-description API), the file is mapped
once with :func:`~lazyephys.extractors.buffers.map_raw_buffer` and a window costs a slice of
that map; otherwise each window goes through ``get_analogsignal_chunk``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError, UnknownIdError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from .buffers import MappedSegment, map_raw_buffer
from .neo_table import NEO_PATH_ARGUMENTS, get_neo_format, open_neo_reader

__all__ = [
    "NeoRecordingExtractor",
    "read_neo_recording",
    "get_neo_streams",
    "get_neo_num_blocks",
    "volt_scale_to_uV",
]

#: microvolts per unit, for the voltage units neo reports
_UV_PER_UNIT = {"v": 1e6, "volt": 1e6, "mv": 1e3, "uv": 1.0, "µv": 1.0, "μv": 1.0, "nv": 1e-3}


def volt_scale_to_uV(units: str) -> float | None:
    """Microvolts per ``units`` (``"mV"`` -> 1000.0), or None for a unit that is not a voltage.

    Examples
    --------
    >>> volt_scale_to_uV("mV"), volt_scale_to_uV("pA")
    (1000.0, None)
    """
    return _UV_PER_UNIT.get(str(units).strip().lower())


def get_neo_streams(format_name: str, *args: Any, **kwargs: Any) -> tuple[list[str], list[str]]:
    """The signal streams of a neo-readable file: ``(stream_names, stream_ids)``.

    Parameters
    ----------
    format_name : str
        A name of :data:`~lazyephys.extractors.neo_table.NEO_FORMATS` (``"spikeglx"``...).
    *args, **kwargs
        The rawio's arguments (``dirname=...``, ``filename=...``); one positional argument is
        the rawio's first path argument.

    Examples
    --------
    >>> get_neo_streams("spikeglx", "/data/run_g0")  # doctest: +SKIP
    (['imec0.ap', 'imec0.lf'], ['imec0.ap', 'imec0.lf'])
    """
    reader = open_neo_reader(format_name, _reader_kwargs(format_name, args, kwargs))
    streams = reader.header["signal_streams"]
    return [str(n) for n in streams["name"]], [str(i) for i in streams["id"]]


def get_neo_num_blocks(format_name: str, *args: Any, **kwargs: Any) -> int:
    """Number of neo blocks in a file (arguments as for :func:`get_neo_streams`)."""
    reader = open_neo_reader(format_name, _reader_kwargs(format_name, args, kwargs))
    return int(reader.block_count())


def _reader_kwargs(format_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict:
    from .neo_table import get_neo_format

    if len(args) > 1:
        raise TypeError("give at most one positional argument (the file or folder)")
    out = dict(kwargs)
    if args:
        out[get_neo_format(format_name).path_arguments[0]] = args[0]
    return out


def select_stream(
    reader: Any, stream_id: Any, stream_name: Any, where: str
) -> int:
    """The index of the chosen stream, raising with the available ones when it is unknown."""
    streams = reader.header["signal_streams"]
    ids = [str(i) for i in streams["id"]]
    names = [str(n) for n in streams["name"]]
    available = ", ".join(f"{i!r} ({n})" for i, n in zip(ids, names, strict=True))
    if not ids:
        raise FormatError(f"{where} has no signal stream")
    if stream_id is not None and stream_name is not None:
        raise TypeError("give stream_id or stream_name, not both")
    if stream_id is None and stream_name is None:
        if len(ids) > 1:
            raise ValueError(
                f"{where} has several streams: give stream_id or stream_name; the streams are "
                f"{available}"
            )
        return 0
    if stream_id is not None:
        if str(stream_id) not in ids:
            raise UnknownIdError(
                f"{where} has no stream with stream_id {stream_id!r}; the streams are {available}"
            )
        return ids.index(str(stream_id))
    if str(stream_name) not in names:
        raise UnknownIdError(
            f"{where} has no stream named {stream_name!r}; the streams are {available}"
        )
    return names.index(str(stream_name))


def select_block(reader: Any, block_index: Any, where: str) -> int:
    """The block to read: the only one, or ``block_index`` checked against the count."""
    count = int(reader.block_count())
    if block_index is None:
        if count > 1:
            raise ValueError(f"{where} has {count} neo blocks: give block_index (0..{count - 1})")
        return 0
    if not 0 <= int(block_index) < count:
        raise IndexError(f"block_index {block_index} is out of range: {where} has {count} blocks")
    return int(block_index)


class NeoChunkSegment(RecordingSegment):
    """A segment read through neo's ``get_analogsignal_chunk`` (the slow, general path)."""

    __slots__ = ("block_index", "num_channels", "reader", "segment_index", "stream_index")

    def __init__(self, reader: Any, block_index: int, segment_index: int, stream_index: int,
                 num_samples: int, num_channels: int) -> None:
        super().__init__(num_samples)
        self.reader = reader
        self.block_index = block_index
        self.segment_index = segment_index
        self.stream_index = stream_index
        self.num_channels = num_channels

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        indexes: Any = None
        if not (isinstance(channel_selector, slice) and channel_selector == slice(None)):
            indexes = np.arange(self.num_channels)[channel_selector]
            if indexes.size == 0:
                return np.zeros((end_frame - start_frame, 0), dtype=self._dtype())
        if end_frame == start_frame:
            width = self.num_channels if indexes is None else len(indexes)
            return np.zeros((0, width), dtype=self._dtype())
        return np.asarray(self.reader.get_analogsignal_chunk(
            block_index=self.block_index, seg_index=self.segment_index, i_start=start_frame,
            i_stop=end_frame, stream_index=self.stream_index, channel_indexes=indexes,
        ))

    def _dtype(self) -> np.dtype:
        channels = self.reader.header["signal_channels"]
        stream_id = self.reader.header["signal_streams"]["id"][self.stream_index]
        return np.dtype(channels["dtype"][channels["stream_id"] == stream_id][0])


def buffer_columns(reader: Any, stream_index: int) -> tuple[str, np.ndarray, int] | None:
    """The stream's buffer id, its columns in that buffer, and the buffer's channel count.

    Derived from neo's public channel table: the channels of one buffer, in table order, are
    the buffer's columns. None when the stream has no buffer.
    """
    streams = reader.header["signal_streams"]
    if "buffer_id" not in (streams.dtype.names or ()):
        return None
    buffer_id = str(streams["buffer_id"][stream_index])
    if not buffer_id:
        return None
    channels = reader.header["signal_channels"]
    in_buffer = channels["buffer_id"] == buffer_id
    stream_id = streams["id"][stream_index]
    columns = np.flatnonzero(channels["stream_id"][in_buffer] == stream_id)
    return buffer_id, columns, int(np.count_nonzero(in_buffer))


def mapped_segment(
    reader: Any, block_index: int, segment_index: int, stream_index: int, num_samples: int,
    num_channels: int,
) -> RecordingSegment | None:
    """A segment over the mapped raw buffer, or None where neo cannot describe it.

    The mapping is checked against ``get_analogsignal_chunk`` on its first and last frames, so
    a buffer this reading of neo's table gets wrong falls back to neo instead of giving
    wrong data.
    """
    if not reader.has_buffer_description_api():
        return None
    found = buffer_columns(reader, stream_index)
    if found is None:
        return None
    buffer_id, columns, buffer_channels = found
    description = reader.get_analogsignal_buffer_description(
        block_index=block_index, seg_index=segment_index, buffer_id=buffer_id
    )
    if description.get("type") != "raw":
        return None
    time_axis = int(description.get("time_axis", 0))
    shape = tuple(int(v) for v in description["shape"])
    if shape[1 - time_axis] != buffer_channels or len(columns) != num_channels:
        return None
    array = map_raw_buffer(description["file_path"], np.dtype(description["dtype"]),
                           (shape[0], shape[1]), int(description["file_offset"]))
    if time_axis == 1:
        array = array.T
    if array.shape[0] != num_samples:
        return None
    first = int(columns[0])
    if np.array_equal(columns, np.arange(first, first + columns.size)):
        view = array[:, first : first + columns.size]
    else:
        return None
    if num_samples:
        for frame in (0, num_samples - 1):
            expected = reader.get_analogsignal_chunk(
                block_index=block_index, seg_index=segment_index, i_start=frame,
                i_stop=frame + 1, stream_index=stream_index,
            )
            if not np.array_equal(np.asarray(expected), view[frame : frame + 1]):
                return None
    return MappedSegment(view)


@register_kind
class NeoRecordingExtractor(Recording):
    """One signal stream of a file any neo rawio reads, lazily.

    Parameters
    ----------
    format_name : str
        A neo format of :data:`~lazyephys.extractors.neo_table.NEO_FORMATS`.
    stream_id, stream_name : str or None
        The stream to read (one of them; not needed when the file has one stream).
    block_index : int or None
        The neo block (not needed when there is one).
    all_annotations : bool
        Copy neo's stream annotations into this recording's annotations.
    use_names_as_ids : bool
        Channel ids are neo's channel names instead of neo's channel ids.
    **reader_kwargs
        The rawio's arguments (``filename=...``, ``dirname=...``).

    Examples
    --------
    >>> rec = NeoRecordingExtractor("spikeglx", stream_id="imec0.ap",
    ...                             dirname="/data/run_g0")  # doctest: +SKIP
    """

    _path_arguments = NEO_PATH_ARGUMENTS

    @classmethod
    def _path_arguments_in(cls, kwargs: Mapping[str, Any]) -> tuple[str, ...]:
        # only the named format's own path arguments are paths (neo's example reader's
        # "filename" names no file)
        format_name = kwargs.get("format_name")
        if isinstance(format_name, str):
            return get_neo_format(format_name).path_arguments
        return cls._path_arguments

    def __init__(
        self,
        format_name: str,
        stream_id: str | None = None,
        stream_name: str | None = None,
        block_index: int | None = None,
        all_annotations: bool = False,
        use_names_as_ids: bool = False,
        **reader_kwargs: Any,
    ) -> None:
        # the path arguments are those of this format's row of the table (an instance value
        # over the class's union of every row's)
        vars(self)["_path_arguments"] = get_neo_format(format_name).path_arguments
        chosen_id = self._open_stream(format_name, reader_kwargs, stream_id, stream_name,
                                      block_index, all_annotations, use_names_as_ids)
        self._record_argument("stream_id", chosen_id)
        self._record_argument("stream_name", None)
        for key, value in reader_kwargs.items():
            if key in self._path_arguments and value is not None and not isinstance(value, str):
                self._record_argument(key, str(value))

    def _open_stream(
        self,
        format_name: str,
        reader_kwargs: dict[str, Any],
        stream_id: Any,
        stream_name: Any,
        block_index: int | None,
        all_annotations: bool,
        use_names_as_ids: bool,
        where: str | None = None,
    ) -> str:
        """Open the stream, initialise this recording over it; return the chosen stream id.

        Named readers over one neo format (``read_openephys``...) call this from their own
        constructor, whose arguments are their provenance.
        """
        reader = open_neo_reader(format_name, reader_kwargs)
        if where is None:
            where = f"the {format_name!r} data at {_where(reader_kwargs)}"
        stream_index = select_stream(reader, stream_id, stream_name, where)
        block = select_block(reader, block_index, where)
        streams = reader.header["signal_streams"]
        chosen_id = streams["id"][stream_index]
        channels = reader.header["signal_channels"]
        channels = channels[channels["stream_id"] == chosen_id]
        if channels.size == 0:
            raise FormatError(f"{where}: the stream {str(chosen_id)!r} has no channel")
        ids = channels["name"] if use_names_as_ids else channels["id"]
        ids = np.array([str(v) for v in ids])
        if use_names_as_ids and np.unique(ids).size != ids.size:
            raise ValueError(
                f"{where}: channel names of stream {str(chosen_id)!r} are not unique; use "
                "use_names_as_ids=False"
            )
        fs = float(reader.get_signal_sampling_rate(stream_index))
        try:
            dtype = np.dtype(channels["dtype"][0])
        except TypeError as error:
            raise FormatError(f"{where}: neo reports the data type {channels['dtype'][0]!r}, "
                              "which is not one") from error
        if not (np.isfinite(fs) and fs > 0):
            raise FormatError(f"{where}: neo reports the sampling rate {fs} Hz; it must be "
                              "positive and finite")
        Recording.__init__(self, fs, ids, dtype)
        num_channels = int(channels.size)
        for segment_index in range(int(reader.segment_count(block))):
            num_samples = int(reader.get_signal_size(block, segment_index, stream_index))
            segment = self._raw_segment(reader, block, segment_index, stream_index, num_samples,
                                        num_channels)
            if segment is None:
                segment = NeoChunkSegment(reader, block, segment_index, stream_index,
                                          num_samples, num_channels)
            t_start = float(reader.get_signal_t_start(block, segment_index, stream_index))
            self.add_segment(segment, t_start)
        self._neo_reader = reader
        self._set_scaling(channels)
        self.set_property("channel_names", np.array([str(n) for n in channels["name"]]))
        if all_annotations:
            self._copy_annotations(reader, block, stream_index)
        return str(chosen_id)

    def _raw_segment(
        self, reader: Any, block: int, segment_index: int, stream_index: int, num_samples: int,
        num_channels: int,
    ) -> RecordingSegment | None:
        """A segment reading the file directly, or None to read through neo's chunks.

        Named readers that know their format's layout better than neo's buffer description
        replace this.
        """
        return mapped_segment(reader, block, segment_index, stream_index, num_samples,
                              num_channels)

    def _set_scaling(self, channels: np.ndarray) -> None:
        units = [str(u) for u in channels["units"]]
        gains = channels["gain"].astype(np.float64)
        offsets = channels["offset"].astype(np.float64)
        self.set_property("physical_unit", np.array(units))
        self.set_property("gain_to_physical_unit", gains)
        self.set_property("offset_to_physical_unit", offsets)
        scales = [volt_scale_to_uV(u) for u in units]
        if all(s is not None for s in scales):
            factor = np.array(scales, dtype=np.float64)
            self.set_channel_gains(gains * factor)
            self.set_channel_offsets(offsets * factor)

    def _copy_annotations(self, reader: Any, block: int, stream_index: int) -> None:
        try:
            annotations = reader.raw_annotations["blocks"][block]["segments"][0]
            stream = annotations["signals"][stream_index]
        except (AttributeError, KeyError, IndexError):
            return
        plain = {
            key: value for key, value in stream.items()
            if key != "__array_annotations__" and isinstance(value, (str, int, float, bool))
        }
        self.annotate(**plain)


def _where(reader_kwargs: dict[str, Any]) -> str:
    """The path read, and the reader's other arguments (a wrong ``dtype`` or channel count is
    as likely the cause of what neo reports as a damaged file)."""
    for key in NEO_PATH_ARGUMENTS:
        if reader_kwargs.get(key):
            others = {k: v for k, v in reader_kwargs.items() if k not in NEO_PATH_ARGUMENTS}
            return str(reader_kwargs[key]) + (f" (read with {others})" if others else "")
    return repr(reader_kwargs)


def read_neo_recording(
    format_name: str,
    stream_id: str | None = None,
    stream_name: str | None = None,
    block_index: int | None = None,
    all_annotations: bool = False,
    use_names_as_ids: bool = False,
    **reader_kwargs: Any,
) -> NeoRecordingExtractor:
    """Open one stream of a file any neo rawio reads, lazily (see :class:`NeoRecordingExtractor`).

    Examples
    --------
    >>> rec = read_neo_recording("intan", filename="/data/session.rhd",
    ...                          stream_id="0")  # doctest: +SKIP
    """
    return NeoRecordingExtractor(format_name, stream_id, stream_name, block_index,
                                 all_annotations, use_names_as_ids, **reader_kwargs)
