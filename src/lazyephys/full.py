"""Everything in one namespace, as ``spikeinterface.full`` offers it.

``import spikeinterface.full as si`` becomes ``import lazyephys.full as si``: the core, the
readers, the preprocessing steps, the plots, the spike-train analytics and the sweeps, each
name the object its own subpackage exports. Nothing is imported until a name is asked for, so
importing this module costs no more than ``import lazyephys``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Where names are looked up, in order: a name two of them export is the first one's.
_SOURCES = (
    "lazyephys.core",
    "lazyephys.extractors",
    "lazyephys.preprocessing",
    "lazyephys.widgets",
    "lazyephys.analysis",
    "lazyephys.sweeps",
    "lazyephys.jobs",
)


def _public_names() -> dict[str, str]:
    """Every exported name, mapped to the module it is taken from."""
    names: dict[str, str] = {}
    for source in _SOURCES:
        for name in import_module(source).__all__:
            names.setdefault(name, source)
    return names


def __getattr__(name: str) -> Any:
    if name == "__all__":  # asked by ``from lazyephys.full import *``: everything, imported
        return sorted(_public_names())
    if name.startswith("__"):
        raise AttributeError(name)
    for source in _SOURCES:
        module = import_module(source)
        if name in module.__all__:
            value = getattr(module, name)
            globals()[name] = value  # the next lookup is a plain attribute
            return value
    raise AttributeError(
        f"module 'lazyephys.full' has no attribute {name!r}; it holds the names of "
        f"{', '.join(_SOURCES)}"
    )


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()))
