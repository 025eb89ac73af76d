"""Seeded random chunks of a fixed size, whatever the recording's length.

:func:`~lazyephys.recording.random_chunks.get_random_chunk_slices` draws non-overlapping
chunks and uses a segment whole when it is too short for them; statistics over chunks of a
fixed size (bad-channel labels voted per chunk, RMS read chunk by chunk) need every chunk to
keep its size, so that memory stays bounded by it and each chunk weighs the same. When a
segment cannot hold the chunks side by side, they are drawn at random starts and may overlap
(as SpikeInterface draws them).
"""

from __future__ import annotations

import numpy as np

from ..recording.base import Recording
from ..recording.random_chunks import get_random_chunk_slices

__all__ = ["fixed_size_chunk_slices"]


def fixed_size_chunk_slices(recording: Recording, num_chunks_per_segment: int,
                            chunk_size: int, seed: int | None) -> list[tuple[int, int, int]]:
    """``(segment_index, start_frame, end_frame)`` of chunks of ``chunk_size`` samples (or
    whole segments shorter than that).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=1, durations=[1.0], seed=0)
    >>> chunks = fixed_size_chunk_slices(rec, 10, 9000, seed=0)
    >>> len(chunks), {end - start for _, start, end in chunks}
    (10, {9000})
    """
    count, size = int(num_chunks_per_segment), int(chunk_size)
    if count < 1 or size < 1:
        raise ValueError(f"need num_chunks_per_segment >= 1 and chunk_size >= 1, got "
                         f"{num_chunks_per_segment} and {chunk_size}")
    room = [recording.get_num_samples(s) for s in range(recording.get_num_segments())]
    if all(n > count * size for n in room):
        return get_random_chunk_slices(recording, count, size, seed)
    rng = np.random.default_rng(seed)
    slices = []
    for segment, n in enumerate(room):
        if n <= size:
            slices.append((segment, 0, n))
            continue
        starts = np.sort(rng.integers(0, n - size, size=count, endpoint=True))
        slices.extend((segment, int(a), int(a) + size) for a in starts)
    return slices
