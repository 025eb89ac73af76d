"""Seeded random chunks of a recording, for statistics (noise levels, whitening, z-scoring).

Chunks never overlap: each segment is cut into ``num_chunks_per_segment`` equal slots and one
chunk is drawn inside each slot, so the chunks cover the segment evenly. A segment too short
for that is used whole. The same seed gives the same chunks.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .base import Recording

__all__ = ["get_random_chunk_slices", "get_random_data_chunks"]


ChunkMethod = Literal["non_overlapping", "full_random"]


def _duration_samples(chunk_duration: Any, sampling_frequency: float) -> int:
    """Samples in ``chunk_duration``: seconds as a number, or a string such as "500ms"."""
    value = chunk_duration
    if isinstance(value, str):
        text = value.strip()
        scale = 1e-3 if text.endswith("ms") else 1.0
        text = text[:-2] if text.endswith("ms") else text[:-1] if text.endswith("s") else text
        try:
            value = float(text) * scale
        except ValueError:
            raise ValueError(f"chunk_duration must be seconds or a string such as '500ms' or "
                             f"'1s', got {chunk_duration!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"chunk_duration must be a positive duration, got {chunk_duration!r}")
    return max(1, int(float(value) * sampling_frequency))


def get_random_chunk_slices(
    recording: Recording,
    num_chunks_per_segment: int = 20,
    chunk_size: int | None = None,
    seed: int | None = 0,
    margin_frames: int = 0,
    chunk_duration: float | str = "500ms",
    method: ChunkMethod = "non_overlapping",
) -> list[tuple[int, int, int]]:
    """Where the random chunks are: ``(segment_index, start_frame, end_frame)`` triples.

    Parameters
    ----------
    recording : Recording
    num_chunks_per_segment : int
    chunk_size : int or None
        Samples per chunk; None takes ``chunk_duration``.
    seed : int or None
        Seed of the draw (None: fresh entropy).
    margin_frames : int
        Keep chunks this far from each segment's ends.
    chunk_duration : float or str
        Seconds per chunk (``"500ms"``, ``"1s"`` or a number), when ``chunk_size`` is None.
    method : {"non_overlapping", "full_random"}
        ``"non_overlapping"``: one chunk drawn inside each of ``num_chunks_per_segment`` equal
        slots, so chunks cover the segment evenly and never overlap. ``"full_random"``:
        independent uniform starts (chunks may overlap), sorted.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[10.0], seed=0)
    >>> len(get_random_chunk_slices(rec, num_chunks_per_segment=5, chunk_size=1000))
    5
    """
    if chunk_size is None:
        chunk_size = _duration_samples(chunk_duration, recording.get_sampling_frequency())
    if method not in ("non_overlapping", "full_random"):
        raise ValueError(f"method must be 'non_overlapping' or 'full_random', got {method!r}")
    count, size, margin = int(num_chunks_per_segment), int(chunk_size), int(margin_frames)
    if count < 1 or size < 1 or margin < 0:
        raise ValueError(
            f"need num_chunks_per_segment >= 1, chunk_size >= 1, margin_frames >= 0; got "
            f"{num_chunks_per_segment}, {chunk_size}, {margin_frames}"
        )
    rng = np.random.default_rng(seed)
    slices = []
    for segment_index in range(recording.get_num_segments()):
        n = recording.get_num_samples(segment_index)
        usable = n - 2 * margin
        if usable <= 0:
            continue
        if method == "full_random":
            length = min(size, usable)
            starts = np.sort(rng.integers(margin, margin + usable - length, size=count,
                                          endpoint=True))
            slices += [(segment_index, int(a), int(a) + length) for a in starts]
            continue
        if usable <= count * size:
            slices.append((segment_index, margin, n - margin))
            continue
        slot = usable // count
        for k in range(count):
            room = max(slot - size, 0)
            offset = int(rng.integers(0, room + 1))
            start = margin + k * slot + offset
            slices.append((segment_index, start, min(start + size, n - margin)))
    if not slices:
        raise ValueError(
            f"the recording has no samples outside margins of {margin_frames} frames to draw "
            "chunks from"
        )
    return slices


def get_random_data_chunks(
    recording: Recording,
    return_in_uV: bool = False,
    concatenated: bool = True,
    **random_slices_kwargs: Any,
) -> Any:
    """Traces of seeded random chunks of every segment.

    Parameters
    ----------
    recording : Recording
    return_in_uV : bool
        Scale to microvolts.
    concatenated : bool
        One (time, channel) array, or a list of one array per chunk.
    **random_slices_kwargs
        ``num_chunks_per_segment`` (20), ``chunk_size`` or ``chunk_duration`` ("500ms"),
        ``seed`` (0), ``margin_frames`` (0), ``method``: see
        :func:`get_random_chunk_slices`.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=3, durations=[10.0], seed=0)
    >>> get_random_data_chunks(rec, num_chunks_per_segment=4, chunk_size=500).shape
    (2000, 3)
    """
    slices = get_random_chunk_slices(recording, **random_slices_kwargs)
    chunks = [
        recording.get_traces(segment_index=s, start_frame=a, end_frame=b,
                             return_in_uV=return_in_uV)
        for s, a, b in slices
    ]
    return np.concatenate(chunks, axis=0) if concatenated else chunks
