"""The Sorting base class and the sorting-segment contract.

A sorting's native form is the spike vector: a structured array with the int64 fields
``sample_index``, ``unit_index`` and ``segment_index``, sorted by segment, then sample, then
unit. A segment is a tiny contract over the spikes of one segment:

- ``get_spike_vector(segment_index)``: the segment's spikes, sorted by (sample, unit);
- ``get_unit_spike_train(unit_index, start_frame, end_frame)``: one unit's frames in a range;
- ``count_spikes(num_units)``, ``num_spikes()``, ``last_spike_sample()``: cheap summaries.

Segments only see plain integers and unit *indices*. Ids, frame bounds and segment indices are
validated once, in :class:`Sorting`. Arrays a segment returns are either read-only views of
stored data or new arrays the caller owns (writeable), which lets a view modify them in place
instead of copying them again.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..base.extractor import BaseExtractor
from ..base.segmented import SegmentedExtractor
from ..base.validation import (
    resolve_open_frame_range,
    resolve_segment_index,
)
from ..errors import FrameRangeError, IncompatibleExtractorsError

if TYPE_CHECKING:
    from ..recording.base import Recording

__all__ = [
    "SPIKE_DTYPE",
    "Sorting",
    "SortingSegment",
    "search_sorted",
    "empty_spike_vector",
    "sort_spikes",
    "order_ties_by_unit",
    "check_sorting_fits_recording",
]

SPIKE_DTYPE = np.dtype(
    [("sample_index", "int64"), ("unit_index", "int64"), ("segment_index", "int64")]
)


def empty_spike_vector(size: int = 0) -> np.ndarray:
    """A new, uninitialised spike vector of ``size`` spikes (zeros when ``size`` is 0)."""
    return np.empty(size, dtype=SPIKE_DTYPE) if size else np.zeros(0, dtype=SPIKE_DTYPE)


def search_sorted(values: np.ndarray, value: int, side: str = "left") -> int:
    """``np.searchsorted`` for one value in a sorted, possibly strided 1-d array.

    ``np.searchsorted`` copies a strided array (such as a field of a spike vector) to make it
    contiguous, which costs O(n) time and memory. A bisection on the array itself costs
    O(log n) element reads.
    """
    if side == "left":
        return bisect.bisect_left(values, value)
    return bisect.bisect_right(values, value)


def sort_spikes(samples: np.ndarray, units: np.ndarray) -> np.ndarray:
    """The order that sorts spikes by sample, then unit (an int64 index array).

    One integer key ``sample * num_units + unit`` sorts faster than ``np.lexsort`` on two
    keys; the two-key sort is used only where that key could overflow.
    """
    if samples.size == 0:
        return np.zeros(0, dtype=np.int64)
    top_unit = int(units.max()) + 1
    top_sample = int(samples.max()) + 1
    if samples.min() >= 0 and units.min() >= 0 and top_sample < (2**62) // max(top_unit, 1):
        return np.argsort(samples * top_unit + units)
    return np.lexsort((units, samples))


def order_ties_by_unit(vector: np.ndarray) -> None:
    """Re-sort, in place, the spikes of equal sample so that their units ascend.

    ``vector`` holds one segment and is sorted by sample; only the runs of equal samples are
    touched, so the cost is one vectorised pass plus a sort of those few spikes.
    """
    samples = vector["sample_index"]
    units = vector["unit_index"]
    if vector.size < 2:
        return
    same = samples[1:] == samples[:-1]
    if not np.any(same & (units[1:] < units[:-1])):
        return
    tied = np.zeros(vector.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    positions = np.flatnonzero(tied)
    # within a run of equal samples only the units move: sort (sample, unit) keys of the tied
    # spikes and write the units back; the other fields are equal along the run
    tied_samples = samples[positions]
    tied_units = units[positions]
    top = int(tied_units.max()) + 1
    if int(tied_samples.max()) < (2**62) // top:
        keys = tied_samples * top + tied_units
        keys.sort(kind="stable")  # the runs are short and already in sample order
        units[positions] = keys - tied_samples * top
    else:
        order = np.lexsort((tied_units, tied_samples))
        units[positions] = tied_units[order]


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class SortingSegment:
    """The spikes of one segment.

    Subclasses implement :meth:`get_spike_vector`; the other methods have vectorised
    defaults built on it that subclasses may replace by cheaper ones. A segment written the
    SpikeInterface way (``get_unit_spike_train(unit_id, start_frame, end_frame)``) is added
    with :meth:`Sorting.add_sorting_segment`, which reads it through unit ids.

    Parameters
    ----------
    t_start : float or None
        SpikeInterface's segment argument, accepted so that its subclasses work (unused: a
        sorting's times come from its registered recording).
    """

    __slots__ = ()

    def __init__(self, t_start: float | None = None) -> None:
        pass

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        """The segment's spikes as a spike vector sorted by (sample, unit).

        Parameters
        ----------
        segment_index : int or None
            Value of the ``segment_index`` field; None means any value (the caller will
            overwrite it), which lets stored data be returned without a copy.

        Returns
        -------
        numpy.ndarray
            A read-only view of stored data, or a new array the caller owns.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_spike_vector; a segment written the "
            "SpikeInterface way (get_unit_spike_train(unit_id, start_frame, end_frame)) is added "
            "with sorting.add_sorting_segment(segment)"
        )

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        """Sorted frames of one unit in ``[start_frame, end_frame)`` (end None: no bound)."""
        vector = cut_spike_vector(self.get_spike_vector(None), start_frame, end_frame)
        return vector["sample_index"][vector["unit_index"] == unit_index]

    def count_spikes(self, num_units: int) -> np.ndarray:
        """Spikes per unit index (int64, length ``num_units``)."""
        units = self.get_spike_vector(None)["unit_index"]
        return np.bincount(units, minlength=num_units).astype(np.int64, copy=False)

    def num_spikes(self) -> int:
        """Number of spikes in the segment."""
        return int(self.get_spike_vector(None).size)

    def last_spike_sample(self) -> int:
        """Sample index of the last spike, or -1 when the segment has none."""
        vector = self.get_spike_vector(None)
        return int(vector["sample_index"][-1]) if vector.size else -1

    def precompute(self) -> None:
        """Build whatever makes per-unit reads cheap (nothing by default)."""


