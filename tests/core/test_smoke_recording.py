import numpy as np

import lazyephys as le


def test_tutorial_recording_cells():
    recording = le.generate_recording(num_channels=3, durations=[10])
    recording = recording.rename_channels(new_channel_ids=["a", "b", "c"])
    full = recording.get_traces()
    window = recording.get_traces(start_frame=0, end_frame=3, channel_ids=["a", "c"])
    np.testing.assert_array_equal(window, full[0:3][:, [0, 2]])
    rec1 = le.generate_recording(num_channels=3, durations=[10])
    rec2 = le.generate_recording(num_channels=3, durations=[10])
    joined = le.concatenate_recordings([rec1, rec2])
    assert joined.get_duration() == rec1.get_duration() + rec2.get_duration()
    a = le.generate_recording(num_channels=3, durations=[10], set_probe=False)
    a = a.rename_channels(new_channel_ids=["a", "b", "c"])
    b = le.generate_recording(num_channels=2, durations=[10], set_probe=False)
    b = b.rename_channels(new_channel_ids=["d", "e"])
    aggregated = le.aggregate_channels([a, b])
    assert aggregated.get_num_channels() == 5
    assert list(aggregated.get_channel_ids()) == ["a", "b", "c", "d", "e"]
