"""The probe a recording is wired to, drawn through probeinterface."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._matplotlib import get_axes, require_pyplot

__all__ = ["plot_probe_map"]


def plot_probe_map(
    recording: Any,
    with_channel_ids: bool = False,
    color_by: str | None = None,
    cmap: str = "viridis",
    ax: Any = None,
) -> Any:
    """Draw the contacts of the probes attached to a recording.

    Parameters
    ----------
    recording : Recording
        A recording with a probe (``set_probe``); one without raises ValueError.
    with_channel_ids : bool
        Write each channel's id on its contact.
    color_by : str or None
        A numeric channel property to colour the contacts with (a colour bar is added).
    cmap : str
        Colour map of ``color_by``.
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lazyephys as le
    >>> from lazyephys.widgets import plot_probe_map
    >>> rec = le.generate_recording(num_channels=8, durations=[1.0])
    >>> ax = plot_probe_map(rec, with_channel_ids=True)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x (um)', 'y (um)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    require_pyplot()  # probeinterface's plotting imports matplotlib itself
    from probeinterface.plotting import plot_probe

    if not recording.has_probe():
        raise ValueError(
            "this recording has no probe to draw: attach one with set_probe(...)"
        )
    values = None
    if color_by is not None:
        keys = recording.get_property_keys()
        if color_by not in keys:
            raise KeyError(f"color_by={color_by!r} is not a channel property; the "
                           f"properties are {sorted(keys)}")
        values = np.asarray(recording.get_property(color_by), dtype=np.float64)
    ax = get_axes(ax, figsize=(4.0, 8.0))
    channel_ids = recording.get_channel_ids()
    group = recording.get_probegroup()
    # get_probegroup wires contacts to channels in channel order: contact rows of each probe
    # map to channel positions through device_channel_indices
    artists = []
    for probe in group.probes:
        channels = np.asarray(probe.device_channel_indices)
        artist, _ = plot_probe(
            probe, ax=ax, title=False,
            text_on_contact=[str(c) for c in channel_ids[channels]] if with_channel_ids
            else None,
            contacts_values=None if values is None else values[channels],
            cmap=cmap,
        )
        artists.append(artist)
    if values is not None and artists:
        plt = require_pyplot()
        mappable = artists[0]
        mappable.set_clim(float(np.nanmin(values)), float(np.nanmax(values)))
        plt.colorbar(mappable, ax=ax, label=color_by)
    # probeinterface labels its axes in a large font: label them like every other plot
    size = require_pyplot().rcParams["axes.labelsize"]
    ax.set_xlabel("x (um)", fontsize=size)
    ax.set_ylabel("y (um)", fontsize=size)
    return ax
