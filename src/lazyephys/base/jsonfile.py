"""JSON files: read with errors that name them, written atomically."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from ..errors import FormatError
from .temporaries import FILE_MARKER, temporary_name

__all__ = ["read_json", "write_json"]


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file, with errors that name it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"the file {path} does not exist")
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise FormatError(f"{path} is not valid JSON: {err}") from err


def write_json(path: str | os.PathLike[str], value: Any) -> None:
    """Write a JSON file (through a temporary name, so it is never seen half-written).

    On any failure (a full disk, Ctrl-C) the temporary file is removed and ``path`` is as
    before.
    """
    path = Path(path)
    data = json.dumps(value, indent=1).encode("utf8")
    temporary = path.with_name(temporary_name(path.name, FILE_MARKER))
    try:
        try:
            temporary.write_bytes(data)
        except OSError as err:
            if err.errno == errno.ENOSPC:
                raise OSError(
                    errno.ENOSPC, f"no space left on the device holding {path}: writing it "
                    f"needs {len(data)} bytes", str(path),
                ) from err
            raise
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
