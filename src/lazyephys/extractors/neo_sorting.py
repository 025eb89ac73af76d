"""Sortings read through neo's rawio layer: the spike channels of a block become units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError
from ..sorting.base import Sorting, empty_spike_vector, sort_spikes
from ..sorting.in_memory import SpikeVectorSegment
from .neo_recording import select_block
from .neo_table import NEO_PATH_ARGUMENTS, get_neo_format, open_neo_reader

__all__ = ["NeoSortingExtractor", "read_neo_sorting"]


@register_kind
class NeoSortingExtractor(Sorting):
    """The spike channels of one neo block as a sorting; neo segments become segments.

    Spike times (seconds from neo) become frames at ``sampling_frequency``, counted from the
    start of their neo segment and rounded to the nearest frame. Spikes are read from the file
    on first use of a segment.

    Parameters
    ----------
    format_name : str
        A neo format of :data:`~lazyephys.extractors.neo_table.NEO_FORMATS`.
    sampling_frequency : float or None
        Frames per second of the sample indices; None takes the rate of the file's first
        signal stream (an error when it has none).
    block_index : int or None
        The neo block (not needed when there is one).
    use_names_as_ids : bool
        Unit ids are neo's spike channel names instead of its ids.
    **reader_kwargs
        The rawio's arguments (``filename=...``, ``dirname=...``).
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
        sampling_frequency: float | None = None,
        block_index: int | None = None,
        use_names_as_ids: bool = False,
        **reader_kwargs: Any,
    ) -> None:
        reader = open_neo_reader(format_name, reader_kwargs)
        # the path arguments are those of this format's row of the table (an instance value
        # over the class's union of every row's)
        vars(self)["_path_arguments"] = get_neo_format(format_name).path_arguments
        where = f"the {format_name!r} data"
        block = select_block(reader, block_index, where)
        if sampling_frequency is None:
            streams = reader.header["signal_streams"]
            if streams.size == 0:
                raise ValueError(
                    f"{where} has no signal stream to take a sampling frequency from: give "
                    "sampling_frequency"
                )
            sampling_frequency = float(reader.get_signal_sampling_rate(0))
        spike_channels = reader.header["spike_channels"]
        ids = spike_channels["name"] if use_names_as_ids else spike_channels["id"]
        unit_ids = np.array([str(v) for v in ids])
        if np.unique(unit_ids).size != unit_ids.size:
            raise FormatError(
                f"{where}: the spike channel {'names' if use_names_as_ids else 'ids'} are not "
                "unique"
            )
        super().__init__(sampling_frequency, unit_ids)
        self._record_argument("sampling_frequency", float(sampling_frequency))
        for key, value in reader_kwargs.items():
            if key in self._path_arguments and value is not None and not isinstance(value, str):
                self._record_argument(key, str(value))
        num_units = unit_ids.size
        fs = self.get_sampling_frequency()
        for segment_index in range(int(reader.segment_count(block))):

            def load(segment_index: int = segment_index) -> np.ndarray:
                return _segment_spikes(reader, block, segment_index, num_units, fs)

            self.add_segment(SpikeVectorSegment(None, num_units, segment_index, loader=load))
        self._neo_reader = reader


def _segment_spikes(
    reader: Any, block: int, segment_index: int, num_units: int, fs: float
) -> np.ndarray:
    t_start = float(reader.segment_t_start(block, segment_index))
    samples, units = [], []
    for unit_index in range(num_units):
        stamps = reader.get_spike_timestamps(block_index=block, seg_index=segment_index,
                                             spike_channel_index=unit_index, t_start=None,
                                             t_stop=None)
        times = reader.rescale_spike_timestamp(stamps, dtype="float64")
        frames = np.rint((np.asarray(times) - t_start) * fs).astype(np.int64)
        samples.append(frames)
        units.append(np.full(frames.size, unit_index, dtype=np.int64))
    all_samples = np.concatenate(samples) if samples else np.zeros(0, np.int64)
    all_units = np.concatenate(units) if units else np.zeros(0, np.int64)
    if all_samples.size and all_samples.min() < 0:
        raise FormatError(f"neo segment {segment_index} has a spike before the segment's start")
    order = sort_spikes(all_samples, all_units)
    vector = empty_spike_vector(all_samples.size)
    vector["sample_index"] = all_samples[order]
    vector["unit_index"] = all_units[order]
    vector["segment_index"] = segment_index
    return vector


def read_neo_sorting(
    format_name: str,
    sampling_frequency: float | None = None,
    block_index: int | None = None,
    use_names_as_ids: bool = False,
    **reader_kwargs: Any,
) -> NeoSortingExtractor:
    """Open the spike channels of a file any neo rawio reads (see :class:`NeoSortingExtractor`).

    Examples
    --------
    >>> sorting = read_neo_sorting("phy", dirname="/data/phy_output")  # doctest: +SKIP
    """
    return NeoSortingExtractor(format_name, sampling_frequency, block_index, use_names_as_ids,
                               **reader_kwargs)
