"""lazyephys: lazy recordings and sortings for extracellular electrophysiology.

Open data far larger than memory without loading it; cut, rename, combine and preprocess it
lazily; compute or export it in parallel chunks; and save every step as provenance that
reloads anywhere.
"""

# the persistence layer opens the base layer's save door, and the preprocessing kinds are
# registered so that worker processes can rebuild preprocessing chains
from . import io as _io  # noqa: F401
from . import preprocessing  # noqa: F401
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
from .sweeps import *  # noqa: F403
from .sweeps import __all__ as _sweeps_all
from .widgets import *  # noqa: F403
from .widgets import __all__ as _widgets_all

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
    *_widgets_all,
    *_sweeps_all,
    "__version__",
]
