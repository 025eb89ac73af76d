"""Spike-train analytics: binned counts, epoch-aligned counts, smoothed signals, rates and
groups, computed from the spike vector and labelled.

Exports to xarray/pandas and the HDF5 store need the ``analysis`` extra
(``pip install 'lazyephys[analysis]'``); nothing here imports them until asked.
"""

from .binning import BinnedSpikes, bin_spikes
from .epochs import EpochCounts, epoch_counts, peri_event_counts, split_epochs
from .groups import Recruitment, group_by_grid, recruitment
from .rates import firing_rates

__all__ = [
    "BinnedSpikes",
    "EpochCounts",
    "Recruitment",
    "bin_spikes",
    "epoch_counts",
    "firing_rates",
    "group_by_grid",
    "peri_event_counts",
    "recruitment",
    "split_epochs",
]
