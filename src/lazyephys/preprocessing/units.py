"""Traces in physical units: ``scale_to_uV`` and ``correct_lsb``.

Both are :class:`~lazyephys.preprocessing.ScaleRecording` steps (an affine map per channel),
so they are exact in windows and keep ``get_traces(return_in_uV=True)`` unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..recording.base import Recording
from ..recording.random_chunks import get_random_data_chunks
from .scale import ScaleRecording, scale

__all__ = ["scale_to_uV", "correct_lsb", "estimate_lsb"]


def scale_to_uV(recording: Recording) -> ScaleRecording:
    """Traces in microvolts, as float32: ``traces * gain_to_uV + offset_to_uV``.

    Parameters
    ----------
    recording : Recording
        With ``gain_to_uV`` and ``offset_to_uV`` (``has_scaleable_traces()``).

    Returns
    -------
    ScaleRecording
        Gains 1 and offsets 0. Equal to SpikeInterface 0.105's ``scale_to_uV`` to float32
        rounding.

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import scale_to_uV
    >>> rec = le.NumpyRecording(np.array([[10], [-4]], "int16"), 1000.0)
    >>> rec.set_channel_gains(0.5); rec.set_channel_offsets(1.0)
    >>> scale_to_uV(rec).get_traces().ravel().tolist()
    [6.0, -1.0]
    """
    if not recording.has_scaleable_traces():
        raise ValueError(
            "scale_to_uV needs the gain_to_uV and offset_to_uV of every channel; set them with "
            "set_channel_gains and set_channel_offsets"
        )
    return scale(recording, gain=recording.get_channel_gains(),
                 offset=recording.get_channel_offsets(), dtype="float32")


def estimate_lsb(data: np.ndarray) -> int:
    """The least significant bit of integer-valued data: the most frequent, over channels, of
    the smallest step between a channel's distinct values; -1 if no channel has two values.

    Examples
    --------
    >>> estimate_lsb(np.array([[0, 3], [4, 9], [8, 0]]))
    3
    """
    steps = []
    for column in np.asarray(data).T:
        distinct = np.unique(column).astype(np.int64)
        if distinct.size > 1:
            steps.append(int(np.diff(distinct).min()))
    if not steps:
        return -1
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def correct_lsb(
    recording: Recording,
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = None,
    verbose: bool = False,
) -> Recording:
    """Divide integer traces by their least significant bit, after removing channel medians.

    Some acquisition systems store values in steps of several units (e.g. multiples of 4):
    dividing by the step frees bits for compression. The step is estimated on seeded random
    chunks with :func:`estimate_lsb`; each channel's median is subtracted first (rounded to
    the dtype) so that the division lands on integers.

    Parameters
    ----------
    recording : Recording
    num_chunks_per_segment, chunk_size, seed
        The random chunks.
    verbose : bool
        Print the estimated step.

    Returns
    -------
    Recording
        ``round(round(x - median) / lsb)`` in the recording's dtype, with ``gain_to_uV``
        multiplied by the step and ``offset_to_uV`` absorbing the medians, so microvolts are
        unchanged; the recording itself (with a warning) when the step is 1 or cannot be
        estimated. SpikeInterface 0.105 draws other random chunks, so its medians may differ:
        on stationary data the two agree within one step (tested).

    Examples
    --------
    >>> import numpy as np, lazyephys as le
    >>> from lazyephys.preprocessing import correct_lsb
    >>> rec = le.NumpyRecording((np.arange(21)[:, None] * 4 + [0, 2]).astype("int16"), 1000.0)
    >>> correct_lsb(rec, chunk_size=21, seed=0).get_traces()[:3].tolist()
    [[-10, -10], [-9, -9], [-8, -8]]
    """
    data = np.asarray(get_random_data_chunks(
        recording, num_chunks_per_segment=num_chunks_per_segment, chunk_size=chunk_size,
        seed=seed))
    lsb = estimate_lsb(data)
    if verbose:
        print(f"Estimated LSB value: {lsb}")
    if lsb in (-1, 1):
        reason = "could not be estimated" if lsb == -1 else "is 1"
        warnings.warn(f"the least significant bit {reason}: the recording is returned unchanged",
                      stacklevel=2)
        return recording
    dtype = recording.get_dtype()
    centred = scale(recording, gain=1.0, offset=-np.median(data, axis=0), dtype=dtype)
    return scale(centred, gain=1.0 / lsb, dtype=dtype)
