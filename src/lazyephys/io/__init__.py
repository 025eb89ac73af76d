"""Saving and loading: binary folders, zarr stores, JSON provenance, SpikeInterface folders."""

from .binary_folder import BinaryFolderRecording, read_binary_folder
from .formats import FormatError, FormatVersionError
from .load import load, load_extractor
from .save import save

__all__ = [
    "BinaryFolderRecording",
    "read_binary_folder",
    "FormatError",
    "FormatVersionError",
    "load",
    "load_extractor",
    "save",
]
