"""Folders that appear whole or not at all, and the leftovers of saves that were killed.

A save writes under a hidden sibling of its target, ``.NAME.partial-HOST-PID-RANDOM``, and moves
it into place with one rename once complete:

- ``overwrite=False`` renames with ``RENAME_NOREPLACE`` (Linux ``renameat2``), so of two
  processes saving to the same absent target exactly one wins and the other gets
  :class:`FileExistsError`; nothing is ever replaced.
- ``overwrite=True`` swaps the new folder and the old one with ``RENAME_EXCHANGE``: at every
  instant the target holds either the old folder or the new one, even if the process dies
  between two system calls. The old folder, now under the temporary name, is removed.

Where ``renameat2`` is missing (other systems, some file systems) the same steps run with plain
renames, and the no-replace check can race.

A temporary folder whose writing process is gone (killed, power lost) is stale: the next save
to the same target removes it, and :func:`clean_stale_temporaries` (``lazyephys clean PATH``)
lists or removes every stale one in a folder. Temporaries of live processes, or written on
another host, are never touched.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.temporaries import host_tag, parse_temporary_name, temporary_name

__all__ = [
    "atomic_folder",
    "clean_stale_temporaries",
    "find_stale_temporaries",
    "rename_exchange",
    "rename_no_replace",
    "resolve_target",
    "StaleTemporary",
]

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# ---------------------------------------------------------------------- renameat2
@functools.cache
def _libc_renameat2() -> Any:
    """The C library's ``renameat2``, or None (loaded on first use: ctypes costs import time)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


#: Tests set this to False to exercise the plain-rename fallback.
_use_renameat2 = True


