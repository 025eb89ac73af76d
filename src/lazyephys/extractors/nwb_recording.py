"""NWB electrical series as lazy recordings, read with h5py (never pynwb, never whole).

What is read (NWB schema facts): the series' ``data`` (time x channels) with its
``conversion``, ``offset`` and ``unit`` attributes and the optional per-channel
``channel_conversion``; its times from ``starting_time`` (with the ``rate`` attribute) or
``timestamps``; its ``electrodes`` (rows of the electrodes table, whose columns become
channel properties).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError, UnknownIdError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from .hdf5_files import open_hdf5
from .nwb_tables import attribute_text, find_typed_groups, read_column, table_columns

__all__ = [
    "NwbRecordingExtractor",
    "read_nwb_recording",
    "get_nwb_electrical_series",
    "ELECTRICAL_SERIES_TYPES",
]

#: The neurodata types read as recordings.
ELECTRICAL_SERIES_TYPES = ("ElectricalSeries",)

#: Microvolts per unit of the ``unit`` attribute NWB writes (``volts`` by the schema).
_UV_PER_UNIT = {"volts": 1e6, "volt": 1e6, "v": 1e6, "millivolts": 1e3, "mv": 1e3,
                "microvolts": 1.0, "uv": 1.0, "µv": 1.0, "μv": 1.0}

#: Electrodes-table columns read under another property name (SpikeInterface's names).
_PROPERTY_NAMES = {"location": "brain_area"}

#: Samples of a timestamps vector used to estimate the sampling rate.
_RATE_ESTIMATION_SAMPLES = 1000


def get_nwb_electrical_series(
    file_path: str | os.PathLike[str],
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> list[str]:
    """The paths of the electrical series in an NWB file (``acquisition/ElectricalSeries``...).

    Examples
    --------
    >>> get_nwb_electrical_series("/data/session.nwb")  # doctest: +SKIP
    ['acquisition/ElectricalSeriesAP', 'processing/ecephys/LFP/ElectricalSeriesLFP']
    """
    with open_hdf5(file_path, stream_mode, storage_options, "NWB") as file:
        return find_typed_groups(file, ELECTRICAL_SERIES_TYPES)


class NwbSegment(RecordingSegment):
    """One electrical series' ``data`` dataset, read window by window through h5py."""

    __slots__ = ("dataset", "num_channels")

    def __init__(self, dataset: Any) -> None:
        super().__init__(int(dataset.shape[0]))
        self.dataset = dataset
        self.num_channels = 1 if dataset.ndim == 1 else int(dataset.shape[1])

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        data = self.dataset
        if data.ndim == 1:
            return data[start_frame:end_frame][:, np.newaxis][:, channel_selector]
        if isinstance(channel_selector, slice):
            if channel_selector == slice(None):
                return data[start_frame:end_frame]
            return data[start_frame:end_frame, channel_selector]
        indices = np.asarray(channel_selector)
        if indices.size == 0 or end_frame == start_frame:
            return np.zeros((end_frame - start_frame, indices.size), dtype=data.dtype)
        # h5py reads a column range fast but a list of columns slowly: read the range that
        # spans the wanted columns, then pick them
        low, high = int(indices.min()), int(indices.max()) + 1
        block = data[start_frame:end_frame, low:high]
        return block[:, indices - low]


