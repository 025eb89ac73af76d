"""Spike trains of every unit from spike vectors, in one vectorised pass per segment."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["spike_vector_to_spike_trains"]


def spike_vector_to_spike_trains(
    spike_vector: list[np.ndarray], unit_ids: Any
) -> dict[int, dict[Any, np.ndarray]]:
    """The spike train of every unit in every segment.

    Parameters
    ----------
    spike_vector : list of numpy.ndarray
        One spike vector per segment (``sorting.to_spike_vector(concatenated=False)``).
    unit_ids : array-like
        The id of each unit index.

    Returns
    -------
    dict
        ``{segment_index: {unit_id: frames}}``; frames are int64, in the vector's order
        (sorted when the vector is).

    Examples
    --------
    >>> import lazyephys as le
    >>> s = le.NumpySorting.from_unit_dict({"a": [3, 9], "b": [5]}, sampling_frequency=1e3)
    >>> trains = spike_vector_to_spike_trains(s.to_spike_vector(concatenated=False),
    ...                                       s.unit_ids)
    >>> {k: v.tolist() for k, v in trains[0].items()}
    {'a': [3, 9], 'b': [5]}
    """
    ids = np.asarray(unit_ids)
    if isinstance(spike_vector, np.ndarray):
        raise TypeError("spike_vector must be a list with one spike vector per segment, as "
                        "to_spike_vector(concatenated=False) returns")
    trains: dict[int, dict[Any, np.ndarray]] = {}
    for segment_index, vector in enumerate(spike_vector):
        units = np.asarray(vector["unit_index"], dtype=np.int64)
        samples = np.asarray(vector["sample_index"], dtype=np.int64)
        if units.size and (units.min() < 0 or units.max() >= ids.size):
            raise ValueError(f"segment {segment_index} has unit indices up to "
                             f"{int(units.max())} but {ids.size} unit_ids were given")
        order = np.argsort(units, kind="stable")
        bounds = np.searchsorted(units[order], np.arange(ids.size + 1))
        by_unit = samples[order]
        trains[segment_index] = {
            unit_id: by_unit[bounds[i] : bounds[i + 1]] for i, unit_id in enumerate(ids.tolist())
        }
    return trains
