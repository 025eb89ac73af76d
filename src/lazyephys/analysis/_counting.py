"""Counting spikes per bin and unit in one pass over a segment's sorted spike vector.

Spikes are sorted by sample, so the spikes of a run of consecutive bins are one contiguous
range of the spike vector. Bins are walked in blocks small enough that a block's counts stay
in the processor's cache; each block is one ``numpy.bincount`` over ``bin * units + unit``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..sorting.base import search_sorted
from ._units import UnitColumns

__all__ = ["iter_bin_blocks", "BLOCK_CELLS"]

#: counts (bins x units) per block: 2 MB of int64, which stays in cache
BLOCK_CELLS = 1 << 18


def iter_bin_blocks(
    vector: np.ndarray,
    edge_samples: np.ndarray,
    columns: UnitColumns,
    uniform_step: int | None = None,
    block_cells: int = BLOCK_CELLS,
) -> Iterator[tuple[int, int, np.ndarray, int]]:
    """Yield ``(first_bin, stop_bin, counts, bound)`` blocks; ``counts`` is int64 (bins,
    columns) and ``bound`` an upper bound of its values (the most spikes in one bin).

    Parameters
    ----------
    vector : numpy.ndarray
        One segment's spike vector, sorted by sample.
    edge_samples : numpy.ndarray
        ``bins + 1`` non-decreasing samples: bin ``k`` holds the spikes with
        ``edge_samples[k] <= sample < edge_samples[k + 1]``.
    columns : UnitColumns
        The units counted and their columns.
    uniform_step : int or None
        When every bin but the last is this many samples long, a spike's bin is one integer
        division instead of a search.
    """
    samples = vector["sample_index"]
    units = vector["unit_index"]
    num_bins = edge_samples.size - 1
    width = max(columns.num_columns, 1)
    per_block = max(1, block_cells // width)
    hi = search_sorted(samples, int(edge_samples[0]))
    for first in range(0, num_bins, per_block):
        stop = min(first + per_block, num_bins)
        lo = hi
        hi = search_sorted(samples, int(edge_samples[stop]))
        cells = (stop - first) * columns.num_columns
        if hi == lo or columns.num_columns == 0:
            yield first, stop, np.zeros((stop - first, columns.num_columns), np.int64), 0
            continue
        block_samples = samples[lo:hi]
        if uniform_step is not None:
            bins = block_samples - int(edge_samples[first])
            bins //= uniform_step
            np.minimum(bins, stop - first - 1, out=bins)  # the last bin may run past the grid
        else:
            bins = np.searchsorted(edge_samples[first + 1 : stop], block_samples, side="right")
        # the most spikes of any bin bounds every count: checked on bins, not on cells
        bound = int(np.bincount(bins, minlength=stop - first).max())
        cols = columns.columns_of(units[lo:hi])
        keys = bins * columns.num_columns
        keys += cols
        if columns.lookup is not None:
            keys = keys[cols >= 0]
        counts = np.bincount(keys, minlength=cells)
        yield first, stop, counts.reshape(stop - first, columns.num_columns), bound
