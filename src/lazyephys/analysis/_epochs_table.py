"""Epochs tables: what users pass as epochs, read into columns of equal length."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InvalidEpochsError

__all__ = ["read_epochs_table", "check_intervals"]


def _columns_of(epochs: Any) -> dict[str, np.ndarray]:
    if hasattr(epochs, "to_dataframe") and not hasattr(epochs, "columns"):
        epochs = epochs.to_dataframe()  # an NWB TimeIntervals table
    if hasattr(epochs, "columns") and hasattr(epochs, "__getitem__"):  # a pandas DataFrame
        columns = {str(name): np.asarray(epochs[name]) for name in epochs.columns}
        index_name = getattr(getattr(epochs, "index", None), "name", None)
        if index_name is not None and str(index_name) not in columns:
            # a named index (an Allen table's stimulus_presentation_id) is a label too
            columns[str(index_name)] = np.asarray(epochs.index)
        return columns
    if isinstance(epochs, Mapping):
        return {str(name): np.asarray(values) for name, values in epochs.items()}
    array = np.asarray(epochs)
    if array.ndim == 2 and array.shape[1] == 2 and array.dtype.kind in "iuf":
        return {"start_time": array[:, 0], "stop_time": array[:, 1]}
    raise InvalidEpochsError(
        "epochs must be a pandas DataFrame or a dict of arrays with 'start_time' and "
        f"'stop_time', or an (n, 2) array of [start, stop] seconds; got "
        f"{type(epochs).__name__}" + (f" of shape {array.shape}" if array.ndim else "")
    )


def read_epochs_table(epochs: Any, allow_empty: bool = False, what: str = "epoch",
                      allow_zero_length: bool = False) -> dict[str, np.ndarray]:
    """The epochs' columns, ``start_time`` and ``stop_time`` as float64 first.

    Raises
    ------
    InvalidEpochsError
        Without ``start_time``/``stop_time`` columns (naming those it has), with columns of
        different lengths, with non-finite times, a stop before its start or a zero-length
        epoch (naming the rows).
    """
    columns = _columns_of(epochs)
    missing = [name for name in ("start_time", "stop_time") if name not in columns]
    if missing:
        raise InvalidEpochsError(
            f"the epochs table has no {' or '.join(repr(m) for m in missing)} column; its "
            f"columns are {sorted(columns)}"
        )
    lengths = {name: values.shape[0] if values.ndim else -1 for name, values in columns.items()}
    if len(set(lengths.values())) != 1:
        raise InvalidEpochsError(f"the epochs table's columns differ in length: {lengths}")
    starts = columns.pop("start_time").astype(np.float64)
    stops = columns.pop("stop_time").astype(np.float64)
    check_intervals(starts, stops, what, allow_zero_length)
    if starts.size == 0 and not allow_empty:
        raise InvalidEpochsError("the epochs table has no rows")
    return {"start_time": starts, "stop_time": stops, **columns}


def check_intervals(starts: np.ndarray, stops: np.ndarray, what: str,
                    allow_zero_length: bool) -> None:
    """Raise naming the rows whose times are not finite or whose stop is not after start."""
    bad = np.flatnonzero(~(np.isfinite(starts) & np.isfinite(stops)))
    if bad.size:
        raise InvalidEpochsError(f"{what} rows {bad[:10].tolist()} have times that are not finite")
    reversed_rows = np.flatnonzero(stops < starts)
    if reversed_rows.size:
        row = int(reversed_rows[0])
        raise InvalidEpochsError(
            f"{what} rows {reversed_rows[:10].tolist()} stop before they start (row {row}: "
            f"start_time {starts[row]!r}, stop_time {stops[row]!r})"
        )
    if not allow_zero_length:
        empty = np.flatnonzero(stops == starts)
        if empty.size:
            row = int(empty[0])
            raise InvalidEpochsError(
                f"{what} rows {empty[:10].tolist()} have zero length (row {row}: start_time = "
                f"stop_time = {starts[row]!r}); drop them or give them a duration"
            )
