"""lazyephys: lazy recordings and sortings for extracellular electrophysiology.

Open data far larger than memory without loading it; cut, rename, combine and preprocess it
lazily; compute or export it in parallel chunks; and save every step as provenance that
reloads anywhere.

``import lazyephys`` is cheap: every public name is resolved from its subpackage on first
use (PEP 562), and the library's kinds, formats and readers register themselves when a
registry first needs them (:mod:`lazyephys._builtins`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:  # the names as static type checkers and IDEs see them
    from .base import (  # noqa: F401
        BaseExtractor,
        cast_traces,
        get_registered_kinds,
        register_kind,
    )
    from .errors import *  # noqa: F403
    from .errors import JobWorkerDiedError  # noqa: F401
    from .extractors import *  # noqa: F403
    from .generation import *  # noqa: F403
    from .io import *  # noqa: F403
    from .jobs import *  # noqa: F403
    from .recording import *  # noqa: F403
    from .sorting import *  # noqa: F403
    from .sweeps import *  # noqa: F403
    from .widgets import *  # noqa: F403

#: Where the top-level names come from: every name of each subpackage's ``__all__``, looked
#: up in this order (the first subpackage that has a name wins).
_EXPORTING_SUBPACKAGES = (
    "errors",
    "recording",
    "sorting",
    "generation",
    "io",
    "jobs",
    "extractors",
    "widgets",
    "sweeps",
)
#: Names taken from a subpackage whose other names stay in it.
_SINGLE_NAMES = {
    "BaseExtractor": "base",
    "cast_traces": "base",
    "get_registered_kinds": "base",
    "register_kind": "base",
    "JobWorkerDiedError": "errors",
}
#: Subpackages reachable as attributes (``lazyephys.preprocessing.bandpass_filter``).
_SUBPACKAGES = (
    "analysis",
    "base",
    "cli",
    "core",
    "errors",
    "extractors",
    "full",
    "generation",
    "io",
    "jobs",
    "preprocessing",
    "recording",
    "sorting",
    "sweeps",
    "testing",
    "widgets",
)


def _public_names() -> list[str]:
    names: dict[str, None] = dict.fromkeys(_SINGLE_NAMES)
    for subpackage in _EXPORTING_SUBPACKAGES:
        names.update(dict.fromkeys(import_module(f"{__name__}.{subpackage}").__all__))
    return [*names, "__version__"]


def _resolve(name: str) -> Any:
    if name in _SINGLE_NAMES:
        return getattr(import_module(f"{__name__}.{_SINGLE_NAMES[name]}"), name)
    for subpackage in _EXPORTING_SUBPACKAGES:
        module = import_module(f"{__name__}.{subpackage}")
        if name in module.__all__:
            return getattr(module, name)
    if name in _SUBPACKAGES:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __getattr__(name: str) -> Any:
    if name == "__all__":
        value: Any = _public_names()
    elif name.startswith("__"):  # dunder probes (copy, pickle, IDEs) never import anything
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        value = _resolve(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()) | set(_SUBPACKAGES))
