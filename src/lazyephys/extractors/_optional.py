"""Optional dependencies of the readers, imported only when a reader needs them."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the extra that installs it.

    Parameters
    ----------
    module : str
        A module name fixed in this package's source (never one read from a file).
    extra : str
        The ``lazyephys`` extra that installs it.
    feature : str
        What needs it, for the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{feature} needs the package {module.split('.')[0]!r}: "
            f"pip install 'lazyephys[{extra}]'"
        ) from error
