"""Memory that worker processes hand back to the system as soon as they free it.

glibc's allocator keeps freed blocks of a few megabytes for reuse: its threshold for giving a
block its own mapping (returned to the system when freed) moves up to the largest block freed,
so after one 12 MB chunk buffer every later one comes from the heap and stays there. A worker
that computed large chunks would then hold that memory while idle, and more of it over a long
job, beyond the ``chunk_size x channels x n_jobs`` the executor promises. Workers therefore fix
the threshold at :data:`RETURNED_BLOCK` bytes; and a caller that ran chunks itself before
handing the job to workers gives back what those chunks used.

Elsewhere than glibc (macOS, Windows, musl) both calls do nothing.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

__all__ = ["RETURNED_BLOCK", "TRIMMED_HEAP_TOP", "return_large_blocks", "release_freed_memory"]

#: Blocks of at least this many bytes get their own mapping in workers, returned when freed.
#: A chunk buffer (megabytes to tens of megabytes) is one; the working arrays of per-sweep or
#: per-window computations mostly are not: mapping and unmapping those on every call made
#: eFEL's feature extraction 1.5x slower in workers at 1 MiB.
RETURNED_BLOCK = 4 << 20
#: Free memory at the top of a worker's heap beyond this is given back to the system (lower
#: values trim the heap on nearly every free, which costs page faults when it grows again).
TRIMMED_HEAP_TOP = 32 << 20

# mallopt parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@cache
def _glibc() -> Any:
    """The C library when it is glibc, whose allocator these settings tune; else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (present in glibc only)
    except (OSError, AttributeError):
        return None
    return libc


def return_large_blocks() -> None:
    """Make this process give blocks of :data:`RETURNED_BLOCK` bytes or more back to the
    system as soon as they are freed (called once, as a worker starts)."""
    libc = _glibc()
    if libc is not None:
        # a value set explicitly also stops the threshold from moving up
        libc.mallopt(_M_MMAP_THRESHOLD, RETURNED_BLOCK)
        # the top of the heap is given back when this much of it is free
        libc.mallopt(_M_TRIM_THRESHOLD, TRIMMED_HEAP_TOP)


def release_freed_memory() -> None:
    """Give the memory this process has freed back to the system (glibc ``malloc_trim``)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
