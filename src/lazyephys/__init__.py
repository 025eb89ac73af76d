"""lazyephys: lazy recordings and sortings for extracellular electrophysiology.

Open data far larger than memory without loading it; cut, rename, combine and preprocess it
lazily; compute or export it in parallel chunks; and save every step as provenance that
reloads anywhere.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

# the persistence layer opens the base layer's save door, and the preprocessing kinds are
# registered so that worker processes can rebuild preprocessing chains
from . import (
    analysis,  # noqa: F401
    preprocessing,  # noqa: F401
)
from . import io as _io  # noqa: F401
from ._version import __version__
from .base import BaseExtractor, cast_traces, get_registered_kinds, register_kind
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all
from .extractors import *  # noqa: F403
from .extractors import __all__ as _extractors_all
from .generation import *  # noqa: F403
from .generation import __all__ as _generation_all
from .io import *  # noqa: F403
from .io import __all__ as _io_all
from .jobs import *  # noqa: F403
from .jobs import __all__ as _jobs_all
from .recording import *  # noqa: F403
from .recording import __all__ as _recording_all
from .sorting import *  # noqa: F403
from .sorting import __all__ as _sorting_all

if TYPE_CHECKING:
    from .errors import JobWorkerDiedError  # noqa: F401
    from .widgets import (  # noqa: F401
        plot_binned,
        plot_firing_rate,
        plot_probe_map,
        plot_rasters,
        plot_recruitment,
        plot_traces,
        plot_unit_presence,
    )

# Names resolved on first use (PEP 562), so that ``import lazyephys`` does not pay for the
# modules behind them: name -> the module that defines it. tests/test_public_api.py checks
# that this table and the subpackages' ``__all__`` agree.
_LAZY_NAMES: dict[str, str] = {
    "JobWorkerDiedError": "lazyephys.errors",
    **dict.fromkeys(
        [
            "plot_binned",
            "plot_firing_rate",
            "plot_probe_map",
            "plot_rasters",
            "plot_recruitment",
            "plot_traces",
            "plot_unit_presence",
        ],
        "lazyephys.widgets",
    ),
}
# subpackages reachable as attributes (``lazyephys.widgets.plot_traces``) without an import
_LAZY_SUBPACKAGES = ("widgets",)

__all__ = [
    "BaseExtractor",
    "cast_traces",
    "get_registered_kinds",
    "register_kind",
    *_errors_all,
    *_recording_all,
    *_sorting_all,
    *_generation_all,
    *_jobs_all,
    *_io_all,
    *_extractors_all,
    *_LAZY_NAMES,
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        value = getattr(import_module(_LAZY_NAMES[name]), name)
    elif name in _LAZY_SUBPACKAGES:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES) | set(_LAZY_SUBPACKAGES))
