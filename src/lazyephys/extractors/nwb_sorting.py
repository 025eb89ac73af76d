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


#: Spike times converted per block: a block stays in the CPU cache from read to frames.
_BLOCK = 2**18

#: Adding 1.5 x 2**52 to a float64 of magnitude below 2**51 rounds it to an integer (to
#: nearest, ties to even, as ``np.rint``) held in the low bits of the mantissa: subtracting
#: the constant's bit pattern from the sum's bits gives that integer. This replaces a slow
#: float-to-int conversion pass by an add and an integer subtract.
_ROUNDER = 1.5 * 2**52
_ROUNDER_BITS = int(np.float64(_ROUNDER).view(np.int64))
_ROUNDABLE = 2.0**51


def frames_from_times(times: Any, t_start: float, sampling_frequency: float,
                      ends: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """``round((times - t_start) * sampling_frequency)`` as int64, and whether it is sorted.

    ``times`` is an array or an HDF5 dataset, read block by block so that reading, scaling,
    rounding and the order check make one pass over memory. The order check ignores the
    steps into a new unit's run (``ends``: each unit's end offset).

    Examples
    --------
    >>> frames, in_order = frames_from_times(np.array([1.0, 1.00004, 1.0]), 1.0, 30000.0,
    ...                                      ends=np.array([2, 3]))
    >>> frames.tolist(), in_order
    ([0, 1, 0], True)
    """
    size = int(times.shape[0])
    frames = np.empty(size, dtype=np.int64)
    buffer = np.empty(min(size, _BLOCK), dtype=np.float64)
    drops: list[np.ndarray] = []
    previous_last: int | None = None
    for start in range(0, size, _BLOCK):
        stop = min(size, start + _BLOCK)
        work = buffer[: stop - start]
        if isinstance(times, np.ndarray):
            work[:] = times[start:stop]
        else:
            times.read_direct(work, np.s_[start:stop])
        if t_start:
            work -= t_start
        work *= sampling_frequency
        if work.size and not (-_ROUNDABLE < work.min() and work.max() < _ROUNDABLE):
            # NaN fails both comparisons
            raise FormatError(
                f"spike times {start}..{stop - 1} hold a value that is not finite or is beyond "
                f"2**51 frames at {sampling_frequency} Hz"
            )
        work += _ROUNDER
        block = frames[start:stop]
        np.subtract(work.view(np.int64), _ROUNDER_BITS, out=block)
        steps = np.flatnonzero(block[1:] < block[:-1]) + start + 1
        if steps.size:
            drops.append(steps)
        if previous_last is not None and block.size and block[0] < previous_last:
            drops.append(np.array([start]))
        if block.size:
            previous_last = int(block[-1])
    if not drops:
        return frames, True
    # a drop is allowed only where a new unit's run begins
    positions = np.concatenate(drops)
    starts = np.zeros(1, dtype=np.int64) if ends is None else np.asarray(ends, dtype=np.int64)
    return frames, bool(np.isin(positions, starts).all())


class RaggedUnitsSegment(SortingSegment):
    """Spike trains stored unit after unit (NWB's ragged ``spike_times``), as frames.

    A unit's train is a slice of the flat frames, counts are the offsets' differences; the
    spike vector sorted by (sample, unit) is built only when asked for.

    Parameters
    ----------
    loader : callable
        Returns ``(frames, ends, in_order)``: int64 frames unit after unit, each unit's end
        offset, and whether every unit's frames are already sorted.
    """

    __slots__ = ("_frames", "_loader", "_offsets", "_vector")

    def __init__(self, loader: Callable[[], tuple[np.ndarray, np.ndarray, bool]]) -> None:
        self._loader = loader
        self._frames: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._vector: np.ndarray | None = None

    def _trains(self) -> tuple[np.ndarray, np.ndarray]:
        if self._frames is None or self._offsets is None:
            frames, ends, in_order = self._loader()
            offsets = np.zeros(ends.size + 1, dtype=np.int64)
            offsets[1:] = ends
            if not in_order:
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
            num_units = offsets.size - 1
            units = np.repeat(np.arange(num_units, dtype=np.int64), np.diff(offsets))
            vector = empty_spike_vector(frames.size)
            if frames.size:
                top = int(frames.max()) + 1
                if frames.min() >= 0 and top < (2**62) // max(num_units, 1):
                    # one integer key per spike, sorted by value: the trains are sorted runs,
                    # which a stable (merging) sort of the values exploits; no gather needed
                    key = frames * num_units
                    key += units
                    del units
                    key.sort(kind="stable")
                    samples = key // num_units
                    vector["sample_index"] = samples
                    key -= samples * num_units
                    vector["unit_index"] = key
                else:
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

        def load() -> tuple[np.ndarray, np.ndarray, bool]:
            ends = np.asarray(table["spike_times_index"][()], dtype=np.int64)
            times = table["spike_times"]
            size = int(times.shape[0])
            if ends.size != unit_ids.size or (ends.size and ends[-1] != size) or \
                    np.any(np.diff(ends) < 0):
                raise FormatError(
                    f"{where}: spike_times_index ({ends.size} units ending at "
                    f"{ends[-1] if ends.size else 0}) does not fit {size} spike times"
                )
            frames, in_order = frames_from_times(times, start_time, fs_value, ends)
            if frames.size and frames.min() < 0:
                first = float(frames.min()) / fs_value + start_time
                raise FormatError(
                    f"{where}: a spike at {first} s precedes t_start={start_time} s"
                )
            return frames, ends, in_order

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
                f"{where} has no electrical series at electrical_series_path="
                f"{electrical_series_path!r}; its "
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
    keys = set(table)
    for name in table_columns(table):
        if name in _SPIKE_COLUMNS:
            continue
        found = read_column(table, name, where, keys)
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
