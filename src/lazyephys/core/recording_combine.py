"""Combining recordings: concatenation in time, segments side by side, channel aggregation.

Compatibility (sampling frequency, dtype, channels, segments) is checked when the combined
recording is built, never at the first read.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import IncompatibleExtractorsError
from .ids import as_id_array, make_unique_ids
from .provenance import register_kind
from .recording import (
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


def _as_recording_list(recording_list: Any, what: str) -> list[Recording]:
    if isinstance(recording_list, Mapping):
        recording_list = list(recording_list.values())
    if isinstance(recording_list, Recording) or not isinstance(recording_list, Sequence):
        raise TypeError(f"{what} needs a list of recordings, got {type(recording_list).__name__}")
    recordings = list(recording_list)
    if not recordings:
        raise ValueError(f"{what} needs at least one recording, got an empty list")
    for i, rec in enumerate(recordings):
        if not isinstance(rec, Recording):
            raise TypeError(f"{what}: item {i} is a {type(rec).__name__}, not a Recording")
    return recordings


def _check_same_frequency_and_dtype(recordings: list[Recording], what: str,
                                    max_diff: float = 0.0) -> None:
    first = recordings[0]
    for i, rec in enumerate(recordings[1:], start=1):
        f0, fi = first.get_sampling_frequency(), rec.get_sampling_frequency()
        if abs(f0 - fi) > max_diff:
            raise IncompatibleExtractorsError(
                f"{what}: recording {i} has sampling frequency {fi} Hz, recording 0 has {f0} Hz"
            )
        if rec.get_dtype() != first.get_dtype():
            raise IncompatibleExtractorsError(
                f"{what}: recording {i} has dtype {rec.get_dtype()}, recording 0 has "
                f"{first.get_dtype()}"
            )


def _check_same_channels(recordings: list[Recording], what: str) -> None:
    first = recordings[0]
    ids0 = first._ids
    for i, rec in enumerate(recordings[1:], start=1):
        if rec.get_num_channels() != first.get_num_channels():
            raise IncompatibleExtractorsError(
                f"{what}: recording {i} has {rec.get_num_channels()} channels, recording 0 has "
                f"{first.get_num_channels()}"
            )
        if rec._ids.dtype.kind != ids0.dtype.kind or not np.array_equal(rec._ids, ids0):
            differing = next(
                j for j in range(ids0.size) if rec._ids[j].item() != ids0[j].item()
            )
            raise IncompatibleExtractorsError(
                f"{what}: recording {i} has channel id {rec._ids[differing].item()!r} at position "
                f"{differing} where recording 0 has {ids0[differing].item()!r}"
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
        recordings = _as_recording_list(recording_list, "concatenate_recordings")
        _check_same_frequency_and_dtype(recordings, "concatenate_recordings",
                                        sampling_frequency_max_diff)
        _check_same_channels(recordings, "concatenate_recordings")
        first = recordings[0]
        super().__init__(first.get_sampling_frequency(), first._ids, first.get_dtype())
        parents = [seg for rec in recordings for seg in rec._segments]
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
        recordings = _as_recording_list(recording_list, "append_recordings")
        _check_same_frequency_and_dtype(recordings, "append_recordings",
                                        sampling_frequency_max_diff)
        _check_same_channels(recordings, "append_recordings")
        first = recordings[0]
        super().__init__(first.get_sampling_frequency(), first._ids, first.get_dtype())
        for rec in recordings:
            for index, segment in enumerate(rec._segments):
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


def _merge_properties(target: Recording, recordings: list[Recording]) -> None:
    keys = [k for k in recordings[0]._properties if all(k in r._properties for r in recordings)]
    dropped = {k for r in recordings for k in r._properties} - set(keys)
    for key in keys:
        arrays = [r._properties[key] for r in recordings]
        if key == "contact_vector":
            arrays = _renumber_probes(arrays)
        try:
            merged = np.concatenate(arrays, axis=0)
        except (ValueError, TypeError):
            dropped.add(key)
            continue
        merged.flags.writeable = False
        target._properties[key] = merged
    if dropped:
        warnings.warn(
            f"aggregate_channels: properties {sorted(dropped)} are not on every recording (or "
            "cannot be joined) and were left out",
            stacklevel=4,
        )


def _renumber_probes(contact_vectors: list[np.ndarray]) -> list[np.ndarray]:
    # each input numbers its probes from 0: shift them so that probe indices stay distinct
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
        recordings = _as_recording_list(recording_list, "aggregate_channels")
        self._kwargs["recording_list"] = recordings
        _check_same_frequency_and_dtype(recordings, "aggregate_channels")
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
        ids = _aggregated_ids(recordings, renamed_channel_ids)
        super().__init__(first.get_sampling_frequency(), ids, first.get_dtype())
        widths = [rec.get_num_channels() for rec in recordings]
        for s in range(first.get_num_segments()):
            segment = AggregatedSegment([rec._segments[s] for rec in recordings], widths,
                                        self._dtype)
            self.add_segment(segment, first._t_starts[s], first._time_vectors[s])
        _merge_properties(self, recordings)
        self._annotations.update(first._annotations)


def _aggregated_ids(recordings: list[Recording], renamed_channel_ids: Any) -> np.ndarray:
    total = sum(rec.get_num_channels() for rec in recordings)
    if renamed_channel_ids is not None:
        ids = as_id_array(renamed_channel_ids, "renamed_channel_ids")
        if ids.size != total:
            raise ValueError(f"{ids.size} renamed_channel_ids given for {total} channels")
        return ids
    kinds = {rec._ids.dtype.kind for rec in recordings}
    if len(kinds) == 1:
        joined = np.concatenate([rec._ids for rec in recordings])
        unique, counts = np.unique(joined, return_counts=True)
        if unique.size == joined.size:
            return joined
        clashing = unique[counts > 1].tolist()
        warnings.warn(
            f"aggregate_channels: channel ids {clashing} appear in more than one recording; "
            f"the aggregated channels were given new ids 0..{total - 1} (pass "
            "renamed_channel_ids to choose them)",
            stacklevel=4,
        )
        return make_unique_ids(total, joined)
    warnings.warn(
        "aggregate_channels: the recordings mix str and int channel ids; the aggregated "
        f"channels were given new ids '0'..'{total - 1}'",
        stacklevel=4,
    )
    return make_unique_ids(total, np.array(["0"]))


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
