"""Saving and loading: binary folders, zarr stores, JSON provenance, SpikeInterface folders."""

from ..errors import FormatError, FormatVersionError
from .binary import BinaryRecordingExtractor, read_binary, read_binary_file
from .binary_folder import BinaryFolderRecording, read_binary_folder
from .hdf5 import Hdf5RecordingExtractor, read_hdf5_recording
from .load import load, load_extractor
from .npz_sorting import NpzSortingExtractor, read_npz_sorting
from .save import save
from .sorting_folder import NumpyFolderSorting, read_numpy_sorting_folder, read_sorting_folder
from .tmp_folder import get_global_tmp_folder, reset_global_tmp_folder, set_global_tmp_folder
from .write_binary import write_binary_recording
from .zarr_sorting import ZarrSortingExtractor
from .zarr_store import ZarrRecordingExtractor, read_zarr, read_zarr_recording

__all__ = [
    "BinaryRecordingExtractor",
    "read_binary_file",
    "write_binary_recording",
    "BinaryFolderRecording",
    "read_binary_folder",
    "Hdf5RecordingExtractor",
    "read_hdf5_recording",
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
    "NpzSortingExtractor",
    "get_global_tmp_folder",
    "read_binary",
    "read_npz_sorting",
    "read_numpy_sorting_folder",
    "reset_global_tmp_folder",
    "set_global_tmp_folder",
]
