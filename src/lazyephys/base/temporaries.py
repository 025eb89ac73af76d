"""Names of temporary files and folders: whose they are, so that stale ones can be found.

A temporary is a hidden sibling of its target named ``.TARGET<marker>HOST-PID-RANDOM``: the
host tag and process id tell whether the process writing it is still alive, so leftovers of
killed processes can be removed without touching a write in progress.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid

__all__ = ["FOLDER_MARKER", "FILE_MARKER", "host_tag", "temporary_name", "parse_temporary_name"]

#: The marker of a save's temporary folder.
FOLDER_MARKER = ".partial-"
#: The marker of a temporary file written before an atomic replace.
FILE_MARKER = ".tmp-"


def host_tag() -> str:
    """A short tag of this machine, so that temporaries written elsewhere are left alone."""
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def temporary_name(name: str, marker: str = FOLDER_MARKER) -> str:
    """A hidden sibling name for ``name``, tagged with this host and process.

    Examples
    --------
    >>> temporary_name("rec").startswith(".rec.partial-")
    True
    """
    return f".{name}{marker}{host_tag()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def parse_temporary_name(name: str) -> tuple[str, str, int] | None:
    """(target name, host tag, pid) of a temporary's name, or None for any other name.

    Examples
    --------
    >>> parse_temporary_name(".rec.partial-0a1b2c3d-4242-deadbeef")
    ('rec', '0a1b2c3d', 4242)
    >>> parse_temporary_name("rec") is None
    True
    """
    if not name.startswith("."):
        return None
    for marker in (FOLDER_MARKER, FILE_MARKER):
        stem, found, tail = name[1:].rpartition(marker)
        parts = tail.split("-")
        if found and stem and len(parts) == 3 and parts[1].isdigit():
            return stem, parts[0], int(parts[1])
    return None
