"""SONATA spike files (the output of large network simulations) as sortings.

The format's facts: an HDF5 file whose ``spikes`` group holds one group per node population,
each with ``timestamps`` (milliseconds unless its ``units`` attribute says otherwise) and
``node_ids`` (one per spike). Unit ids are the node ids that spiked, ascending.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..errors import FormatError, UnknownIdError
from ..sorting.base import Sorting, empty_spike_vector, sort_spikes
from ..sorting.in_memory import SpikeVectorSegment
from .hdf5_files import open_hdf5
from .nwb_tables import attribute_text

__all__ = ["SonataSortingExtractor", "read_sonata_sorting", "get_sonata_populations"]

#: Seconds per unit of a SONATA ``timestamps`` dataset's ``units`` attribute.
_SECONDS_PER_UNIT = {"ms": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3, "s": 1.0,
                     "second": 1.0, "seconds": 1.0}


def _populations(file: Any) -> list[str]:
    spikes = file.get("spikes")
    if spikes is None:
        return []
    return sorted(name for name in spikes if hasattr(spikes[name], "keys")
                  and "timestamps" in spikes[name])


def get_sonata_populations(file_path: str | os.PathLike[str]) -> list[str]:
    """The node populations of a SONATA spike file."""
    with open_hdf5(file_path, None, None, "SONATA") as file:
        return _populations(file)


@register_kind
class SonataSortingExtractor(Sorting):
    """One population of a SONATA spike file; unit ids are its node ids.

    Parameters
    ----------
    file_path : str or Path
        The SONATA spikes file (HDF5), or a remote URL.
    population : str or None
        The node population; not needed when the file has one.
    sampling_frequency : float
        Frames per second of the sample indices (required: a simulation has no sampling
        rate; its time step is often 0.1 ms, 10000.0). Frames are
        ``round(time_s * sampling_frequency)`` from time 0.
    stream_mode, storage_options
        How a remote file is read (see :func:`~lazyephys.extractors.read_nwb_recording`).

    Examples
    --------
    >>> sorting = read_sonata_sorting("output/spikes.h5",
    ...                               sampling_frequency=10000.0)  # doctest: +SKIP
    """

    _path_arguments = ("file_path",)

    def __init__(
        self,
        file_path: str | os.PathLike[str],
        population: str | None = None,
        sampling_frequency: float | None = None,
        stream_mode: str | None = None,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(sampling_frequency, bool) or not (
                isinstance(sampling_frequency, (int, float)) and sampling_frequency > 0):
            raise ValueError(
                "read_sonata_sorting needs sampling_frequency, a positive number of frames per "
                f"second (a simulation has no sampling rate of its own); got {sampling_frequency!r}"
            )
        file = open_hdf5(file_path, stream_mode, storage_options, "SONATA")
        where = f"the SONATA file {file_path}"
        available = _populations(file)
        if population is None:
            if len(available) != 1:
                if not available:
                    raise FormatError(f"{where} has no spikes/<population>/timestamps")
                raise ValueError(
                    f"{where} has several populations: give population, one of {available}"
                )
            population = available[0]
        if population not in available:
            raise UnknownIdError(
                f"{where} has no population {population!r}; its populations are {available}"
            )
        group = file["spikes"][population]
        if "node_ids" not in group:
            raise FormatError(f"{where}: the population {population!r} has no node_ids")
        stamps, nodes = group["timestamps"], group["node_ids"]
        if stamps.shape != nodes.shape or stamps.ndim != 1:
            raise FormatError(
                f"{where}: population {population!r} has {stamps.shape} timestamps but "
                f"{nodes.shape} node_ids; expected one of each per spike"
            )
        unit = attribute_text(stamps, "units", "ms").strip().lower()
        if unit not in _SECONDS_PER_UNIT:
            raise FormatError(
                f"{where}: the timestamps of {population!r} are in {unit!r}; expected one of "
                f"{sorted(_SECONDS_PER_UNIT)}"
            )
        node_ids = np.asarray(nodes[()], dtype=np.int64)
        unit_ids, unit_index = np.unique(node_ids, return_inverse=True)
        super().__init__(float(sampling_frequency), unit_ids)
        self._record_argument("population", population)
        scale = _SECONDS_PER_UNIT[unit] * float(sampling_frequency)

        def load() -> np.ndarray:
            frames = np.rint(np.asarray(stamps[()], dtype=np.float64) * scale)
            if frames.size and frames.min() < 0:
                raise FormatError(f"{where}: population {population!r} has a negative time")
            samples = frames.astype(np.int64)
            order = sort_spikes(samples, unit_index)
            vector = empty_spike_vector(samples.size)
            vector["sample_index"] = samples[order]
            vector["unit_index"] = unit_index[order]
            vector["segment_index"] = 0
            return vector

        self.add_segment(SpikeVectorSegment(None, unit_ids.size, 0, loader=load))
        self._file = file


def read_sonata_sorting(
    file_path: str | os.PathLike[str],
    population: str | None = None,
    sampling_frequency: float | None = None,
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> SonataSortingExtractor:
    """Open one population of a SONATA spike file (see :class:`SonataSortingExtractor`)."""
    return SonataSortingExtractor(file_path, population, sampling_frequency, stream_mode,
                                  storage_options)
