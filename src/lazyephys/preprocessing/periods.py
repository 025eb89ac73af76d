"""Periods of a recording, and silencing them lazily: ``silence_periods``.

A period is ``[start_sample_index, end_sample_index)`` of one segment, given as a structured
array of :data:`PERIOD_DTYPE` (SpikeInterface's layout) or as ``(start, end)`` pairs. Silenced
periods become zeros, seeded noise of each channel's noise level, or zeros faded in and out
with a cosine ("apodization"). Every mode is exact in windows: the noise is drawn in blocks
seeded by (seed, segment, block), so a sample's noise does not depend on the window read.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.provenance import register_kind
from ..recording.base import ChannelSelector, Recording, RecordingSegment
from ..recording.random_chunks import get_random_data_chunks
from ._base import PreprocessorSegment

__all__ = ["PERIOD_DTYPE", "as_periods", "SilencedPeriodsRecording", "silence_periods"]

PERIOD_DTYPE = np.dtype([("segment_index", "int64"), ("start_sample_index", "int64"),
                         ("end_sample_index", "int64")])
Mode = Literal["zeros", "noise", "apodization"]
_MAD_TO_STD = 0.6744897501960817


def as_periods(periods: Any, recording: Recording, name: str = "periods") -> np.ndarray:
    """Periods as a sorted :data:`PERIOD_DTYPE` array, checked against the recording.

    Accepts that structured array, ``(start, end)`` pairs (one segment), or one list of
    pairs per segment. Periods outside their segment, reversed or overlapping raise.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> rec = le.NumpyRecording(np.zeros((100, 1), "float32"), 1000.0)
    >>> as_periods([(10, 20)], rec).tolist()
    [(0, 10, 20)]
    """
    num_segments = recording.get_num_segments()
    array = np.asarray(periods) if not isinstance(periods, list) else None
    if array is not None and array.dtype.names:
        missing = set(PERIOD_DTYPE.names or ()) - set(array.dtype.names)
        if missing:
            raise ValueError(f"{name} lacks the fields {sorted(missing)}")
        out = np.zeros(array.size, PERIOD_DTYPE)
        for field in PERIOD_DTYPE.names or ():
            out[field] = array[field]
    else:
        if not isinstance(periods, (list, tuple, np.ndarray)):
            raise TypeError(f"{name} must be (start, end) pairs or a periods array, got "
                            f"{periods!r}")
        per_segment = periods
        pairs = np.asarray(periods, dtype=object) if len(periods) else np.zeros((0, 2))
        if num_segments == 1 and (len(periods) == 0 or np.ndim(pairs) == 2):
            per_segment = [periods]
        if len(per_segment) != num_segments:
            raise ValueError(
                f"{name} must give one list of (start, end) pairs per segment ({num_segments}), "
                f"got {len(per_segment)}"
            )
        rows: list[tuple[int, int, int]] = []
        for segment, seg_periods in enumerate(per_segment):
            seg_array = np.asarray(seg_periods, dtype=np.int64).reshape(-1, 2) \
                if len(seg_periods) else np.zeros((0, 2), np.int64)
            rows.extend((segment, int(a), int(b)) for a, b in seg_array)
        out = np.array(rows, dtype=PERIOD_DTYPE)
    out = out[np.lexsort((out["start_sample_index"], out["segment_index"]))]
    for segment, start, end in out.tolist():
        if not 0 <= segment < num_segments:
            raise ValueError(f"{name}: segment {segment} does not exist ({num_segments} segments)")
        n = recording.get_num_samples(segment)
        if not 0 <= start <= end <= n:
            raise ValueError(
                f"{name}: the period [{start}, {end}) is outside segment {segment}, which has "
                f"{n} samples (need 0 <= start <= end <= {n})"
            )
    same = out["segment_index"][1:] == out["segment_index"][:-1]
    overlapping = same & (out["start_sample_index"][1:] < out["end_sample_index"][:-1])
    if np.any(overlapping):
        k = int(np.argmax(overlapping))
        raise ValueError(f"{name} overlap: {out[k].tolist()} and {out[k + 1].tolist()}")
    return out


def block_noise(seed: int, segment: int, start: int, end: int, levels: np.ndarray,
                block: int, dtype: np.dtype) -> np.ndarray:
    """Gaussian noise (time, channel) of frames ``[start, end)``, the same whatever the window:
    each ``block`` frames are drawn from a generator seeded by (seed, segment, block)."""
    out = np.empty((end - start, levels.size), dtype=dtype)
    for index in range(start // block, (end - 1) // block + 1):
        rng = np.random.default_rng([seed, segment, index])
        values = rng.standard_normal((block, levels.size), dtype=np.float32)
        lo, hi = max(start, index * block), min(end, (index + 1) * block)
        out[lo - start : hi - start] = values[lo - index * block : hi - index * block] * levels
    return out


class SilenceSegment(PreprocessorSegment):
    """Replaces the samples of the segment's periods."""

    __slots__ = ("block", "dtype", "index", "levels", "mode", "periods", "seed", "taper")

    def __init__(self, parent: RecordingSegment, num_channels: int, index: int,
                 periods: np.ndarray, mode: str, levels: np.ndarray | None, seed: int,
                 taper: int, dtype: np.dtype, block: int) -> None:
        super().__init__(parent, num_channels)
        self.index, self.periods, self.mode = index, periods, mode
        self.levels, self.seed, self.taper = levels, seed, taper
        self.dtype, self.block = dtype, block

    def get_traces(
        self, start_frame: int, end_frame: int, channel_selector: ChannelSelector
    ) -> np.ndarray:
        traces = self.parent.get_traces(start_frame, end_frame, channel_selector)
        reach = self.taper if self.mode == "apodization" else 0
        starts, ends = self.periods["start_sample_index"], self.periods["end_sample_index"]
        first = int(np.searchsorted(ends, start_frame - reach, side="right"))
        last = int(np.searchsorted(starts, end_frame + reach, side="left"))
        touching = [(int(a), int(b)) for a, b in zip(starts[first:last], ends[first:last],
                                                    strict=True) if b > a]
        if not touching:
            return traces
        traces = np.array(traces)
        if self.mode == "apodization":
            return self._apodize(traces, start_frame, end_frame, touching)
        for a, b in touching:
            lo, hi = max(a, start_frame), min(b, end_frame)
            if hi <= lo:
                continue
            if self.mode == "zeros":
                traces[lo - start_frame : hi - start_frame] = 0
            else:
                assert self.levels is not None
                noise = block_noise(self.seed, self.index, lo, hi, self.levels, self.block,
                                    np.dtype(np.float32))
                traces[lo - start_frame : hi - start_frame] = _fit(noise[:, channel_selector],
                                                                   traces.dtype)
        return traces

    def _apodize(self, traces: np.ndarray, start: int, end: int,
                 touching: list[tuple[int, int]]) -> np.ndarray:
        from scipy import signal

        width = self.taper
        mask = np.zeros(end - start + 2 * width, dtype=np.float64)
        for a, b in touching:
            lo, hi = max(a, start - width), min(b, end + width)
            if hi > lo:
                mask[lo - start + width : hi - start + width] = 1
        window = signal.windows.cosine(width)
        gain = np.maximum(0, 1 - signal.convolve(mask, window, mode="same"))[width:-width]
        out = traces.astype(np.float32) * gain[:, None].astype(np.float32)
        return _fit(out, traces.dtype)


