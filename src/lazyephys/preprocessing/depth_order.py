"""Channels in the order of their depth along the probe.

Depth ordering sorts contact positions lexicographically: the last named dimension is the
primary key (``("x", "y")`` sorts by y, then by x among contacts at the same depth), so the
order is the tip of the probe first unless ``flip``. Steps that work along the probe (the
spatial filter, bad-channel detection) use it to put neighbours next to each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..recording.base import Recording

__all__ = ["order_channels_by_depth", "depth_order", "dimension_index"]

_AXES = ("x", "y", "z")


def dimension_index(name: Any, ndim: int, argument: str = "direction") -> int:
    """The column of ``"x"``, ``"y"`` or ``"z"`` in channel locations of ``ndim`` columns."""
    if name not in _AXES:
        raise ValueError(f"{argument} must be one of {_AXES}, got {name!r}")
    index = _AXES.index(name)
    if index >= ndim:
        raise ValueError(
            f"{argument}={name!r} needs {index + 1}-dimensional channel locations; this "
            f"recording's are {ndim}-dimensional"
        )
    return index


def _locations(recording: Recording) -> np.ndarray:
    if "location" not in recording.get_property_keys():
        raise ValueError(
            "this step needs channel locations: attach a probe (set_probe) or set them with "
            "set_channel_locations"
        )
    return np.asarray(recording.get_channel_locations(), dtype=np.float64)


def order_channels_by_depth(
    recording: Recording,
    channel_ids: Any = None,
    dimensions: Any = ("x", "y"),
    flip: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The channel order by depth, and the order that undoes it.

    Parameters
    ----------
    recording : Recording
        With channel locations (a probe).
    channel_ids : list or None
        Order only these channels (positions are then among them).
    dimensions : str or sequence of str
        One of "x", "y", "z" (a stable sort on it), or several for a lexicographic sort
        whose last dimension is the primary key.
    flip : bool
        Top of the probe first instead of the tip.

    Returns
    -------
    order_f : numpy.ndarray
        ``locations[order_f]`` is sorted.
    order_r : numpy.ndarray
        ``order_f[order_r]`` is ``arange(n)``: takes sorted data back to channel order.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.NumpyRecording(np.zeros((10, 3), "float32"), 1000.0)
    >>> rec.set_channel_locations([[0, 40], [0, 0], [16, 20]])
    >>> order_channels_by_depth(rec)[0].tolist()
    [1, 2, 0]
    """
    locations = _locations(recording)
    if channel_ids is not None:
        locations = locations[recording.ids_to_indices(channel_ids)]
    ndim = locations.shape[1]
    if isinstance(dimensions, str):
        order_f = np.argsort(locations[:, dimension_index(dimensions, ndim, "dimensions")],
                             kind="stable")
    else:
        names = list(dimensions)
        if not names:
            raise ValueError("dimensions must name at least one of 'x', 'y', 'z'")
        keys = tuple(locations[:, dimension_index(d, ndim, "dimensions")] for d in names)
        order_f = np.lexsort(keys)
    if flip:
        order_f = order_f[::-1]
    order_r = np.argsort(order_f, kind="stable")
    return order_f.astype(np.int64), order_r.astype(np.int64)


def depth_order(
    recording: Recording,
    channel_ids: Any = None,
    dimensions: Any = ("x", "y"),
    flip: bool = False,
) -> Recording:
    """The recording with its channels reordered by depth (ids, properties and traces).

    Parameters are those of :func:`order_channels_by_depth`; with ``channel_ids``, only those
    channels are kept, in depth order. The result is a channel selection, so it is exact,
    composes with other selections and costs nothing until traces are read.

    Returns
    -------
    Recording

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.NumpyRecording(np.zeros((10, 3), "float32"), 1000.0, channel_ids=["a", "b", "c"])
    >>> rec.set_channel_locations([[0, 40], [0, 0], [16, 20]])
    >>> depth_order(rec).get_channel_ids().tolist()
    ['b', 'c', 'a']
    """
    order_f, _ = order_channels_by_depth(recording, channel_ids, dimensions, flip)
    ids = recording.get_channel_ids() if channel_ids is None else np.asarray(channel_ids)
    return recording.select_channels(ids[order_f])
