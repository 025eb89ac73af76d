"""The Units table of an NWB file as a lazy sorting, read with h5py.

``spike_times`` is one flat dataset of seconds with ``spike_times_index`` holding each unit's
end offset. Both are read when a spike train is first asked for and turned into frames in one
vectorised step (no loop over units); a unit's train is then a slice, and the spike vector
sorted by (sample, unit) is built only when asked for. Every other column of the table becomes a
unit property (ragged ones, such as ``obs_intervals``, as one array per unit).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError
from ..sorting.base import Sorting, SortingSegment, cut_train, empty_spike_vector, sort_spikes
from .hdf5_files import open_hdf5
from .nwb_recording import ELECTRICAL_SERIES_TYPES, _series_times
from .nwb_tables import find_typed_groups, read_column, table_columns

__all__ = ["NwbSortingExtractor", "RaggedUnitsSegment", "read_nwb_sorting", "frames_from_times"]

_UNITS = "units"
#: Columns that are the spikes themselves, not properties.
_SPIKE_COLUMNS = ("spike_times",)


def frames_from_times(times: np.ndarray, t_start: float, sampling_frequency: float) -> np.ndarray:
    """``round((times - t_start) * sampling_frequency)`` as int64, in place on a float copy.

    Examples
    --------
    >>> frames_from_times(np.array([1.0, 1.00004]), 1.0, 30000.0).tolist()
    [0, 1]
    """
    work = np.array(times, dtype=np.float64)  # one copy, then in-place passes
    work -= t_start
    work *= sampling_frequency
    np.rint(work, out=work)
    return work.astype(np.int64)


class RaggedUnitsSegment(SortingSegment):
    """Spike trains stored unit after unit (NWB's ragged ``spike_times``), as frames.

    A unit's train is a slice of the flat frames, counts are the offsets' differences; the
    spike vector sorted by (sample, unit) is built only when asked for.

    Parameters
    ----------
    loader : callable
        Returns ``(frames, ends)``: int64 frames unit after unit, and each unit's end offset.
    """

    __slots__ = ("_frames", "_loader", "_offsets", "_vector")

    def __init__(self, loader: Callable[[], tuple[np.ndarray, np.ndarray]]) -> None:
        self._loader = loader
        self._frames: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._vector: np.ndarray | None = None

    def _trains(self) -> tuple[np.ndarray, np.ndarray]:
        if self._frames is None or self._offsets is None:
            frames, ends = self._loader()
            offsets = np.zeros(ends.size + 1, dtype=np.int64)
            offsets[1:] = ends
            units_in_order = frames.size < 2 or not np.any(
                (np.diff(frames) < 0) & _not_unit_starts(offsets, frames.size))
            if not units_in_order:
                # a unit's times were stored out of order: sort within units once
                units = np.repeat(np.arange(ends.size, dtype=np.int64), np.diff(offsets))
                frames = frames[np.lexsort((frames, units))]
            frames.flags.writeable = False
            offsets.flags.writeable = False
            self._frames, self._offsets = frames, offsets
        return self._frames, self._offsets

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        if self._vector is None:
            frames, offsets = self._trains()
            units = np.repeat(np.arange(offsets.size - 1, dtype=np.int64), np.diff(offsets))
            vector = empty_spike_vector(frames.size)
            if frames.size:
                order = sort_spikes(frames, units)
                vector["sample_index"] = frames[order]
                vector["unit_index"] = units[order]
                vector["segment_index"] = 0
            vector.flags.writeable = False
            self._vector = vector
        if segment_index is None or segment_index == 0:
            return self._vector
        out = self._vector.copy()
        out["segment_index"] = segment_index
        return out

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        frames, offsets = self._trains()
        return cut_train(frames[offsets[unit_index]:offsets[unit_index + 1]], start_frame,
                         end_frame)

    def count_spikes(self, num_units: int) -> np.ndarray:
        return np.diff(self._trains()[1])

    def num_spikes(self) -> int:
        return int(self._trains()[1][-1])

    def last_spike_sample(self) -> int:
        frames = self._trains()[0]
        return int(frames.max()) if frames.size else -1


def _not_unit_starts(offsets: np.ndarray, size: int) -> np.ndarray:
    """For each of the ``size - 1`` steps between consecutive spikes: True within a unit."""
    inside = np.ones(size - 1, dtype=bool)
    starts = offsets[1:-1]
    starts = starts[(starts > 0) & (starts < size)]
    inside[starts - 1] = False
    return inside


@register_kind
class NwbSortingExtractor(Sorting):
    """The Units table of an NWB file (local path or remote URL), lazily.

    Parameters
    ----------
    file_path : str or Path
        The NWB file, or an ``s3://``, ``https://`` or other fsspec URL.
    electrical_series_path : str or None
        The electrical series whose rate and start time are used when ``sampling_frequency``
        or ``t_start`` are not given (default: the file's only one).
    sampling_frequency : float or None
        Frames per second of the sample indices; None takes the electrical series' rate.
    t_start : float or None
        The time (s) of frame 0; None takes the electrical series' start, or 0.0 when the
        file has none.
    stream_mode : {"fsspec", "remfile"} or None
        How a remote file is read (None: fsspec); None for local files.
    storage_options : dict or None
        fsspec options for a remote file.

    Notes
    -----
    Unit ids are the ``unit_name`` column where the table has one (unique), else its ids.
    A spike before ``t_start`` is an error, not dropped.

    Examples
    --------
    >>> sorting = read_nwb_sorting("/data/session.nwb",
    ...                            sampling_frequency=30000.0)  # doctest: +SKIP
    """

    _path_arguments = ("file_path",)

    def __init__(
        self,
        file_path: str | os.PathLike[str],
        electrical_series_path: str | None = None,
        sampling_frequency: float | None = None,
        t_start: float | None = None,
        stream_mode: str | None = None,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        file = open_hdf5(file_path, stream_mode, storage_options, "NWB")
        where = f"the NWB file {file_path}"
        if _UNITS not in file:
            raise FormatError(f"{where} has no units table ('/units')")
        table = file[_UNITS]
        for name in ("spike_times", "spike_times_index"):
            if name not in table:
                raise FormatError(f"{where}: the units table has no {name!r} dataset")
        if sampling_frequency is None or t_start is None:
            fs, start = _rate_and_start(file, electrical_series_path, where, sampling_frequency)
            sampling_frequency = fs if sampling_frequency is None else sampling_frequency
            t_start = start if t_start is None else t_start
        columns = _unit_columns(table, where)
        names = columns.get("unit_name")
        ids = np.asarray(table["id"][()])
        unit_ids = names if names is not None and np.unique(names).size == names.size else ids
        super().__init__(float(sampling_frequency), unit_ids)
        self._record_argument("sampling_frequency", float(sampling_frequency))
        self._record_argument("t_start", float(t_start))
        self._file = file
        start_time = float(t_start)
        fs_value = self.get_sampling_frequency()

        def load() -> tuple[np.ndarray, np.ndarray]:
            ends = np.asarray(table["spike_times_index"][()], dtype=np.int64)
            times = np.asarray(table["spike_times"][()], dtype=np.float64)
            if ends.size != unit_ids.size or (ends.size and ends[-1] != times.size) or \
                    np.any(np.diff(ends) < 0):
                raise FormatError(
                    f"{where}: spike_times_index ({ends.size} units ending at "
                    f"{ends[-1] if ends.size else 0}) does not fit {times.size} spike times"
                )
            frames = frames_from_times(times, start_time, fs_value)
            if frames.size and frames.min() < 0:
                raise FormatError(
                    f"{where}: a spike at {float(times.min())} s precedes t_start={start_time} s"
                )
            return frames, ends

        self.add_segment(RaggedUnitsSegment(load))
        for name, values in columns.items():
            self.set_property(name, values)


def _rate_and_start(
    file: Any, electrical_series_path: str | None, where: str, sampling_frequency: float | None
) -> tuple[float, float]:
    """The rate and start of the electrical series a sorting's frames count samples of."""
    if electrical_series_path is not None:
        paths = [str(electrical_series_path).strip("/")]
        if paths[0] not in file:
            raise FormatError(
                f"{where} has no electrical series at {electrical_series_path!r}; its "
                f"electrical series are {find_typed_groups(file, ELECTRICAL_SERIES_TYPES)}"
            )
    else:
        paths = find_typed_groups(file, ELECTRICAL_SERIES_TYPES)
    if len(paths) > 1:
        raise ValueError(
            f"{where} has several electrical series: give electrical_series_path (one of "
            f"{paths}) or sampling_frequency and t_start"
        )
    if not paths:
        if sampling_frequency is None:
            raise ValueError(
                f"{where} has no electrical series to take a sampling frequency from: give "
                "sampling_frequency"
            )
        return float(sampling_frequency), 0.0
    fs, start, _ = _series_times(file[paths[0]], paths[0], where, False)
    return fs, start


def _unit_columns(table: Any, where: str) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    num_units = int(table["id"].shape[0])
    for name in table_columns(table):
        if name in _SPIKE_COLUMNS:
            continue
        found = read_column(table, name, where)
        if found is None:
            continue
        values = found[0]
        if values.shape[:1] == (num_units,):
            columns[name] = values
    return columns


def read_nwb_sorting(
    file_path: str | os.PathLike[str],
    electrical_series_path: str | None = None,
    sampling_frequency: float | None = None,
    t_start: float | None = None,
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> NwbSortingExtractor:
    """Open the Units table of an NWB file (see :class:`NwbSortingExtractor`)."""
    return NwbSortingExtractor(file_path, electrical_series_path, sampling_frequency, t_start,
                               stream_mode, storage_options)
