"""Combining recordings: concatenation in time, segments side by side, channel aggregation.

Compatibility (sampling frequency, dtype, channels, segments) is checked when the combined
recording is built, never at the first read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.combine import (
    aggregated_ids,
    as_extractor_list,
    check_same_ids,
    check_same_sampling_frequency,
    merge_properties,
)
from ..base.provenance import register_kind
from ..errors import IncompatibleExtractorsError
from .base import (
    ChannelSelector,
    Recording,
    RecordingSegment,
    channel_indices_of,
)

__all__ = [
    "ConcatenateSegmentRecording",
    "AppendSegmentRecording",
    "ChannelsAggregationRecording",
    "concatenate_recordings",
    "append_recordings",
    "aggregate_channels",
]


def _check_compatible(recordings: list[Recording], what: str, max_diff: float = 0.0) -> None:
    check_same_sampling_frequency(recordings, what, max_diff)
    first = recordings[0]
    for i, rec in enumerate(recordings[1:], start=1):
        if rec.get_dtype() != first.get_dtype():
            raise IncompatibleExtractorsError(
                f"{what}: recording {i} has dtype {rec.get_dtype()}, recording 0 has "
                f"{first.get_dtype()}"
            )


class ConcatenatedSegment(RecordingSegment):
    """Several parent segments joined end to end."""

    __slots__ = ("boundaries", "parents")

    def __init__(self, parents: list[RecordingSegment]) -> None:
        lengths = np.array([p.num_samples for p in parents], dtype=np.int64)
        self.boundaries = np.concatenate([[0], np.cumsum(lengths)])
        super().__init__(int(self.boundaries[-1]))
        self.parents = parents

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        bounds = self.boundaries
        first = int(np.searchsorted(bounds, start_frame, side="right")) - 1
        first = min(first, len(self.parents) - 1)
        pieces = []
        index = first
        position = start_frame
        while True:
            local_start = position - int(bounds[index])
            local_end = min(end_frame, int(bounds[index + 1])) - int(bounds[index])
            pieces.append(self.parents[index].get_traces(local_start, local_end, channel_selector))
            position = int(bounds[index]) + local_end
            index += 1
            if position >= end_frame or index >= len(self.parents):
                break
        if len(pieces) == 1:
            return pieces[0]
        return np.concatenate(pieces, axis=0)


@register_kind
class ConcatenateSegmentRecording(Recording):
    """All segments of all recordings, in order, joined into one segment.

    Parameters
    ----------
    recording_list : list of Recording
        Same sampling frequency, dtype and channel ids.
    ignore_times : bool
        If True (default) the result's times start at the first recording's start and run
        at the sampling frequency. If False, time vectors are concatenated (every input
        segment must then have one).
    sampling_frequency_max_diff : float
        Tolerated difference between sampling frequencies, in Hz.
    """

    def __init__(
        self,
        recording_list: list[Recording],
        ignore_times: bool = True,
        sampling_frequency_max_diff: float = 0.0,
    ) -> None:
        recordings = as_extractor_list(recording_list, Recording, "concatenate_recordings")
        _check_compatible(recordings, "concatenate_recordings", sampling_frequency_max_diff)
        check_same_ids(recordings, "concatenate_recordings")
        first = recordings[0]
        super().__init__(first.get_sampling_frequency(), first.get_channel_ids(), first.get_dtype())
        parents = [seg for rec in recordings for seg in rec.get_segments()]
        time_vector: np.ndarray | None = None
        if not ignore_times:
            vectors = [v for rec in recordings for v in rec._time_vectors]
            if any(v is None for v in vectors):
                raise ValueError("ignore_times=False needs a time vector on every segment")
            time_vector = np.concatenate(vectors)  # type: ignore[arg-type]
        self.add_segment(ConcatenatedSegment(parents), first.get_start_time(0), time_vector)
        self._copy_metadata_from(first)


def concatenate_recordings(
    recording_list: list[Recording],
    ignore_times: bool = True,
    sampling_frequency_max_diff: float = 0.0,
) -> Recording:
    """Join every segment of every recording, in order, into one segment (lazy).

    Examples
    --------
    >>> import lazyephys as le
    >>> a = le.generate_recording(num_channels=3, durations=[10])
    >>> b = le.generate_recording(num_channels=3, durations=[10])
    >>> le.concatenate_recordings([a, b]).get_duration()
    20.0
    """
    return ConcatenateSegmentRecording(recording_list, ignore_times, sampling_frequency_max_diff)


@register_kind
class AppendSegmentRecording(Recording):
    """The segments of several recordings side by side, as one multi-segment recording.

    Parameters
    ----------
    recording_list : list of Recording
        Same sampling frequency, dtype and channel ids.
    sampling_frequency_max_diff : float
        Tolerated difference between sampling frequencies, in Hz.
    """

    def __init__(
        self, recording_list: list[Recording], sampling_frequency_max_diff: float = 0.0
    ) -> None:
        recordings = as_extractor_list(recording_list, Recording, "append_recordings")
        _check_compatible(recordings, "append_recordings", sampling_frequency_max_diff)
        check_same_ids(recordings, "append_recordings")
        first = recordings[0]
        super().__init__(first.get_sampling_frequency(), first.get_channel_ids(), first.get_dtype())
        for rec in recordings:
            for index, segment in enumerate(rec.get_segments()):
                self.add_segment(segment, rec._t_starts[index], rec._time_vectors[index])
        self._copy_metadata_from(first)


def append_recordings(
    recording_list: list[Recording], sampling_frequency_max_diff: float = 0.0
) -> Recording:
    """Put the segments of several recordings side by side (lazy)."""
    return AppendSegmentRecording(recording_list, sampling_frequency_max_diff)


class AggregatedSegment(RecordingSegment):
    """Channels gathered from one segment of each of several recordings."""

    __slots__ = ("dtype", "local_index", "num_channels", "owner", "parents", "widths")

    def __init__(self, parents: list[RecordingSegment], widths: list[int], dtype: np.dtype) -> None:
        super().__init__(parents[0].num_samples)
        self.parents = parents
        self.widths = widths
        self.owner = np.repeat(np.arange(len(parents)), widths)
        self.local_index = np.concatenate([np.arange(w) for w in widths]).astype(np.int64)
        self.num_channels = int(sum(widths))
        self.dtype = dtype

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        indices = channel_indices_of(channel_selector, self.num_channels)
        out = np.empty((end_frame - start_frame, indices.size), dtype=self.dtype)
        owners = self.owner[indices]
        for parent_index in np.unique(owners):
            columns = np.flatnonzero(owners == parent_index)
            local = self.local_index[indices[columns]]
            if local.size == self.widths[parent_index] and np.all(np.diff(local) == 1):
                local_selector: ChannelSelector = slice(None)
            else:
                local_selector = local
            block = self.parents[parent_index].get_traces(start_frame, end_frame, local_selector)
            if columns.size and columns[-1] - columns[0] + 1 == columns.size:
                out[:, columns[0] : columns[-1] + 1] = block
            else:
                out[:, columns] = block
        return out


def _renumber_probes(key: str, contact_vectors: list[np.ndarray]) -> list[np.ndarray]:
    # each input numbers its probes from 0: shift them so that probe indices stay distinct
    if key != "contact_vector":
        return contact_vectors
    renumbered = []
    offset = 0
    for vector in contact_vectors:
        shifted = vector.copy()
        if "probe_index" in (shifted.dtype.names or ()) and shifted.size:
            shifted["probe_index"] += offset
            offset = int(shifted["probe_index"].max()) + 1
        renumbered.append(shifted)
    return renumbered


@register_kind
class ChannelsAggregationRecording(Recording):
    """The channels of several recordings side by side, as one recording.

    Parameters
    ----------
    recording_list : list or dict of Recording
        Same sampling frequency, dtype, segment count and samples per segment.
    renamed_channel_ids : list or None
        New ids for all channels. When None, the inputs' ids are kept if they are unique
        across inputs; if they clash, new ids ``0..n-1`` (of the inputs' id type) are given
        with a warning naming the clashing ids.
    """

    def __init__(
        self, recording_list: Any, renamed_channel_ids: Any = None
    ) -> None:
        recordings = as_extractor_list(recording_list, Recording, "aggregate_channels")
        self._record_argument("recording_list", recordings)
        _check_compatible(recordings, "aggregate_channels")
        first = recordings[0]
        for i, rec in enumerate(recordings[1:], start=1):
            if rec.get_num_segments() != first.get_num_segments():
                raise IncompatibleExtractorsError(
                    f"aggregate_channels: recording {i} has {rec.get_num_segments()} segments, "
                    f"recording 0 has {first.get_num_segments()}"
                )
            for s in range(first.get_num_segments()):
                if rec.get_num_samples(s) != first.get_num_samples(s):
                    raise IncompatibleExtractorsError(
                        f"aggregate_channels: recording {i} has {rec.get_num_samples(s)} samples "
                        f"in segment {s}, recording 0 has {first.get_num_samples(s)}"
                    )
        ids = aggregated_ids(recordings, renamed_channel_ids, "aggregate_channels")
        super().__init__(first.get_sampling_frequency(), ids, first.get_dtype())
        widths = [rec.get_num_channels() for rec in recordings]
        for s in range(first.get_num_segments()):
            segment = AggregatedSegment([rec.get_segment(s) for rec in recordings], widths,
                                        self._dtype)
            self.add_segment(segment, first._t_starts[s], first._time_vectors[s])
        merge_properties(self, recordings, "aggregate_channels", prepare=_renumber_probes)
        self.annotate(**{key: first.get_annotation(key, copy_value=False)
                         for key in first.get_annotation_keys()})


def aggregate_channels(recording_list: Any, renamed_channel_ids: Any = None) -> Recording:
    """Put the channels of several recordings side by side (lazy).

    Examples
    --------
    >>> import lazyephys as le
    >>> a = le.generate_recording(num_channels=3, durations=[1.0]).rename_channels(["a", "b", "c"])
    >>> b = le.generate_recording(num_channels=2, durations=[1.0]).rename_channels(["d", "e"])
    >>> le.aggregate_channels([a, b]).get_channel_ids().tolist()
    ['a', 'b', 'c', 'd', 'e']
    """
    return ChannelsAggregationRecording(recording_list, renamed_channel_ids)
