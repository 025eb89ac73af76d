"""Optional libraries of the analysis outputs, imported only when an export asks for them."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["require"]


def require(module: str, purpose: str) -> Any:
    """Import ``module`` or raise an ImportError saying what needs it and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        from ..errors import OptionalDependencyError

        raise OptionalDependencyError(
            f"{purpose} needs {module!r}, which is not installed: "
            "pip install 'lazyephys[analysis]'"
        ) from error
