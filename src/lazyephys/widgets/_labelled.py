"""Read a labelled table (bins by units or groups) from an analytics object or arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["table_values", "check_bin_edges", "check_labels"]


def table_values(table: Any, attributes: tuple[str, ...]) -> np.ndarray:
    """The numbers of ``table``: its first attribute found among ``attributes``, or itself."""
    for name in attributes:
        if hasattr(table, name):
            return np.asarray(getattr(table, name))
    values = np.asarray(table)
    if values.dtype == object or not np.issubdtype(values.dtype, np.number):
        raise TypeError(
            f"expected an array of numbers or an object with one of {list(attributes)}, "
            f"got {type(table).__name__}"
        )
    return values


def check_bin_edges(bin_edges: Any, num_bins: int) -> np.ndarray | None:
    """Validate bin edges (seconds): ``num_bins + 1`` increasing numbers, or None."""
    if bin_edges is None:
        return None
    edges = np.asarray(bin_edges, dtype=np.float64)
    if edges.shape != (num_bins + 1,):
        raise ValueError(
            f"bin_edges must hold {num_bins + 1} edges for {num_bins} bins, got shape "
            f"{edges.shape}"
        )
    if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise ValueError("bin_edges must be finite and strictly increasing")
    return edges


def check_labels(labels: Any, count: int, name: str) -> np.ndarray:
    """Labels of the columns: ``count`` of them, or 0..count-1 when None."""
    if labels is None:
        return np.arange(count)
    array = np.asarray(labels)
    if array.shape != (count,):
        raise ValueError(f"{name} must hold {count} labels (one per column), got shape "
                         f"{array.shape}")
    return array
