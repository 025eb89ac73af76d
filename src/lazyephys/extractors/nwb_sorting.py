"""The Units table of an NWB file as a lazy sorting, read with h5py.

``spike_times`` is one flat dataset of seconds with ``spike_times_index`` holding each unit's
end offset: the spike vector is built from the two in one vectorised step (no loop over
units), when a spike train is first asked for. Every other column of the table becomes a
unit property (ragged ones, such as ``obs_intervals``, as one array per unit).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError
from ..sorting.base import Sorting, empty_spike_vector, sort_spikes
from ..sorting.in_memory import SpikeVectorSegment
from .hdf5_files import open_hdf5
from .nwb_recording import ELECTRICAL_SERIES_TYPES, _series_times
from .nwb_tables import find_typed_groups, read_column, table_columns

__all__ = ["NwbSortingExtractor", "read_nwb_sorting", "spike_vector_from_ragged_times"]

_UNITS = "units"
#: Columns that are the spikes themselves, not properties.
_SPIKE_COLUMNS = ("spike_times",)


def spike_vector_from_ragged_times(
    times: np.ndarray, ends: np.ndarray, t_start: float, sampling_frequency: float
) -> np.ndarray:
    """A sorted spike vector from flat spike times (s) and each unit's end offset.

    Frames are ``round((time - t_start) * sampling_frequency)``.

    Examples
    --------
    >>> v = spike_vector_from_ragged_times(np.array([0.2, 0.1, 0.15]), np.array([1, 3]),
    ...                                    0.0, 100.0)
    >>> v["sample_index"].tolist(), v["unit_index"].tolist()
    ([10, 15, 20], [1, 1, 0])
    """
    ends = np.asarray(ends, dtype=np.int64)
    counts = np.diff(ends, prepend=0)
    units = np.repeat(np.arange(ends.size, dtype=np.int64), counts)
    frames = np.rint((np.asarray(times, dtype=np.float64) - t_start) * sampling_frequency)
    samples = frames.astype(np.int64)
    vector = empty_spike_vector(samples.size)
    if samples.size == 0:
        return vector
    order = sort_spikes(samples, units)
    vector["sample_index"] = samples[order]
    vector["unit_index"] = units[order]
    vector["segment_index"] = 0
    return vector


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

        def load() -> np.ndarray:
            ends = np.asarray(table["spike_times_index"][()], dtype=np.int64)
            times = np.asarray(table["spike_times"][()], dtype=np.float64)
            if ends.size != unit_ids.size or (ends.size and ends[-1] != times.size):
                raise FormatError(
                    f"{where}: spike_times_index ({ends.size} units ending at "
                    f"{ends[-1] if ends.size else 0}) does not fit {times.size} spike times"
                )
            if times.size and float(times.min()) < start_time - 0.5 / fs_value:
                raise FormatError(
                    f"{where}: a spike at {float(times.min())} s precedes t_start={start_time} s"
                )
            return spike_vector_from_ragged_times(times, ends, start_time, fs_value)

        self.add_segment(SpikeVectorSegment(None, unit_ids.size, 0, loader=load))
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
