"""The Recording base class and the recording-segment contract.

A segment is a tiny contract: ``num_samples`` and ``get_traces(start, end, channel_selector)``
with plain integers and a slice or an index array. All validation (ids to indices, frame
bounds, segment index) happens once, in :meth:`Recording.get_traces`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..base.segmented import SegmentedExtractor
from ..base.validation import (
    check_finite,
    check_time_vector,
    check_traces_dtype,
    resolve_frame_range,
    resolve_segment_index,
)

if TYPE_CHECKING:
    import probeinterface

__all__ = ["Recording", "RecordingSegment", "ChannelSelector", "selector_from_indices"]

ChannelSelector = slice | np.ndarray
ALL_CHANNELS = slice(None)


def selector_from_indices(indices: np.ndarray, num_channels: int) -> ChannelSelector:
    """The cheapest selector for ``indices``: ``slice(None)``, a contiguous slice, or the array.

    Slices read memory-mapped data without a gather, so contiguous selections use them.
    """
    n = indices.size
    if n == 0:
        return indices
    first = int(indices[0])
    if n == 1 or bool(np.all(np.diff(indices) == 1)):
        if first == 0 and n == num_channels:
            return ALL_CHANNELS
        return slice(first, first + n)
    return indices


def channel_indices_of(selector: ChannelSelector, num_channels: int) -> np.ndarray:
    """The explicit int64 index array of a selector."""
    if isinstance(selector, slice):
        return np.arange(num_channels, dtype=np.int64)[selector]
    return selector


class RecordingSegment(ABC):
    """One continuous piece of a recording.

    Parameters
    ----------
    num_samples : int or None
        Number of samples (frames) in the segment. None for segments written the
        SpikeInterface way, which define ``get_num_samples()`` instead.
    sampling_frequency, t_start, time_vector
        SpikeInterface's segment arguments, accepted so that its subclasses work: ``t_start``
        and ``time_vector`` become the segment's times when it is added with
        :meth:`Recording.add_recording_segment`.
    """

    __slots__ = ("_num_samples", "_si_times")

    def __init__(
        self,
        num_samples: int | None = None,
        sampling_frequency: float | None = None,
        t_start: float | None = None,
        time_vector: Any = None,
    ) -> None:
        self._num_samples = None if num_samples is None else int(num_samples)
        self._si_times = (t_start, time_vector)

    @property
    def num_samples(self) -> int:
        """Number of samples (frames) in the segment."""
        if self._num_samples is None:
            self._num_samples = int(self.get_num_samples())
        return self._num_samples

    def get_num_samples(self) -> int:
        """Number of samples (SpikeInterface's segment method; override it or give
        ``num_samples``)."""
        if self._num_samples is None:
            raise NotImplementedError(
                f"{type(self).__name__} gives neither num_samples to RecordingSegment.__init__ "
                "nor a get_num_samples() method"
            )
        return self._num_samples

    @abstractmethod
    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        """Traces ``[start_frame, end_frame)`` of the selected channels, shape (time, channel).

        Arguments are already validated. The result must be a copy or a read-only view.
        """

    def binary_description(self) -> dict[str, Any] | None:
        """Where this segment's samples lie in a raw file, or None when they are computed.

        A segment over a raw file returns ``{"file_path", "dtype", "num_channels",
        "time_axis", "file_offset"}`` so that exports can copy bytes without decoding.
        """
        return None


class Recording(SegmentedExtractor[RecordingSegment]):
    """A lazy, multi-segment, multi-channel continuous recording.

    Subclasses call ``super().__init__(sampling_frequency, channel_ids, dtype)`` and then
    :meth:`add_segment` once per segment.
    """

    _id_name = "channel"

    def __init__(self, sampling_frequency: float, channel_ids: Any, dtype: Any) -> None:
        super().__init__(channel_ids, sampling_frequency)
        self._dtype = check_traces_dtype(dtype)
        self._t_starts: list[float] = []
        self._time_vectors: list[np.ndarray | None] = []
        self._times_changed = False

    def add_segment(
        self,
        segment: RecordingSegment,
        t_start: float | None = None,
        time_vector: np.ndarray | None = None,
    ) -> None:
        """Append a segment, with the time of its first sample or a time vector.

        Both are checked as :meth:`set_start_time` and :meth:`set_times` check them.
        """
        index = len(self._segments)
        start = 0.0 if t_start is None else check_finite(t_start, f"t_start of segment {index}")
        if time_vector is not None:
            time_vector = check_time_vector(time_vector, segment.num_samples, index)
        self._segments.append(segment)
        self._t_starts.append(start)
        self._time_vectors.append(time_vector)

    def add_recording_segment(self, recording_segment: RecordingSegment) -> None:
        """Append a segment written the SpikeInterface way (its times from its constructor)."""
        recording_segment.num_samples  # noqa: B018  (fails now if the segment cannot say)
        t_start, time_vector = getattr(recording_segment, "_si_times", (None, None))
        vector = None if time_vector is None else np.asarray(time_vector, dtype=np.float64)
        self.add_segment(recording_segment, t_start, vector)

    # ---------------------------------------------------------------- shape
    @property
    def channel_ids(self) -> np.ndarray:
        return self.get_channel_ids()

    def get_channel_ids(self) -> np.ndarray:
        """The channel ids (a read-only array)."""
        ids = self._ids.view()
        ids.flags.writeable = False
        return ids

    def get_num_channels(self) -> int:
        """Number of channels."""
        return int(self._ids.size)

    def get_dtype(self) -> np.dtype:
        """The dtype of ``get_traces`` (before any scaling to uV)."""
        return self._dtype

    def get_num_samples(self, segment_index: int | None = None) -> int:
        """Number of samples in a segment (index optional on single-segment recordings)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        return self._segments[index].num_samples

    def get_total_samples(self) -> int:
        """Number of samples summed over segments."""
        return sum(segment.num_samples for segment in self._segments)

    def get_duration(self, segment_index: int | None = None) -> float:
        """Duration of a segment in seconds (from its time vector if it has one)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        if vector is not None and vector.size:
            return float(vector[-1] - vector[0]) + 1.0 / self._sampling_frequency
        return self._segments[index].num_samples / self._sampling_frequency

    def get_total_duration(self) -> float:
        """Duration in seconds summed over segments."""
        return sum(self.get_duration(i) for i in range(len(self._segments)))

    def get_num_frames(self, segment_index: int | None = None) -> int:
        """Number of samples in a segment (SpikeInterface's older name of get_num_samples)."""
        return self.get_num_samples(segment_index)

    def get_shape(self, segment_index: int | None = None) -> tuple[int, int]:
        """``(num_samples, num_channels)`` of a segment."""
        return (self.get_num_samples(segment_index), self.get_num_channels())

    def get_total_memory_size(self) -> int:
        """Bytes of the traces of every segment, were they loaded."""
        return self.get_memory_size()

    def get_frame_bytes(self) -> int:
        """Bytes of one frame (every channel); the executor sizes chunks with it."""
        return self.get_num_channels() * self._dtype.itemsize

    def get_memory_size(self) -> int:
        """Bytes of all traces, were they loaded."""
        return self.get_total_samples() * self.get_num_channels() * self._dtype.itemsize

    # --------------------------------------------------------------- traces
    def channel_selector(self, channel_ids: Any) -> ChannelSelector:
        """What a segment receives for ``channel_ids``: a slice, or an index array.

        None selects every channel. Kinds and jobs that read segments directly (through
        :meth:`get_segment`) use it to select channels as ``get_traces`` does.
        """
        return self._channel_selector(channel_ids)

    def _channel_selector(self, channel_ids: Any) -> ChannelSelector:
        if channel_ids is None:
            return ALL_CHANNELS
        indices = self._ids_to_indices(channel_ids)
        return selector_from_indices(indices, self._ids.size)

    def get_traces(
        self,
        segment_index: int | None = None,
        start_frame: int | None = None,
        end_frame: int | None = None,
        channel_ids: Any = None,
        order: str | None = None,
        return_in_uV: bool = False,
    ) -> np.ndarray:
        """Read a window of traces, shape (time, channel).

        Parameters
        ----------
        segment_index : int or None
            Required on multi-segment recordings.
        start_frame, end_frame : int or None
            The window ``[start_frame, end_frame)``; None means the segment's start or end.
            Frames outside the segment raise :class:`~lazyephys.errors.FrameRangeError`.
        channel_ids : list or None
            Channels to read, in this order; None reads all.
        order : {"C", "F"} or None
            Memory layout of the result.
        return_in_uV : bool
            Return float32 traces scaled with the ``gain_to_uV`` / ``offset_to_uV`` properties.

        Returns
        -------
        numpy.ndarray
            A copy or a read-only view: the result can never change the recording.

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.generate_recording(num_channels=4, durations=[1.0])
        >>> rec.get_traces(start_frame=0, end_frame=10, channel_ids=["0", "2"]).shape
        (10, 2)
        """
        segments = self._segments
        if segment_index is None and len(segments) == 1:
            segment = segments[0]
        else:
            segment = segments[resolve_segment_index(segment_index, len(segments))]
        start, end = resolve_frame_range(start_frame, end_frame, segment.num_samples)
        selector = ALL_CHANNELS if channel_ids is None else self._channel_selector(channel_ids)
        traces = segment.get_traces(start, end, selector)
        if return_in_uV:
            traces = self._scale_to_uV(traces, selector)
        if order is not None:
            if order not in ("C", "F"):
                raise ValueError(f"order must be 'C', 'F' or None, got {order!r}")
            traces = np.asarray(traces, order="C" if order == "C" else "F")
        return traces

    def get_data(
        self,
        start_frame: int | None = None,
        end_frame: int | None = None,
        segment_index: int | None = None,
        **kwargs: Any,
    ) -> np.ndarray:
        """Same as :meth:`get_traces` (SpikeInterface's generic name for time series data)."""
        return self.get_traces(segment_index=segment_index, start_frame=start_frame,
                               end_frame=end_frame, **kwargs)

    def _scale_to_uV(self, traces: np.ndarray, selector: ChannelSelector) -> np.ndarray:
        if not self.has_scaleable_traces():
            raise ValueError(
                "return_in_uV=True needs the properties 'gain_to_uV' and 'offset_to_uV'; "
                "set them with set_channel_gains / set_channel_offsets"
            )
        gains = self._properties["gain_to_uV"][selector].astype(np.float32)
        offsets = self._properties["offset_to_uV"][selector].astype(np.float32)
        scaled = traces.astype(np.float32)
        scaled *= gains
        scaled += offsets
        return scaled

    # ------------------------------------------------------- gains, offsets
    def set_channel_gains(self, gains: Any, channel_ids: Any = None) -> None:
        """Set the gain to uV of every channel (a scalar applies to all)."""
        self._set_scalar_or_vector("gain_to_uV", gains, channel_ids)

    def set_channel_offsets(self, offsets: Any, channel_ids: Any = None) -> None:
        """Set the offset in uV of every channel (a scalar applies to all)."""
        self._set_scalar_or_vector("offset_to_uV", offsets, channel_ids)

    def _check_property(self, key: str, values: np.ndarray) -> np.ndarray:
        if key not in ("gain_to_uV", "offset_to_uV"):
            return values
        if values.dtype.kind not in "iuf" or values.ndim != 1:
            raise TypeError(
                f"{key} must be one number per channel, got {values.dtype} values of shape "
                f"{values.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(
                f"{key} must be finite: the value at position {bad[0]} is {values[bad[0]]}"
            )
        return values.astype(np.float64)

    def _set_scalar_or_vector(self, key: str, values: Any, channel_ids: Any) -> None:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{key} must be numbers, got {values!r}") from err
        if array.ndim == 0:
            count = self.get_num_channels() if channel_ids is None else len(channel_ids)
            array = np.full(count, float(array))
        self.set_property(key, array, ids=channel_ids, missing_value=np.nan)

    def get_channel_gains(self, channel_ids: Any = None) -> np.ndarray:
        """Gains to uV (ones if none were set)."""
        if "gain_to_uV" not in self._properties:
            n = self.get_num_channels() if channel_ids is None else len(channel_ids)
            return np.ones(n)
        return self.get_property("gain_to_uV", channel_ids)

    def get_channel_offsets(self, channel_ids: Any = None) -> np.ndarray:
        """Offsets in uV (zeros if none were set)."""
        if "offset_to_uV" not in self._properties:
            n = self.get_num_channels() if channel_ids is None else len(channel_ids)
            return np.zeros(n)
        return self.get_property("offset_to_uV", channel_ids)

    def get_channel_property(self, channel_id: Any, key: str) -> Any:
        """The value of property ``key`` for one channel.

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.generate_recording(num_channels=2, durations=[1.0])
        >>> rec.set_property("quality", ["good", "bad"])
        >>> str(rec.get_channel_property("1", "quality"))
        'bad'
        """
        return self.get_property(key)[self._id_to_index(channel_id)]

    def is_filtered(self) -> bool:
        """True when the traces are marked as filtered (the ``is_filtered`` annotation)."""
        return bool(self._annotations.get("is_filtered", False))

    def is_binary_compatible(self) -> bool:
        """True when every segment's samples lie, unchanged, in a raw (time, channel) file.

        Such recordings can be copied or handed to other programs as their files.
        """
        found = [segment.binary_description() for segment in self._segments]
        descriptions = [d for d in found if d is not None]
        if not descriptions or len(descriptions) != len(found):
            return False
        return all(
            d["time_axis"] == 0 and np.dtype(d["dtype"]) == self._dtype
            and d["num_channels"] == self.get_num_channels()
            and d["file_offset"] == descriptions[0]["file_offset"]
            for d in descriptions
        )

    def get_binary_description(self) -> dict[str, Any]:
        """``{"file_paths", "dtype", "num_channels", "time_axis", "file_offset"}`` of the raw files.

        Raises
        ------
        ValueError
            If the recording is not binary compatible (see :meth:`is_binary_compatible`).
        """
        if not self.is_binary_compatible():
            raise ValueError(
                f"this {type(self).__name__} is not binary compatible: its traces are computed "
                "or transformed, not read unchanged from raw (time, channel) files"
            )
        descriptions = [d for d in (s.binary_description() for s in self._segments) if d]
        first = descriptions[0]
        return {
            "file_paths": [str(d["file_path"]) for d in descriptions],
            "dtype": self._dtype.str,
            "num_channels": self.get_num_channels(),
            "time_axis": 0,
            "file_offset": int(first["file_offset"]),
        }

    def astype(self, dtype: Any, round: bool | None = None) -> Recording:
        """A lazy view of the traces cast to ``dtype`` (see ``lazyephys.preprocessing.astype``).

        Parameters
        ----------
        dtype : numpy dtype
        round : bool or None
            Round floats before casting them to integers (None: round when going from
            floats to integers).
        """
        from ..base.doors import operation

        return operation("astype")(self, dtype=dtype, round=round)

    def has_scaleable_traces(self) -> bool:
        """True when gains and offsets to uV are known."""
        return "gain_to_uV" in self._properties and "offset_to_uV" in self._properties

    # ---------------------------------------------------------------- times
    def get_start_time(self, segment_index: int | None = None) -> float:
        """Time in seconds of the segment's first sample."""
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        if vector is not None and vector.size:
            return float(vector[0])
        return self._t_starts[index]

    def get_end_time(self, segment_index: int | None = None) -> float:
        """Time in seconds of the segment's last sample."""
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        if vector is not None and vector.size:
            return float(vector[-1])
        n = self._segments[index].num_samples
        return self._t_starts[index] + (n - 1) / self._sampling_frequency

    def has_time_vector(self, segment_index: int | None = None) -> bool:
        """True if the segment's times come from an explicit time vector."""
        index = resolve_segment_index(segment_index, len(self._segments))
        return self._time_vectors[index] is not None

    def get_times(self, segment_index: int | None = None) -> np.ndarray:
        """Time in seconds of every sample of a segment (float64)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        if vector is not None:
            return vector.copy()
        n = self._segments[index].num_samples
        return self._t_starts[index] + np.arange(n, dtype=np.float64) / self._sampling_frequency

    def set_times(self, times: Any, segment_index: int | None = None) -> None:
        """Give a segment explicit sample times (in place).

        Parameters
        ----------
        times : array-like
            One increasing, finite time in seconds per sample.
        segment_index : int or None
            Required on multi-segment recordings.
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        self._time_vectors[index] = check_time_vector(times, self._segments[index].num_samples,
                                                      index)
        self._times_changed = True

    def set_start_time(self, t_start: float, segment_index: int | None = None) -> None:
        """Set the time of a segment's first sample (in place; drops any time vector)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        self._t_starts[index] = check_finite(t_start, "t_start")
        self._time_vectors[index] = None
        self._times_changed = True

    def reset_times(self) -> None:
        """Drop every time vector and start every segment at 0 s (in place)."""
        for index in range(len(self._segments)):
            self._t_starts[index] = 0.0
            self._time_vectors[index] = None
        self._times_changed = True

    def shift_times(self, shift: float, segment_index: int | None = None) -> None:
        """Add ``shift`` seconds to the times of one segment, or of all when None (in place).

        Examples
        --------
        >>> import lazyephys as le
        >>> rec = le.generate_recording(num_channels=1, durations=[1.0])
        >>> rec.shift_times(2.5)
        >>> rec.get_start_time()
        2.5
        """
        shift = check_finite(shift, "shift")
        indices = (range(len(self._segments)) if segment_index is None
                   else [resolve_segment_index(segment_index, len(self._segments))])
        for index in indices:
            vector = self._time_vectors[index]
            if vector is not None:
                shifted = vector + float(shift)
                shifted.flags.writeable = False
                self._time_vectors[index] = shifted
            else:
                self._t_starts[index] += float(shift)
        self._times_changed = True

    def get_time_info(self, segment_index: int | None = None) -> dict[str, Any]:
        """``{"sampling_frequency", "t_start", "time_vector"}`` of a segment.

        As in SpikeInterface, ``t_start`` is None when the segment has a time vector or starts
        at 0 s (SpikeInterface's "never set"; both mean the first sample is at time 0), and
        ``time_vector`` is None when the segment has none. The dict can be passed back as
        ``t_start``/``time_vector`` arguments unchanged.
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        t_start = self._t_starts[index]
        return {
            "sampling_frequency": self._sampling_frequency,
            "t_start": None if vector is not None or t_start == 0.0 else t_start,
            "time_vector": vector,
        }

    def sample_index_to_time(self, sample_index: Any, segment_index: int | None = None) -> Any:
        """Times in seconds of sample indices (scalar or array)."""
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        frames = np.asarray(sample_index)
        if vector is not None:
            result = vector[frames]
        else:
            result = self._t_starts[index] + frames / self._sampling_frequency
        return float(result) if np.ndim(result) == 0 else result

    def time_to_sample_index(self, time_s: Any, segment_index: int | None = None) -> Any:
        """Sample indices nearest to times in seconds (scalar or array).

        With a time vector, the last sample at or before each time.
        """
        index = resolve_segment_index(segment_index, len(self._segments))
        vector = self._time_vectors[index]
        times = np.asarray(time_s, dtype=np.float64)
        if vector is not None:
            result = np.searchsorted(vector, times, side="right") - 1
        else:
            result = np.round((times - self._t_starts[index]) * self._sampling_frequency)
            result = result.astype(np.int64)
        return int(result) if np.ndim(result) == 0 else result

    # ------------------------------------------------- for kinds over a parent
    def get_segment(self, segment_index: int | None = None) -> RecordingSegment:
        """The segment object (the small contract kinds over this recording read through)."""
        return self._segments[resolve_segment_index(segment_index, len(self._segments))]

    def add_segments_over(
        self,
        parent: Recording,
        make_segment: Callable[[RecordingSegment, int], RecordingSegment],
    ) -> None:
        """Append one segment per segment of ``parent``, with the parent's times.

        ``make_segment(parent_segment, segment_index)`` builds each; a step or a view that
        keeps the parent's frames uses it so that times follow without copying them.
        """
        for index, segment in enumerate(parent.get_segments()):
            self.add_segment(
                make_segment(segment, index), parent._t_starts[index],
                parent._time_vectors[index],
            )

    def _segment_times_view(self, index: int, start: int, end: int) -> tuple[float, Any]:
        """(t_start, time_vector) of the frames ``[start, end)`` of a segment, for views."""
        vector = self._time_vectors[index]
        if vector is not None:
            return float(vector[start]) if end > start else 0.0, vector[start:end]
        return self._t_starts[index] + start / self._sampling_frequency, None

    # ----------------------------------------------------- provenance state
    def _mark_clean(self) -> None:
        super()._mark_clean()
        self._times_changed = False

    def _has_changed_state(self) -> bool:
        return super()._has_changed_state() or self._times_changed

    def _get_changed_state(self) -> dict[str, Any]:
        state = super()._get_changed_state()
        if self._times_changed:
            state["times"] = {"t_starts": list(self._t_starts), "time_vectors": self._time_vectors}
        return state

    def _apply_state(self, state: dict[str, Any]) -> None:
        super()._apply_state(state)
        times = state.get("times")
        if times:
            for index, (t_start, vector) in enumerate(
                zip(times["t_starts"], times["time_vectors"], strict=True)
            ):
                if vector is None:
                    self.set_start_time(t_start, index)
                else:
                    self.set_times(vector, index)

    # ----------------------------------------------------------------- repr
    def __repr__(self) -> str:
        n_seg = self.get_num_segments()
        samples = ", ".join(f"{s.num_samples:_}" for s in self._segments[:4])
        if n_seg > 4:
            samples += ", ..."
        size = self.get_memory_size()
        return (
            f"{type(self).__name__}: {self.get_num_channels()} channels - "
            f"{self._sampling_frequency / 1000:g} kHz - {n_seg} segment"
            f"{'s' if n_seg != 1 else ''} - {samples} samples - "
            f"{self.get_total_duration():.2f} s - {self._dtype} - {_human_bytes(size)}"
        )

    # ------------------------------------------------------------- views
    def frame_slice(self, start_frame: int | None, end_frame: int | None) -> Recording:
        """A lazy view of frames ``[start_frame, end_frame)`` of a single-segment recording."""
        from .views import frame_slice

        return frame_slice(self, start_frame, end_frame)

    def time_slice(
        self, start_time: float | None = None, end_time: float | None = None
    ) -> Recording:
        """A lazy view between two times in seconds (None: the segment's start or end)."""
        from .views import time_slice

        return time_slice(self, start_time, end_time)

    def select_channels(self, channel_ids: Any) -> Recording:
        """A lazy view of some channels, in the order given."""
        from .views import select_channels

        return select_channels(self, channel_ids)

    def remove_channels(self, remove_channel_ids: Any) -> Recording:
        """A lazy view without the channels given."""
        from .views import remove_channels

        return remove_channels(self, remove_channel_ids)

    def rename_channels(self, new_channel_ids: Any) -> Recording:
        """A lazy view with new channel ids (not in place)."""
        from .views import rename_channels

        return rename_channels(self, new_channel_ids)

    def select_segments(self, segment_indices: Any) -> Recording:
        """A lazy view of some segments, in the order given."""
        from .views import select_segments

        return select_segments(self, segment_indices)

    def split_by(self, property: str = "group", outputs: Literal["dict", "list"] = "dict") -> Any:
        """One lazy view per value of a channel property: a dict (or list) of recordings."""
        from .views import split_by

        return split_by(self, property, outputs)

    # --------------------------------------------------------------- probes
    def set_probe(
        self,
        probe: probeinterface.Probe,
        group_mode: Literal["by_probe", "by_shank"] = "by_probe",
        in_place: bool = False,
    ) -> Recording:
        """Attach a probeinterface ``Probe``; see :func:`~lazyephys.recording.probe.set_probegroup`.
        """
        from .probe import set_probegroup

        return set_probegroup(self, probe, group_mode=group_mode, in_place=in_place)

    def set_probegroup(
        self,
        probegroup: probeinterface.ProbeGroup,
        group_mode: Literal["by_probe", "by_shank"] = "by_probe",
        in_place: bool = False,
    ) -> Recording:
        """Attach a probeinterface ``ProbeGroup`` (contacts wired to channels)."""
        from .probe import set_probegroup

        return set_probegroup(self, probegroup, group_mode=group_mode, in_place=in_place)

    def get_probegroup(self) -> probeinterface.ProbeGroup:
        """The attached probes, contacts wired to channels in channel order."""
        from .probe import get_probegroup

        return get_probegroup(self)

    def get_probes(self) -> list[probeinterface.Probe]:
        """The attached probes, as a list."""
        return list(self.get_probegroup().probes)

    def set_dummy_probe_from_locations(
        self,
        locations: Any,
        shape: str = "circle",
        shape_params: dict[str, Any] | None = None,
        axes: str = "xy",
    ) -> None:
        """Attach (in place) a probe with one contact per channel at ``locations`` (um).

        Parameters
        ----------
        locations : array of shape (channels, 2)
        shape : {"circle", "square", "rect"}
            Contact shape.
        shape_params : dict or None
            probeinterface's shape parameters (default ``{"radius": 1}``).
        axes : str
            The axes the two location columns stand for.
        """
        from .probe import dummy_probe_from_locations

        probe = dummy_probe_from_locations(self.get_num_channels(), locations, shape,
                                           shape_params, axes)
        self.set_probe(probe, in_place=True)

    def get_probe(self) -> probeinterface.Probe:
        """The attached probe (only when there is exactly one)."""
        from .probe import get_probe

        return get_probe(self)

    def has_probe(self) -> bool:
        """True if a probe is attached."""
        return "contact_vector" in self._properties

    def get_channel_locations(self, channel_ids: Any = None, axes: str = "xy") -> np.ndarray:
        """Contact positions of the channels in um, shape (channels, len(axes))."""
        from .probe import get_channel_locations

        return get_channel_locations(self, channel_ids, axes)

    def set_channel_locations(self, locations: Any, channel_ids: Any = None) -> None:
        """Set channel positions in um (in place), shape (channels, 2 or 3)."""
        locations = np.asarray(locations, dtype=np.float64)
        if locations.ndim != 2 or locations.shape[1] not in (2, 3):
            raise ValueError(f"locations must have shape (channels, 2 or 3), got {locations.shape}")
        self.set_property("location", locations, ids=channel_ids)

    def get_channel_groups(self, channel_ids: Any = None) -> np.ndarray:
        """Channel groups (e.g. shank or probe index); zeros if none were set."""
        if "group" not in self._properties:
            n = self.get_num_channels() if channel_ids is None else len(channel_ids)
            return np.zeros(n, dtype=np.int64)
        return self.get_property("group", channel_ids)

    def set_channel_groups(self, groups: Any, channel_ids: Any = None) -> None:
        """Set the channel groups (in place)."""
        self.set_property("group", np.asarray(groups), ids=channel_ids)


def _human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.2f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    raise AssertionError("unreachable")

