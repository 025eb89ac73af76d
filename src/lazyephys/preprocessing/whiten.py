"""Lazy spatial whitening (ZCA), from the covariance of seeded random chunks.

The whitening matrix ``W`` (and the mean ``M`` when ``apply_mean``) is computed once, when the
step is built, and written into its provenance, so a reload applies the same matrix without
reading the data again. Output: ``(traces - M) @ W.T``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.provenance import register_kind
from ..base.validation import as_number_array
from ..recording.base import ChannelSelector, Recording, RecordingSegment, selector_from_indices
from ..recording.random_chunks import get_random_data_chunks
from ._base import (
    WindowTransformSegment,
    as_work_array,
    init_from_parent,
    resolve_output_dtype,
    working_dtype,
)

__all__ = ["WhitenRecording", "whiten", "compute_whitening_matrix"]

WhitenMode = Literal["global", "local"]


def _zca(covariance: np.ndarray, eps: float | None) -> np.ndarray:
    values, vectors = np.linalg.eigh(covariance)
    values = np.clip(values, 0.0, None)
    # relative to the mean variance, so the default does not depend on the data's units
    regulariser = 1e-6 * float(values.mean()) if eps is None else float(eps)
    if regulariser <= 0:
        regulariser = 1e-12
    return (vectors / np.sqrt(values + regulariser)) @ vectors.T


def compute_whitening_matrix(
    data: np.ndarray,
    mode: WhitenMode = "global",
    locations: np.ndarray | None = None,
    radius_um: float = 100.0,
    apply_mean: bool = False,
    eps: float | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The ZCA whitening matrix of (time, channel) ``data`` and the mean it assumes.

    Parameters
    ----------
    data : numpy.ndarray
        Samples, (time, channel).
    mode : {"global", "local"}
        "local" whitens each channel with the channels within ``radius_um`` of it only.
    locations : numpy.ndarray or None
        Channel positions (channel, 2) in um, for "local".
    radius_um : float
    apply_mean : bool
        Subtract the mean before the covariance (and when applying).
    eps : float or None
        Added to the eigenvalues; None is 1e-6 times their mean.

    Returns
    -------
    W : numpy.ndarray
        (channel, channel).
    M : numpy.ndarray or None
        The per-channel mean, when ``apply_mean``.

    Examples
    --------
    >>> import numpy as np
    >>> data = np.random.default_rng(0).normal(size=(5000, 3)) @ [[2, 1, 0], [0, 1, 0], [0, 0, 3]]
    >>> W, _ = compute_whitening_matrix(data)
    >>> np.allclose(np.cov((data @ W.T).T, bias=True), np.eye(3), atol=0.05)
    True
    """
    data = np.asarray(data, dtype=np.float64)
    mean = data.mean(axis=0) if apply_mean else None
    centred = data - mean if mean is not None else data
    covariance = centred.T @ centred / max(centred.shape[0], 1)
    if mode == "global":
        return _zca(covariance, eps), mean
    if locations is None:
        raise ValueError("mode='local' needs channel locations (attach a probe)")
    n = covariance.shape[0]
    W = np.zeros((n, n))
    distances = np.linalg.norm(locations[:, None, :] - locations[None, :, :], axis=2)
    for c in range(n):
        near = np.flatnonzero(distances[c] <= radius_um)
        local = _zca(covariance[np.ix_(near, near)], eps)
        W[c, near] = local[np.searchsorted(near, c)]
    return W, mean


