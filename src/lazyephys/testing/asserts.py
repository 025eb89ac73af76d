"""Compare two recordings or two sortings, reading traces chunk by chunk."""

from __future__ import annotations

import numpy as np

from ..recording.base import Recording
from ..sorting.base import Sorting

__all__ = ["assert_recordings_equal", "assert_sortings_equal"]


def _assert_same_metadata(first: Recording | Sorting, second: Recording | Sorting,
                          check_properties: bool, check_annotations: bool) -> None:
    if first.get_sampling_frequency() != second.get_sampling_frequency():
        raise AssertionError(
            f"sampling frequencies differ: {first.get_sampling_frequency()} and "
            f"{second.get_sampling_frequency()}"
        )
    if first.get_num_segments() != second.get_num_segments():
        raise AssertionError(
            f"numbers of segments differ: {first.get_num_segments()} and "
            f"{second.get_num_segments()}"
        )
    if check_properties:
        keys = set(first.get_property_keys())
        if keys != set(second.get_property_keys()):
            raise AssertionError(
                f"property keys differ: {sorted(keys)} and {sorted(second.get_property_keys())}"
            )
        for key in sorted(keys):
            np.testing.assert_array_equal(first.get_property(key), second.get_property(key),
                                          err_msg=f"property {key!r} differs")
    if check_annotations:
        for key in first.get_annotation_keys():
            if key not in second.get_annotation_keys():
                raise AssertionError(f"annotation {key!r} is missing from the second object")
            if first.get_annotation(key) != second.get_annotation(key):
                raise AssertionError(f"annotation {key!r} differs")


def assert_recordings_equal(
    first: Recording,
    second: Recording,
    *,
    check_properties: bool = True,
    check_annotations: bool = False,
    check_times: bool = True,
    check_dtype: bool = True,
    rtol: float = 0.0,
    atol: float = 0.0,
    chunk_size: int = 65536,
) -> None:
    """Raise ``AssertionError`` unless two recordings hold the same data.

    Traces are compared chunk by chunk (``chunk_size`` frames at a time), so recordings of
    any length compare in bounded memory.

    Parameters
    ----------
    first, second : Recording
    check_properties, check_annotations, check_times, check_dtype : bool
        What else must match besides channel ids, shapes and traces.
    rtol, atol : float
        Tolerances for the traces (exact by default).
    chunk_size : int
        Frames read at once.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[0.5])
    >>> assert_recordings_equal(rec, rec.frame_slice(0, rec.get_num_samples()))
    """
    _assert_same_metadata(first, second, check_properties, check_annotations)
    np.testing.assert_array_equal(first.get_channel_ids(), second.get_channel_ids(),
                                  err_msg="channel ids differ")
    if check_dtype and first.get_dtype() != second.get_dtype():
        raise AssertionError(f"dtypes differ: {first.get_dtype()} and {second.get_dtype()}")
    for segment in range(first.get_num_segments()):
        num_samples = first.get_num_samples(segment)
        if num_samples != second.get_num_samples(segment):
            raise AssertionError(
                f"segment {segment}: {num_samples} and {second.get_num_samples(segment)} samples"
            )
        for start in range(0, num_samples, chunk_size):
            end = min(start + chunk_size, num_samples)
            np.testing.assert_allclose(
                first.get_traces(segment_index=segment, start_frame=start, end_frame=end),
                second.get_traces(segment_index=segment, start_frame=start, end_frame=end),
                rtol=rtol, atol=atol, err_msg=f"traces differ in segment {segment}, frames "
                f"{start}-{end}",
            )
        if check_times:
            np.testing.assert_allclose(first.get_times(segment), second.get_times(segment),
                                       err_msg=f"times differ in segment {segment}")


def assert_sortings_equal(
    first: Sorting,
    second: Sorting,
    *,
    check_properties: bool = True,
    check_annotations: bool = False,
    check_num_samples: bool = True,
) -> None:
    """Raise ``AssertionError`` unless two sortings hold the same spikes and unit ids.

    Parameters
    ----------
    first, second : Sorting
    check_properties, check_annotations : bool
        Whether unit properties and annotations must match too.
    check_num_samples : bool
        Whether the segments' lengths (where known) must match.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> assert_sortings_equal(sorting, sorting.select_units(sorting.get_unit_ids()))
    """
    _assert_same_metadata(first, second, check_properties, check_annotations)
    np.testing.assert_array_equal(first.get_unit_ids(), second.get_unit_ids(),
                                  err_msg="unit ids differ")
    np.testing.assert_array_equal(first.to_spike_vector(), second.to_spike_vector(),
                                  err_msg="spike vectors differ")
    if check_num_samples:
        for segment in range(first.get_num_segments()):
            known = (first.known_num_samples(segment), second.known_num_samples(segment))
            if known[0] != known[1]:
                raise AssertionError(f"segment {segment}: lengths {known[0]} and {known[1]}")
