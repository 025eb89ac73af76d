"""The provenance file: how ``dump_to_json`` writes it and how ``load`` reads it back.

A provenance file is the ``to_dict()`` description of an object plus a ``"paths"`` key that says
how its ``__path__`` markers resolve:

- ``"absolute"``: every path is absolute;
- ``"relative-to-file"``: relative to the JSON file's own folder (it moves with its data);
- ``"relative-to-base-folder"``: relative to a folder named at load time (``base_folder=``);
  ``"paths_origin"`` records the folder it was written against, for the error message.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from ..errors import FormatError
from .jsonfile import read_json, write_json
from .provenance import PROVENANCE_FORMAT

__all__ = [
    "PATHS_ABSOLUTE",
    "PATHS_RELATIVE_TO_FILE",
    "PATHS_RELATIVE_TO_BASE",
    "PathsMode",
    "write_provenance_file",
    "read_provenance_file",
    "check_provenance_description",
]

#: Values of the ``"paths"`` key of a provenance file: how its paths must be resolved.
PATHS_ABSOLUTE = "absolute"
PATHS_RELATIVE_TO_FILE = "relative-to-file"
PATHS_RELATIVE_TO_BASE = "relative-to-base-folder"

PathsMode = Literal["absolute", "relative-to-file", "relative-to-base-folder"]


def write_provenance_file(
    file_path: str | os.PathLike[str],
    relative_to: str | os.PathLike[str] | bool | None,
    describe: Callable[[Path | None], dict[str, Any]],
) -> None:
    """Write ``describe(folder)`` to ``file_path`` with its ``"paths"`` mode.

    Parameters
    ----------
    file_path : path
        The JSON file to write (its folder is created).
    relative_to : path, True, False or None
        The folder paths are written relative to; True means the file's own folder; None or
        False writes absolute paths.
    describe : callable
        ``describe(folder)`` returns the description with paths relative to ``folder`` (None:
        absolute), normally ``extractor.to_dict``.
    """
    file_path = Path(file_path)
    json_folder = file_path.parent.resolve()
    if relative_to is True:
        folder: Path | None = json_folder
    elif relative_to is None or relative_to is False:
        folder = None
    else:
        folder = Path(relative_to).resolve()
    description = describe(folder)
    if folder is None:
        description["paths"] = PATHS_ABSOLUTE
    elif folder == json_folder:
        description["paths"] = PATHS_RELATIVE_TO_FILE
    else:
        description["paths"] = PATHS_RELATIVE_TO_BASE
        description["paths_origin"] = folder.as_posix()
    file_path.parent.mkdir(parents=True, exist_ok=True)
    write_json(file_path, description)


def check_provenance_description(description: Any, where: str) -> dict[str, Any]:
    """Return ``description`` if it is a lazyephys provenance dict; else raise saying what it is."""
    if not isinstance(description, dict):
        raise FormatError(f"{where} does not hold a JSON object: it is not a lazyephys provenance")
    if "format" not in description:
        if isinstance(description.get("class"), str) and "spikeinterface" in str(
            description.get("module", description["class"])
        ):
            raise FormatError(
                f"{where} is a SpikeInterface provenance (class {description['class']!r}); "
                "lazyephys loads the folders and zarr stores SpikeInterface saves, not the "
                "Python classes its provenance names"
            )
        raise FormatError(
            f"{where} is not a lazyephys provenance: it has no 'format' key (its keys are "
            f"{sorted(description)!r})"
        )
    if description["format"] != PROVENANCE_FORMAT:
        raise FormatError(
            f"{where} has format {description['format']!r}, not {PROVENANCE_FORMAT!r}"
        )
    return description


def read_provenance_file(
    path: Path, base_folder: Path | None
) -> tuple[dict[str, Any], Path | None, bool]:
    """Read a provenance file; return its description, the folder its paths resolve against,
    and whether they must stay inside that folder.

    A file relative to its own folder resolves against that folder unless ``base_folder`` is
    given; a file relative to another folder needs ``base_folder``. The paths of both relative
    modes are confined to their folder; an absolute file's are not.
    """
    description = check_provenance_description(read_json(path), str(path))
    paths = description.get("paths")
    if paths == PATHS_RELATIVE_TO_FILE:
        return description, base_folder or path.parent.resolve(), True
    if paths == PATHS_RELATIVE_TO_BASE:
        if base_folder is None:
            origin = description.get("paths_origin", "a folder given when it was written")
            raise ValueError(
                f"the paths in {path} are relative to {origin!r} (the relative_to of "
                "dump_to_json); pass base_folder=... naming where that folder is now"
            )
        return description, base_folder, True
    if paths == PATHS_ABSOLUTE:
        return description, base_folder, False
    if paths is None:
        return description, base_folder, base_folder is not None
    raise FormatError(
        f"{path} has the paths mode {paths!r}, which lazyephys does not know; expected one of "
        f"{[PATHS_ABSOLUTE, PATHS_RELATIVE_TO_FILE, PATHS_RELATIVE_TO_BASE]}"
    )
