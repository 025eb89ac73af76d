"""lazyephys: lazy recordings and sortings for extracellular electrophysiology.

Open data far larger than memory without loading it; cut, rename, combine and preprocess it
lazily; compute or export it in parallel chunks; and save every step as provenance that
reloads anywhere.
"""

from importlib.metadata import PackageNotFoundError, version

# registers the preprocessing kinds, so worker processes can rebuild preprocessing chains
from . import preprocessing  # noqa: F401
from .core import *  # noqa: F403
from .core import __all__ as _core_all
from .io import *  # noqa: F403
from .io import __all__ as _io_all
from .jobs import *  # noqa: F403
from .jobs import __all__ as _jobs_all

try:
    __version__ = version("lazyephys")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [*_core_all, *_jobs_all, *_io_all, "__version__"]
