"""The times of one segment of a sorting, and bin edges placed on its samples exactly.

Every analysis bins spikes by time, and a spike's time is the sorting's time of its sample
(a registered recording's time vector or ``t_start``, else ``sample / sampling_frequency``).
Binning compares samples, never floats: each bin edge (in seconds) becomes the first sample
whose time is at or after it, so a spike is in bin ``k`` exactly when
``edges[k] <= time < edges[k + 1]`` -- what :func:`numpy.histogram` does over the same edges
and spike times -- and a spike on an edge counts once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..base.validation import resolve_segment_index

if TYPE_CHECKING:
    from ..sorting.base import Sorting

__all__ = ["SegmentClock", "check_positive_duration", "count_bins"]

# a bin duration within this relative distance of a whole number of samples is on the grid
_GRID_TOLERANCE = 1e-9


def check_positive_duration(value: object, name: str) -> float:
    """``value`` as a float, or a ``ValueError`` naming it unless it is finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return number


def count_bins(span: float, bin_duration: float) -> int:
    """Bins of ``bin_duration`` needed to cover ``span`` seconds (the last may be shorter)."""
    quotient = span / bin_duration
    # a quotient a rounding error above a whole number (0.9 / 0.3) is that whole number
    return max(1, math.ceil(quotient - _GRID_TOLERANCE * max(1.0, quotient)))


class SegmentClock:
    """Sample <-> time conversions of one sorting segment, exact to the sample.

    Parameters
    ----------
    sorting : Sorting
    segment_index : int or None
        Required on multi-segment sortings.
    """

    def __init__(self, sorting: Sorting, segment_index: int | None) -> None:
        self.sorting = sorting
        self.segment_index = resolve_segment_index(segment_index, sorting.get_num_segments())
        self.sampling_frequency = sorting.get_sampling_frequency()
        self.num_samples = sorting.known_num_samples(self.segment_index)
        self._start_time: float | None = None

    def times(self, samples: np.ndarray) -> np.ndarray:
        """Times (float64 seconds) of sample indices; past the last sample, spaced by 1/fs."""
        samples = np.asarray(samples, dtype=np.int64)
        n = self.num_samples
        if n is None or n == 0:
            inside = np.maximum(samples, 0)
        else:
            inside = np.clip(samples, 0, n - 1)
        times = np.asarray(self.sorting.sample_index_to_time(inside, self.segment_index),
                           dtype=np.float64)
        outside = samples != inside
        if np.any(outside):
            times = times + (samples - inside) / self.sampling_frequency
        return times

    @property
    def start_time(self) -> float:
        """Time of the segment's first sample."""
        if self._start_time is None:
            self._start_time = float(self.times(np.zeros(1, np.int64))[0])
        return self._start_time

    @property
    def end_time(self) -> float:
        """Time just after the segment's last sample (its first sample plus its duration)."""
        n = self.num_samples
        if n is None:
            raise ValueError(
                f"the number of samples of segment {self.segment_index} is not known, so the "
                "segment's end is not either: give end_time, or register a recording "
                "(sorting.register_recording) or build the sorting with num_samples"
            )
        if n == 0:
            return self.start_time
        return float(self.times(np.array([n - 1]))[0]) + 1.0 / self.sampling_frequency

    def first_sample_at_or_after(self, times: np.ndarray, upper: int) -> np.ndarray:
        """For each time, the first sample in ``[0, upper]`` whose time is ``>= time``
        (``upper`` when none is)."""
        times = np.asarray(times, dtype=np.float64)
        guess = np.asarray(self.sorting.time_to_sample_index(times, self.segment_index))
        guess = np.clip(guess.astype(np.int64), 0, upper)
        # the guess is the nearest sample (or the one at or before): a step or two at most
        for _ in range(64):
            down = guess > 0
            if np.any(down):
                down[down] = self.times(guess[down] - 1) >= times[down]
            if not np.any(down):
                break
            guess[down] -= 1
        for _ in range(64):
            up = guess < upper
            if np.any(up):
                up[up] = self.times(guess[up]) < times[up]
            if not np.any(up):
                break
            guess[up] += 1
        return guess

    def upper_sample(self) -> int:
        """A sample past every spike of the segment (its number of samples when known)."""
        if self.num_samples is not None:
            return self.num_samples
        return self.sorting.get_segment(self.segment_index).last_spike_sample() + 1

    def grid_edges(self, start_time: float, bin_duration: float, first: int, last: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Edges ``first..last`` (inclusive) of the grid ``start_time + k * bin_duration``.

        Returns ``(edge_times, edge_samples)``. When the grid falls on samples (a whole
        number of samples per bin, starting on a sample, uniform times) the edge times are
        the times of those samples, so that ``0.03`` is the time of sample 900 at 30 kHz and
        not ``3 * 0.01``; otherwise they are ``start_time + k * bin_duration``. Each edge is
        computed on its own, so any range of the same grid gives the same edges.
        """
        ks = np.arange(first, last + 1, dtype=np.int64)
        nominal = start_time + ks * bin_duration
        upper = self.upper_sample()
        step = bin_duration * self.sampling_frequency
        whole = round(step)
        if whole >= 1 and abs(step - whole) <= _GRID_TOLERANCE * step:
            origin = int(self.first_sample_at_or_after(np.array([start_time]), 1 << 62)[0])
            if float(self.times(np.array([origin]))[0]) == start_time:
                samples = origin + ks * whole
                on_grid = self.times(samples)
                # a time vector that is not uniform leaves the grid: use the nominal edges
                if np.all(np.abs(on_grid - nominal) <= 1e-6 * bin_duration):
                    return on_grid, np.clip(samples, 0, upper)
        return nominal, self.first_sample_at_or_after(nominal, upper)
