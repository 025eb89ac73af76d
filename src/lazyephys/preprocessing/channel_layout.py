"""Lazy changes of the channel layout: ``zero_channel_pad`` and ``average_across_direction``.

Both are exact in windows: a sample of the result depends on the same sample of the parent.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.provenance import register_kind
from ..base.validation import as_index_array
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ._base import PreprocessorSegment, resolve_output_dtype
from .depth_order import dimension_index

__all__ = [
    "ZeroChannelPaddedRecording",
    "AverageAcrossDirectionRecording",
    "zero_channel_pad",
    "average_across_direction",
    "padded_contacts",
]


_UV_FILL = {"gain_to_uV": 1.0, "offset_to_uV": 0.0}


class ZeroPadSegment(PreprocessorSegment):
    """The parent's channels at their new positions, zeros elsewhere."""

    __slots__ = ("dtype", "mapping", "source")

    def __init__(self, parent: RecordingSegment, num_channels: int, mapping: np.ndarray,
                 dtype: np.dtype) -> None:
        super().__init__(parent, num_channels)
        self.mapping = mapping
        self.dtype = dtype
        # source[k]: the parent channel at padded position k, or -1 for a zero channel
        self.source = np.full(num_channels, -1, dtype=np.int64)
        self.source[mapping] = np.arange(mapping.size)

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        wanted = self.source[self.channel_indices(channel_selector)]
        out = np.zeros((end_frame - start_frame, wanted.size), dtype=self.dtype)
        present = np.flatnonzero(wanted >= 0)
        if present.size:
            out[:, present] = self.parent.get_traces(start_frame, end_frame, wanted[present])
        return out


@register_kind
class ZeroChannelPaddedRecording(Recording):
    """The recording with channels of zeros added (see :func:`zero_channel_pad`)."""

    def __init__(self, recording: Recording, num_channels: int,
                 channel_mapping: Any = None) -> None:
        n_parent = recording.get_num_channels()
        total = int(num_channels)
        if total < n_parent:
            raise ValueError(
                f"num_channels ({num_channels}) must be at least the recording's {n_parent} "
                "channels"
            )
        if channel_mapping is None:
            mapping = np.arange(n_parent, dtype=np.int64)
        else:
            mapping = as_index_array(channel_mapping, "channel_mapping")
            if mapping.size != n_parent:
                raise ValueError(
                    f"channel_mapping needs one position per channel ({n_parent}), got "
                    f"{mapping.size}"
                )
            if mapping.size and (mapping.min() < 0 or mapping.max() >= total):
                raise ValueError(
                    f"channel_mapping positions must be in [0, {total}), got {mapping.tolist()}"
                )
            if np.unique(mapping).size != mapping.size:
                raise ValueError(f"channel_mapping has repeated positions: {mapping.tolist()}")
        dtype = recording.get_dtype()
        Recording.__init__(self, recording.get_sampling_frequency(), np.arange(total), dtype)
        self.add_segments_over(recording, lambda seg, _i: ZeroPadSegment(seg, total, mapping,
                                                                         dtype))
        self.parent = recording
        for key in recording.get_property_keys():
            values = recording.get_property(key)
            if key == "contact_vector" and values.dtype.names and values.size:
                self.set_property(key, padded_contacts(values, mapping, total))
                continue
            if values.dtype.names or values.dtype.kind not in "biufU":
                continue  # a table this step cannot know how to pad
            fill: Any = {"b": False, "i": 0, "u": 0, "U": "", "f": np.nan}[values.dtype.kind]
            if key in _UV_FILL:  # zero channels read as 0 uV
                fill = _UV_FILL[key]
            padded = np.full((total, *values.shape[1:]), fill, dtype=values.dtype)
            padded[mapping] = values
            self.set_property(key, padded)
        self._copy_annotations_from(recording)

    def _copy_annotations_from(self, recording: Recording) -> None:
        for key in recording.get_annotation_keys():
            self.annotate(**{key: recording.get_annotation(key)})


def padded_contacts(contacts: np.ndarray, mapping: np.ndarray, total: int) -> np.ndarray:
    """The probe's contact table for the padded channels, wired in channel order.

    Each channel keeps its contact at its new position. A zero channel has no electrode: it
    gets a contact like the first one (same probe, shape and units) with NaN coordinates and
    the id ``"pad<position>"`` (made unique against the probe's ids), so the probe still has
    one contact per channel.

    Examples
    --------
    >>> from probeinterface import generate_linear_probe
    >>> probe = generate_linear_probe(num_elec=2, ypitch=20)
    >>> table = probe.to_numpy(complete=True)
    >>> padded = padded_contacts(table, np.array([2, 0]), 3)
    >>> padded["y"].tolist(), padded["contact_ids"].tolist()
    ([20.0, nan, 0.0], ['1', 'pad1', '0'])
    """
    padded = np.empty(total, dtype=contacts.dtype)
    padded[:] = contacts[0]
    for axis in ("x", "y", "z"):
        if axis in (contacts.dtype.names or ()):
            padded[axis] = np.nan
    if "contact_ids" in (contacts.dtype.names or ()):
        taken = set(contacts["contact_ids"].tolist())
        for position in np.setdiff1d(np.arange(total), mapping):
            name = f"pad{position}"
            while name in taken:
                name = "_" + name
            taken.add(name)
            padded["contact_ids"][position] = name
    padded[mapping] = contacts
    if "device_channel_indices" in (contacts.dtype.names or ()):
        padded["device_channel_indices"] = np.arange(total)
    return padded


