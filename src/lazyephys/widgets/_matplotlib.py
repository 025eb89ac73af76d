"""Matplotlib, imported only when a plot is drawn, and the axes a plot draws on."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np

__all__ = ["require_pyplot", "get_axes", "set_time_axis", "label_rows"]

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


def set_time_axis(ax: Any, t0: float, t1: float) -> None:
    """Show ``[t0, t1]`` seconds on the horizontal axis, its ticks written in full.

    Matplotlib would write the ticks of a window late in a long recording as small numbers
    plus an offset (``0.01 ... +8.6399e4``); seconds read as the recording's times instead.
    """
    ax.set_xlim(t0, t1)
    ax.set_xlabel("time (s)")
    formatter = ax.xaxis.get_major_formatter()
    if hasattr(formatter, "set_useOffset"):
        formatter.set_useOffset(False)


def label_rows(ax: Any, labels: Any) -> None:
    """Label the rows ``0..n-1`` of the vertical axis with their ids.

    Every row is labelled when the labels fit the axes' height; otherwise every k-th row,
    k as small as fits. Ticks are always ids, never row positions, which would be read as
    ids.
    """
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    names = [str(label) for label in labels]
    if not names:
        ax.set_yticks([])
        return
    height_points = ax.get_position().height * ax.figure.get_figheight() * 72.0
    size = FontProperties(size=rcParams["ytick.labelsize"]).get_size_in_points()
    # a label needs about 1.3 times its font size not to touch its neighbours
    step = max(1, math.ceil(len(names) * size * 1.3 / max(height_points, 1.0)))
    rows = np.arange(0, len(names), step)
    ax.set_yticks(rows)
    ax.set_yticklabels([names[row] for row in rows])
