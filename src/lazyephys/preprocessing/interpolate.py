"""Lazy interpolation of bad channels from their neighbours (kriging on probe positions).

Each bad channel becomes a weighted sum of the good channels. The weights are a kernel of
the distance between contacts, ``exp(-(d / sigma_um) ** p)``; weights below 0.005 are
dropped, each bad channel's weights are normalised to sum to one, and those that fall below
0.005 after that are dropped too (the IBL's choice, kept so results match it). The weights
are computed once and written into the provenance. Being the same at every sample, the step
is exact: windows equal the whole array.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..base.validation import as_number_array
from ..errors import UnknownIdError
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ._base import WindowTransformSegment, init_from_parent, keep_input_dtype, working_dtype

__all__ = [
    "InterpolateBadChannelsRecording",
    "interpolate_bad_channels",
    "kriging_weights",
    "estimate_recommended_sigma_um",
]

WEIGHT_THRESHOLD = 0.005


def kriging_weights(
    good_locations: np.ndarray, bad_locations: np.ndarray, sigma_um: Any, p: float,
    weight_threshold: float = WEIGHT_THRESHOLD,
) -> np.ndarray:
    """Weights (good, bad): ``traces[:, bad] = traces[:, good] @ weights``.

    ``sigma_um`` is one length, or ``(sigma_x, sigma_y)`` for a kernel of the city-block
    distance ``exp(-(dx / sigma_x) ** p - (dy / sigma_y) ** p)``.

    Examples
    --------
    >>> w = kriging_weights(np.array([[0.0, 0.0], [0.0, 40.0]]), np.array([[0.0, 20.0]]), 20.0, 1.3)
    >>> w.ravel().tolist()
    [0.5, 0.5]
    """
    good = np.asarray(good_locations, dtype=np.float64)
    bad = np.asarray(bad_locations, dtype=np.float64)
    if np.ndim(sigma_um) == 0:
        distance = np.sqrt(((good[:, None, :] - bad[None, :, :]) ** 2).sum(axis=2))
        kernel = np.exp(-((distance / float(sigma_um)) ** p))
    else:
        sigma_x, sigma_y = (float(s) for s in sigma_um)
        dx = np.abs(good[:, None, 0] - bad[None, :, 0])
        dy = np.abs(good[:, None, 1] - bad[None, :, 1])
        kernel = np.exp(-((dx / sigma_x) ** p) - (dy / sigma_y) ** p)
    kernel[kernel < weight_threshold] = 0
    totals = kernel.sum(axis=0)
    weights = np.divide(kernel, totals[None, :], out=np.zeros_like(kernel),
                        where=totals[None, :] > 0)
    weights[weights < weight_threshold] = 0
    return weights


def estimate_recommended_sigma_um(recording: Recording) -> float:
    """The most common distance between successive distinct contact depths (y), in um."""
    depths = np.unique(np.asarray(recording.get_channel_locations())[:, 1])
    steps = np.diff(depths)
    if steps.size == 0:
        raise ValueError(
            "cannot estimate sigma_um: every contact is at the same depth; pass sigma_um"
        )
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


class InterpolateSegment(WindowTransformSegment):
    """Replaces the bad channels by weighted sums of the good ones."""

    __slots__ = ("bad", "good", "weights")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, good: np.ndarray, bad: np.ndarray,
        weights: np.ndarray, dtype: np.dtype, work: np.dtype,
    ) -> None:
        super().__init__(parent, num_channels, dtype, work)
        self.good = good
        self.bad = bad
        self.weights = weights.astype(work)

    def transform(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = np.array(self.parent.get_traces(start_frame, end_frame, slice(None)),
                          dtype=self.work)
        # a sum over the few nonzero weights, in a fixed order: every row is computed the
        # same way whatever the window, so windows equal the whole array exactly (a matrix
        # product may block rows differently and round differently)
        for column, bad in enumerate(self.bad):
            total = np.zeros(traces.shape[0], dtype=self.work)
            for row in np.flatnonzero(self.weights[:, column]):
                total += traces[:, self.good[row]] * self.weights[row, column]
            traces[:, bad] = total
        return traces[:, channel_selector]


@register_kind
class InterpolateBadChannelsRecording(Recording):
    """Bad channels replaced by kriging from good ones (see :func:`interpolate_bad_channels`)."""

    def __init__(
        self,
        recording: Recording,
        bad_channel_ids: Any,
        sigma_um: Any = None,
        p: float = 1.3,
        weights: Any = None,
        dtype: Any = None,
    ) -> None:
        bad_ids = np.asarray(bad_channel_ids)
        if bad_ids.ndim != 1:
            raise TypeError(f"bad_channel_ids must be a 1-d list of channel ids, got {bad_ids!r}")
        ids = recording.get_channel_ids()
        missing = [b for b in bad_ids.tolist() if b not in set(ids.tolist())]
        if missing:
            raise UnknownIdError(
                f"bad_channel_ids {missing} are not channels of this recording; its channel ids "
                f"are {ids.tolist()[:20]}{' ...' if ids.size > 20 else ''}"
            )
        if "location" not in recording.get_property_keys():
            raise ValueError("interpolate_bad_channels needs channel locations: attach a probe")
        if not float(p) > 0:
            raise ValueError(f"p must be > 0, got {p!r}")
        bad = recording.ids_to_indices(bad_ids) if bad_ids.size else np.zeros(0, np.int64)
        is_good = np.ones(recording.get_num_channels(), dtype=bool)
        is_good[bad] = False
        good = np.flatnonzero(is_good)
        if sigma_um is None:
            sigma_um = estimate_recommended_sigma_um(recording)
            self._record_argument("sigma_um", sigma_um)
        if weights is None:
            locations = np.asarray(recording.get_channel_locations(), dtype=np.float64)
            matrix = kriging_weights(locations[good], locations[bad], sigma_um, float(p))
            self._record_argument("weights", matrix)
        else:
            matrix = as_number_array(weights, "weights")
            if matrix.shape != (good.size, bad.size):
                raise ValueError(
                    f"weights must have shape (good channels, bad channels) = "
                    f"{(good.size, bad.size)} for bad_channel_ids={bad_ids.tolist()}, got "
                    f"{matrix.shape}"
                )
        out = keep_input_dtype(recording.get_dtype(), dtype, "interpolate_bad_channels")
        work = working_dtype(recording.get_dtype(), out)
        n = recording.get_num_channels()
        init_from_parent(
            self, recording, out,
            lambda seg: InterpolateSegment(seg, n, good, bad, matrix, out, work),
        )
        self.parent = recording


def interpolate_bad_channels(
    recording: Recording,
    bad_channel_ids: Any,
    sigma_um: Any = None,
    p: float = 1.3,
    weights: Any = None,
    dtype: Any = None,
) -> InterpolateBadChannelsRecording:
    """Replace bad channels by a distance-weighted sum of the good ones (kriging).

    Parameters
    ----------
    recording : Recording
        With channel locations in um.
    bad_channel_ids : list
        The channels to replace (e.g. the first result of :func:`detect_bad_channels`).
    sigma_um : float, (float, float) or None
        Length scale of the kernel; None takes the most common spacing between contact
        depths. Two values give separate x and y scales.
    p : float
        Exponent of the kernel ``exp(-(d / sigma_um) ** p)``.
    weights : array or None
        Precomputed (good, bad) weights.
    dtype : dtype or None
        None keeps the recording's dtype, as SpikeInterface 0.105 does (integers are rounded;
        unsigned inputs need a dtype or ``unsigned_to_signed``).

    Returns
    -------
    InterpolateBadChannelsRecording
        Exact in windows; equal to SpikeInterface 0.105's ``interpolate_bad_channels`` to
        float32 rounding (1e-6 of the RMS) for float inputs.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import interpolate_bad_channels
    >>> rec = le.NumpyRecording(np.array([[1.0, 0.0, 3.0]], "float32"), 1000.0)
    >>> rec.set_channel_locations([[0, 0], [0, 20], [0, 40]])
    >>> interpolate_bad_channels(rec, [1]).get_traces().tolist()
    [[1.0, 2.0, 3.0]]
    """
    return InterpolateBadChannelsRecording(recording, bad_channel_ids, sigma_um, p, weights,
                                           dtype)
