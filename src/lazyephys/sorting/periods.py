"""Keeping each unit's spikes inside its own periods (``Sorting.select_periods``).

A period is ``(segment_index, start_sample_index, end_sample_index, unit_index)``: the unit's
spikes with ``start <= sample < end`` in that segment are kept. Periods of one unit may
overlap; a spike inside any of them is kept once. The selection is vectorised: periods are
sorted per (unit, start) with a running maximum of their ends, so each spike needs one binary
search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import SPIKE_DTYPE, Sorting

__all__ = ["PERIOD_DTYPE", "as_periods", "select_periods"]

#: The fields of a periods array (SpikeInterface's ``unit_period_dtype``).
PERIOD_DTYPE = np.dtype([("segment_index", "int64"), ("start_sample_index", "int64"),
                         ("end_sample_index", "int64"), ("unit_index", "int64")])


def as_periods(periods: Any, sorting: Sorting) -> np.ndarray:
    """``periods`` as a checked array of :data:`PERIOD_DTYPE`.

    A structured array needs the four fields; a plain (n, 4) integer array is read as
    ``(segment_index, start_sample_index, end_sample_index, unit_index)`` columns.
    """
    array = np.asarray(periods)
    names = array.dtype.names
    if names is not None:
        missing = set(PERIOD_DTYPE.names or ()) - set(names)
        if missing:
            raise ValueError(f"periods lack the fields {sorted(missing)}; expected the fields "
                             f"{list(PERIOD_DTYPE.names or ())}")
        out = np.empty(array.shape[0] if array.ndim else 1, dtype=PERIOD_DTYPE)
        for name in PERIOD_DTYPE.names or ():
            out[name] = array[name]
    else:
        if array.ndim != 2 or array.shape[1] != 4 or array.dtype.kind not in "iu":
            raise ValueError(
                "periods must be a structured array with the fields segment_index, "
                "start_sample_index, end_sample_index, unit_index, or an (n, 4) integer array "
                f"of those columns; got dtype {array.dtype} and shape {array.shape}"
            )
        out = np.empty(array.shape[0], dtype=PERIOD_DTYPE)
        for column, name in enumerate(PERIOD_DTYPE.names or ()):
            out[name] = array[:, column]
    bad = out["end_sample_index"] < out["start_sample_index"]
    if np.any(bad):
        first = out[np.flatnonzero(bad)[0]]
        raise ValueError(f"a period ends before it starts: {first.tolist()}")
    for name, top in (("segment_index", sorting.get_num_segments()),
                      ("unit_index", sorting.get_num_units())):
        values = out[name]
        if values.size and (values.min() < 0 or values.max() >= top):
            raise ValueError(f"periods have {name} values {int(values.min())}..."
                             f"{int(values.max())}; the sorting has {top} (0..{top - 1})")
    return out


def _keep_mask(vector: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Which spikes of one segment's spike vector lie in a period of their unit."""
    samples, units = vector["sample_index"], vector["unit_index"]
    keep = np.zeros(vector.size, dtype=bool)
    if not periods.size or not vector.size:
        return keep
    order = np.lexsort((periods["start_sample_index"], periods["unit_index"]))
    periods = periods[order]
    period_units = periods["unit_index"]
    starts, ends = periods["start_sample_index"], periods["end_sample_index"]
    for unit in np.unique(period_units):
        lo, hi = np.searchsorted(period_units, [unit, unit + 1])
        unit_starts = starts[lo:hi]
        # the running maximum of ends makes the last period starting at or before a spike
        # the one reaching furthest among all those that start before it
        reach = np.maximum.accumulate(ends[lo:hi])
        mine = np.flatnonzero(units == unit)
        position = np.searchsorted(unit_starts, samples[mine], side="right") - 1
        inside = position >= 0
        inside[inside] = samples[mine][inside] < reach[position[inside]]
        keep[mine[inside]] = True
    return keep


def select_periods(sorting: Sorting, periods: Any) -> Sorting:
    """A sorting keeping each unit's spikes inside its periods (in memory).

    Parameters
    ----------
    sorting : Sorting
    periods : numpy array
        Periods ``(segment_index, start_sample_index, end_sample_index, unit_index)``, as
        a structured array or an (n, 4) integer array. A unit without a period loses every
        spike; ``end_sample_index`` is exclusive.

    Returns
    -------
    NumpySorting
        Same unit ids, properties and annotations.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> s = le.NumpySorting.from_unit_dict({"a": [1, 5, 9], "b": [2, 6]}, sampling_frequency=1e3)
    >>> kept = s.select_periods(np.array([[0, 4, 10, 0], [0, 0, 3, 1]]))
    >>> kept.get_unit_spike_train("a").tolist(), kept.get_unit_spike_train("b").tolist()
    ([5, 9], [2])
    """
    from .in_memory import NumpySorting

    checked = as_periods(periods, sorting)
    parts = []
    for index, vector in enumerate(sorting.to_spike_vector(concatenated=False)):
        mask = _keep_mask(vector, checked[checked["segment_index"] == index])
        part = np.empty(int(mask.sum()), dtype=SPIKE_DTYPE)
        for name in ("sample_index", "unit_index"):
            part[name] = vector[name][mask]
        part["segment_index"] = index
        parts.append(part)
    known = [sorting.known_num_samples(i) for i in range(sorting.get_num_segments())]
    result = NumpySorting(np.concatenate(parts), sorting.get_sampling_frequency(),
                          sorting.get_unit_ids(), known)
    for key in sorting.get_property_keys():
        result.set_property(key, sorting.get_property(key))
    annotations = {key: sorting.get_annotation(key) for key in sorting.get_annotation_keys()}
    if annotations:
        result.annotate(**annotations)
    return result
