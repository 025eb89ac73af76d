"""Segments written the SpikeInterface way, read through unit ids.

Such a segment gives one unit's sorted frames with ``get_unit_spike_train(unit_id,
start_frame, end_frame)`` (None for an open bound). The adapter answers per-unit reads by
asking it directly, and builds the spike vector once (one call per unit, then one sort).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import SortingSegment, empty_spike_vector, sort_spikes

__all__ = ["UnitTrainsSegment"]


class UnitTrainsSegment(SortingSegment):
    """A sorting segment over a segment that gives spike trains by unit id.

    Parameters
    ----------
    source : object
        Has ``get_unit_spike_train(unit_id, start_frame, end_frame)``.
    unit_ids : numpy.ndarray
        The sorting's unit ids, in unit-index order.
    """

    __slots__ = ("_vector", "source", "unit_ids")

    def __init__(self, source: Any, unit_ids: np.ndarray) -> None:
        if not callable(getattr(source, "get_unit_spike_train", None)):
            raise TypeError(f"{type(source).__name__} has no get_unit_spike_train(unit_id, "
                            "start_frame, end_frame) method")
        self.source = source
        self.unit_ids = unit_ids
        self._vector: np.ndarray | None = None

    def _train(self, unit_index: int, start: int | None, end: int | None) -> np.ndarray:
        frames = self.source.get_unit_spike_train(self.unit_ids[unit_index].item(), start, end)
        frames = np.asarray(frames)
        if frames.dtype.kind not in "iu":
            raise TypeError(f"{type(self.source).__name__}.get_unit_spike_train returned "
                            f"{frames.dtype} values; spike frames must be integers")
        return frames.astype(np.int64, copy=False).reshape(-1)

    def get_spike_vector(self, segment_index: int | None) -> np.ndarray:
        if self._vector is None:
            trains = [self._train(u, None, None) for u in range(self.unit_ids.size)]
            samples = np.concatenate(trains) if trains else np.zeros(0, np.int64)
            units = np.repeat(np.arange(len(trains), dtype=np.int64), [t.size for t in trains])
            order = sort_spikes(samples, units)
            vector = empty_spike_vector(samples.size)
            vector["sample_index"] = samples[order]
            vector["unit_index"] = units[order]
            vector["segment_index"] = 0
            vector.flags.writeable = False
            self._vector = vector
        if segment_index is None or segment_index == 0:
            return self._vector
        out = self._vector.copy()
        out["segment_index"] = segment_index
        return out

    def get_unit_spike_train(
        self, unit_index: int, start_frame: int, end_frame: int | None
    ) -> np.ndarray:
        train = self._train(unit_index, start_frame, end_frame)
        if train.size > 1 and bool(np.any(np.diff(train) < 0)):
            train = np.sort(train)
        return train
