"""NWB's HDF5 layout, read with h5py: dynamic tables, their columns, and where series live.

Facts of the NWB schema used here: a table (``DynamicTable``) is an HDF5 group with a
``colnames`` attribute and an ``id`` dataset; a column is a dataset of one row per id, or,
when ragged, a flat dataset plus ``<column>_index`` holding each row's end offset. Every
typed group carries its type in the ``neurodata_type`` attribute.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FormatError

__all__ = [
    "attribute_text",
    "read_column",
    "read_values",
    "table_columns",
    "find_typed_groups",
    "ragged_rows",
]

#: Where NWB files keep the time series a reader looks for.
_SERIES_ROOTS = ("acquisition", "processing")


def attribute_text(node: Any, name: str, default: str = "") -> str:
    """An HDF5 attribute as text (h5py gives bytes or str depending on how it was written)."""
    value = node.attrs.get(name, default)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
    return str(value)


def read_values(group: Any, name: str) -> np.ndarray | None:
    """All values of a small dataset of ``group``; text decoded; None for references and
    compounds.

    Reads through h5py's low-level dataset API: opening the high-level ``Dataset`` object and
    slicing it costs several times more than the read itself, and an NWB file's tables are
    many small datasets read whole.
    """
    import h5py

    dataset = h5py.h5d.open(group.id, name.encode())
    dtype = dataset.dtype
    text = h5py.check_string_dtype(dtype)
    if dtype.kind not in "biuf" and text is None:
        return None  # references, compounds, enums other than bool
    values = np.empty(dataset.shape, dtype=dtype)
    if values.size:
        dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, values)
    if text is None:
        return values
    encoding = text.encoding
    flat = [v.decode(encoding, errors="replace") if isinstance(v, bytes) else str(v)
            for v in values.ravel()]
    return np.array(flat, dtype=str).reshape(values.shape)


def table_columns(table: Any) -> list[str]:
    """The column names of a dynamic table, in the order the file declares them."""
    names = table.attrs.get("colnames")
    if names is None:
        return [key for key in table if key != "id" and not key.endswith("_index")]
    return [n.decode() if isinstance(n, bytes) else str(n) for n in np.atleast_1d(names)]


def ragged_rows(values: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """Split a ragged column's flat values at its rows' end offsets."""
    return np.split(values, np.asarray(ends, dtype=np.int64)[:-1]) if ends.size else []


def read_column(table: Any, name: str, where: str,
                keys: set[str] | None = None) -> tuple[np.ndarray, bool] | None:
    """One column of a dynamic table: ``(values, ragged)``, or None for reference columns.

    A ragged column comes back stacked (one more axis) when its rows have one shape, else as
    an object array of per-row arrays; doubly ragged columns and columns of references (an
    electrode's group) give None. ``keys`` (the table's member names, listed once by the
    caller) saves one lookup per column.
    """
    if keys is None:
        keys = set(table)
    if name not in keys:
        raise FormatError(f"{where}: the table declares the column {name!r} but has no dataset")
    values = read_values(table, name)
    if values is None:
        return None
    index_name = f"{name}_index"
    if index_name not in keys:
        return values, False
    if f"{index_name}_index" in keys:
        return None
    ends = np.asarray(read_values(table, index_name), dtype=np.int64)
    pieces = ragged_rows(values, ends)
    if pieces and all(piece.shape == pieces[0].shape for piece in pieces):
        # rows of one shape (one observation interval per unit...) stack into a plain array
        return np.stack(pieces), True
    rows = np.empty(ends.size, dtype=object)
    for row, piece in enumerate(pieces):
        rows[row] = piece
    return rows, True


def find_typed_groups(file: Any, neurodata_types: tuple[str, ...]) -> list[str]:
    """Paths (without the leading ``/``) of the groups of these types under the series roots.

    Only groups are walked, never datasets, so large files list quickly.
    """
    found: list[str] = []
    stack = [file[root] for root in _SERIES_ROOTS if root in file]
    import h5py

    while stack:
        group = stack.pop()
        for key in sorted(group, reverse=True):
            link = group.get(key, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                continue
            child = group[key]
            if not isinstance(child, h5py.Group):
                continue
            if attribute_text(child, "neurodata_type") in neurodata_types:
                found.append(child.name.lstrip("/"))
            else:
                stack.append(child)
    return sorted(found)
