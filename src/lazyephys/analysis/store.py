"""Saving and loading binned and epoch-aligned counts with their labels: HDF5 or zarr.

A store holds the counts, the bin edges, the unit ids and properties, the epochs' table
(for :class:`EpochCounts`) and the scalars (bin duration, segment), under a
``{"format": ..., "version": ...}`` header. It is written under a temporary name and renamed
when complete. Strings are stored as text; nothing is pickled.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..errors import FormatError
from ..io.atomic import atomic_file, atomic_folder
from ..io.formats import (
    BINNED_SPIKES_FORMAT,
    EPOCH_COUNTS_FORMAT,
    FORMAT_VERSIONS,
    check_format,
)
from ..io.hdf5 import is_hdf5_file, read_labels, write_labels
from .binning import BinnedSpikes
from .epochs import EpochCounts

__all__ = ["save_counts", "load_counts"]


# ------------------------------------------------------------------ backends
class _Hdf5Side:
    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def put(self, name: str, values: np.ndarray) -> None:
        write_labels(self.handle, name, values)

    def get(self, name: str) -> np.ndarray:
        return read_labels(self.handle[name])

    def names(self, group: str) -> list[str]:
        return list(self.handle[group]) if group in self.handle else []

    def has(self, name: str) -> bool:
        return name in self.handle

    def header(self) -> dict[str, Any]:
        return json.loads(_text(self.handle.attrs["lazyephys"]))

    def set_header(self, header: dict[str, Any]) -> None:
        self.handle.attrs["lazyephys"] = json.dumps(header)


class _ZarrSide:
    """Numbers as zarr arrays; strings and structured arrays as ``.npy`` bytes (no pickle)."""

    def __init__(self, group: Any) -> None:
        self.group = group

    def put(self, name: str, values: np.ndarray) -> None:
        array = np.asarray(values)
        if array.dtype.kind in "biuf":
            self.group.create_array(name, data=np.ascontiguousarray(array))
            return
        if array.dtype.kind in "USO":
            array = np.asarray([str(v) for v in array.ravel().tolist()], dtype=str)
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        stored = self.group.create_array(name, data=np.frombuffer(buffer.getvalue(), np.uint8))
        stored.attrs["encoding"] = "npy"

    def get(self, name: str) -> np.ndarray:
        stored = self.group[name]
        data = np.asarray(stored[...])
        if stored.attrs.get("encoding") == "npy":
            return np.load(io.BytesIO(data.tobytes()), allow_pickle=False)
        return data

    def names(self, group: str) -> list[str]:
        if group not in self.group:
            return []
        return sorted(name for name, _ in self.group[group].members())

    def has(self, name: str) -> bool:
        return name in self.group

    def header(self) -> dict[str, Any]:
        return dict(self.group.attrs["lazyephys"])

    def set_header(self, header: dict[str, Any]) -> None:
        self.group.attrs["lazyephys"] = header


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# --------------------------------------------------------------------- write
def _write(counts: BinnedSpikes | EpochCounts, side: Any) -> None:
    if isinstance(counts, BinnedSpikes):
        header: dict[str, Any] = {"format": BINNED_SPIKES_FORMAT,
                                  "bin_duration": counts.bin_duration,
                                  "binary": counts.binary}
    else:
        header = {"format": EPOCH_COUNTS_FORMAT}
        for key, values in counts.epochs.items():
            side.put(f"epochs/{key}", values)
        if counts.bin_offsets is not None:
            side.put("bin_offsets", counts.bin_offsets)
    header["version"] = FORMAT_VERSIONS[header["format"]]
    header["segment_index"] = int(counts.segment_index)
    side.put("counts", counts.counts)
    side.put("bin_edges", counts.bin_edges)
    side.put("unit_ids", counts.unit_ids)
    for key, values in counts.unit_properties.items():
        side.put(f"unit_properties/{key}", values)
    side.set_header(header)  # last: a store without it is incomplete


def save_counts(
    counts: BinnedSpikes | EpochCounts,
    path: str | os.PathLike[str],
    format: Literal["hdf5", "zarr"] = "hdf5",
    overwrite: bool = False,
) -> Path:
    """Save binned or epoch-aligned counts, with their labels, to an HDF5 file or zarr store.

    Parameters
    ----------
    counts : BinnedSpikes or EpochCounts
    path : path
        The file (``.h5``) or store folder (``.zarr``) to create.
    format : {"hdf5", "zarr"}
    overwrite : bool
        Replace an existing file or store once the new one is complete.

    Returns
    -------
    pathlib.Path
        Where it was written.

    Examples
    --------
    >>> import numpy as np, lazyephys as le, tempfile, pathlib
    >>> from lazyephys.analysis import bin_spikes, save_counts, load_counts
    >>> sorting = le.generate_sorting(num_units=3, durations=[2.0], seed=0)
    >>> binned = bin_spikes(sorting, bin_duration=0.1)
    >>> path = save_counts(binned, pathlib.Path(tempfile.mkdtemp()) / "counts.h5")
    >>> bool(np.array_equal(load_counts(path).counts, binned.counts))
    True
    """
    if not isinstance(counts, (BinnedSpikes, EpochCounts)):
        raise TypeError(f"save_counts takes BinnedSpikes or EpochCounts, got "
                        f"{type(counts).__name__}")
    target = Path(path)
    if format == "hdf5":
        import h5py

        with atomic_file(target, overwrite) as temporary, h5py.File(temporary, "w") as handle:
            _write(counts, _Hdf5Side(handle))
    elif format == "zarr":
        import zarr

        with atomic_folder(target, overwrite) as temporary:
            _write(counts, _ZarrSide(zarr.open_group(str(temporary), mode="w", zarr_format=3)))
    else:
        raise ValueError(f"format must be 'hdf5' or 'zarr', got {format!r}")
    return target


# ---------------------------------------------------------------------- read
def load_counts(path: str | os.PathLike[str]) -> BinnedSpikes | EpochCounts:
    """Load counts written by :func:`save_counts`.

    Parameters
    ----------
    path : path
        An HDF5 file or a zarr store written by :func:`save_counts`.

    Returns
    -------
    BinnedSpikes or EpochCounts
        With every label saved (unit ids and properties, bin edges, the epochs' table).

    Raises
    ------
    FormatError
        The file or store was not written by :func:`save_counts`, or by a newer version.
    """
    location = Path(path)
    where = str(location)
    if location.is_file() and is_hdf5_file(location):
        import h5py

        with h5py.File(location, "r") as handle:
            if "lazyephys" not in handle.attrs:
                raise FormatError(f"{where} is an HDF5 file but not one written by save_counts")
            return _read(_Hdf5Side(handle), where)
    if location.is_dir() and (location / "zarr.json").is_file():
        import zarr

        group = zarr.open_group(str(location), mode="r")
        if "lazyephys" not in group.attrs:
            raise FormatError(f"{where} is a zarr store but not one written by save_counts")
        return _read(_ZarrSide(group), where)
    if not location.exists():
        raise FileNotFoundError(f"{where} does not exist")
    raise FormatError(f"{where} is neither an HDF5 file nor a zarr store written by save_counts")


def _read(side: Any, where: str) -> BinnedSpikes | EpochCounts:
    header = side.header()
    fmt = check_format(header, (BINNED_SPIKES_FORMAT, EPOCH_COUNTS_FORMAT), where)
    properties = {key: side.get(f"unit_properties/{key}")
                  for key in side.names("unit_properties")}
    common = {
        "counts": side.get("counts"),
        "bin_edges": side.get("bin_edges"),
        "unit_ids": side.get("unit_ids"),
        "segment_index": int(header["segment_index"]),
        "unit_properties": properties,
    }
    if fmt == BINNED_SPIKES_FORMAT:
        return BinnedSpikes(bin_duration=float(header["bin_duration"]),
                            binary=bool(header["binary"]), **common)
    epochs = {key: side.get(f"epochs/{key}") for key in side.names("epochs")}
    ordered = {"start_time": epochs.pop("start_time"), "stop_time": epochs.pop("stop_time"),
               **epochs}
    offsets = side.get("bin_offsets") if side.has("bin_offsets") else None
    return EpochCounts(epochs=ordered, bin_offsets=offsets, **common)
