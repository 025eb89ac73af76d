"""What the lazy views of both halves share: the view key, its composition, segment selection
and ``split_by``.

A channel view of a recording and a unit view of a sorting are the same idea: some of the
parent's ids (positions, in a new order), optionally renamed, and optionally a frame range of
a single-segment parent. That is a :class:`ViewKey`. Keys compose, as xarray's lazily indexed
arrays compose their indexers: a view of a view is one view of the original parent, whose key
is ``outer.compose_over(inner)``. A view never reads another object's provenance record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from .ids import as_id_array
from .validation import as_frame, as_index_array, resolve_segment_index

__all__ = [
    "ViewKey",
    "resolve_view_ids",
    "SplitOutputs",
    "split_by_property",
    "resolve_segment_indices",
]

E = TypeVar("E")

SplitOutputs = Literal["dict", "list"]


@dataclass(frozen=True, eq=False)
class ViewKey:
    """What a view takes of its parent.

    Attributes
    ----------
    indices : int64 array or None
        Parent id positions, in the view's order; None keeps every id in order.
    ids : array or None
        The view's ids; None keeps the parent's ids of the selected positions.
    start_frame, end_frame : int or None
        The frame range of a single-segment parent; None keeps the segment's start or end.

    Examples
    --------
    >>> import numpy as np
    >>> inner = ViewKey(indices=np.array([4, 2, 7]), start_frame=100, end_frame=900)
    >>> outer = ViewKey(indices=np.array([2, 0]), start_frame=10, end_frame=20)
    >>> key = outer.compose_over(inner)
    >>> key.indices.tolist(), key.start_frame, key.end_frame
    ([7, 4], 110, 120)
    """

    indices: np.ndarray | None = None
    ids: np.ndarray | None = None
    start_frame: int | None = None
    end_frame: int | None = None

    @property
    def renames(self) -> bool:
        """True if the view gives its ids new names."""
        return self.ids is not None

    @property
    def slices_frames(self) -> bool:
        """True if the view cuts a frame range."""
        return self.start_frame is not None or self.end_frame is not None

    def compose_over(self, inner: ViewKey) -> ViewKey:
        """The key that reads, from ``inner``'s parent, what this key reads from ``inner``'s view.

        Positions index into the inner view's ids; ids keep the inner view's names unless this
        key renames; frames add the inner view's offset.
        """
        if self.indices is None:
            indices = inner.indices
        elif inner.indices is None:
            indices = self.indices
        else:
            indices = inner.indices[self.indices]
        if self.ids is not None:
            ids = self.ids
        elif inner.ids is not None:
            ids = inner.ids if self.indices is None else inner.ids[self.indices]
        else:
            ids = None
        offset = inner.start_frame or 0
        start: int | None
        end: int | None
        if self.slices_frames:
            start = offset + (self.start_frame or 0)
            end = inner.end_frame if self.end_frame is None else offset + self.end_frame
        else:
            start, end = inner.start_frame, inner.end_frame
        return ViewKey(indices, ids, start, end)


def resolve_view_ids(
    parent_ids: np.ndarray, indices: Any, ids: Any, id_name: str
) -> tuple[np.ndarray | None, np.ndarray]:
    """Validate a view's parent positions and new ids; return them and the view's ids.

    Parameters
    ----------
    parent_ids : numpy.ndarray
        The parent's ids.
    indices : array-like of int or None
        Parent positions in the view's order (distinct); None keeps all.
    ids : array-like or None
        New ids, one per selected position; None keeps the parent's.
    id_name : str
        "channel" or "unit", for errors.

    Examples
    --------
    >>> import numpy as np
    >>> positions, ids = resolve_view_ids(np.array(["a", "b", "c"]), [2, 0], None, "unit")
    >>> positions.tolist(), ids.tolist()
    ([2, 0], ['c', 'a'])
    """
    num_parent = parent_ids.size
    if indices is None:
        positions = None
        selected = parent_ids
    else:
        positions = as_index_array(indices, f"{id_name}_indices")
        if positions.size and (positions.min() < 0 or positions.max() >= num_parent):
            raise IndexError(
                f"{id_name}_indices {positions.tolist()} out of range for {num_parent} "
                f"{id_name}s"
            )
        if np.unique(positions).size != positions.size:
            raise ValueError(f"{id_name}_indices contain duplicates: {positions.tolist()}")
        selected = parent_ids[positions]
    new_ids = selected if ids is None else as_id_array(ids, f"{id_name}_ids")
    if new_ids.size != selected.size:
        raise ValueError(
            f"{id_name}_ids: {new_ids.size} new {id_name} ids given for {selected.size} "
            f"{id_name}s"
        )
    return positions, new_ids


def resolve_segment_indices(segment_indices: Any, num_segments: int) -> list[int]:
    """Validate a selection of segments (an int or a sequence): distinct, in range, not empty.

    Examples
    --------
    >>> resolve_segment_indices(1, 3), resolve_segment_indices([2, 0], 3)
    ([1], [2, 0])
    """
    if isinstance(segment_indices, (int, np.integer)) and not isinstance(segment_indices, bool):
        segment_indices = [int(segment_indices)]
    if not isinstance(segment_indices, (Sequence, np.ndarray)) or isinstance(
        segment_indices, (str, bytes)
    ):
        raise TypeError(
            f"segment_indices must be an int or a list of ints, got {segment_indices!r}"
        )
    indices = []
    for item in segment_indices:
        try:
            indices.append(resolve_segment_index(as_frame(item, "segment index"), num_segments))
        except (TypeError, ValueError, IndexError) as err:
            raise type(err)(f"segment_indices {segment_indices!r}: {err}") from None
    if not indices:
        raise ValueError(
            f"segment_indices is empty: select at least one of the {num_segments} segments"
        )
    if len(set(indices)) != len(indices):
        raise ValueError(f"segment_indices contain duplicates: {indices}")
    return indices


def split_by_property(
    values: np.ndarray,
    property_name: str,
    select: Callable[[np.ndarray], E],
    outputs: str,
) -> dict[Any, E] | list[E]:
    """One selection per distinct value of a property, in order of the values.

    Parameters
    ----------
    values : numpy.ndarray
        The property, one value per id.
    property_name : str
        Its name, for errors.
    select : callable
        ``select(positions)`` builds the selection of the ids at ``positions``.
    outputs : {"dict", "list"}
        A dict ``{value: selection}`` or a list.
    """
    if outputs not in ("dict", "list"):
        raise ValueError(f"outputs must be 'dict' or 'list', got {outputs!r}")
    if values.ndim != 1:
        raise ValueError(
            f"property {property_name!r} has shape {values.shape}: split needs 1-d values"
        )
    distinct, inverse = np.unique(values, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(distinct.size + 1))
    result = {
        value.item(): select(order[bounds[i] : bounds[i + 1]]) for i, value in enumerate(distinct)
    }
    return result if outputs == "dict" else list(result.values())