def cut_spike_vector(vector: np.ndarray, start_frame: int, end_frame: int | None) -> np.ndarray:
    """The spikes of a sorted spike vector with ``start_frame <= sample < end_frame`` (a view)."""
    samples = vector["sample_index"]
    lo = search_sorted(samples, start_frame) if start_frame > 0 else 0
    hi = vector.size if end_frame is None else search_sorted(samples, end_frame)
    if lo == 0 and hi == vector.size:
        return vector
    return vector[lo:hi]


def cut_train(train: np.ndarray, start_frame: int, end_frame: int | None) -> np.ndarray:
    """The part of a sorted spike train inside ``[start_frame, end_frame)`` (a view)."""
    lo = int(np.searchsorted(train, start_frame)) if start_frame > 0 else 0
    hi = train.size if end_frame is None else int(np.searchsorted(train, end_frame))
    return train[lo:hi]


def _depends_on(extractor: BaseExtractor, target: BaseExtractor) -> bool:
    """True if ``target`` is ``extractor`` or something it is built from."""
    seen: set[int] = set()
    stack = [extractor]
    while stack:
        item = stack.pop()
        if item is target:
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        stack.extend(item._child_extractors())
    return False


def check_sorting_fits_recording(sorting: Sorting, recording: Any) -> None:
    """Raise unless ``recording`` is a Recording with the sorting's frequency and segments."""
    from ..recording.base import Recording

    if not isinstance(recording, Recording):
        raise TypeError(f"expected a Recording, got {type(recording).__name__}")
    fs, own = recording.get_sampling_frequency(), sorting.get_sampling_frequency()
    if not math.isclose(fs, own, rel_tol=1e-9):
        raise IncompatibleExtractorsError(
            f"the recording's sampling frequency is {fs} Hz, the sorting's is {own} Hz"
        )
    if recording.get_num_segments() != sorting.get_num_segments():
        raise IncompatibleExtractorsError(
            f"the recording has {recording.get_num_segments()} segments, the sorting has "
            f"{sorting.get_num_segments()}"
        )


