"""Seeded random chunks of a recording, for statistics (noise levels, whitening, z-scoring).

Chunks never overlap: each segment is cut into ``num_chunks_per_segment`` equal slots and one
chunk is drawn inside each slot, so the chunks cover the segment evenly. A segment too short
for that is used whole. The same seed gives the same chunks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Recording

__all__ = ["get_random_chunk_slices", "get_random_data_chunks"]


def get_random_chunk_slices(
    recording: Recording,
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    seed: int | None = 0,
    margin_frames: int = 0,
) -> list[tuple[int, int, int]]:
    """Where the random chunks are: ``(segment_index, start_frame, end_frame)`` triples.

    Parameters
    ----------
    recording : Recording
    num_chunks_per_segment : int
    chunk_size : int
        Samples per chunk.
    seed : int or None
        Seed of the draw (None: fresh entropy).
    margin_frames : int
        Keep chunks this far from each segment's ends.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[10.0], seed=0)
    >>> len(get_random_chunk_slices(rec, num_chunks_per_segment=5, chunk_size=1000))
    5
    """
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
    num_chunks_per_segment: int = 20,
    chunk_size: int = 10000,
    concatenated: bool = True,
    seed: int | None = 0,
    margin_frames: int = 0,
    return_in_uV: bool = False,
) -> Any:
    """Traces of seeded random, non-overlapping chunks of every segment.

    Parameters
    ----------
    recording : Recording
    num_chunks_per_segment, chunk_size, seed, margin_frames
        See :func:`get_random_chunk_slices`.
    concatenated : bool
        One (time, channel) array, or a list of one array per chunk.
    return_in_uV : bool
        Scale to microvolts.

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
    slices = get_random_chunk_slices(
        recording, num_chunks_per_segment, chunk_size, seed, margin_frames
    )
    chunks = [
        recording.get_traces(segment_index=s, start_frame=a, end_frame=b,
                             return_in_uV=return_in_uV)
        for s, a, b in slices
    ]
    return np.concatenate(chunks, axis=0) if concatenated else chunks