def _rename2(source: Path, target: Path, flags: int) -> bool:
    """``renameat2(source, target, flags)``; False when the system or file system lacks it."""
    function = _libc_renameat2() if _use_renameat2 else None
    if function is None:
        return False
    import ctypes

    result = function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, raising :class:`FileExistsError` if ``target`` exists.

    Atomic where ``renameat2(RENAME_NOREPLACE)`` exists; elsewhere checked just before.
    """
    try:
        if _rename2(source, target, _RENAME_NOREPLACE):
            return
    except FileExistsError:
        raise FileExistsError(
            f"{target} was created by someone else while this save was writing; nothing was "
            "replaced (pass overwrite=True to replace it)"
        ) from None
    if target.exists() or target.is_symlink():
        raise FileExistsError(f"{target} already exists; nothing was replaced")
    source.rename(target)


def rename_exchange(source: Path, target: Path) -> bool:
    """Swap ``source`` and ``target`` (both must exist) in one step.

    Returns False, having done nothing, where the exchange is not available.
    """
    return _rename2(source, target, _RENAME_EXCHANGE)


# ---------------------------------------------------------------------- targets
def resolve_target(target: str | os.PathLike[str]) -> Path:
    """The absolute target of a save: its parent resolved (``..`` and symlinks), its name kept.

    ``y/../victim`` is ``victim`` whether or not ``y`` exists, so the existence checks look at
    the folder that the final rename will reach.
    """
    path = Path(target)
    if path.name in ("", ".", ".."):
        raise ValueError(f"cannot save to {str(target)!r}: the path must end in a folder name")
    return Path(os.path.realpath(path.absolute().parent)) / path.name


def _remove_tree(path: Path) -> bool:
    """Remove a folder; a few tries, since a background write may still add files to it."""
    for _ in range(5):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return True
    return False


def _remove_stale_siblings(target: Path) -> None:
    """Remove the stale temporaries that earlier, killed saves to ``target`` left beside it."""
    for stale in find_stale_temporaries(target.parent, of=target.name):
        _remove(stale.path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        _remove_tree(path)
    else:
        path.unlink(missing_ok=True)


def _prepare_target(
    target: str | os.PathLike[str], overwrite: bool, check: Any, folder: bool
) -> Path:
    """Resolve a save's target, refuse what must not be replaced, clear stale temporaries."""
    target = resolve_target(target)
    if target.exists() or target.is_symlink():
        is_folder = target.is_dir() and not target.is_symlink()
        if folder and not target.is_dir():
            raise FileExistsError(f"{target} exists and is not a folder; remove it first")
        if not folder and is_folder:
            raise FileExistsError(f"{target} exists and is a folder; remove it first")
        if not overwrite:
            raise FileExistsError(f"{target} already exists; pass overwrite=True to replace it")
        if check is not None:
            check(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_siblings(target)
    return target


@contextlib.contextmanager
def atomic_folder(
    target: str | os.PathLike[str], overwrite: bool = False, check: Any = None,
) -> Iterator[Path]:
    """Yield an empty temporary folder that becomes ``target`` when the block succeeds.

    Parameters
    ----------
    target : path
        The folder to create.
    overwrite : bool
        Replace an existing ``target`` (swapped in one step once the new folder is complete).
    check : callable or None
        Called with the resolved target before anything is written, when it exists (to refuse
        overwriting a folder that is being read, say).

    Raises
    ------
    FileExistsError
        If ``target`` exists (or appears while writing) and ``overwrite`` is False, or it is
        not a folder.
    """
    target = _prepare_target(target, overwrite, check, folder=True)
    temporary = target.with_name(temporary_name(target.name))
    temporary.mkdir()
    try:
        yield temporary
        if overwrite and (target.exists() or target.is_symlink()):
            _replace(temporary, target)
        else:
            rename_no_replace(temporary, target)
    except BaseException:
        _remove_tree(temporary)
        raise


@contextlib.contextmanager
def atomic_file(
    target: str | os.PathLike[str], overwrite: bool = False, check: Any = None,
) -> Iterator[Path]:
    """Yield a temporary file name that becomes ``target`` when the block succeeds.

    The contract of :func:`atomic_folder`, for formats that write one file (HDF5): the
    temporary sibling is removed on failure, and renamed to ``target`` on success without
    ever replacing a file that appeared meanwhile unless ``overwrite`` is True.
    """
    target = _prepare_target(target, overwrite, check, folder=False)
    temporary = target.with_name(temporary_name(target.name))
    try:
        yield temporary
        if overwrite:
            os.replace(temporary, target)
        else:
            rename_no_replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _replace(temporary: Path, target: Path) -> None:
    """Put ``temporary`` at ``target`` and remove what was there."""
    if rename_exchange(temporary, target):
        _remove_tree(temporary)  # it now holds the old folder
        return
    old = target.with_name(temporary_name(target.name))
    target.rename(old)
    try:
        temporary.rename(target)
    except BaseException:
        old.rename(target)
        raise
    _remove_tree(old)


# ---------------------------------------------------------------------- stale leftovers
@dataclass(frozen=True)
class StaleTemporary:
    """A temporary file or folder left by a save whose process is gone."""

    path: Path
    size: int


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for file in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / file).lstat().st_size
    return total


def find_stale_temporaries(
    folder: str | os.PathLike[str], of: str | None = None
) -> list[StaleTemporary]:
    """The temporaries in ``folder`` left by saves (or JSON writes) whose process is gone.

    Parameters
    ----------
    folder : path
        The folder to look in (not recursively).
    of : str or None
        Only the temporaries of this target name.
    """
    folder = Path(folder)
    host = host_tag()
    found = []
    for path in sorted(folder.iterdir()):
        parsed = parse_temporary_name(path.name)
        if parsed is None:
            continue
        stem, tag, pid = parsed
        if (of is not None and stem != of) or tag != host or _process_alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):
            found.append(StaleTemporary(path, _size(path)))
    return found


def clean_stale_temporaries(
    folder: str | os.PathLike[str], dry_run: bool = False
) -> list[StaleTemporary]:
    """Remove (or with ``dry_run`` only list) the stale temporaries in ``folder``.

    Returns
    -------
    list of StaleTemporary
        What was (or would be) removed.

    Examples
    --------
    >>> clean_stale_temporaries(".", dry_run=True)  # doctest: +SKIP
    [StaleTemporary(path=PosixPath('.rec.partial-1a2b3c4d-4242-0f9e8d7c'), size=2400000)]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    stale = find_stale_temporaries(folder)
    if not dry_run:
        for item in stale:
            _remove(item.path)
    return stale
