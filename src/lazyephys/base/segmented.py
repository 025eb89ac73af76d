"""What recordings and sortings share beyond ids: a sampling frequency and segments."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .extractor import BaseExtractor
from .validation import check_sampling_frequency

__all__ = ["SegmentedExtractor"]

S = TypeVar("S")


class SegmentedExtractor(BaseExtractor, Generic[S]):
    """An extractor sampled at one frequency and cut into segments of type ``S``.

    Subclasses call ``super().__init__(ids, sampling_frequency)`` and append their segments.
    """

    def __init__(self, ids: Any, sampling_frequency: float) -> None:
        super().__init__(ids)
        self._sampling_frequency = check_sampling_frequency(sampling_frequency)
        self._segments: list[S] = []

    @property
    def sampling_frequency(self) -> float:
        return self._sampling_frequency

    def get_sampling_frequency(self) -> float:
        """Sampling frequency in Hz."""
        return self._sampling_frequency

    def get_num_segments(self) -> int:
        """Number of segments."""
        return len(self._segments)

    def get_segments(self) -> tuple[S, ...]:
        """The segment objects, in order (the contract kinds over this object read through)."""
        return tuple(self._segments)

    def get_num_samples(self, segment_index: int | None = None) -> int:
        """Number of samples of a segment."""
        raise NotImplementedError

    def get_total_samples(self) -> int:
        """Number of samples summed over segments."""
        return sum(self.get_num_samples(i) for i in range(len(self._segments)))
