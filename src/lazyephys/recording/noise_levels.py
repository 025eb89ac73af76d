"""Noise level of each channel, estimated on random chunks.

Each chunk gives one estimate per channel (the median absolute deviation scaled to a standard
deviation, the standard deviation, or the root mean square); the estimates are averaged over
chunks. The chunks are short (20 of 0.5 s per segment by default), so they are read in this
process. The result is kept as a channel property so the next call returns it at once.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .base import Recording
from .random_chunks import get_random_chunk_slices

__all__ = ["get_noise_levels", "NoiseMethod"]

NoiseMethod = Literal["mad", "std", "rms"]

#: The MAD of a standard normal distribution: MAD / this estimates the standard deviation.
MAD_TO_STD = 0.6744897501960817

_JOB_KEYS = ("n_jobs", "chunk_duration", "chunk_memory", "total_memory", "progress_bar",
             "mp_context", "max_threads_per_worker", "pool_engine", "verbose")


def _chunk_noise(chunk: np.ndarray, method: str) -> np.ndarray:
    data = chunk.astype(np.float64, copy=False)
    if method == "mad":
        median = np.median(data, axis=0, keepdims=True)
        return np.median(np.abs(data - median), axis=0) / MAD_TO_STD
    if method == "std":
        return np.std(data, axis=0)
    return np.sqrt(np.mean(data**2, axis=0))


def get_noise_levels(
    recording: Recording,
    return_in_uV: bool = True,
    method: NoiseMethod = "mad",
    force_recompute: bool = False,
    random_slices_kwargs: dict[str, Any] | None = None,
    **job_kwargs: Any,
) -> np.ndarray:
    """Noise level of each channel, averaged over random chunks.

    Parameters
    ----------
    recording : Recording
    return_in_uV : bool
        Estimate on traces scaled to microvolts (needs gains), else on raw traces.
    method : {"mad", "std", "rms"}
        Per chunk: median absolute deviation / 0.6745 (robust to spikes), standard
        deviation, or root mean square.
    force_recompute : bool
        Ignore the value kept from an earlier call.
    random_slices_kwargs : dict or None
        Where the chunks are: ``num_chunks_per_segment`` (20), ``chunk_size`` or
        ``chunk_duration`` ("500ms"), ``margin_frames``, ``seed`` (0), ``method``; see
        :func:`~lazyephys.recording.get_random_data_chunks`.
    **job_kwargs
        Accepted for compatibility; the chunks are small and read in this process.

    Returns
    -------
    numpy.ndarray
        float64, one value per channel. Kept as the property
        ``noise_level_<method>_scaled`` (or ``_raw``).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[10.0], seed=0)
    >>> levels = get_noise_levels(rec, return_in_uV=False)
    >>> bool(abs(levels[0] - 5.0) < 0.25)  # the generator's noise has sd 5
    True
    """
    if method not in ("mad", "std", "rms"):
        raise ValueError(f"method must be 'mad', 'std' or 'rms', got {method!r}")
    unknown = sorted(set(job_kwargs) - set(_JOB_KEYS) - {"chunk_size"})
    if unknown:
        raise TypeError(f"get_noise_levels got unexpected arguments {unknown}; chunk placement "
                        "goes in random_slices_kwargs=dict(...)")
    key = f"noise_level_{method}_{'scaled' if return_in_uV else 'raw'}"
    if key in recording.get_property_keys() and not force_recompute:
        return np.asarray(recording.get_property(key), dtype=np.float64)
    if return_in_uV and not recording.has_scaleable_traces():
        raise ValueError(
            "return_in_uV=True needs the channel gains ('gain_to_uV', 'offset_to_uV'); set "
            "them with set_channel_gains, or pass return_in_uV=False"
        )
    options = dict(random_slices_kwargs or {})
    if "chunk_size" in job_kwargs and "chunk_size" not in options:
        options["chunk_size"] = job_kwargs["chunk_size"]
    slices = get_random_chunk_slices(recording, **options)
    estimates = [
        _chunk_noise(recording.get_traces(segment_index=s, start_frame=a, end_frame=b,
                                          return_in_uV=return_in_uV), method)
        for s, a, b in slices
    ]
    levels = np.mean(np.stack(estimates), axis=0)
    recording.set_property(key, levels)
    return levels
