"""JSON files: read with errors that name them, written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import FormatError

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
    """Write a JSON file (through a temporary name, so it is never seen half-written)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value, indent=1), encoding="utf8")
    temporary.replace(path)
