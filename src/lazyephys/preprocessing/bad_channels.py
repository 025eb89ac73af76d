"""Finding dead, noisy and out-of-brain channels: ``detect_bad_channels``.

Four methods, with SpikeInterface 0.105's names and parameters:

- ``"std"`` / ``"mad"``: a channel is noisy when its standard deviation (median absolute
  deviation) on seeded random chunks of the high-passed recording exceeds
  ``std_mad_threshold`` times the median over channels.
- ``"coherence+psd"`` (the International Brain Laboratory's method): on each random chunk
  (in microvolts, channels in depth order), each channel's similarity to the median of all
  channels, ``xcorr = x . ref / ref . ref``, is split into a trend along the probe (a median
  filter over ``n_neighbors`` channels that shrinks at the ends) and a residual. A residual
  below ``dead_channel_threshold`` is a dead channel; above ``noisy_channel_threshold``, or a
  mean power spectral density above ``nyquist_threshold`` x Nyquist larger than
  ``psd_hf_threshold`` (uV^2/Hz), a noisy one; a trend below ``outside_channel_threshold + 1``
  in a run of channels reaching the top (or bottom) of the probe, outside the brain. Each
  channel gets the label it has on most chunks (ties: the smaller label, good first).
- ``"neighborhood_r2"``: a channel is noisy when the squared correlation between it and the
  median of its neighbours within ``neighborhood_r2_radius_um`` (median over chunks) is
  below ``neighborhood_r2_threshold``.

The labels are a deterministic function of the data and the seed.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np

from ..recording.base import Recording
from ._chunks import fixed_size_chunk_slices
from .common_reference import median_over_channels
from .depth_order import dimension_index, order_channels_by_depth

__all__ = ["detect_bad_channels", "ibl_channel_labels", "shrinking_median_filter"]

METHODS = ("coherence+psd", "std", "mad", "neighborhood_r2")
LABELS = np.array(["good", "dead", "noise", "out"])
Method = Literal["coherence+psd", "std", "mad", "neighborhood_r2"]
_MAD_UNSCALED = 1.0  # median absolute deviation as is (no normal-consistency factor)


def shrinking_median_filter(values: np.ndarray, size: int = 11) -> np.ndarray:
    """Median of each value's ``size`` neighbours, the window shrinking at the ends.

    Examples
    --------
    >>> shrinking_median_filter(np.array([1.0, 5.0, 2.0, 8.0, 3.0]), 3).tolist()
    [3.0, 2.0, 5.0, 3.0, 5.5]
    """
    half = int(size) // 2
    padded = np.concatenate([np.full(half, np.nan), values, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(windows, axis=1), dtype=values.dtype)


def ibl_channel_labels(
    raw: np.ndarray,
    fs: float,
    psd_hf_threshold: float,
    dead_channel_thr: float = -0.5,
    noisy_channel_thr: float = 1.0,
    outside_channel_thr: float = -0.75,
    n_neighbors: int = 11,
    nyquist_threshold: float = 0.8,
    welch_window_ms: float = 10.0,
    outside_channels_location: str = "top",
) -> np.ndarray:
    """Labels of one chunk (time, channel) in depth order: 0 good, 1 dead, 2 noise, 3 out.

    See the module docstring; ``raw`` is in microvolts for ``psd_hf_threshold`` in uV^2/Hz.
    """
    raw = raw - raw.mean(axis=0, keepdims=True)
    nperseg = int(welch_window_ms * fs / 1000)
    psd_hf = high_frequency_power(raw, fs, nperseg, nyquist_threshold)
    reference = median_over_channels(raw)
    reference = reference - reference.mean()
    xcorr = raw.T @ reference / np.sum(reference**2)
    trend = shrinking_median_filter(xcorr, n_neighbors)
    residual = xcorr - trend
    count = raw.shape[1]
    labels = np.zeros(count, dtype=np.int64)
    labels[residual < dead_channel_thr] = 1
    labels[(psd_hf > psd_hf_threshold) | (residual > noisy_channel_thr)] = 2
    (below,) = np.nonzero(trend < outside_channel_thr + 1)
    if below.size:
        runs = np.split(below, np.nonzero(np.diff(below) > 1)[0] + 1)
        if outside_channels_location in ("top", "both") and runs[-1][-1] == count - 1:
            labels[runs[-1]] = 3
        if outside_channels_location in ("bottom", "both") and runs[0][0] == 0:
            labels[runs[0]] = 3
    return labels


def high_frequency_power(
    traces: np.ndarray, fs: float, nperseg: int, nyquist_threshold: float
) -> np.ndarray:
    """Mean Welch power spectral density above ``nyquist_threshold`` x Nyquist, per channel.

    What ``scipy.signal.welch(traces, fs, axis=0, window="hann", nperseg=nperseg)`` gives
    averaged over those frequencies (half-overlapping Hann segments, each segment's mean
    removed, one-sided density), computed only for the frequencies kept.

    Examples
    --------
    >>> noise = np.random.default_rng(0).normal(size=(30000, 2))
    >>> power = high_frequency_power(noise, 30000.0, 300, 0.8)  # white: about 2 / fs
    >>> bool(np.all(np.abs(power * 30000.0 / 2 - 1) < 0.1))
    True
    """
    from scipy import fft, signal

    count = traces.shape[0]
    nperseg = min(int(nperseg), count)
    step = nperseg - nperseg // 2
    window = signal.get_window("hann", nperseg).astype(traces.dtype)
    frequencies = fft.rfftfreq(nperseg, 1 / fs)
    kept = np.flatnonzero(frequencies > fs / 2 * nyquist_threshold)
    # (segment, channel, sample) views of half-overlapping segments, then one batched FFT
    segments = np.lib.stride_tricks.sliding_window_view(traces, nperseg, axis=0)[::step]
    segments = segments - segments.mean(axis=2, keepdims=True)
    segments *= window
    spectra = fft.rfft(segments, axis=2)[:, :, kept]
    power = (spectra.real**2 + spectra.imag**2).mean(axis=0).T.astype(np.float64)
    density = power / (fs * float(np.sum(window.astype(np.float64) ** 2)))
    # one-sided: every bin but 0 and (for even lengths) Nyquist counts twice
    doubled = np.where((kept == 0) | ((nperseg % 2 == 0) & (kept == nperseg // 2)), 1.0, 2.0)
    return np.asarray((density * doubled[:, None]).mean(axis=0))


def _majority(labels: np.ndarray) -> np.ndarray:
    # per channel (row), the most frequent label; ties go to the smallest label
    counts = np.stack([(labels == value).sum(axis=1) for value in range(len(LABELS))], axis=1)
    return np.asarray(counts.argmax(axis=1))


def _is_filtered(recording: Recording) -> bool:
    if "is_filtered" in recording.get_annotation_keys():
        return bool(recording.get_annotation("is_filtered"))
    return False


def _check_choice(value: Any, name: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def _coherence_psd(
    recording: Recording, slices: list[tuple[int, int, int]], order_f: np.ndarray | None,
    n_jobs: int, options: dict[str, Any],
) -> np.ndarray:
    fs = recording.get_sampling_frequency()

    def chunk_labels(chunk: tuple[int, int, int]) -> np.ndarray:
        segment, start, end = chunk
        traces = recording.get_traces(segment_index=segment, start_frame=start, end_frame=end,
                                      return_in_uV=True)
        if order_f is not None:
            traces = traces[:, order_f]
        labels = ibl_channel_labels(traces, fs, **options)
        if order_f is None:
            return labels
        back = np.empty_like(labels)
        back[order_f] = labels
        return back

    if n_jobs > 1 and len(slices) > 1:
        # the chunk work is FFTs, medians and products that release the GIL
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            per_chunk = list(pool.map(chunk_labels, slices))
    else:
        per_chunk = [chunk_labels(chunk) for chunk in slices]
    return _majority(np.stack(per_chunk, axis=1))


def _neighborhood_r2(
    chunks: list[np.ndarray], locations: np.ndarray, radius_um: float, threshold: float
) -> np.ndarray:
    count = locations.shape[0]
    distances = np.linalg.norm(locations[:, None, :] - locations[None, :, :], axis=2)
    np.fill_diagonal(distances, np.inf)
    neighbours = distances < radius_um
    if neighbours.sum(axis=1).min() < 1:
        warnings.warn(
            f"neighborhood_r2_radius_um={radius_um} leaves channels without neighbours (the "
            f"closest pair of channels is {distances.min():g} um apart); they are not marked "
            "bad",
            stacklevel=3,
        )
    width = max(int(neighbours.sum(axis=1).max()), 1)
    table = np.full((count, width), count)  # index `count` is a column of NaN
    for channel in range(count):
        found = np.flatnonzero(neighbours[channel])
        table[channel, : found.size] = found
    correlations = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no neighbours
        for chunk in chunks:
            centred = np.asarray(chunk, dtype=np.float32)
            centred = centred - np.median(centred, axis=0, keepdims=True)
            padded = np.concatenate([centred, np.full((centred.shape[0], 1), np.nan, np.float32)],
                                    axis=1)
            neighbour_median = np.nanmedian(padded[:, table], axis=2)
            scale = np.sqrt(np.nanmean(centred**2, axis=0)
                            * np.nanmean(neighbour_median**2, axis=0))
            scale[scale == 0] = 1
            correlations.append(np.nanmean(centred * neighbour_median, axis=0) / scale)
        median_correlation = np.nanmedian(np.stack(correlations), axis=0)
    return np.asarray(median_correlation**2 < threshold)


def detect_bad_channels(
    recording: Recording,
    method: Method = "coherence+psd",
    std_mad_threshold: float = 5,
    psd_hf_threshold: float = 0.02,
    dead_channel_threshold: float = -0.5,
    noisy_channel_threshold: float = 1.0,
    outside_channel_threshold: float = -0.75,
    outside_channels_location: Literal["top", "bottom", "both"] = "top",
    n_neighbors: int = 11,
    nyquist_threshold: float = 0.8,
    direction: Literal["x", "y", "z"] = "y",
    chunk_duration_s: float = 0.3,
    num_random_chunks: int = 100,
    welch_window_ms: float = 10.0,
    highpass_filter_cutoff: float = 300,
    neighborhood_r2_threshold: float = 0.9,
    neighborhood_r2_radius_um: float = 30.0,
    seed: int | None = None,
    channel_filters: Any = None,
    job_kwargs: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find bad channels: dead, noisy, or outside the brain.

    The recording is high-pass filtered at ``highpass_filter_cutoff`` Hz first unless it is
    annotated ``is_filtered`` (the filters of this package annotate it). Statistics come from
    ``num_random_chunks`` seeded random chunks of ``chunk_duration_s`` per segment.

    Parameters
    ----------
    recording : Recording
    method : {"coherence+psd", "std", "mad", "neighborhood_r2"}
        See the module docstring.
    std_mad_threshold : float
        ("std", "mad") multiple of the median deviation above which a channel is noisy.
    psd_hf_threshold : float
        ("coherence+psd") uV^2/Hz: 0.02 for action-potential bands, 1.4 for LFP.
    dead_channel_threshold, noisy_channel_threshold, outside_channel_threshold : float
        ("coherence+psd") thresholds on the similarity residual and trend.
    outside_channels_location : {"top", "bottom", "both"}
        ("coherence+psd") where channels outside the brain may be.
    n_neighbors : int
        ("coherence+psd") channels in the trend's median filter.
    nyquist_threshold : float
        ("coherence+psd") fraction of Nyquist above which the PSD is averaged, in (0, 1).
    direction : {"x", "y", "z"}
        ("coherence+psd") the depth axis.
    chunk_duration_s : float
    num_random_chunks : int
        Chunks per segment.
    welch_window_ms : float
        ("coherence+psd") Welch segment length.
    highpass_filter_cutoff : float
        Hz, for recordings not yet filtered.
    neighborhood_r2_threshold : float
    neighborhood_r2_radius_um : float
    seed : int or None
        Seed of the random chunks (None: fresh entropy, results vary).
    channel_filters : set of {"dead", "noise", "out"} or None
        ("coherence+psd") which labels count as bad (None: all three).
    job_kwargs : dict or None
        ("coherence+psd") ``n_jobs`` threads over the chunks.

    Returns
    -------
    bad_channel_ids : numpy.ndarray
    channel_labels : numpy.ndarray of str
        One per channel: "good", "dead", "noise" or "out".

    Notes
    -----
    Against SpikeInterface 0.105 on the same recording, the labels agree channel for channel
    on planted dead, noisy and out-of-brain channels (the random chunks are drawn
    differently, so borderline channels may differ).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import detect_bad_channels
    >>> rec = le.generate_recording(num_channels=16, durations=[3.0], seed=0)
    >>> traces = rec.get_traces().copy(); traces[:, 3] *= 40
    >>> noisy = le.NumpyRecording(traces, 30000.0)
    >>> noisy.set_channel_locations(rec.get_channel_locations())
    >>> bad, labels = detect_bad_channels(noisy, method="std", seed=0)
    >>> bad.tolist(), labels[3]
    ([3], np.str_('noise'))
    """
    from .filter import highpass_filter

    _check_choice(method, "method", METHODS)
    _check_choice(outside_channels_location, "outside_channels_location", ("top", "bottom", "both"))
    fs = recording.get_sampling_frequency()
    chunk_size = int(chunk_duration_s * fs)
    if chunk_size < 1 or int(num_random_chunks) < 1:
        raise ValueError(
            f"chunk_duration_s and num_random_chunks must give chunks of at least one sample, "
            f"got chunk_duration_s={chunk_duration_s!r}, num_random_chunks={num_random_chunks!r}"
        )
    count = recording.get_num_channels()
    ids = recording.get_channel_ids()
    filtered = recording if _is_filtered(recording) else highpass_filter(
        recording, freq_min=highpass_filter_cutoff)
    labels = np.full(count, "good", dtype="U5")
    chunk_options: dict[str, Any] = dict(num_chunks_per_segment=int(num_random_chunks),
                                         chunk_size=chunk_size,
                                         seed=seed)
    slices = fixed_size_chunk_slices(filtered, **chunk_options)

    def chunks() -> list[np.ndarray]:
        return [filtered.get_traces(segment_index=seg, start_frame=a, end_frame=b)
                for seg, a, b in slices]

    if method in ("std", "mad"):
        data = np.concatenate(chunks(), axis=0)
        if method == "std":
            deviations = np.std(data, axis=0)
        else:
            deviations = np.median(np.abs(data - np.median(data, axis=0)), axis=0) * _MAD_UNSCALED
        mask = deviations > std_mad_threshold * np.median(deviations)
        labels[mask] = "noise"
        return ids[mask], labels
    if method == "neighborhood_r2":
        locations = np.asarray(recording.get_channel_locations(), dtype=np.float64)
        mask = _neighborhood_r2(chunks(), locations, float(neighborhood_r2_radius_um),
                                float(neighborhood_r2_threshold))
        labels[mask] = "noise"
        return ids[mask], labels
    # coherence+psd
    if not recording.has_scaleable_traces():
        raise ValueError(
            "detect_bad_channels(method='coherence+psd') compares power with thresholds in "
            "microvolts, and this recording has no gain_to_uV / offset_to_uV; if its traces "
            "are already in uV, set_channel_gains(1.0) and set_channel_offsets(0.0)"
        )
    if not 0 < float(nyquist_threshold) < 1:
        raise ValueError(f"nyquist_threshold must be in (0, 1), got {nyquist_threshold!r}")
    allowed = {"dead", "noise", "out"}
    chosen = allowed if channel_filters is None else channel_filters
    if isinstance(chosen, (list, tuple)):
        chosen = set(chosen)
    if not isinstance(chosen, (set, frozenset)) or not chosen <= allowed:
        raise ValueError(
            f"channel_filters must be None or a set of labels among {sorted(allowed)}, got "
            f"{channel_filters!r}"
        )
    locations = np.asarray(recording.get_channel_locations(), dtype=np.float64)
    dimension_index(direction, locations.shape[1])
    order_f: np.ndarray | None = order_channels_by_depth(recording, dimensions=("x", "y"))[0]
    if order_f is not None and np.all(np.diff(order_f) == 1):
        order_f = None
    n_jobs = _threads(job_kwargs)
    options = dict(
        psd_hf_threshold=float(psd_hf_threshold), dead_channel_thr=float(dead_channel_threshold),
        noisy_channel_thr=float(noisy_channel_threshold),
        outside_channel_thr=float(outside_channel_threshold), n_neighbors=int(n_neighbors),
        nyquist_threshold=float(nyquist_threshold), welch_window_ms=float(welch_window_ms),
        outside_channels_location=outside_channels_location,
    )
    majority = _coherence_psd(filtered, slices, order_f, n_jobs, options)
    labels = LABELS[majority].astype("U5")
    if np.count_nonzero(majority) > count / 3:
        warnings.warn(
            f"{np.count_nonzero(majority)} of {count} channels look bad; with that many dead or "
            "noisy channels the detection is unreliable (good channels may be labelled dead)",
            stacklevel=2,
        )
    return ids[np.isin(labels, sorted(chosen))], labels


def _threads(job_kwargs: dict[str, Any] | None) -> int:
    if not job_kwargs:
        return 1
    from ..jobs import fix_job_kwargs

    return int(fix_job_kwargs(dict(job_kwargs))["n_jobs"])
