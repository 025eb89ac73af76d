"""The Chunkable contract: what the executor needs of anything it walks chunk by chunk.

Recordings and sortings both satisfy it, so one plan and one executor serve exports,
preprocessing and spike-train analytics alike. The contract is structural (a Protocol): a
third-party object with these methods can be walked too.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Chunkable"]


@runtime_checkable
class Chunkable(Protocol):
    """Segments of frames at a sampling frequency, describable to a worker process.

    - ``get_num_segments()`` and ``get_num_samples(segment_index)``: the frames to walk;
    - ``get_sampling_frequency()``: to turn durations (``chunk_duration="1s"``) into frames;
    - ``get_frame_bytes()``: memory one frame costs a job (all channels of a recording; the
      spikes per frame, on average, of a sorting), to turn ``chunk_memory`` into frames;
    - ``is_in_memory()`` and ``to_dict()``: how the object reaches workers (its provenance
      description, or pickled when it holds its data in memory).
    """

    def get_num_segments(self) -> int: ...

    def get_num_samples(self, segment_index: int | None = None) -> int: ...

    def get_sampling_frequency(self) -> float: ...

    def get_frame_bytes(self) -> int: ...

    def is_in_memory(self) -> bool: ...

    def to_dict(self, relative_to: Any = None) -> dict[str, Any]: ...
