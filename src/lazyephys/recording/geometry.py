"""Channel geometry: distances between channels and their order along the probe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import Recording

__all__ = ["get_channel_distances", "order_channels_by_depth"]

_AXES = ("x", "y", "z")


def get_channel_distances(recording: Recording) -> np.ndarray:
    """Euclidean distances between every pair of channel locations, in um.

    Returns
    -------
    numpy.ndarray
        (channels, channels), float64, zero on the diagonal.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=3, durations=[1.0])  # 20 um pitch
    >>> get_channel_distances(rec)[0].tolist()
    [0.0, 20.0, 40.0]
    """
    locations = np.asarray(recording.get_channel_locations(), dtype=np.float64)
    differences = locations[:, np.newaxis, :] - locations[np.newaxis, :, :]
    return np.sqrt(np.sum(differences**2, axis=2))


def _axis(name: Any, ndim: int) -> int:
    if name not in _AXES[:ndim]:
        raise ValueError(f"dimensions must name axes among {list(_AXES[:ndim])} (the channel "
                         f"locations have {ndim}), got {name!r}")
    return _AXES.index(name)


def order_channels_by_depth(
    recording: Recording,
    channel_ids: Any = None,
    dimensions: str | Sequence[str] = ("x", "y"),
    flip: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts channels by depth, and the order that undoes it.

    Parameters
    ----------
    recording : Recording
        With channel locations (a probe).
    channel_ids : list or None
        Order only these channels (indices then refer to this list); None: all.
    dimensions : str or sequence of str
        One axis (``"y"``), or several: the last one is the primary key, earlier ones break
        ties (the default ``("x", "y")`` sorts by y, then x).
    flip : bool
        Deepest-last becomes deepest-first (descending order).

    Returns
    -------
    order_f : numpy.ndarray
        Indices that sort the channels.
    order_r : numpy.ndarray
        Indices that undo it: ``order_f[order_r]`` is ``arange(n)``.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.generate_recording(num_channels=3, durations=[1.0], set_probe=False)
    >>> rec.set_dummy_probe_from_locations([[0, 40], [0, 0], [0, 20]])
    >>> order_f, order_r = order_channels_by_depth(rec)
    >>> order_f.tolist(), order_r.tolist()
    ([1, 2, 0], [2, 0, 1])
    """
    locations = np.asarray(recording.get_channel_locations(channel_ids), dtype=np.float64)
    ndim = locations.shape[1]
    if isinstance(dimensions, str):
        order_f = np.argsort(locations[:, _axis(dimensions, ndim)], kind="stable")
    else:
        keys = [locations[:, _axis(name, ndim)] for name in dimensions]
        if not keys:
            raise ValueError("dimensions is empty: name at least one axis such as 'y'")
        order_f = np.lexsort(keys)
    if flip:
        order_f = order_f[::-1]
    order_r = np.argsort(order_f, kind="stable")
    return order_f.astype(np.int64), order_r.astype(np.int64)
