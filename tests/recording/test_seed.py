"""The seed tutorial's recording cells (shared/seeds/001), with only the import changed.

The other cells are tested beside the code they exercise: sortings in test_sorting_seed.py,
parallel processing in tests/jobs, saving, moving and provenance in tests/io/test_seed_cells.py.
"""

from __future__ import annotations


def test_recording_cells():
    from lazyephys.core import generate_recording

    recording = generate_recording(num_channels=3, durations=[10])
    recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
    assert list(recording.get_channel_ids()) == ["a", "b", "c"]
    traces = recording.get_traces(start_frame=0, end_frame=3, channel_ids=["a", "c"])
    assert traces.shape == (3, 2)
    channel_sliced_recording = recording.select_channels(channel_ids=["a", "b"])
    assert channel_sliced_recording.get_num_channels() == 2
    sliced_recording = recording.frame_slice(start_frame=0, end_frame=1000)
    assert sliced_recording.get_num_samples() == 1000

    from lazyephys.core import concatenate_recordings

    recording1 = generate_recording(num_channels=3, durations=[10])
    recording2 = generate_recording(num_channels=3, durations=[10])
    concanted_recordings = concatenate_recordings([recording1, recording2])
    assert (concanted_recordings.get_duration()
            == recording1.get_duration() + recording2.get_duration())

    from lazyephys.core import aggregate_channels

    recording1 = generate_recording(num_channels=3, durations=[10], set_probe=False)
    recording1 = recording1.rename_channels(new_channel_ids=["a", "b", "c"])
    recording2 = generate_recording(num_channels=2, durations=[10], set_probe=False)
    recording2 = recording2.rename_channels(new_channel_ids=["d", "e"])
    aggregated_recording = aggregate_channels([recording1, recording2])
    assert aggregated_recording.get_num_channels() == 5
    assert list(aggregated_recording.get_channel_ids()) == ["a", "b", "c", "d", "e"]
