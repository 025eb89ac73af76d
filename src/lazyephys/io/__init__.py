"""Saving and loading: binary folders, zarr stores, JSON provenance, SpikeInterface folders."""

from .binary_folder import BinaryFolderRecording, read_binary_folder
from .formats import FormatError, FormatVersionError
from .load import load, load_extractor
from .save import save
from .sorting_folder import NumpyFolderSorting, read_sorting_folder
from .zarr_sorting import ZarrSortingExtractor
from .zarr_store import ZarrRecordingExtractor, read_zarr, read_zarr_recording

__all__ = [
    "BinaryFolderRecording",
    "read_binary_folder",
    "FormatError",
    "FormatVersionError",
    "load",
    "load_extractor",
    "save",
    "NumpyFolderSorting",
    "read_sorting_folder",
    "ZarrSortingExtractor",
    "ZarrRecordingExtractor",
    "read_zarr",
    "read_zarr_recording",
]
