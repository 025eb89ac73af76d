"""Channel and unit ids: normalisation and fast id -> index lookup.

Ids of one object are either all strings or all integers and are held as one numpy array
(``<U`` or ``int64``). Looking up many ids is vectorised (a sorted copy and ``searchsorted``)
so that naming all 384 channels of a probe costs microseconds, not a linear search per id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import UnknownIdError

__all__ = ["as_id_array", "IdIndex", "make_unique_ids"]

_STR_TYPES = {str, np.str_}
_INT_TYPES = {int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64}


def as_id_array(ids: Any, what: str = "ids", allow_duplicates: bool = False) -> np.ndarray:
    """Normalise a sequence of ids to a 1-d numpy array of ``<U`` or ``int64`` dtype.

    Parameters
    ----------
    ids : sequence of str or int
        The ids. A single string is refused: it would otherwise be read as characters.
    what : str
        What the ids are, for error messages ("channel_ids", "unit_ids", ...).
    allow_duplicates : bool
        If False (default) duplicate ids raise ``ValueError`` naming them.

    Returns
    -------
    numpy.ndarray
        A new array, of kind ``U`` or ``i``.
    """
    if isinstance(ids, (str, bytes, np.str_)):
        raise TypeError(f"{what} must be a list of ids, not the single string {ids!r}")
    if isinstance(ids, np.ndarray):
        arr = ids.ravel() if ids.ndim > 1 else ids
        if ids.ndim > 1:
            raise ValueError(f"{what} must be one-dimensional, got shape {ids.shape}")
    else:
        if not isinstance(ids, Iterable):
            raise TypeError(f"{what} must be a list of ids, got {type(ids).__name__}: {ids!r}")
        values = list(ids)
        # one pass over the types, not over the values: fast for hundreds of ids
        types = set(map(type, values))
        if types <= _STR_TYPES and values:
            arr = np.array(values, dtype=str)
        elif types <= _INT_TYPES:
            arr = np.array(values, dtype=np.int64)
        else:
            kinds = {_id_kind(v, what) for v in values}
            if len(kinds) > 1:
                raise TypeError(f"{what} must be all str or all int, got a mix: {values!r}")
            arr = np.array(values, dtype=np.int64 if kinds == {"i"} else str)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.int64, copy=True)
    elif arr.dtype.kind == "U":
        arr = arr.copy()
    elif arr.dtype.kind == "O":
        return as_id_array(list(arr), what, allow_duplicates)
    else:
        raise TypeError(f"{what} must be str or int, got dtype {arr.dtype}: {arr!r}")
    if not allow_duplicates and arr.size > 1:
        sorted_ids = np.sort(arr)
        dup = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]]
        if dup.size:
            raise ValueError(f"{what} contain duplicates: {sorted(set(dup.tolist()))!r}")
    return arr


def _id_kind(value: Any, what: str) -> str:
    if isinstance(value, (str, np.str_)):
        return "U"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be str or int, got the bool {value!r}")
    if isinstance(value, (int, np.integer)):
        return "i"
    raise TypeError(f"{what} must be str or int, got {type(value).__name__}: {value!r}")


class IdIndex:
    """Maps ids to their positions, vectorised.

    Parameters
    ----------
    ids : numpy.ndarray
        Unique ids, as returned by :func:`as_id_array`.
    what : str
        Name used in error messages.
    """

    __slots__ = ("_ids", "_lookup", "_order", "_sorted", "_what")

    def __init__(self, ids: np.ndarray, what: str = "id") -> None:
        self._ids = ids
        self._what = what
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]
        self._lookup: dict[Any, int] | None = None

    def indices(self, ids: Any) -> np.ndarray:
        """Positions of ``ids`` (any order; duplicates refused) as an int64 array."""
        query = as_id_array(ids, f"{self._what}s")
        if query.size == 0:
            return np.zeros(0, dtype=np.int64)
        if query.dtype.kind != self._ids.dtype.kind:
            raise UnknownIdError(
                f"unknown {self._what}s {query.tolist()!r}: the ids are {self._ids.dtype.kind}"
                f"-typed, valid {self._what}s are {self._ids.tolist()!r}"
            )
        pos = np.searchsorted(self._sorted, query)
        pos_clipped = np.minimum(pos, self._sorted.size - 1)
        found = self._sorted[pos_clipped] == query if self._sorted.size else np.zeros(0, bool)
        if not np.all(found):
            missing = query[~found].tolist() if self._sorted.size else query.tolist()
            raise UnknownIdError(
                f"unknown {self._what}s {missing!r}; valid {self._what}s are {self._ids.tolist()!r}"
            )
        return self._order[pos_clipped]

    def index(self, one_id: Any) -> int:
        """Position of a single id."""
        if isinstance(one_id, (list, tuple, np.ndarray)):
            raise TypeError(f"expected a single {self._what}, got {one_id!r}")
        # one id at a time (a loop over units' trains): a dict, built on first use, answers in
        # a hash lookup; only exact str/int types take it (True == 1 and 1.0 == 1 must not)
        if type(one_id) in _STR_TYPES or type(one_id) in _INT_TYPES:
            if self._lookup is None:
                self._lookup = {v: i for i, v in enumerate(self._ids.tolist())}
            found = self._lookup.get(one_id)
            if found is not None:
                return found
        return int(self.indices([one_id])[0])


def make_unique_ids(count: int, like: np.ndarray) -> np.ndarray:
    """New ids ``0..count-1`` of the same kind (str or int) as ``like``."""
    if like.dtype.kind == "U":
        return np.array([str(i) for i in range(count)])
    return np.arange(count, dtype=np.int64)
