"""The folder where ``save()`` without a folder writes: a fresh temporary one, or one set by
the user for the whole session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["get_global_tmp_folder", "set_global_tmp_folder", "reset_global_tmp_folder"]

_CHOSEN: list[Path] = []


def set_global_tmp_folder(folder: str | os.PathLike[str]) -> None:
    """Make ``save()`` without a folder write under ``folder`` from now on."""
    _CHOSEN[:] = [Path(folder)]


def reset_global_tmp_folder() -> None:
    """Go back to a fresh folder under the system's temporary directory."""
    _CHOSEN.clear()


def get_global_tmp_folder() -> Path:
    """The folder ``save()`` without a folder writes under (created if missing).

    Examples
    --------
    >>> get_global_tmp_folder().is_dir()
    True
    """
    if not _CHOSEN:
        base = Path(tempfile.gettempdir()) / "lazyephys_cache"
        base.mkdir(parents=True, exist_ok=True)
        _CHOSEN.append(Path(tempfile.mkdtemp(dir=base)))
    folder = _CHOSEN[0]
    folder.mkdir(parents=True, exist_ok=True)
    return folder
