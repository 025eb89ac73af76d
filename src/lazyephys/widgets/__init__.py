"""Plots of recordings, sortings and their analyses (matplotlib, an optional extra).

Install with ``pip install 'lazyephys[widgets]'``; matplotlib is imported when a plot is
drawn, never by ``import lazyephys``. Every function draws on ``ax`` (a new figure when it
is None) and returns the axes; none calls ``plt.show()``. Names and arguments follow
``spikeinterface.widgets`` where both libraries have the plot.
"""

from .binned import plot_binned
from .presence import plot_firing_rate, plot_unit_presence
from .probe_map import plot_probe_map
from .rasters import plot_rasters
from .recruitment import plot_recruitment
from .sweeps import plot_feature_vs_amplitude, plot_sweeps
from .traces import plot_traces

__all__ = [
    "plot_traces",
    "plot_probe_map",
    "plot_rasters",
    "plot_unit_presence",
    "plot_firing_rate",
    "plot_binned",
    "plot_recruitment",
    "plot_sweeps",
    "plot_feature_vs_amplitude",
]