def zero_channel_pad(recording: Recording, num_channels: int,
                     channel_mapping: Any = None) -> ZeroChannelPaddedRecording:
    """Add channels of zeros, up to ``num_channels`` (ids 0 to ``num_channels - 1``).

    Parameters
    ----------
    recording : Recording
    num_channels : int
        Channels of the result.
    channel_mapping : list of int or None
        Position in the result of each of the recording's channels; None puts them first,
        in order.

    Returns
    -------
    ZeroChannelPaddedRecording
        In the recording's dtype. Properties are padded (NaN, 0, "" or False; gains 1 and
        offsets 0, so the zero channels read 0 uV; locations NaN). The probe is carried:
        every channel keeps its contact, and each zero channel gets a contact with NaN
        coordinates (see :func:`padded_contacts`), so ``get_probe()`` has one contact per
        channel. SpikeInterface 0.105.3 carries neither properties nor the probe (its
        ``get_traces`` returns float64, and a ``channel_mapping`` fails there); with a
        probe and no mapping it keeps the channels in their order, as here.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import zero_channel_pad
    >>> rec = le.NumpyRecording(np.ones((2, 2), "int16"), 1000.0)
    >>> zero_channel_pad(rec, 4, channel_mapping=[3, 1]).get_traces().tolist()
    [[0, 1, 0, 1], [0, 1, 0, 1]]
    """
    return ZeroChannelPaddedRecording(recording, num_channels, channel_mapping)


class AverageSegment(PreprocessorSegment):
    """Each output channel is the mean of the parent channels of one group."""

    __slots__ = ("counts", "dtype", "groups")

    def __init__(self, parent: RecordingSegment, num_channels: int, groups: np.ndarray,
                 counts: np.ndarray, dtype: np.dtype) -> None:
        super().__init__(parent, num_channels)
        self.groups = groups
        self.counts = counts
        self.dtype = dtype

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, slice(None))
        work = np.result_type(self.dtype, np.float32) if self.dtype.kind != "f" else self.dtype
        total = np.zeros((traces.shape[0], self.num_channels), dtype=work)
        # summed in parent channel order, one column at a time: the same for every window
        for column, group in enumerate(self.groups):
            total[:, group] += traces[:, column]
        total /= self.counts.astype(work)
        return total[:, channel_selector].astype(self.dtype, copy=False)


@register_kind
class AverageAcrossDirectionRecording(Recording):
    """Channels at the same position along a direction, averaged (see
    :func:`average_across_direction`)."""

    def __init__(self, recording: Recording, direction: Literal["x", "y", "z"] = "y",
                 dtype: Any = "float32") -> None:
        if "location" not in recording.get_property_keys():
            raise ValueError("average_across_direction needs channel locations: attach a probe")
        locations = np.asarray(recording.get_channel_locations(), dtype=np.float64)
        dim = dimension_index(direction, locations.shape[1])
        positions, groups, counts = np.unique(locations[:, dim], return_inverse=True,
                                              return_counts=True)
        groups = groups.reshape(-1)
        ids = recording.get_channel_ids()
        new_ids = np.array(["-".join(str(i) for i in ids[groups == g])
                            for g in range(positions.size)])
        out = resolve_output_dtype(recording.get_dtype(), dtype) if dtype is not None \
            else recording.get_dtype()
        Recording.__init__(self, recording.get_sampling_frequency(), new_ids, out)
        n = positions.size
        self.add_segments_over(recording, lambda seg, _i: AverageSegment(seg, n, groups, counts,
                                                                         out))
        self.parent = recording
        new_locations = np.zeros((n, locations.shape[1]))
        others = np.arange(locations.shape[1]) != dim
        for g in range(n):
            new_locations[g, others] = locations[groups == g][:, others].mean(axis=0)
        new_locations[:, dim] = positions
        self.set_channel_locations(new_locations)


def average_across_direction(recording: Recording, direction: Literal["x", "y", "z"] = "y",
                             dtype: Any = "float32") -> AverageAcrossDirectionRecording:
    """Average the channels that share a position along ``direction``.

    Parameters
    ----------
    recording : Recording
        With channel locations.
    direction : {"x", "y", "z"}
    dtype : dtype or None
        float32 by default; None keeps the recording's dtype (integer means are truncated
        toward zero by the cast).

    Returns
    -------
    AverageAcrossDirectionRecording
        One channel per distinct position, sorted, with ids joining the averaged ids by "-"
        and locations at the mean of the other coordinates. Exact in windows; equal to
        SpikeInterface 0.105 to float32 rounding.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import average_across_direction
    >>> rec = le.NumpyRecording(np.array([[1.0, 3.0, 5.0]], "float32"), 1000.0)
    >>> rec.set_channel_locations([[0, 20], [32, 20], [0, 0]])
    >>> avg = average_across_direction(rec)
    >>> avg.get_channel_ids().tolist(), avg.get_traces().tolist()
    (['2', '0-1'], [[5.0, 2.0]])
    """
    return AverageAcrossDirectionRecording(recording, direction, dtype)
