"""Smoothed spike signals: a lazy Recording whose channels are units, in spikes per second.

Each unit's spikes are binned on the output grid (bin ``j`` is
``[t0 + j / fs, t0 + (j + 1) / fs)``, as :func:`bin_spikes` bins them) and every spike adds
a kernel of unit area, sampled on the grid (see :mod:`lazyephys.analysis.kernels`: gaussian
-- the kernel of ``scipy.ndimage.gaussian_filter1d`` --, causal exponential, alpha, boxcar,
triangular), times the output rate. A window is computed from the spikes within the kernel's
reach of it -- the kernel's support on each side, which for a causal kernel is all on one
side, never the whole segment -- so any window equals the same rows of a whole-segment
computation, and the recording saves chunk by chunk with ``n_jobs`` in bounded memory.
Outside the segment the signal is taken as zero (no spikes), so a regular train at ``r`` Hz
reads ``r`` away from the ends (for a symmetric kernel, ``r / 2`` at them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..recording.base import ChannelSelector, Recording, RecordingSegment, channel_indices_of
from ..sorting.base import Sorting, search_sorted
from ._clock import SegmentClock, check_positive_duration, count_bins
from ._units import UnitColumns
from .kernels import KERNELS, KernelName, SpikeKernel, gaussian_kernel, make_kernel

__all__ = ["SmoothedSpikesRecording", "smooth_spikes", "gaussian_kernel", "KERNELS"]

#: spike-kernel products computed at once: bounds a window's temporaries to about 6 MB
_BLOCK_ENTRIES = 1 << 18
#: float64 cells of the buffer a group of units is summed in (4 MB: it stays in cache)
_GROUP_CELLS = 1 << 19


class SmoothedSpikesSegment(RecordingSegment):
    """One segment of a smoothed spike signal, computed window by window from the spikes."""

    __slots__ = ("_means", "_tiled", "clock", "columns", "first_lag", "kernel", "last_lag",
                 "mean_center", "parent", "rate", "start_time")

    def __init__(self, clock: SegmentClock, num_samples: int, rate: float,
                 kernel: SpikeKernel, columns: UnitColumns, mean_center: bool) -> None:
        super().__init__(num_samples)
        self.clock = clock
        self.parent = clock.sorting.get_segment(clock.segment_index)
        self.rate = rate
        self.start_time = clock.start_time
        self.kernel = kernel.weights
        # a spike in bin b adds kernel[j] to sample b + first_lag + j
        self.first_lag = kernel.first_lag
        self.last_lag = kernel.last_lag
        self.columns = columns
        self.mean_center = mean_center
        self._means: np.ndarray | None = None
        self._tiled: np.ndarray | None = None

    def _spike_bins(self, first_bin: int, stop_bin: int) -> tuple[np.ndarray, np.ndarray]:
        """Bins and unit indices of the spikes in output bins ``[first_bin, stop_bin)``."""
        _, edges = self.clock.grid_edges(self.start_time, 1.0 / self.rate, first_bin, stop_bin)
        vector = self.parent.get_spike_vector(None)
        samples = vector["sample_index"]
        lo = search_sorted(samples, int(edges[0]))
        hi = search_sorted(samples, int(edges[-1]))
        bins = np.searchsorted(edges[1:-1], samples[lo:hi], side="right")
        bins += first_bin
        return bins, vector["unit_index"][lo:hi]

    def get_traces(self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
                   ) -> np.ndarray:
        chosen = channel_indices_of(channel_selector, self.columns.num_columns)
        length = end_frame - start_frame
        if length == 0 or chosen.size == 0:
            return np.zeros((length, chosen.size), dtype=np.float32)
        # the spikes whose kernel reaches the window: bins [start - last_lag, end - first_lag)
        first = max(0, start_frame - self.last_lag)
        stop = min(self.num_samples, end_frame - self.first_lag)
        bins, units = self._spike_bins(first, stop)
        # unit index in the sorting -> column of this window (-1: not asked for)
        lookup = np.full(self.clock.sorting.get_num_units(), -1, dtype=np.int64)
        lookup[self.columns.indices[chosen]] = np.arange(chosen.size)
        cols = lookup[units]
        wanted = cols >= 0
        bins, cols = bins[wanted], cols[wanted]
        # buffer row q is output sample start_frame - reach + q (reach = taps - 1): the kernel
        # of every spike read above fits, whichever side of its bin the kernel lies on
        reach = self.kernel.size - 1
        span = length + 2 * reach
        rows = bins + self.first_lag - (start_frame - reach)
        # group spikes by column: each group fills a small (columns, span) buffer in which a
        # spike's kernel is contiguous, so the scatter stays in cache
        order = np.argsort(cols, kind="stable")
        rows, cols = rows[order], cols[order]
        per_group = max(1, _GROUP_CELLS // span)
        bounds = np.searchsorted(cols, np.arange(0, chosen.size + per_group, per_group))
        out = np.zeros((length, chosen.size), dtype=np.float32)
        for group, first_col in enumerate(range(0, chosen.size, per_group)):
            lo, hi = int(bounds[group]), int(bounds[group + 1])
            last_col = min(first_col + per_group, chosen.size)
            if hi > lo:
                block = self._scatter(rows[lo:hi] + (cols[lo:hi] - first_col) * span,
                                      (last_col - first_col) * span)
                block = block.reshape(last_col - first_col, span)
                block *= self.rate
                out[:, first_col:last_col] = block[:, reach:reach + length].T
        if self.mean_center:
            out -= self.means()[chosen].astype(np.float32)
        return out

    def _scatter(self, starts: np.ndarray, cells: int) -> np.ndarray:
        """The kernel added at each of ``starts`` (flat positions of its first tap) into a
        buffer of ``cells`` float64, in blocks that bound the temporaries."""
        taps = self.kernel.size
        per_block = max(1, _BLOCK_ENTRIES // taps)
        tiled = self._tiled
        if tiled is None:  # the same for every window (threads may both make it: no harm)
            tiled = self._tiled = np.tile(self.kernel, per_block)
        offsets = np.arange(taps, dtype=np.int64)
        total: np.ndarray | None = None
        for lo in range(0, starts.size, per_block):
            flat = (starts[lo:lo + per_block, None] + offsets[None, :]).ravel()
            part = np.bincount(flat, weights=tiled[:flat.size], minlength=cells)
            if total is None:
                total = part
            else:
                total += part
        return np.zeros(cells) if total is None else total

    def means(self) -> np.ndarray:
        """Each unit's mean over the segment (computed once, from every spike's kernel mass
        that falls inside the segment)."""
        if self._means is None:
            bins, units = self._spike_bins(0, self.num_samples)
            cumulative = np.cumsum(self.kernel)
            # kernel[j] lands on sample bins + first_lag + j: those inside [0, last] count
            last = self.num_samples - 1
            top = np.minimum(self.kernel.size - 1, last - bins - self.first_lag)
            bottom = np.maximum(0, -(bins + self.first_lag))
            mass = np.where(top >= bottom, cumulative[np.maximum(top, 0)]
                            - np.where(bottom > 0, cumulative[bottom - 1], 0.0), 0.0)
            per_unit = np.bincount(units, weights=mass,
                                   minlength=self.clock.sorting.get_num_units())
            self._means = per_unit[self.columns.indices] * self.rate / max(self.num_samples, 1)
        return self._means


@register_kind
class SmoothedSpikesRecording(Recording):
    """A lazy recording of smoothed spike trains: one float32 channel per unit, in spikes/s.

    Parameters
    ----------
    sorting : Sorting
    sigma : float
        The kernel's standard deviation in seconds.
    sampling_frequency : float
        Samples per second of the signal.
    kernel : {"gaussian", "exponential", "alpha", "boxcar", "triangular"}
        See :mod:`lazyephys.analysis.kernels`.
    mean_center : bool
        Subtract each unit's mean over its segment.
    unit_ids : list or None
        The units (channels), in order; all by default.
    """

    def __init__(
        self,
        sorting: Sorting,
        sigma: float,
        sampling_frequency: float = 1000.0,
        kernel: KernelName = "gaussian",
        mean_center: bool = False,
        unit_ids: Any = None,
    ) -> None:
        sigma = check_positive_duration(sigma, "sigma")
        rate = check_positive_duration(sampling_frequency, "sampling_frequency")
        weights = make_kernel(kernel, sigma * rate)
        columns = UnitColumns(sorting, unit_ids)
        super().__init__(rate, columns.unit_ids, np.float32)
        for index in range(sorting.get_num_segments()):
            clock = SegmentClock(sorting, index)
            num = count_bins(clock.end_time - clock.start_time, 1.0 / rate)
            segment = SmoothedSpikesSegment(clock, num, rate, weights, columns, bool(mean_center))
            self.add_segment(segment, t_start=clock.start_time)
        for key, values in columns.properties.items():
            self.set_property(key, values)


def smooth_spikes(
    sorting: Sorting,
    sigma: float,
    sampling_frequency: float = 1000.0,
    kernel: KernelName = "gaussian",
    mean_center: bool = False,
    unit_ids: Any = None,
) -> SmoothedSpikesRecording:
    """Smoothed spike signals as a lazy Recording (channels are units, float32, spikes/s).

    Parameters
    ----------
    sorting : Sorting
        Every segment becomes a segment of the recording (its times start at the segment's
        start; the sorting must know each segment's number of samples).
    sigma : float
        Standard deviation of the kernel, in seconds (> 0); for the exponential kernel it is
        its time constant, for the alpha kernel ``sqrt(2)`` times its time constant.
    sampling_frequency : float
        Samples per second of the signal (1 kHz by default).
    kernel : {"gaussian", "exponential", "alpha", "boxcar", "triangular"}
        Each spike adds a kernel of unit area over time: ``"gaussian"`` (truncated at 4
        sigma), ``"exponential"`` and ``"alpha"`` (causal: after the spike only),
        ``"boxcar"``, ``"triangular"`` (centred); see :mod:`lazyephys.analysis.kernels`.
    mean_center : bool
        Subtract each unit's mean over its segment.
    unit_ids : list or None
        The units, in order; all by default.

    Returns
    -------
    SmoothedSpikesRecording
        Lazy: ``get_traces`` computes a window from the spikes near it; ``save`` writes it
        chunk by chunk with ``n_jobs``.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.analysis import smooth_spikes
    >>> train = np.arange(0, 100_000, 1000)        # 10 Hz for 10 s at 10 kHz
    >>> sorting = le.NumpySorting.from_unit_dict({"a": train}, sampling_frequency=10_000.0,
    ...                                          num_samples=[100_000])
    >>> signal = smooth_spikes(sorting, sigma=0.2)
    >>> round(float(signal.get_traces(start_frame=4000, end_frame=6000).mean()), 3)
    10.0
    """
    return SmoothedSpikesRecording(sorting, sigma, sampling_frequency, kernel, mean_center,
                                   unit_ids)
