"""Sortings held in memory as spike vectors.

The native state of an in-memory sorting is one sorted spike vector per segment (slices of
one concatenated vector). Per-unit spike trains come from a per-unit index built once on
first use: the sample indices grouped by unit (one stable sort by unit) plus offsets, so a
spike train is a slice and ``to_spike_vector`` returns the stored vector itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..base.ids import IdIndex, as_id_array
from ..base.provenance import register_kind
from ..base.validation import as_frame, check_sampling_frequency
from .base import (
    SPIKE_DTYPE,
    Sorting,
    SortingSegment,
    cut_train,
    empty_spike_vector,
    order_ties_by_unit,
    search_sorted,
    sort_spikes,
)

__all__ = ["NumpySorting", "SpikeVectorSegment", "validate_spike_vector", "as_spike_vector"]

# rows checked at a time when validating: bounds the temporaries to a few MB
_CHECK_BLOCK = 1 << 20


class SpikeVectorSegment(SortingSegment):
    """The spikes of one segment held as a sorted spike vector.

    Parameters
    ----------
    vector : numpy.ndarray or None
        The segment's sorted spike vector (read-only), or None with ``loader``.
    num_units : int
        Number of units of the sorting (for counts and the per-unit index).
    stored_segment_index : int
        The value of the stored vector's ``segment_index`` field.
    loader : callable or None
        Makes the vector on first use (generated sortings).
    """

    __slots__ = ("_counts", "_loader", "_stored_segment_index", "_trains", "_vector", "num_units")

    def __init__(
        self,
        vector: np.ndarray | None,
        num_units: int,
        stored_segment_index: int = 0,
        loader: Callable[[], np.ndarray] | None = None,
    ) -> None:
        if vector is None and loader is None:
            raise ValueError("a SpikeVectorSegment needs a vector or a loader")
        self._vector = vector
        self._loader = loader
        self.num_units = int(num_units)
        self._stored_segment_index = int(stored_segment_index)
        self._trains: tuple[np.ndarray, np.ndarray] | None = None
        self._counts: np.ndarray | None = None

    @property
    def vector(self) -> np.ndarray:
        """The stored spike vector (read-only), made on first use when there is a loader."""
        if self._vector is None:
            made = self._loader()  # type: ignore[misc]
            made.flags.writeable = False
            self._vector = made
        return self._vector

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        vector = self.vector
        if segment_index is None or segment_index == self._stored_segment_index:
            return vector
        out = vector.copy()
        out["segment_index"] = segment_index
        return out

    def _train_index(self) -> tuple[np.ndarray, np.ndarray]:
        if self._trains is None:
            vector = self.vector
            units = vector["unit_index"]
            # a stable sort of 16-bit keys is a radix sort: linear time for < 65536 units
            key = units.astype(np.uint16) if self.num_units <= 0xFFFF else units
            order = np.argsort(key, kind="stable")
            samples_by_unit = vector["sample_index"][order]
            del order
            counts = np.bincount(key, minlength=self.num_units).astype(np.int64)
            offsets = np.zeros(self.num_units + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            samples_by_unit.flags.writeable = False
            offsets.flags.writeable = False
            self._trains = (samples_by_unit, offsets)
        return self._trains

    def precompute(self) -> None:
        self._train_index()

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        samples_by_unit, offsets = self._train_index()
        train = samples_by_unit[offsets[unit_index] : offsets[unit_index + 1]]
        return cut_train(train, start_frame, end_frame)

    def count_spikes(self, num_units: int) -> np.ndarray:
        if self._trains is not None:
            return np.diff(self._trains[1])
        if self._counts is None:
            counts = np.bincount(self.vector["unit_index"], minlength=num_units)
            counts = counts.astype(np.int64, copy=False)
            counts.flags.writeable = False
            self._counts = counts
        return self._counts

    def num_spikes(self) -> int:
        return int(self.vector.size)

    def last_spike_sample(self) -> int:
        vector = self.vector
        return int(vector["sample_index"][-1]) if vector.size else -1


def as_spike_vector(spikes: Any) -> np.ndarray:
    """``spikes`` as an array of :data:`SPIKE_DTYPE` (no copy when it already is one)."""
    array = np.asarray(spikes)
    if array.dtype == SPIKE_DTYPE:
        return array.reshape(-1) if array.ndim != 1 else array
    names = array.dtype.names or ()
    missing = [name for name in SPIKE_DTYPE.names if name not in names]  # type: ignore[union-attr]
    if missing:
        raise ValueError(
            f"a spike vector needs the fields {list(SPIKE_DTYPE.names)}; got dtype "  # type: ignore[arg-type]
            f"{array.dtype} (missing {missing})"
        )
    out = empty_spike_vector(array.size)
    for name in SPIKE_DTYPE.names:  # type: ignore[union-attr]
        field = array[name].reshape(-1)
        if field.dtype.kind not in "iu":
            raise TypeError(f"spike vector field {name!r} must be integers, got {field.dtype}")
        out[name] = field
    return out


def validate_spike_vector(
    vector: np.ndarray, num_units: int, num_segments: int, num_samples: Sequence[Any] | None = None
) -> None:
    """Raise ``ValueError`` naming the first problem of a spike vector.

    Checks: units in ``0..num_units-1``, segments in ``0..num_segments-1``, samples >= 0 (and
    below each segment's ``num_samples`` when given), and order by segment, sample, unit.
    Work is done in blocks so that temporaries stay small whatever the vector's length.
    """
    n = vector.size
    if n == 0:
        return
    for start in range(0, n, _CHECK_BLOCK):
        # each block is compared with the spike before it, on contiguous copies of the fields
        lo = max(start - 1, 0)
        pair = vector[lo : start + _CHECK_BLOCK]
        units = np.ascontiguousarray(pair["unit_index"])
        samples = np.ascontiguousarray(pair["sample_index"])
        segs = np.ascontiguousarray(pair["segment_index"])
        extremes = {}
        for name, values, top in (
            ("unit_index", units, num_units),
            ("segment_index", segs, num_segments),
        ):
            low, high = int(values.min()), int(values.max())
            extremes[name] = (low, high)
            if low < 0 or high >= top:
                at = lo + int(np.argmax((values < 0) | (values >= top)))
                raise ValueError(
                    f"spike {at} has {name} {int(vector[name][at])}, outside the valid range "
                    f"0..{top - 1}"
                )
        if samples.min() < 0:
            at = lo + int(np.argmax(samples < 0))
            raise ValueError(f"spike {at} has the negative sample_index {int(samples[at - lo])}")
        seg_low, seg_high = extremes["segment_index"]
        if seg_low == seg_high and int(samples.max()) < (2**62) // max(num_units, 1):
            # one segment in the block: (sample, unit) order is the order of one integer key
            keys = samples * num_units + units
            bad = keys[1:] < keys[:-1]
        else:
            d_seg = segs[1:] - segs[:-1]
            d_sample = samples[1:] - samples[:-1]
            bad = (d_seg < 0) | ((d_seg == 0) & (d_sample < 0))
            bad |= (d_seg == 0) & (d_sample == 0) & (units[1:] < units[:-1])
        if np.any(bad):
            at = lo + 1 + int(np.argmax(bad))
            prev, this = vector[at - 1], vector[at]
            raise ValueError(
                "the spike vector is not sorted by segment, then sample, then unit: spike "
                f"{at} (segment {this['segment_index']}, sample {this['sample_index']}, unit "
                f"{this['unit_index']}) comes after (segment {prev['segment_index']}, sample "
                f"{prev['sample_index']}, unit {prev['unit_index']}); build it with "
                "NumpySorting.from_samples_and_labels to have it sorted"
            )
    if num_samples is not None:
        segs = vector["segment_index"]
        for index, num in enumerate(num_samples):
            if num is None:
                continue
            end = search_sorted(segs, index, "right")
            if end > 0 and int(segs[end - 1]) == index and vector["sample_index"][end - 1] >= num:
                raise ValueError(
                    f"segment {index} has a spike at sample {int(vector['sample_index'][end - 1])}"
                    f" but only {num} samples"
                )


@register_kind
class NumpySorting(Sorting):
    """A sorting held in memory as one sorted spike vector.

    Parameters
    ----------
    spikes : numpy.ndarray
        A spike vector (fields ``sample_index``, ``unit_index``, ``segment_index``) sorted by
        segment, then sample, then unit. An array of exactly :data:`SPIKE_DTYPE` is used as
        is, without a copy (do not modify it afterwards).
    sampling_frequency : float
        In Hz.
    unit_ids : list
        One id per unit index.
    num_samples : list of int or None
        Samples per segment, when known; its length sets the number of segments (otherwise
        the last spike's segment does).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> sorting = le.NumpySorting.from_unit_dict({"a": np.array([5, 50]), "b": np.array([7])},
    ...                                          sampling_frequency=1000.0)
    >>> sorting.to_spike_vector()["unit_index"].tolist()
    [0, 1, 0]
    """

    _holds_data_in_memory = True

    def __init__(
        self,
        spikes: Any,
        sampling_frequency: float,
        unit_ids: Any,
        num_samples: Sequence[Any] | None = None,
    ) -> None:
        super().__init__(sampling_frequency, unit_ids)
        vector = as_spike_vector(spikes)
        if num_samples is not None:
            known: list[int | None] = [
                None if v is None else as_frame(v, "num_samples") for v in num_samples
            ]
            if not known:
                raise ValueError("num_samples must have one entry per segment, got an empty list")
            num_segments = len(known)
        else:
            known = []
            num_segments = int(vector["segment_index"][-1]) + 1 if vector.size else 1
            known = [None] * num_segments
        validate_spike_vector(vector, self.get_num_units(), num_segments, known)
        readonly = vector.view()
        readonly.flags.writeable = False
        self._spikes = readonly
        segs = readonly["segment_index"]
        bounds = [search_sorted(segs, index) for index in range(num_segments)] + [readonly.size]
        for index in range(num_segments):
            part = readonly[bounds[index] : bounds[index + 1]]
            self.add_segment(SpikeVectorSegment(part, self.get_num_units(), index), known[index])

    def _concatenated_spike_vector(self) -> np.ndarray:
        return self._spikes

    # ------------------------------------------------------------ builders
    @classmethod
    def from_unit_dict(
        cls, units_dict_list: Any, sampling_frequency: float, num_samples: Any = None
    ) -> NumpySorting:
        """Build from ``{unit_id: frames}`` dicts, one per segment (or one dict).

        Unit ids are those of the first dict, then any new ones of later dicts, in order of
        appearance; a unit missing from a segment has no spike there.

        Examples
        --------
        >>> import numpy as np, lazyephys as le
        >>> s = le.NumpySorting.from_unit_dict([{"a": [1, 9], "b": [4]}], sampling_frequency=1e3)
        >>> s.get_unit_spike_train("a").tolist()
        [1, 9]
        """
        if isinstance(units_dict_list, Mapping):
            units_dict_list = [units_dict_list]
        dicts = list(units_dict_list)
        if not dicts or not all(isinstance(d, Mapping) for d in dicts):
            raise TypeError("units_dict_list must be a dict or a non-empty list of dicts")
        unit_ids = as_id_array(list(dict.fromkeys(k for d in dicts for k in d)), "unit_ids")
        index = IdIndex(unit_ids, "unit")
        parts = []
        for segment_index, units_dict in enumerate(dicts):
            trains = [np.asarray(train).reshape(-1) for train in units_dict.values()]
            lengths = np.fromiter(map(len, trains), dtype=np.int64, count=len(trains))
            samples = _as_frames(np.concatenate(trains) if trains else np.zeros(0, np.int64))
            positions = index.indices(list(units_dict)) if trains else np.zeros(0, np.int64)
            units = np.repeat(positions, lengths)
            parts.append(_vector_from_unit_runs(samples, units, segment_index,
                                                bool(np.all(np.diff(positions) > 0))))
        spikes = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if num_samples is None:
            num_samples = [None] * len(dicts)
        return cls(spikes, sampling_frequency, unit_ids, num_samples)

    @classmethod
    def from_samples_and_labels(
        cls,
        samples_list: Any,
        labels_list: Any,
        sampling_frequency: float,
        unit_ids: Any = None,
        num_samples: Any = None,
    ) -> NumpySorting:
        """Build from spike frames and their unit labels, one pair of arrays per segment.

        Parameters
        ----------
        samples_list, labels_list : array or list of arrays
            Frames and unit ids (any order); a single array means one segment.
        sampling_frequency : float
        unit_ids : list or None
            All unit ids (units without spikes included); default: the sorted distinct labels.
        num_samples : list of int or None
            Samples per segment, when known.

        Examples
        --------
        >>> import lazyephys as le
        >>> s = le.NumpySorting.from_samples_and_labels([[9, 1, 4]], [["a", "a", "b"]], 1e3)
        >>> s.get_unit_spike_train("a").tolist()
        [1, 9]
        """
        samples_segments = _per_segment(samples_list, "samples_list")
        labels_segments = _per_segment(labels_list, "labels_list")
        if len(samples_segments) != len(labels_segments):
            raise ValueError(
                f"samples_list has {len(samples_segments)} segments, labels_list has "
                f"{len(labels_segments)}"
            )
        if unit_ids is None:
            joined = [lab for lab in labels_segments if lab.size]
            unit_ids = np.unique(np.concatenate(joined)) if joined else np.zeros(0, np.int64)
        ids = as_id_array(unit_ids, "unit_ids")
        index = IdIndex(ids, "unit")
        parts = []
        for segment_index, (samples, labels) in enumerate(
            zip(samples_segments, labels_segments, strict=True)
        ):
            if samples.shape != labels.shape:
                raise ValueError(
                    f"segment {segment_index}: {samples.size} samples but {labels.size} labels"
                )
            frames = _as_frames(samples)
            if labels.size:
                distinct, inverse = np.unique(labels, return_inverse=True)
                units = index.indices(distinct)[inverse.reshape(-1)]
            else:
                units = np.zeros(0, np.int64)
            order = sort_spikes(frames, units)
            vector = empty_spike_vector(frames.size)
            vector["sample_index"] = frames[order]
            vector["unit_index"] = units[order]
            vector["segment_index"] = segment_index
            parts.append(vector)
        spikes = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if num_samples is None:
            num_samples = [None] * len(parts)
        return cls(spikes, sampling_frequency, ids, num_samples)

    @classmethod
    def from_times_and_labels(
        cls,
        times_list: Any,
        labels_list: Any,
        sampling_frequency: float,
        unit_ids: Any = None,
        num_samples: Any = None,
    ) -> NumpySorting:
        """Build from spike times in seconds (rounded to the nearest frame) and unit labels.

        Examples
        --------
        >>> import lazyephys as le
        >>> s = le.NumpySorting.from_times_and_labels([[0.5, 0.001]], [[1, 1]], 1000.0)
        >>> s.get_unit_spike_train(1).tolist()
        [1, 500]
        """
        fs = check_sampling_frequency(sampling_frequency)
        times_segments = _per_segment(times_list, "times_list")
        samples_list = [np.rint(t.astype(np.float64) * fs).astype(np.int64)
                        for t in times_segments]
        return cls.from_samples_and_labels(samples_list, labels_list, fs, unit_ids, num_samples)

    @classmethod
    def from_spike_vector(
        cls,
        spike_vector: Any,
        sampling_frequency: float,
        unit_ids: Any = None,
        num_samples: Any = None,
    ) -> NumpySorting:
        """Build from a spike vector, or a list of per-segment spike vectors.

        With a list, each array's ``segment_index`` field is set from its position. Unit ids
        default to ``0..max(unit_index)``.

        Examples
        --------
        >>> import lazyephys as le
        >>> vector = le.generate_sorting(num_units=2, durations=[1.0], seed=1).to_spike_vector()
        >>> le.NumpySorting.from_spike_vector(vector, 30000.0).get_num_units()
        2
        """
        if isinstance(spike_vector, (list, tuple)):
            parts = []
            for segment_index, part in enumerate(spike_vector):
                vector = as_spike_vector(part)
                if vector is part or not vector.flags.writeable:
                    vector = vector.copy()
                vector["segment_index"] = segment_index
                parts.append(vector)
            if not parts:
                raise ValueError("from_spike_vector got an empty list of segments")
            vector = np.concatenate(parts)
            if num_samples is None:
                num_samples = [None] * len(parts)
        else:
            vector = as_spike_vector(spike_vector)
        if unit_ids is None:
            top = int(vector["unit_index"].max()) + 1 if vector.size else 0
            unit_ids = np.arange(top, dtype=np.int64)
        return cls(vector, sampling_frequency, unit_ids, num_samples)

    @classmethod
    def from_peaks(cls, peaks: Any, sampling_frequency: float, unit_ids: Any) -> NumpySorting:
        """Build from detected peaks: one unit per channel, its spikes the channel's peaks.

        Parameters
        ----------
        peaks : numpy structured array
            With the fields ``sample_index``, ``channel_index`` and ``segment_index``
            (as peak detection returns them), in any order.
        sampling_frequency : float
        unit_ids : list
            One id per channel index (usually the recording's channel ids).

        Examples
        --------
        >>> import numpy as np, lazyephys as le
        >>> peaks = np.zeros(3, dtype=[("sample_index", "i8"), ("channel_index", "i8"),
        ...                            ("segment_index", "i8"), ("amplitude", "f4")])
        >>> peaks["sample_index"] = [30, 10, 20]
        >>> peaks["channel_index"] = [1, 0, 1]
        >>> s = le.NumpySorting.from_peaks(peaks, 1000.0, unit_ids=["a", "b"])
        >>> s.get_unit_spike_train("b").tolist()
        [20, 30]
        """
        names = getattr(getattr(peaks, "dtype", None), "names", None) or ()
        missing = {"sample_index", "channel_index", "segment_index"} - set(names)
        if missing:
            raise ValueError(
                f"peaks must be a structured array with the fields sample_index, "
                f"channel_index and segment_index; it lacks {sorted(missing)}"
            )
        samples = np.asarray(peaks["sample_index"], dtype=np.int64)
        units = np.asarray(peaks["channel_index"], dtype=np.int64)
        segments = np.asarray(peaks["segment_index"], dtype=np.int64)
        ids = as_id_array(unit_ids, "unit_ids")
        if units.size and (units.min() < 0 or units.max() >= ids.size):
            raise ValueError(
                f"peaks have channel indices {int(units.min())}..{int(units.max())} but "
                f"{ids.size} unit_ids were given (one per channel index)"
            )
        order = np.lexsort((units, samples, segments))
        vector = empty_spike_vector(samples.size)
        vector["sample_index"] = samples[order]
        vector["unit_index"] = units[order]
        vector["segment_index"] = segments[order]
        return cls(vector, sampling_frequency, ids)

    @classmethod
    def from_sorting(cls, sorting: Sorting, with_metadata: bool = True) -> NumpySorting:
        """An in-memory copy of any sorting (its properties and annotations too).

        Examples
        --------
        >>> import lazyephys as le
        >>> lazy = le.generate_sorting(num_units=4, durations=[1.0], seed=2).select_units(["1"])
        >>> le.NumpySorting.from_sorting(lazy).get_unit_ids().tolist()
        ['1']
        """
        if not isinstance(sorting, Sorting):
            raise TypeError(f"expected a Sorting, got {type(sorting).__name__}")
        vector = sorting.to_spike_vector(concatenated=True)
        known = [sorting.known_num_samples(i) for i in range(sorting.get_num_segments())]
        result = cls(vector, sorting.get_sampling_frequency(), sorting.get_unit_ids(), known)
        if with_metadata:
            # set as state changed after construction, so that provenance keeps it
            for key in sorting.get_property_keys():
                result.set_property(key, sorting.get_property(key))
            result.annotate(**{key: sorting.get_annotation(key)
                               for key in sorting.get_annotation_keys()})
        return result


def _per_segment(values: Any, name: str) -> list[np.ndarray]:
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":
        return [values.reshape(-1)]
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be an array or a list of arrays, got {type(values).__name__}")
    if values and all(np.ndim(v) == 0 for v in values):
        return [np.asarray(values).reshape(-1)]
    return [np.asarray(v).reshape(-1) for v in values]


def _as_frames(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    if values.dtype.kind == "f":
        whole = np.all(np.isfinite(values)) and np.all(values == np.rint(values))
        if whole:
            return values.astype(np.int64)
    raise TypeError(f"spike frames must be whole sample indices, got dtype {values.dtype}")


def _vector_from_unit_runs(
    samples: np.ndarray, units: np.ndarray, segment_index: int, units_ascending: bool
) -> np.ndarray:
    """A sorted spike vector from trains concatenated unit by unit.

    A stable sort by sample keeps the concatenation order among equal samples; when the
    trains were concatenated in ascending unit order, that is already the unit order, and
    timsort merges the (mostly sorted) runs in about linear time.
    """
    order = np.argsort(samples, kind="stable")
    vector = empty_spike_vector(samples.size)
    vector["sample_index"] = samples[order]
    vector["unit_index"] = units[order]
    vector["segment_index"] = segment_index
    if not units_ascending:
        order_ties_by_unit(vector)
    return vector
