"""A kind written outside the library, with only public names, runs the public battery."""

from __future__ import annotations

import numpy as np

from lazyephys.base import register_kind
from lazyephys.recording import Recording, RecordingSegment
from lazyephys.testing import RecordingCase, RecordingConformance


class _SquareSegment(RecordingSegment):
    def __init__(self, num_samples: int, num_channels: int) -> None:
        super().__init__(num_samples)
        self.num_channels = num_channels

    def get_traces(self, start_frame, end_frame, channel_selector):
        frames = np.arange(start_frame, end_frame, dtype="int32")[:, None]
        channels = np.arange(self.num_channels, dtype="int32")[None, :]
        return (frames * frames + channels)[:, channel_selector]


@register_kind
class SquareRecording(Recording):
    """frame² + channel index, as a third-party package might write a kind."""

    def __init__(self, num_samples: int, num_channels: int = 3) -> None:
        super().__init__(500.0, [f"ch{i}" for i in range(num_channels)], "int32")
        self.add_segment(_SquareSegment(num_samples, num_channels))


class TestSquareRecording(RecordingConformance):
    def make(self, tmp_path):
        frames = np.arange(400)[:, None]
        reference = (frames**2 + np.arange(3)[None, :]).astype("int32")
        return RecordingCase(SquareRecording(400), [reference])