@register_kind
class NwbRecordingExtractor(Recording):
    """One electrical series of an NWB file, lazily (local path or remote URL).

    Parameters
    ----------
    file_path : str or Path
        The NWB file, or an ``s3://``, ``https://`` or other fsspec URL.
    electrical_series_path : str or None
        The series' path in the file (``"acquisition/ElectricalSeries"``); not needed when
        the file has one electrical series.
    load_time_vector : bool
        Read the series' ``timestamps`` (when it has them) as the time vector; otherwise only
        the first timestamp and the rate estimated from the first ones are used.
    stream_mode : {"fsspec", "remfile"} or None
        How a remote file is read (None: fsspec); None for local files.
    storage_options : dict or None
        fsspec options for a remote file.

    Notes
    -----
    Gains to microvolts are ``conversion x channel_conversion x`` microvolts per ``unit``,
    offsets ``offset x`` microvolts per ``unit``. Electrodes-table columns become channel
    properties (``location`` as ``brain_area``; ``group_name`` also as ``group``); ``rel_x``,
    ``rel_y`` (and ``rel_z``) become channel locations. Channel ids are the table's
    ``channel_name`` column where it has one, else its row ids.

    Examples
    --------
    >>> rec = read_nwb_recording("/data/session.nwb")  # doctest: +SKIP
    """

    _path_arguments = ("file_path",)

    def __init__(
        self,
        file_path: str | os.PathLike[str],
        electrical_series_path: str | None = None,
        load_time_vector: bool = False,
        stream_mode: str | None = None,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        file = open_hdf5(file_path, stream_mode, storage_options, "NWB")
        where = f"the NWB file {file_path}"
        path = _choose_series(file, electrical_series_path, where)
        series = file[path]
        if "data" not in series:
            raise FormatError(f"{where}: the series {path!r} has no data")
        data = series["data"]
        if data.ndim not in (1, 2):
            raise FormatError(
                f"{where}: the data of {path!r} has shape {data.shape}; expected (time, channels)"
            )
        num_channels = 1 if data.ndim == 1 else int(data.shape[1])
        fs, t_start, timestamps = _series_times(series, path, where, load_time_vector)
        table, rows = _electrode_rows(file, series, path, where, num_channels)
        columns = _electrode_columns(table, rows, where)
        names = columns.get("channel_name")
        if names is not None and np.unique(names).size == names.size:
            channel_ids = names
        else:
            channel_ids = np.asarray(table["id"][()])[rows] if table is not None else \
                np.arange(num_channels)
        super().__init__(fs, channel_ids, data.dtype)
        self._record_argument("electrical_series_path", path)
        if timestamps is not None and timestamps.shape[0] != data.shape[0]:
            raise FormatError(
                f"{where}: the series {path!r} has {data.shape[0]} samples but "
                f"{timestamps.shape[0]} timestamps"
            )
        self.add_segment(NwbSegment(data), t_start, timestamps)
        self._file = file
        self._set_scaling(series, data, path, where, num_channels)
        self._set_electrode_properties(columns)

    def _set_scaling(self, series: Any, data: Any, path: str, where: str,
                     num_channels: int) -> None:
        unit = attribute_text(data, "unit", "volts")
        conversion = float(data.attrs.get("conversion", 1.0))
        offset = float(data.attrs.get("offset", 0.0))
        per_channel = np.ones(num_channels)
        if "channel_conversion" in series:
            per_channel = np.asarray(series["channel_conversion"][()], dtype=np.float64)
            if per_channel.shape != (num_channels,):
                raise FormatError(
                    f"{where}: the channel_conversion of {path!r} has {per_channel.size} values "
                    f"for {num_channels} channels"
                )
        gains = conversion * per_channel
        self.set_property("physical_unit", np.full(num_channels, unit))
        self.set_property("gain_to_physical_unit", gains)
        self.set_property("offset_to_physical_unit", np.full(num_channels, offset))
        scale = _UV_PER_UNIT.get(unit.strip().lower())
        if scale is not None:
            self.set_channel_gains(gains * scale)
            self.set_channel_offsets(offset * scale)

    def _set_electrode_properties(self, columns: dict[str, np.ndarray]) -> None:
        for name, values in columns.items():
            self.set_property(_PROPERTY_NAMES.get(name, name), values)
        if "group_name" in columns:
            self.set_property("group", columns["group_name"])
        axes = [a for a in ("rel_x", "rel_y", "rel_z") if a in columns]
        if len(axes) >= 2:
            locations = np.column_stack([columns[a] for a in axes]).astype(np.float64)
            self.set_channel_locations(locations)


def _choose_series(file: Any, wanted: str | None, where: str) -> str:
    if wanted is not None:
        key = str(wanted).strip("/")
        if key in file and attribute_text(file[key], "neurodata_type") in ELECTRICAL_SERIES_TYPES:
            return key
        available = find_typed_groups(file, ELECTRICAL_SERIES_TYPES)
        raise UnknownIdError(
            f"{where} has no electrical series at electrical_series_path={wanted!r}; its "
            f"electrical series are "
            f"{available}"
        )
    available = find_typed_groups(file, ELECTRICAL_SERIES_TYPES)
    if len(available) == 1:
        return available[0]
    if not available:
        raise FormatError(f"{where} has no electrical series")
    raise ValueError(
        f"{where} has several electrical series: give electrical_series_path, one of "
        f"{available}"
    )


def _series_times(
    series: Any, path: str, where: str, load_time_vector: bool
) -> tuple[float, float, np.ndarray | None]:
    """Sampling rate, start time and (if asked and present) the time vector of a series."""
    if "starting_time" in series:
        start = series["starting_time"]
        rate = start.attrs.get("rate")
        if rate is None or not float(rate) > 0:
            raise FormatError(f"{where}: the starting_time of {path!r} has no positive rate")
        return float(rate), float(start[()]), None
    if "timestamps" not in series:
        raise FormatError(f"{where}: the series {path!r} has neither starting_time nor timestamps")
    stamps = series["timestamps"]
    if stamps.shape[0] < 2:
        raise FormatError(
            f"{where}: the series {path!r} has {stamps.shape[0]} timestamps; a rate needs two"
        )
    first = np.asarray(stamps[:_RATE_ESTIMATION_SAMPLES], dtype=np.float64)
    step = float(np.median(np.diff(first)))
    if not step > 0:
        raise FormatError(f"{where}: the timestamps of {path!r} do not increase")
    vector = np.asarray(stamps[()], dtype=np.float64) if load_time_vector else None
    return 1.0 / step, float(first[0]), vector


def _electrode_rows(
    file: Any, series: Any, path: str, where: str, num_channels: int
) -> tuple[Any, np.ndarray]:
    """The electrodes table and the rows the series' channels are, in channel order."""
    default_table = "general/extracellular_ephys/electrodes"
    if "electrodes" not in series:
        table = file[default_table] if default_table in file else None
        if table is None or table["id"].shape[0] != num_channels:
            raise FormatError(f"{where}: the series {path!r} names no electrodes")
        return table, np.arange(num_channels)
    region = series["electrodes"]
    rows = np.asarray(region[()], dtype=np.int64)
    reference = region.attrs.get("table")
    table = file[reference] if reference is not None else file.get(default_table)
    if table is None:
        raise FormatError(f"{where}: the electrodes of {path!r} point to no table")
    if rows.shape != (num_channels,):
        raise FormatError(
            f"{where}: the series {path!r} has {num_channels} channels but names "
            f"{rows.size} electrodes"
        )
    size = int(table["id"].shape[0])
    if rows.size and (rows.min() < 0 or rows.max() >= size):
        raise FormatError(
            f"{where}: the series {path!r} names electrode rows {rows.min()}..{rows.max()} of a "
            f"table with {size} rows"
        )
    return table, rows


def _electrode_columns(table: Any, rows: np.ndarray, where: str) -> dict[str, np.ndarray]:
    """The electrodes table's plain columns at ``rows`` (references and ragged ones left)."""
    columns: dict[str, np.ndarray] = {}
    if table is None:
        return columns
    keys = set(table)
    size = int(table["id"].shape[0])
    for name in table_columns(table):
        found = read_column(table, name, where, keys)
        if found is None or found[1]:
            continue
        values = found[0]
        if values.shape[:1] == (size,):
            columns[name] = values[rows]
    return columns


def read_nwb_recording(
    file_path: str | os.PathLike[str],
    electrical_series_path: str | None = None,
    load_time_vector: bool = False,
    stream_mode: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> NwbRecordingExtractor:
    """Open one electrical series of an NWB file (see :class:`NwbRecordingExtractor`)."""
    return NwbRecordingExtractor(file_path, electrical_series_path, load_time_vector,
                                 stream_mode, None if storage_options is None
                                 else dict(storage_options))
