"""Read-only file mappings that keep no file descriptor open.

Python's ``mmap.mmap`` keeps a duplicate of the file descriptor for as long as the mapping
lives, so every open memory-mapped recording costs a descriptor, and a few hundred of them hit
the process's limit. A mapping does not need its descriptor once made: on POSIX systems the
file is mapped with the C library's ``mmap`` and the descriptor is closed at once; the mapping
is removed (``munmap``) when the last array over it is gone. Elsewhere ``mmap.mmap`` is used.
"""

from __future__ import annotations

import functools
import mmap
import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["map_file"]


@functools.cache
def _libc() -> Any:
    """The C library's ``mmap`` and ``munmap`` (None where there is no such C library)."""
    if os.name != "posix":
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        map_function, unmap_function = libc.mmap, libc.munmap
    except (OSError, AttributeError):
        return None
    map_function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                             ctypes.c_int, ctypes.c_int64]
    map_function.restype = ctypes.c_void_p
    unmap_function.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    unmap_function.restype = ctypes.c_int
    return map_function, unmap_function


def _map_without_descriptor(path: Path, size: int) -> np.ndarray | None:
    functions = _libc()
    if functions is None:
        return None
    import ctypes

    map_function, unmap_function = functions
    descriptor = os.open(path, os.O_RDONLY)
    try:
        address = map_function(None, size, mmap.PROT_READ, mmap.MAP_SHARED, descriptor, 0)
    finally:
        os.close(descriptor)  # the mapping stays valid without it
    if address is None or address == ctypes.c_void_p(-1).value:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot map {path}: {os.strerror(code)}", str(path))

    # the mapped bytes, unmapped when the last array over them is collected (ctypes keeps one
    # array type per length, so no class is made per mapping)
    region = (ctypes.c_char * size).from_address(address)
    weakref.finalize(region, unmap_function, address, size)
    # a read-only buffer: numpy then refuses to make the array writeable again
    return np.frombuffer(memoryview(region).cast("B").toreadonly(), dtype=np.uint8)


def map_file(file_path: str | os.PathLike[str]) -> np.ndarray:
    """The bytes of a whole file as a read-only ``uint8`` array over a shared mapping.

    No file descriptor stays open. An empty file gives an empty array.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.raw")
    >>> np.arange(4, dtype="int16").tofile(path)
    >>> map_file(path).view("int16").tolist()
    [0, 1, 2, 3]
    """
    path = Path(file_path)
    size = path.stat().st_size
    if size == 0:
        return np.zeros(0, dtype=np.uint8)
    mapped = _map_without_descriptor(path, size)
    if mapped is not None:
        return mapped
    with open(path, "rb") as handle:
        fallback = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(fallback, dtype=np.uint8)