class Sorting(SegmentedExtractor[SortingSegment]):
    """A lazy, multi-segment sorting: spike trains of units, as sample indices.

    Subclasses call ``super().__init__(sampling_frequency, unit_ids)`` and then
    :meth:`add_segment` once per segment.
    """

    _id_name = "unit"

    def __init__(self, sampling_frequency: float, unit_ids: Any) -> None:
        super().__init__(unit_ids, sampling_frequency)
        self._num_samples: list[int | None] = []
        self._recording: Recording | None = None
        self._recording_changed = False
        self._num_samples_changed = False

    def add_segment(self, segment: SortingSegment, num_samples: int | None = None) -> None:
        """Append a segment, with its number of samples when known."""
        self._segments.append(segment)
        self._num_samples.append(None if num_samples is None else int(num_samples))

    def add_sorting_segment(self, sorting_segment: Any) -> None:
        """Append a segment written the SpikeInterface way: it gives each unit's frames with
        ``get_unit_spike_train(unit_id, start_frame, end_frame)``."""
        from .unit_trains import UnitTrainsSegment

        self.add_segment(UnitTrainsSegment(sorting_segment, self._ids))

    # ---------------------------------------------------------------- shape
    @property
    def unit_ids(self) -> np.ndarray:
        return self.get_unit_ids()

    def get_unit_ids(self) -> np.ndarray:
        """The unit ids (a read-only array)."""
        return _read_only(self._ids)

    def get_num_units(self) -> int:
        """Number of units."""
        return int(self._ids.size)

    def get_segment(self, segment_index: int | None = None) -> SortingSegment:
        """The segment object (the small contract kinds over this sorting read through)."""
        return self._segments[resolve_segment_index(segment_index, len(self._segments))]

    def known_num_samples(self, segment_index: int | None = None) -> int | None:
        """Number of samples of a segment, or None when it is not known."""
        return self._known_num_samples(resolve_segment_index(segment_index, len(self._segments)))

    def _known_num_samples(self, index: int) -> int | None:
        if self._recording is not None:
            return self._recording.get_num_samples(index)
        return self._num_samples[index]

    def get_num_samples(self, segment_index: int | None = None) -> int:
        """Number of samples of a segment, when known.

        It is known from a registered recording or from the construction (generated
        sortings, frame slices, ``num_samples=``); otherwise this raises ``ValueError``.
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        num = self._known_num_samples(index)
        if num is None:
            raise ValueError(
                f"the number of samples of segment {index} is not known for this "
                f"{type(self).__name__}: register a recording with register_recording(...) or "
                "give num_samples when building it"
            )
        return num

    def get_frame_bytes(self) -> int:
        """Bytes of spike vector per frame, on average (at least 1).

        The executor sizes chunks with it, so ``chunk_memory`` bounds the spikes a chunk holds.
        """
        spikes = sum(segment.num_spikes() for segment in self._segments)
        total = max(self.get_total_samples(), 1)
        return max(1, -(-spikes * SPIKE_DTYPE.itemsize // total))

    def get_total_duration(self) -> float:
        """Duration in seconds summed over segments (when known)."""
        return self.get_total_samples() / self._sampling_frequency

    # -------------------------------------------------------------- spikes
    def to_spike_vector(self, concatenated: bool = True) -> Any:
        """All spikes as a spike vector.

        Parameters
        ----------
        concatenated : bool
            One array for all segments (default), or a list with one array per segment.

        Returns
        -------
        numpy.ndarray or list of numpy.ndarray
            Structured arrays with the int64 fields ``sample_index``, ``unit_index`` and
            ``segment_index``, sorted by segment, then sample, then unit. Read-only views of
            stored data or new arrays: the result can never change the sorting.

        Examples
        --------
        >>> import lazyephys as le
        >>> sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
        >>> vector = sorting.to_spike_vector()
        >>> vector.dtype.names
        ('sample_index', 'unit_index', 'segment_index')
        """
        if not concatenated:
            return [seg.get_spike_vector(i) for i, seg in enumerate(self._segments)]
        if len(self._segments) == 1:
            return self._segments[0].get_spike_vector(0)
        return self._concatenated_spike_vector()

    def _concatenated_spike_vector(self) -> np.ndarray:
        parts = [seg.get_spike_vector(i) for i, seg in enumerate(self._segments)]
        return np.concatenate(parts) if parts else empty_spike_vector()

    def get_unit_spike_train(
        self,
        unit_id: Any,
        segment_index: int | None = None,
        start_frame: int | None = None,
        end_frame: int | None = None,
        return_times: bool = False,
    ) -> np.ndarray:
        """The spike train of one unit: sorted sample indices (or times in seconds).

        Parameters
        ----------
        unit_id : str or int
            The unit.
        segment_index : int or None
            Required on multi-segment sortings.
        start_frame, end_frame : int or None
            Keep spikes with ``start_frame <= sample < end_frame``.
        return_times : bool
            Times in seconds: from the registered recording's times if there is one,
            else ``sample / sampling_frequency``.

        Returns
        -------
        numpy.ndarray
            int64 frames (a read-only view or a copy) or float64 times.

        Examples
        --------
        >>> import lazyephys as le
        >>> sorting = le.generate_sorting(num_units=3, durations=[10.0], seed=0)
        >>> train = sorting.get_unit_spike_train(unit_id="1", start_frame=0, end_frame=30000)
        >>> bool(train.max() < 30000)
        True
        """
        unit_index = self._id_to_index(unit_id)
        index = resolve_segment_index(segment_index, len(self._segments))
        start, end = resolve_open_frame_range(
            start_frame, end_frame, self._known_num_samples(index), index
        )
        train = self._segments[index].get_unit_spike_train(unit_index, start, end)
        if return_times:
            return self._frames_to_times(train, index)
        if train.flags.writeable and train.base is not None:
            train = _read_only(train)
        return train

    def sample_index_to_time(self, sample_index: Any, segment_index: int | None = None) -> Any:
        """Times in seconds of sample indices (scalar or array).

        From the registered recording's times (its time vector or ``t_start``) when there is
        one, else ``sample_index / sampling_frequency``.

        Examples
        --------
        >>> import lazyephys as le
        >>> sorting = le.generate_sorting(num_units=1, sampling_frequency=1000.0, seed=0)
        >>> sorting.sample_index_to_time(1500)
        1.5
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        if self._recording is not None:
            return self._recording.sample_index_to_time(sample_index, index)
        result = np.asarray(sample_index) / self._sampling_frequency
        return float(result) if np.ndim(result) == 0 else result

    def time_to_sample_index(self, time_s: Any, segment_index: int | None = None) -> Any:
        """Sample indices of times in seconds (scalar or array): the nearest sample, or with a
        registered recording's time vector, the last sample at or before each time."""
        index = resolve_segment_index(segment_index, len(self._segments))
        if self._recording is not None:
            return self._recording.time_to_sample_index(time_s, index)
        result = np.round(np.asarray(time_s, dtype=np.float64) * self._sampling_frequency)
        result = result.astype(np.int64)
        return int(result) if np.ndim(result) == 0 else result

    def _frames_to_times(self, frames: np.ndarray, index: int) -> np.ndarray:
        if self._recording is not None:
            return np.asarray(self._recording.sample_index_to_time(frames, index), np.float64)
        return frames / self._sampling_frequency

    def count_num_spikes_per_unit(self, outputs: Literal["dict", "array"] = "dict") -> Any:
        """Spikes per unit, summed over segments.

        Parameters
        ----------
        outputs : {"dict", "array"}
            A dict ``{unit_id: count}`` or an int64 array aligned with the unit ids.

        Examples
        --------
        >>> import lazyephys as le
        >>> sorting = le.generate_sorting(num_units=2, durations=[1.0], seed=0)
        >>> sorted(sorting.count_num_spikes_per_unit())
        ['0', '1']
        """
        if outputs not in ("dict", "array"):
            raise ValueError(f"outputs must be 'dict' or 'array', got {outputs!r}")
        n = self.get_num_units()
        counts = np.zeros(n, dtype=np.int64)
        for segment in self._segments:
            counts += segment.count_spikes(n)
        if outputs == "array":
            return counts
        return dict(zip(self._ids.tolist(), counts.tolist(), strict=True))

    def count_total_num_spikes(self) -> int:
        """Number of spikes over all units and segments."""
        return sum(segment.num_spikes() for segment in self._segments)

    def get_non_empty_unit_ids(self) -> np.ndarray:
        """The ids of the units with at least one spike (in any segment)."""
        return self._ids[self.count_num_spikes_per_unit(outputs="array") > 0]

    def get_empty_unit_ids(self) -> np.ndarray:
        """The ids of the units without any spike."""
        return self._ids[self.count_num_spikes_per_unit(outputs="array") == 0]

    def get_unit_property(self, unit_id: Any, key: str) -> Any:
        """The value of property ``key`` for one unit."""
        return self.get_property(key)[self._id_to_index(unit_id)]

    def get_unit_spike_train_in_seconds(
        self,
        unit_id: Any,
        segment_index: int | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
    ) -> np.ndarray:
        """The spike times in seconds of one unit between ``start_time`` and ``end_time``.

        With a registered recording, times come from its times and both bounds are included.
        Without one, times are ``sample / sampling_frequency`` and the bounds are rounded to
        the nearest samples, the end excluded (as SpikeInterface does).

        Examples
        --------
        >>> import lazyephys as le
        >>> s = le.NumpySorting.from_unit_dict({"a": [0, 500, 1000]}, sampling_frequency=1000.0)
        >>> s.get_unit_spike_train_in_seconds("a", start_time=0.25, end_time=1.0).tolist()
        [0.5]
        """
        if self._recording is None:
            index = resolve_segment_index(segment_index, len(self._segments))
            start = None if start_time is None else self.time_to_sample_index(start_time, index)
            end = None if end_time is None else self.time_to_sample_index(end_time, index)
            frames = self.get_unit_spike_train(unit_id, index, start_frame=max(start, 0)
                                               if start is not None else None,
                                               end_frame=end)
            return frames / self._sampling_frequency
        times = self.get_unit_spike_train(unit_id, segment_index, return_times=True)
        keep = np.ones(times.size, dtype=bool)
        if start_time is not None:
            keep &= times >= float(start_time)
        if end_time is not None:
            keep &= times <= float(end_time)
        return times if bool(keep.all()) else times[keep]

    # ---------------------------------------------------------------- times
    def has_time_vector(self, segment_index: int | None = None) -> bool:
        """True when the registered recording's segment has a time vector."""
        index = resolve_segment_index(segment_index, len(self._segments))
        return self._recording is not None and self._recording.has_time_vector(index)

    def get_times(self, segment_index: int | None = None) -> np.ndarray | None:
        """The registered recording's sample times of a segment, or None without one."""
        index = resolve_segment_index(segment_index, len(self._segments))
        if self._recording is None:
            return None
        return self._recording.get_times(index)

    def get_start_time(self, segment_index: int | None = None) -> float:
        """Time in seconds of the segment's first sample (0 without a registered recording)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        if self._recording is not None:
            return self._recording.get_start_time(index)
        return 0.0

    def get_end_time(self, segment_index: int | None = None) -> float:
        """Time in seconds of the segment's last sample.

        From the registered recording, else from the known number of samples, else the time
        of the segment's last spike (0 when it has none).
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        if self._recording is not None:
            return self._recording.get_end_time(index)
        known = self._known_num_samples(index)
        last = known - 1 if known is not None else self._segments[index].last_spike_sample()
        return max(last, 0) / self._sampling_frequency

    # -------------------------------------------------------------- caches
    def precompute_spike_trains(self) -> None:
        """Build the per-unit index of every segment now, so later spike-train reads are slices.

        Examples
        --------
        >>> import lazyephys as le
        >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
        >>> sorting.precompute_spike_trains()
        """
        for segment in self._segments:
            segment.precompute()

    # ------------------------------------------------------------ recording
    def register_recording(self, recording: Recording, check_spike_frames: bool = True) -> None:
        """Attach the recording this sorting comes from (in place).

        Its numbers of samples and times are then used by :meth:`get_num_samples` and
        ``return_times=True``. The recording is saved with the sorting's provenance unless it
        is built from this sorting (then only the numbers of samples are saved).

        Parameters
        ----------
        recording : Recording
            Same sampling frequency and number of segments.
        check_spike_frames : bool
            Check that every spike lies inside the recording's segments.
        """
        check_sorting_fits_recording(self, recording)
        if check_spike_frames:
            for index, segment in enumerate(self._segments):
                last = segment.last_spike_sample()
                num = recording.get_num_samples(index)
                if last >= num:
                    raise FrameRangeError(
                        f"segment {index} has a spike at sample {last} but the recording's "
                        f"segment has {num} samples"
                    )
        self._recording = recording
        self._recording_changed = True

    def has_recording(self) -> bool:
        """True if a recording is registered."""
        return self._recording is not None

    def get_registered_recording(self) -> Recording | None:
        """The registered recording, or None (kinds built over this sorting keep its times)."""
        return self._recording

    # ----------------------------------------------------- provenance state
    def _saves_recording(self) -> bool:
        return (
            self._recording_changed
            and self._recording is not None
            and not _depends_on(self._recording, self)
        )

    def _child_extractors(self) -> list[BaseExtractor]:
        children = super()._child_extractors()
        if self._saves_recording():
            children.append(self._recording)  # type: ignore[arg-type]
        return children

    def _mark_clean(self) -> None:
        super()._mark_clean()
        self._recording_changed = False
        self._num_samples_changed = False

    def _has_changed_state(self) -> bool:
        return (
            super()._has_changed_state() or self._recording_changed or self._num_samples_changed
        )

    def _get_changed_state(self) -> dict[str, Any]:
        state = super()._get_changed_state()
        if self._saves_recording():
            state["recording"] = self._recording
        elif self._recording_changed or self._num_samples_changed:
            state["num_samples"] = [
                self._known_num_samples(i) for i in range(len(self._segments))
            ]
        return state

    def _apply_state(self, state: dict[str, Any]) -> None:
        super()._apply_state(state)
        if state.get("recording") is not None:
            self.register_recording(state["recording"], check_spike_frames=False)
        if state.get("num_samples") is not None:
            values = state["num_samples"]
            if len(values) != len(self._segments):
                raise ValueError(
                    f"state num_samples has {len(values)} entries for "
                    f"{len(self._segments)} segments"
                )
            self._num_samples = [None if v is None else int(v) for v in values]
            self._num_samples_changed = True

    # ----------------------------------------------------------------- repr
    def __repr__(self) -> str:
        n_seg = self.get_num_segments()
        text = (
            f"{type(self).__name__}: {self.get_num_units()} units - {n_seg} segment"
            f"{'s' if n_seg != 1 else ''} - {self._sampling_frequency / 1000:g} kHz"
        )
        known = [self._known_num_samples(i) for i in range(n_seg)]
        if n_seg and all(num is not None for num in known):
            total = sum(known) / self._sampling_frequency  # type: ignore[arg-type]
            text += f" - {total:.2f} s"
        ids = self._ids.tolist()
        shown = ", ".join(repr(i) for i in ids[:6]) + (", ..." if len(ids) > 6 else "")
        return f"{text} - unit_ids: [{shown}]"

    # ------------------------------------------------------------- views
    def rename_units(self, new_unit_ids: Any) -> Sorting:
        """A lazy view with new unit ids (same length, unique; not in place)."""
        from .views import rename_units

        return rename_units(self, new_unit_ids)

    def select_units(self, unit_ids: Any, renamed_unit_ids: Any = None) -> Sorting:
        """A lazy view of some units, in the order given, optionally renamed."""
        from .views import select_units

        return select_units(self, unit_ids, renamed_unit_ids)

    def remove_units(self, remove_unit_ids: Any) -> Sorting:
        """A lazy view without the units given."""
        from .views import remove_units

        return remove_units(self, remove_unit_ids)

    def remove_empty_units(self) -> Sorting:
        """A lazy view without the units that have no spike."""
        from .views import remove_empty_units

        return remove_empty_units(self)

    def frame_slice(self, start_frame: int | None, end_frame: int | None) -> Sorting:
        """A lazy view of frames ``[start_frame, end_frame)`` of a single-segment sorting."""
        from .views import frame_slice

        return frame_slice(self, start_frame, end_frame)

    def time_slice(self, start_time: float | None = None, end_time: float | None = None) -> Sorting:
        """A lazy view between two times in seconds (None: the segment's start or end)."""
        from .views import time_slice

        return time_slice(self, start_time, end_time)

    def select_segments(self, segment_indices: Any) -> Sorting:
        """A lazy view of some segments, in the order given."""
        from .views import select_segments

        return select_segments(self, segment_indices)

    def split_by(self, property: str = "group", outputs: Literal["dict", "list"] = "dict") -> Any:
        """One lazy view per value of a unit property: a dict (or list) of sortings."""
        from .views import split_by

        return split_by(self, property, outputs)

    def select_periods(self, periods: Any) -> Sorting:
        """Keep, for each unit, only its spikes inside its periods (see
        :func:`~lazyephys.sorting.periods.select_periods`)."""
        from .periods import select_periods

        return select_periods(self, periods)

    def to_shared_memory_sorting(self) -> Sorting:
        """A copy whose spike vector lives in shared memory (workers attach without copies)."""
        from .shared_memory import SharedMemorySorting

        return SharedMemorySorting.from_sorting(self)

    def to_numpy_sorting(self) -> Sorting:
        """An in-memory copy (a ``NumpySorting``) with the same ids and properties."""
        from .in_memory import NumpySorting

        return NumpySorting.from_sorting(self)