class WhitenSegment(WindowTransformSegment):
    """``(traces - M) @ W.T`` for the selected rows of ``W``."""

    __slots__ = ("W", "mean")

    def __init__(
        self, parent: RecordingSegment, num_channels: int, W: np.ndarray,
        mean: np.ndarray | None, dtype: np.dtype, work: np.dtype,
    ) -> None:
        super().__init__(parent, num_channels, dtype, work)
        self.W = W.astype(work)
        self.mean = None if mean is None else mean.astype(work)

    def transform(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        rows = self.W[channel_selector]
        needed = np.flatnonzero(np.any(rows != 0, axis=0))
        if needed.size == 0:
            return np.zeros((end_frame - start_frame, rows.shape[0]), self.dtype)
        selector = selector_from_indices(needed, self.num_channels)
        traces = as_work_array(self.parent.get_traces(start_frame, end_frame, selector),
                               self.work)
        if self.mean is not None:
            traces -= self.mean[needed]
        return traces @ rows[:, needed].T


@register_kind
class WhitenRecording(Recording):
    """A lazy whitened recording (see :func:`whiten`)."""

    def __init__(
        self,
        recording: Recording,
        mode: WhitenMode = "global",
        radius_um: float = 100.0,
        apply_mean: bool = False,
        eps: float | None = None,
        int_scale: float | None = None,
        dtype: Any = None,
        W: Any = None,
        M: Any = None,
        num_chunks_per_segment: int = 20,
        chunk_size: int = 10000,
        seed: int | None = 0,
    ) -> None:
        if mode not in ("global", "local"):
            raise ValueError(f"mode must be 'global' or 'local', got {mode!r}")
        n = recording.get_num_channels()
        if W is None:
            locations = recording.get_channel_locations() if mode == "local" else None
            data = get_random_data_chunks(
                recording, num_chunks_per_segment=num_chunks_per_segment,
                chunk_size=chunk_size, seed=seed,
            )
            matrix, mean = compute_whitening_matrix(
                data, mode, locations, radius_um, apply_mean, eps
            )
            if int_scale is not None:
                matrix = matrix * float(int_scale)
            self._record_argument("W", matrix)
            self._record_argument("M", mean)
        else:
            matrix = as_number_array(W, "W")
            if matrix.shape != (n, n):
                raise ValueError(f"W must have shape ({n}, {n}), got {matrix.shape}")
            mean = None if M is None else as_number_array(M, "M").reshape(-1)
            if mean is not None and mean.size != n:
                raise ValueError(f"M has {mean.size} values for {n} channels")
        out = resolve_output_dtype(recording.get_dtype(), dtype)
        work = working_dtype(recording.get_dtype(), out)
        init_from_parent(self, recording, out,
                         lambda seg: WhitenSegment(seg, n, matrix, mean, out, work))
        self.parent = recording
        # whitened traces mix channels: they are no longer microvolts of one channel
        for key in ("gain_to_uV", "offset_to_uV"):
            self._properties.pop(key, None)


def whiten(
    recording: Recording,
    mode: WhitenMode = "global",
    radius_um: float = 100.0,
    apply_mean: bool = False,
    eps: float | None = None,
    int_scale: float | None = None,
    dtype: Any = None,
    W: Any = None,
    M: Any = None,
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = 0,
) -> WhitenRecording:
    """Whiten a recording lazily (ZCA), from the covariance of seeded random chunks.

    Parameters
    ----------
    recording : Recording
    mode : {"global", "local"}
        "local" whitens each channel with its neighbours within ``radius_um`` only.
    radius_um : float
    apply_mean : bool
        Subtract the mean before computing and applying the matrix.
    eps : float or None
        Regularisation added to the covariance's eigenvalues; None is 1e-6 of their mean.
    int_scale : float or None
        Multiply the matrix (to keep precision in an integer dtype).
    dtype : dtype or None
        None keeps float inputs' dtype and gives float32 for integers.
    W, M : array or None
        A precomputed matrix and mean (skips the statistics).
    num_chunks_per_segment, chunk_size, seed
        The random chunks the covariance is computed on.

    Returns
    -------
    WhitenRecording
        Its provenance holds ``W`` and ``M``.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import whiten
    >>> rec = le.generate_recording(num_channels=4, durations=[2.0], seed=0)
    >>> whiten(rec).get_traces(start_frame=0, end_frame=10).shape
    (10, 4)
    """
    return WhitenRecording(recording, mode, radius_um, apply_mean, eps, int_scale, dtype, W, M,
                           num_chunks_per_segment, chunk_size, seed)
