"""The backend registry: a name -> backend dict, as dask's named schedulers.

A backend is an object with a ``name``, ``serial_when_single`` (True when one worker is
better run in-process), ``describe(job) -> str`` (for verbose output) and
``run(job) -> list`` (the results in plan order), where ``job`` is a
:class:`~lazyephys.jobs.job.Job`. The shipped backends are modules of this package, imported
the first time they are asked for, so that ``import lazyephys`` loads none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ...errors import InvalidJobKwargsError

if TYPE_CHECKING:
    from ..job import Job

__all__ = ["Backend", "register_backend", "unregister_backend", "get_backend",
           "registered_backends"]


@runtime_checkable
class Backend(Protocol):
    """What the executor needs of a backend (one signature for all of them)."""

    name: str
    serial_when_single: bool

    def describe(self, job: Job) -> str: ...

    def run(self, job: Job) -> list[Any]: ...


# name -> module of this package that defines ``BACKEND``; loaded on first use
_SHIPPED = {
    "serial": "serial",
    "loky": "loky",
    "process": "process",
    "thread": "thread",
    "dask": "dask",
}

_BACKENDS: dict[str, Backend] = {}


def register_backend(backend: Backend, *, replace: bool = False) -> Backend:
    """Make a backend available as ``pool_engine=backend.name``.

    Parameters
    ----------
    backend : Backend
        An object with ``name``, ``serial_when_single``, ``describe(job)`` and ``run(job)``.
    replace : bool
        Allow replacing a backend registered under the same name.

    Returns
    -------
    Backend
        The backend, so this can decorate an instance's construction.

    Raises
    ------
    TypeError
        If ``backend`` lacks part of the contract.
    ValueError
        If the name is taken and ``replace`` is False.
    """
    if not isinstance(backend, Backend) or not isinstance(getattr(backend, "name", None), str):
        raise TypeError(
            f"a backend needs a str name, serial_when_single, describe(job) and run(job); "
            f"got {backend!r}"
        )
    name = backend.name
    if not name.isidentifier():
        raise ValueError(f"a backend name must be an identifier, got {name!r}")
    if not replace and (name in _BACKENDS or name in _SHIPPED):
        raise ValueError(
            f"a backend named {name!r} is already registered; pass replace=True to replace it"
        )
    _BACKENDS[name] = backend
    return backend


def unregister_backend(name: str) -> None:
    """Remove a registered backend (the shipped ones come back on their next use)."""
    if name not in _BACKENDS:
        raise InvalidJobKwargsError(
            f"no backend named {name!r} is registered; registered: {registered_backends()}"
        )
    del _BACKENDS[name]


def registered_backends() -> tuple[str, ...]:
    """Names accepted as ``pool_engine``, in a stable order.

    Examples
    --------
    >>> registered_backends()[:5]
    ('serial', 'loky', 'process', 'thread', 'dask')
    """
    names = list(_SHIPPED)
    names += [name for name in _BACKENDS if name not in _SHIPPED]
    return tuple(names)


def is_backend_name(name: Any) -> bool:
    """True if ``name`` is a registered backend's name (without loading it)."""
    return isinstance(name, str) and (name in _BACKENDS or name in _SHIPPED)


def get_backend(name: str) -> Backend:
    """The backend registered under ``name``.

    Raises
    ------
    InvalidJobKwargsError
        Naming the unknown value and the registered names.

    Examples
    --------
    >>> get_backend("thread").name
    'thread'
    """
    backend = _BACKENDS.get(name) if isinstance(name, str) else None
    if backend is not None:
        return backend
    if isinstance(name, str) and name in _SHIPPED:
        module = importlib.import_module(f"{__package__}.{_SHIPPED[name]}")
        backend = module.BACKEND
        _BACKENDS[name] = backend
        return backend
    raise InvalidJobKwargsError(
        f"pool_engine must be one of {registered_backends()}, got {name!r}"
    )
