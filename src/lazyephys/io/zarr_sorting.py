"""Sortings in zarr stores: the spike vector's fields plus per-segment offsets.

Layout (zarr format 3)::

    spikes/sample_index      int64, all segments one after the other
    spikes/unit_index        int64
    spikes/segment_offsets   int64, num_segments + 1 entries: segment i is rows
                             offsets[i]:offsets[i+1]
    properties/<key>         numeric properties (others are JSON in the attributes)
    root attributes          {"format": "lazyephys.zarr-sorting", "version": 1, ...}

SpikeInterface's zarr sortings (format 2: ``spikes/segment_slices``, ``unit_ids``) are read
too.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..base.locations import is_remote_url
from ..base.provenance import register_kind
from ..sorting.base import SPIKE_DTYPE, Sorting
from ..sorting.in_memory import NumpySorting
from .formats import (
    FORMAT_VERSIONS,
    ZARR_SORTING_FORMAT,
    FormatError,
    check_format,
    require_keys,
)
from .metadata import decode_annotations
from .zarr_store import (
    _array,
    _read_properties,
    _read_v2_properties,
    _write_properties,
    open_zarr_group,
)

__all__ = ["ZarrSortingExtractor", "write_zarr_sorting"]


def _vector(samples: np.ndarray, units: np.ndarray, bounds: list[tuple[int, int]],
            where: str) -> np.ndarray:
    if samples.shape != units.shape or samples.ndim != 1:
        raise FormatError(f"{where}: sample_index and unit_index differ in shape "
                          f"({samples.shape} and {units.shape})")
    vector = np.empty(samples.size, dtype=SPIKE_DTYPE)
    vector["sample_index"] = samples
    vector["unit_index"] = units
    covered = 0
    for index, (start, stop) in enumerate(bounds):
        # segments must tile the rows: a gap would leave spikes without a segment
        if start != covered or not start <= stop <= samples.size:
            raise FormatError(
                f"{where}: segment {index} spans rows {start}:{stop}, but the segments must "
                f"cover the {samples.size} spikes one after the other (expected it to start "
                f"at row {covered})"
            )
        vector["segment_index"][start:stop] = index
        covered = stop
    if covered != samples.size:
        raise FormatError(f"{where}: the segments cover {covered} of the {samples.size} "
                          "spikes; the segment offsets are damaged")
    return vector


def _our_contents(root: Any, attrs: dict[str, Any], where: str) -> dict[str, Any]:
    check_format(attrs, ZARR_SORTING_FORMAT, where)
    require_keys(attrs, ("sampling_frequency", "unit_ids", "num_samples"), where)
    offsets = np.asarray(_array(root, "spikes/segment_offsets", where)[...], dtype=np.int64)
    bounds = [(int(a), int(b)) for a, b in itertools.pairwise(offsets)]
    samples = np.asarray(_array(root, "spikes/sample_index", where)[...])
    units = np.asarray(_array(root, "spikes/unit_index", where)[...])
    unit_ids = attrs["unit_ids"]
    return {
        "spikes": _vector(samples, units, bounds, where),
        "sampling_frequency": attrs["sampling_frequency"],
        "unit_ids": unit_ids,
        "num_samples": list(attrs["num_samples"]),
        "properties": _read_properties(root, attrs.get("properties", []), len(unit_ids), where),
        "annotations": decode_annotations(attrs.get("annotations", {}), where),
    }


def _spikeinterface_contents(root: Any, attrs: dict[str, Any], where: str) -> dict[str, Any]:
    num_segments = int(attrs.get("num_segments", 1))
    unit_ids = np.asarray(_array(root, "unit_ids", where)[...])
    if unit_ids.dtype.kind == "O":
        unit_ids = unit_ids.astype(str)
    slices = np.asarray(_array(root, "spikes/segment_slices", where)[...], dtype=np.int64)
    bounds = [(int(a), int(b)) for a, b in slices.reshape(-1, 2)]
    if len(bounds) != num_segments:
        raise FormatError(f"{where}: {len(bounds)} segment slices for {num_segments} segments")
    samples = np.asarray(_array(root, "spikes/sample_index", where)[...])
    units = np.asarray(_array(root, "spikes/unit_index", where)[...])
    return {
        "spikes": _vector(samples, units, bounds, where),
        "sampling_frequency": attrs["sampling_frequency"],
        "unit_ids": unit_ids,
        "num_samples": [None] * num_segments,
        "properties": _read_v2_properties(root, unit_ids.size, where),
        "annotations": dict(attrs.get("annotations") or {}),
    }


@register_kind
class ZarrSortingExtractor(NumpySorting):
    """A sorting in a zarr store (what ``save(format="zarr")`` returns for sortings).

    Reads stores written by lazyephys (zarr format 3) and SpikeInterface (zarr format 2).

    Parameters
    ----------
    folder_path : str or Path
        A local store or an fsspec URL.
    storage_options : dict or None
        fsspec options for URLs.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0])
    >>> zs = sorting.save(folder="sorting.zarr", format="zarr")  # doctest: +SKIP
    """

    _path_arguments = ("folder_path",)
    _holds_data_in_memory = False

    def __init__(
        self, folder_path: str | os.PathLike[str], storage_options: dict[str, Any] | None = None
    ) -> None:
        root = open_zarr_group(folder_path, storage_options)
        where = str(folder_path)
        attrs = dict(root.attrs)
        if "format" in attrs:
            contents = _our_contents(root, attrs, where)
        elif "sampling_frequency" in attrs and "spikes" in root:
            contents = _spikeinterface_contents(root, attrs, where)
        else:
            raise FormatError(
                f"{where} is not a saved sorting: its root attributes have no 'format' (an "
                "interrupted save leaves a store without it)"
            )
        super().__init__(contents["spikes"], contents["sampling_frequency"],
                         contents["unit_ids"], contents["num_samples"])
        for key, values in contents["properties"].items():
            self.set_property(key, values)
        if contents["annotations"]:
            self.annotate(**contents["annotations"])
        self._root = root
        self._kwargs = {
            "folder_path": folder_path if is_remote_url(folder_path) else Path(folder_path),
            "storage_options": storage_options,
        }


def write_zarr_sorting(
    sorting: Sorting,
    folder: str | os.PathLike[str],
    compressor: Any = "default",
    zarr_format: Literal[2, 3] = 3,
    **job_kwargs: Any,
) -> None:
    """Write ``sorting`` as a zarr store in the existing, empty ``folder``.

    Used by :func:`lazyephys.save` inside a temporary folder; call that instead. With
    ``zarr_format=2`` the store also holds what SpikeInterface 0.94 to 0.105 reads
    (``unit_ids``, ``spikes/segment_slices``).
    """
    import numcodecs
    import zarr
    from zarr.codecs import BloscCodec

    from .sorting_folder import _check_job_kwargs, sorting_metadata
    from .zarr_codecs import as_v2_compressor, as_v3_compressors

    _check_job_kwargs(job_kwargs, "saving a sorting to zarr")
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 3 or 2, got {zarr_format!r}")
    root = zarr.open_group(str(Path(folder)), mode="w", zarr_format=zarr_format)
    spikes = sorting.to_spike_vector(concatenated=True)
    segments = spikes["segment_index"]
    offsets = np.searchsorted(segments, np.arange(sorting.get_num_segments() + 1))
    compressors: Any
    if zarr_format == 2:
        compressors = (numcodecs.Blosc(cname="zstd", clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE)
                       if compressor == "default" else as_v2_compressor(compressor, np.int64))
    else:
        compressors = (BloscCodec(cname="zstd", clevel=5, shuffle="bitshuffle", typesize=8)
                       if compressor == "default" else as_v3_compressors(compressor, np.int64))
    chunk = max(1, min(spikes.size, 1 << 20))
    # Only codecs of the zarr v3 specification, so that any zarr implementation reads it.
    root.create_array("spikes/sample_index", data=np.ascontiguousarray(spikes["sample_index"]),
                      chunks=(chunk,), compressors=compressors)
    root.create_array("spikes/unit_index", data=np.ascontiguousarray(spikes["unit_index"]),
                      chunks=(chunk,), compressors=compressors)
    root.create_array("spikes/segment_offsets", data=offsets.astype(np.int64))
    if zarr_format == 2:
        from .spikeinterface_metadata import write_spikeinterface_zarr_sorting

        write_spikeinterface_zarr_sorting(root, sorting, offsets)
    properties = {key: sorting.get_property(key) for key in sorting.get_property_keys()}
    attrs = {
        "format": ZARR_SORTING_FORMAT,
        "version": FORMAT_VERSIONS[ZARR_SORTING_FORMAT],
        "num_spikes": int(spikes.size),
        "properties": _write_properties(root, properties),
        **sorting_metadata(sorting),
    }
    # Written last, in one write of the group's metadata (``attrs.update`` rewrites it once
    # per key): a store without its format attribute is incomplete and never loads.
    root.update_attributes(attrs)