def _fit(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype, copy=False)


@register_kind
class SilencedPeriodsRecording(Recording):
    """The recording with periods silenced (see :func:`silence_periods`)."""

    def __init__(
        self,
        recording: Recording,
        periods: Any = None,
        list_periods: Any = None,
        mode: Mode = "zeros",
        apodization_samples: int = 7,
        noise_levels: Any = None,
        seed: int | None = None,
        num_chunks_per_segment: int = 20,
        chunk_size: int = 10000,
    ) -> None:
        if mode not in ("zeros", "noise", "apodization"):
            raise ValueError(f"mode must be 'zeros', 'noise' or 'apodization', got {mode!r}")
        if (periods is None) == (list_periods is None):
            raise ValueError("give the periods once: periods=... (or list_periods=..., one list "
                             "of (start, end) pairs per segment)")
        table = as_periods(periods if list_periods is None else list_periods, recording,
                           "periods" if list_periods is None else "list_periods")
        self._record_argument("periods", table)
        self._record_argument("list_periods", None)
        taper = int(apodization_samples)
        if mode == "apodization" and taper < 1:
            raise ValueError(f"apodization_samples must be >= 1, got {apodization_samples!r}")
        n = recording.get_num_channels()
        levels = None
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
            self._record_argument("seed", seed)
        if mode == "noise":
            if noise_levels is None:
                data = np.asarray(get_random_data_chunks(
                    recording, num_chunks_per_segment=num_chunks_per_segment,
                    chunk_size=chunk_size, seed=seed), dtype=np.float64)
                levels = np.median(np.abs(data - np.median(data, axis=0)), axis=0) / _MAD_TO_STD
                self._record_argument("noise_levels", levels)
            else:
                levels = np.asarray(noise_levels, dtype=np.float64).reshape(-1)
                if levels.size != n:
                    raise ValueError(f"noise_levels has {levels.size} values for {n} channels")
            levels = levels.astype(np.float32)
        dtype = recording.get_dtype()
        block = max(1, int(recording.get_sampling_frequency()))
        Recording.__init__(self, recording.get_sampling_frequency(), recording.get_channel_ids(),
                           dtype)
        bounds = np.searchsorted(table["segment_index"], np.arange(recording.get_num_segments()
                                                                   + 1))
        self.add_segments_over(
            recording,
            lambda seg, i: SilenceSegment(seg, n, i, table[bounds[i] : bounds[i + 1]], mode,
                                          levels, int(seed), taper, dtype, block),
        )
        self._copy_metadata_from(recording)
        self.parent = recording


