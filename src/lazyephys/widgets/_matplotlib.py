"""Matplotlib, imported only when a plot is drawn, and the axes a plot draws on."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["require_pyplot", "get_axes"]

_EXTRA_HINT = "plotting needs matplotlib: pip install 'lazyephys[widgets]'"


def require_pyplot() -> Any:
    """Return ``matplotlib.pyplot``, or raise an ImportError naming the extra to install."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as error:
        raise ImportError(_EXTRA_HINT) from error


def get_axes(ax: Any, figsize: tuple[float, float] = (8.0, 5.0)) -> Any:
    """The axes to draw on: ``ax`` itself, or the axes of a new figure when it is None."""
    plt = require_pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax
