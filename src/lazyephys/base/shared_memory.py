"""Arrays in named shared memory: made once, mapped by other processes without copies.

One object owns each block and unlinks it when that object is collected; others only map it.
Worker processes started by ``multiprocessing`` or loky share their parent's resource tracker,
so a block they map is not unlinked when they exit.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported when a block is made or mapped, not by ``import lazyephys``
    from multiprocessing import shared_memory

__all__ = ["SharedBlock", "attach_shared_array"]


def _nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    return int(np.prod(shape, dtype=np.int64)) * dtype.itemsize


def _release(block: shared_memory.SharedMemory, unlink: bool) -> None:
    try:
        block.close()
    except BufferError:  # an array over the block is still referenced: the mapping stays
        pass
    if unlink:
        try:
            block.unlink()
        except FileNotFoundError:
            pass


class SharedBlock:
    """A new zeroed array in shared memory, for a writer to fill.

    The block is unlinked when this object is collected unless :meth:`hand_over` was called
    (then whatever attached to it with ``owner=True`` frees it).

    Parameters
    ----------
    shape : tuple of int
    dtype : numpy dtype
    """

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        from multiprocessing import shared_memory

        self.dtype = np.dtype(dtype)
        self.shape = tuple(int(n) for n in shape)
        self._block = shared_memory.SharedMemory(
            create=True, size=max(_nbytes(self.shape, self.dtype), 1)
        )
        self.name = self._block.name
        self.array: np.ndarray = np.ndarray(self.shape, dtype=self.dtype, buffer=self._block.buf)
        self.array[...] = 0
        self._finalizer = weakref.finalize(self, _release, self._block, True)

    def hand_over(self) -> None:
        """Stop owning the block (another object attached with ``owner=True`` frees it)."""
        self._finalizer.detach()
        del self.array
        _release(self._block, False)


def attach_shared_array(
    name: str, shape: tuple[int, ...], dtype: Any, holder: object, owner: bool = False,
    writeable: bool = False,
) -> np.ndarray:
    """An array over the shared block ``name`` (read-only unless ``writeable``), mapped while
    ``holder`` lives.

    Parameters
    ----------
    name : str
    shape : tuple of int
    dtype : numpy dtype
    holder : object
        The block is closed (and unlinked if ``owner``) when ``holder`` is collected.
    owner : bool
        Unlink the block when ``holder`` is collected.
    writeable : bool
        For writers filling the block (a chunked job's workers).

    Raises
    ------
    FileNotFoundError
        If no block has that name (its owner was collected, or it never existed).
    """
    from multiprocessing import shared_memory

    try:
        block = shared_memory.SharedMemory(name=name, create=False)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no shared memory block named {name!r}: the object that owned it is gone"
        ) from None
    dtype = np.dtype(dtype)
    needed = _nbytes(tuple(shape), dtype)
    if block.size < needed:
        _release(block, False)
        raise ValueError(f"the shared block {name!r} holds {block.size} bytes; shape "
                         f"{tuple(shape)} of {dtype} needs {needed}")
    array: np.ndarray = np.ndarray(tuple(shape), dtype=dtype, buffer=block.buf)
    array.flags.writeable = bool(writeable)
    weakref.finalize(holder, _release, block, owner)
    return array