def silence_periods(
    recording: Recording,
    periods: Any = None,
    list_periods: Any = None,
    mode: Mode = "zeros",
    apodization_samples: int = 7,
    noise_levels: Any = None,
    seed: int | None = None,
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
) -> SilencedPeriodsRecording:
    """Silence periods of a recording: zeros, noise, or zeros with cosine-tapered edges.

    Parameters
    ----------
    recording : Recording
        Centred around zero (filter or centre it first).
    periods : structured array or list
        :data:`PERIOD_DTYPE` rows, ``(start, end)`` pairs, or one list of pairs per segment;
        ``end`` is excluded. Periods outside the recording, reversed or overlapping raise.
    list_periods : list or None
        The periods as one list of ``(start, end)`` pairs per segment, instead of ``periods``.
    mode : {"zeros", "noise", "apodization"}
        "noise" fills with Gaussian noise of each channel's noise level (its median absolute
        deviation / 0.6745 on seeded random chunks, or ``noise_levels``).
    apodization_samples : int
        ("apodization") length of the cosine taper convolved with the silenced mask.
    noise_levels : array or None
    seed : int or None
        Seed of the noise and of the random chunks; None draws one and records it, so a
        reloaded step gives the same noise.
    num_chunks_per_segment, chunk_size
        The random chunks of the noise levels.

    Returns
    -------
    SilencedPeriodsRecording
        Exact in windows. "zeros" equals SpikeInterface 0.105; "noise" has the same
        statistics but other values (the generators differ); "apodization" is the same
        taper as SpikeInterface's away from window edges (its windows differ from its
        whole-array result there; ours do not).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import silence_periods
    >>> rec = le.NumpyRecording(np.ones((6, 1), "float32"), 1000.0)
    >>> silence_periods(rec, [(1, 3)]).get_traces().ravel().tolist()
    [1.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    """
    return SilencedPeriodsRecording(recording, periods, list_periods, mode, apodization_samples,
                                    noise_levels, seed, num_chunks_per_segment, chunk_size)
