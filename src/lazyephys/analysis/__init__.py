"""Spike-train analytics: binned counts, epoch-aligned counts, smoothed signals, rates and
groups, computed from the spike vector and labelled.

Exports to xarray/pandas and the HDF5 store need the ``analysis`` extra
(``pip install 'lazyephys[analysis]'``); nothing here imports them until asked.
"""

from .binning import BinnedSpikes, bin_spikes
from .epochs import EpochCounts, epoch_counts, peri_event_counts, split_epochs
from .groups import Recruitment, group_by_grid, recruitment
from .rates import firing_rates
from .smoothing import SmoothedSpikesRecording, smooth_spikes
from .store import load_counts, save_counts
from .units import InvalidTimesRemovedSorting, remove_invalid_times, select_units_by

__all__ = [
    "BinnedSpikes",
    "EpochCounts",
    "InvalidTimesRemovedSorting",
    "Recruitment",
    "SmoothedSpikesRecording",
    "bin_spikes",
    "epoch_counts",
    "firing_rates",
    "group_by_grid",
    "load_counts",
    "peri_event_counts",
    "recruitment",
    "remove_invalid_times",
    "save_counts",
    "select_units_by",
    "smooth_spikes",
    "split_epochs",
]
