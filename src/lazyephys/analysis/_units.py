"""Which units an analysis covers, and the smallest unsigned dtype that holds counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["UnitColumns", "smallest_unsigned_dtype"]

_UNSIGNED = (np.uint8, np.uint16, np.uint32, np.uint64)


def smallest_unsigned_dtype(maximum: int) -> np.dtype:
    """The smallest unsigned integer dtype holding ``0..maximum``."""
    for dtype in _UNSIGNED:
        if maximum <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise OverflowError(f"{maximum} does not fit in 64 bits")


class UnitColumns:
    """The units an analysis covers, as output columns.

    ``lookup[unit_index]`` is the column of a unit of the sorting, or -1 when it is left out;
    ``lookup`` is None when every unit is kept in the sorting's order (no remapping needed).
    """

    def __init__(self, sorting: Sorting, unit_ids: Any = None) -> None:
        all_ids = sorting.get_unit_ids()
        if unit_ids is None:
            self.unit_ids = np.asarray(all_ids)
            self.indices = np.arange(all_ids.size, dtype=np.int64)
            self.lookup: np.ndarray | None = None
        else:
            if not isinstance(unit_ids, (list, tuple, np.ndarray)) or np.ndim(unit_ids) != 1:
                raise TypeError(f"unit_ids must be a list of unit ids, got {unit_ids!r}")
            # select_units validates the ids and names any unknown one
            self.unit_ids = np.asarray(sorting.select_units(unit_ids).get_unit_ids())
            position = {uid: i for i, uid in enumerate(all_ids.tolist())}
            self.indices = np.array([position[u] for u in self.unit_ids.tolist()], np.int64)
            lookup = np.full(all_ids.size, -1, dtype=np.int64)
            lookup[self.indices] = np.arange(self.indices.size)
            self.lookup = None if np.array_equal(self.indices, np.arange(all_ids.size)) else lookup
        self.num_columns = int(self.unit_ids.size)
        self.properties = {
            key: np.asarray(sorting.get_property(key))[self.indices]
            for key in sorting.get_property_keys()
        }

    def columns_of(self, unit_indices: np.ndarray) -> np.ndarray:
        """Columns of spikes' unit indices (-1 for units left out)."""
        if self.lookup is None:
            return unit_indices
        return self.lookup[unit_indices]
