"""Doors: how the base layer reaches services that higher layers provide.

``BaseExtractor.save`` is a familiar method, but saving is the persistence layer's job
(``lazyephys.io``), which builds on the base layer and may not be imported by it. The io layer
registers itself here when it is imported; the first save imports it if nothing has yet
(see :mod:`lazyephys._builtins`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .extractor import BaseExtractor

__all__ = ["Persistence", "register_persistence", "persistence", "register_operation", "operation"]


class Persistence(Protocol):
    """What the persistence layer offers to the extractor base."""

    def save(
        self, extractor: BaseExtractor, folder: Any, format: str, overwrite: bool, **kwargs: Any
    ) -> BaseExtractor:
        """Compute ``extractor`` into ``folder`` in ``format`` and return the reloaded object."""
        ...


_PERSISTENCE: list[Persistence] = []


def register_persistence(implementation: Persistence) -> None:
    """Install the persistence layer (called once by ``lazyephys.io``)."""
    _PERSISTENCE[:] = [implementation]


def persistence() -> Persistence:
    """The installed persistence layer."""
    if not _PERSISTENCE:
        from .._builtins import load_builtins

        load_builtins()
    if not _PERSISTENCE:
        raise RuntimeError("no persistence layer is installed: lazyephys.io did not register")
    return _PERSISTENCE[0]


# Lazy operations that the base layers name as familiar methods (``recording.astype``) but
# that a higher layer implements (``lazyephys.preprocessing``): it registers them by name.
_OPERATIONS: dict[str, Callable[..., Any]] = {}


def register_operation(name: str, function: Callable[..., Any]) -> None:
    """Install the function behind a familiar method (called by the layer that owns it)."""
    _OPERATIONS[name] = function


def operation(name: str) -> Callable[..., Any]:
    """The function registered under ``name`` (the library's layers load on first use)."""
    if name not in _OPERATIONS:
        from .._builtins import load_builtins

        load_builtins()
    if name not in _OPERATIONS:
        raise RuntimeError(f"no operation {name!r} is installed by the library's layers")
    return _OPERATIONS[name]
