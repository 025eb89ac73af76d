"""Lazy per-channel centring and z-scoring from statistics of seeded random chunks.

The statistics are computed once, when the step is built, and written into its provenance
(``centers``, or ``gain`` and ``offset``): a reloaded or pickled step applies the same values
without reading the data again.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.provenance import register_kind
from ..recording.base import Recording
from ..recording.random_chunks import get_random_data_chunks
from ._base import init_from_parent, resolve_output_dtype, working_dtype
from .scale import ScaleSegment, per_channel

__all__ = [
    "CenterRecording",
    "ZScoreRecording",
    "NormalizeByQuantileRecording",
    "center",
    "zscore",
    "normalize_by_quantile",
]

_MAD_TO_STD = 0.6744897501960817  # MAD of a standard normal: MAD / this estimates sigma

CenterMode = Literal["median", "mean"]
ZScoreMode = Literal["median+mad", "mean+std"]
QuantileMode = Literal["by_channel", "pool_channel"]


def _chunks(recording: Recording, num_chunks_per_segment: int, chunk_size: int,
            seed: int | None) -> np.ndarray:
    data = get_random_data_chunks(
        recording, num_chunks_per_segment=num_chunks_per_segment, chunk_size=chunk_size,
        seed=seed,
    )
    return np.asarray(data, dtype=np.float64)


def _drop_uv_scaling(recording: Recording) -> None:
    # z-scored traces are in units of each channel's spread, not microvolts
    for key in ("gain_to_uV", "offset_to_uV"):
        if key in recording.get_property_keys():
            recording.delete_property(key)


@register_kind
class CenterRecording(Recording):
    """A lazy per-channel centring (see :func:`center`)."""

    def __init__(
        self,
        recording: Recording,
        mode: CenterMode = "median",
        dtype: Any = "float32",
        num_chunks_per_segment: int = 20,
        chunk_size: int = 10000,
        seed: int | None = 0,
        centers: Any = None,
    ) -> None:
        if mode not in ("median", "mean"):
            raise ValueError(f"mode must be 'median' or 'mean', got {mode!r}")
        n = recording.get_num_channels()
        if centers is None:
            data = _chunks(recording, num_chunks_per_segment, chunk_size, seed)
            values = np.median(data, axis=0) if mode == "median" else data.mean(axis=0)
            self._record_argument("centers", values)
        else:
            values = per_channel(centers, n, "centers")
        out = resolve_output_dtype(recording.get_dtype(), dtype)
        work = working_dtype(recording.get_dtype(), out)
        gains = np.ones(n)
        init_from_parent(self, recording, out,
                         lambda seg: ScaleSegment(seg, n, gains, -values, out, work))
        self.parent = recording
        if recording.has_scaleable_traces():
            g_uv = recording.get_channel_gains()
            offsets = np.asarray(recording.get_channel_offsets() + g_uv * values, np.float64)
            offsets.flags.writeable = False
            self._properties["offset_to_uV"] = offsets


@register_kind
class ZScoreRecording(Recording):
    """A lazy per-channel z-scoring (see :func:`zscore`)."""

    def __init__(
        self,
        recording: Recording,
        mode: ZScoreMode = "median+mad",
        dtype: Any = "float32",
        gain: Any = None,
        offset: Any = None,
        int_scale: float | None = None,
        num_chunks_per_segment: int = 20,
        chunk_size: int = 10000,
        seed: int | None = 0,
    ) -> None:
        if mode not in ("median+mad", "mean+std"):
            raise ValueError(f"mode must be 'median+mad' or 'mean+std', got {mode!r}")
        n = recording.get_num_channels()
        if (gain is None) != (offset is None):
            raise ValueError("give both gain and offset (precomputed statistics) or neither")
        if gain is None:
            data = _chunks(recording, num_chunks_per_segment, chunk_size, seed)
            if mode == "median+mad":
                center = np.median(data, axis=0)
                spread = np.median(np.abs(data - center), axis=0) / _MAD_TO_STD
            else:
                center = data.mean(axis=0)
                spread = data.std(axis=0)
            # a flat channel has no spread: it is only centred
            spread = np.where(spread > 0, spread, 1.0)
            gains = 1.0 / spread
            offsets = -center / spread
            if int_scale is not None:
                gains = gains * float(int_scale)
                offsets = offsets * float(int_scale)
            self._record_argument("gain", gains)
            self._record_argument("offset", offsets)
        else:
            gains = per_channel(gain, n, "gain")
            offsets = per_channel(offset, n, "offset")
        out = resolve_output_dtype(recording.get_dtype(), dtype)
        work = working_dtype(recording.get_dtype(), out)
        init_from_parent(self, recording, out,
                         lambda seg: ScaleSegment(seg, n, gains, offsets, out, work))
        self.parent = recording
        _drop_uv_scaling(self)


def center(
    recording: Recording,
    mode: CenterMode = "median",
    dtype: Any = "float32",
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = 0,
) -> CenterRecording:
    """Subtract each channel's median (or mean), estimated on seeded random chunks.

    Parameters
    ----------
    recording : Recording
    mode : {"median", "mean"}
    dtype : dtype
        float32 by default.
    num_chunks_per_segment, chunk_size, seed
        The random chunks the statistics are computed on.

    Returns
    -------
    CenterRecording
        Its provenance holds the centres, so reloading does not recompute them.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import center
    >>> rec = le.generate_recording(num_channels=2, durations=[2.0], seed=0)
    >>> center(rec, mode="mean").get_dtype()
    dtype('float32')
    """
    return CenterRecording(recording, mode, dtype, num_chunks_per_segment, chunk_size, seed)


def zscore(
    recording: Recording,
    mode: ZScoreMode = "median+mad",
    dtype: Any = "float32",
    gain: Any = None,
    offset: Any = None,
    int_scale: float | None = None,
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = 0,
) -> ZScoreRecording:
    """Scale each channel to zero centre and unit spread, estimated on seeded random chunks.

    Parameters
    ----------
    recording : Recording
    mode : {"median+mad", "mean+std"}
        Robust (median and MAD / 0.6745) or classical statistics.
    dtype : dtype
        float32 by default; with an integer dtype give ``int_scale``.
    gain, offset : array or None
        Precomputed ``traces * gain + offset`` (skips the statistics).
    int_scale : float or None
        Multiply the result (e.g. 200 to keep precision in int16).
    num_chunks_per_segment, chunk_size, seed
        The random chunks the statistics are computed on.

    Returns
    -------
    ZScoreRecording
        Its provenance holds ``gain`` and ``offset``; the uV scaling properties are removed.

    Examples
    --------
    >>> import lazyephys as le
    >>> from lazyephys.preprocessing import zscore
    >>> rec = le.generate_recording(num_channels=2, durations=[2.0], seed=0)
    >>> zscore(rec).get_traces(start_frame=0, end_frame=5).shape
    (5, 2)
    """
    return ZScoreRecording(recording, mode, dtype, gain, offset, int_scale,
                           num_chunks_per_segment, chunk_size, seed)


@register_kind
class NormalizeByQuantileRecording(Recording):
    """A lazy rescaling by quantiles (see :func:`normalize_by_quantile`)."""

    def __init__(
        self,
        recording: Recording,
        scale: float = 1.0,
        median: float = 0.0,
        q1: float = 0.01,
        q2: float = 0.99,
        mode: QuantileMode = "by_channel",
        dtype: Any = "float32",
        num_chunks_per_segment: int = 20,
        chunk_size: int = 10000,
        seed: int | None = 0,
        gain: Any = None,
        offset: Any = None,
    ) -> None:
        if mode not in ("by_channel", "pool_channel"):
            raise ValueError(f"mode must be 'by_channel' or 'pool_channel', got {mode!r}")
        if not 0 <= float(q1) < float(q2) <= 1:
            raise ValueError(f"need 0 <= q1 < q2 <= 1, got q1={q1!r}, q2={q2!r}")
        n = recording.get_num_channels()
        if (gain is None) != (offset is None):
            raise ValueError("give both gain and offset (precomputed statistics) or neither")
        if gain is None:
            data = _chunks(recording, num_chunks_per_segment, chunk_size, seed)
            axis = 0 if mode == "by_channel" else None
            low, middle, high = np.quantile(data, [q1, 0.5, q2], axis=axis)
            spread = np.abs(high - low)
            gains = per_channel(float(scale) / np.where(spread > 0, spread, 1.0), n, "gain")
            offsets = per_channel(float(median) - middle * gains, n, "offset")
            self._record_argument("gain", gains)
            self._record_argument("offset", offsets)
        else:
            gains = per_channel(gain, n, "gain")
            offsets = per_channel(offset, n, "offset")
        out = resolve_output_dtype(recording.get_dtype(), dtype)
        work = working_dtype(recording.get_dtype(), out)
        init_from_parent(self, recording, out,
                         lambda seg: ScaleSegment(seg, n, gains, offsets, out, work))
        self.parent = recording
        _drop_uv_scaling(self)


def normalize_by_quantile(
    recording: Recording,
    scale: float = 1.0,
    median: float = 0.0,
    q1: float = 0.01,
    q2: float = 0.99,
    mode: QuantileMode = "by_channel",
    dtype: Any = "float32",
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = 0,
) -> NormalizeByQuantileRecording:
    """Rescale so the ``q1``-``q2`` quantile range is ``scale`` and the median is ``median``.

    Quantiles come from seeded random chunks.

    Parameters
    ----------
    recording : Recording
    scale : float
        Distance between the two quantiles after rescaling.
    median : float
        The median after rescaling.
    q1, q2 : float
        The quantiles, ``0 <= q1 < q2 <= 1``.
    mode : {"by_channel", "pool_channel"}
        One rescaling per channel, or one for all channels pooled.
    dtype : dtype
        float32 by default.
    num_chunks_per_segment, chunk_size, seed
        The random chunks.

    Returns
    -------
    NormalizeByQuantileRecording
        Exact in windows (an affine map); its provenance holds ``gain`` and ``offset``.
        SpikeInterface 0.105 draws other random chunks: on stationary data the two agree
        within 2% of the output's range (tested).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import normalize_by_quantile
    >>> rec = le.NumpyRecording(np.arange(101.0)[:, None].astype("float32"), 1000.0)
    >>> out = normalize_by_quantile(rec, q1=0.0, q2=1.0, chunk_size=101).get_traces()
    >>> float(out.min()), float(out.max())
    (-0.5, 0.5)
    """
    return NormalizeByQuantileRecording(recording, scale, median, q1, q2, mode, dtype,
                                        num_chunks_per_segment, chunk_size, seed)
