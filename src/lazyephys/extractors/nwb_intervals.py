"""NWB interval tables (``epochs``, ``trials``, ``invalid_times``, any ``TimeIntervals``).

An interval table comes back as a dict of equal-length numpy arrays: ``id``, ``start_time``,
``stop_time`` and every other column (ragged ones, such as ``tags``, as one array per row) —
what the analysis functions take as an epochs table.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import FormatError, UnknownIdError
from .hdf5_files import open_hdf5
from .nwb_tables import read_column, table_columns

__all__ = ["read_nwb_epochs", "get_nwb_interval_tables"]

_INTERVALS = "intervals"


def _interval_tables(file: Any) -> list[str]:
    names = [name for name in ("epochs", "trials", "invalid_times") if name in file]
    if _INTERVALS in file:
        names += [name for name in file[_INTERVALS] if name not in names]
    return sorted(names)


def _locate(file: Any, table: str) -> Any:
    """NWB keeps epochs/trials/invalid_times under ``intervals/`` (older files at the root)."""
    for path in (f"{_INTERVALS}/{table}", table):
        if path in file:
            return file[path]
    return None


def get_nwb_interval_tables(
    file_path: str | os.PathLike[str],
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> list[str]:
    """The names of the interval tables of an NWB file (``["epochs", "trials"]``...)."""
    with open_hdf5(file_path, stream_mode, storage_options, "NWB") as file:
        return _interval_tables(file)


def read_nwb_epochs(
    file_path: str | os.PathLike[str],
    table: str = "epochs",
    stream_mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """An interval table of an NWB file as a dict of columns.

    Parameters
    ----------
    file_path : str or Path
        The NWB file or a remote URL.
    table : str
        ``"epochs"``, ``"trials"``, ``"invalid_times"`` or the name of any other interval
        table of the file.
    stream_mode, storage_options
        As for :func:`~lazyephys.extractors.read_nwb_recording`.

    Returns
    -------
    dict of str to numpy.ndarray
        ``id``, ``start_time``, ``stop_time`` (seconds) and the table's other columns, one
        value per interval.

    Raises
    ------
    UnknownIdError
        If the file has no such table (the message lists those it has).

    Examples
    --------
    >>> trials = read_nwb_epochs("/data/session.nwb", table="trials")  # doctest: +SKIP
    >>> trials["stop_time"] - trials["start_time"]  # doctest: +SKIP
    """
    where = f"the NWB file {file_path}"
    with open_hdf5(file_path, stream_mode, storage_options, "NWB") as file:
        group = _locate(file, str(table))
        if group is None or "id" not in group:
            raise UnknownIdError(
                f"{where} has no interval table {table!r}; its interval tables are "
                f"{_interval_tables(file)}"
            )
        size = int(group["id"].shape[0])
        out: dict[str, np.ndarray] = {"id": np.asarray(group["id"][()])}
        keys = set(group)
        for name in table_columns(group):
            found = read_column(group, name, f"{where}, table {table!r}", keys)
            if found is not None and found[0].shape[:1] == (size,):
                out[name] = found[0]
    for name in ("start_time", "stop_time"):
        if name not in out:
            raise FormatError(f"{where}: the interval table {table!r} has no {name!r} column")
    return out
