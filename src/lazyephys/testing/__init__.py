"""The public test battery: run every check a kind must pass on your own kind or reader.

A third-party Recording or Sorting kind (or a new reader in this repository) subclasses
:class:`RecordingConformance` or :class:`SortingConformance`, implements ``make(tmp_path)``
returning the object under test with a reference computed independently of it, and pytest
runs the whole battery. The assert helpers compare two recordings or sortings chunk by chunk.
This subpackage needs pytest (``pip install 'lazyephys[test]'``).

Examples
--------
>>> import numpy as np
>>> from lazyephys.recording import NumpyRecording
>>> from lazyephys.testing import RecordingCase, RecordingConformance
>>> class TestMyKind(RecordingConformance):
...     def make(self, tmp_path):
...         traces = np.arange(60, dtype="int16").reshape(20, 3)
...         return RecordingCase(NumpyRecording([traces], 1000.0), [traces])
"""

from .asserts import assert_recordings_equal, assert_sortings_equal
from .recording import RecordingCase, RecordingConformance
from .sorting import SortingCase, SortingConformance, reference_spike_vector

__all__ = [
    "RecordingCase",
    "RecordingConformance",
    "SortingCase",
    "SortingConformance",
    "assert_recordings_equal",
    "assert_sortings_equal",
    "reference_spike_vector",
]
