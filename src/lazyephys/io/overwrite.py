"""What ``save(..., overwrite=True)`` may replace.

Only a folder that holds a saved object (ours or SpikeInterface's), or an empty folder, is
replaced: any other folder may hold a user's files, which a save must never delete. The
current working directory and its parents are never replaced, whatever they hold.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SAVED_OBJECT_MARKERS", "is_saved_object", "check_overwritable"]

#: Files whose presence marks a folder as a saved object: ours (binary and sorting folders,
#: zarr stores with their format attribute) and SpikeInterface's (binary folders,
#: numpy_folder sortings, caches of 0.94 and older, zarr stores).
SAVED_OBJECT_MARKERS = ("lazyephys.json", "si_folder.json", "binary.json",
                        "numpysorting_info.json", "cached.json", "zarr.json", ".zgroup")


def is_saved_object(folder: Path) -> bool:
    """True when ``folder`` holds a recording or sorting saved by lazyephys or SpikeInterface."""
    return any((folder / name).is_file() for name in SAVED_OBJECT_MARKERS)


def check_overwritable(target: str | os.PathLike[str]) -> None:
    """Raise unless the existing folder ``target`` may be replaced by a save.

    Raises
    ------
    FileExistsError
        If ``target`` is the current working directory or one of its parents, or a folder
        that is neither empty nor a saved object.
    """
    folder = Path(target)
    resolved = folder.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise FileExistsError(
            f"refusing to overwrite {folder}: it is the current working directory or one of "
            "its parents; save to a new folder instead"
        )
    if not folder.is_dir() or is_saved_object(folder):
        return
    if next(folder.iterdir(), None) is not None:
        raise FileExistsError(
            f"refusing to overwrite {folder}: it is not empty and holds no saved recording or "
            "sorting (no lazyephys.json, si_folder.json or zarr metadata), so replacing it "
            "could delete other files; remove it yourself or save to another folder"
        )
