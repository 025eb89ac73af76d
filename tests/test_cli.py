"""The ``lazyephys demo`` command runs end to end and checks its own round trips."""

from __future__ import annotations

from lazyephys.cli import main


def test_demo_runs_and_its_round_trips_are_identical(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "384 channels" in out and "2_592_000_000 samples" in out
    assert out.count("identical: True") == 3
    assert "identical: False" not in out


def test_info_and_convert(tmp_path, capsys):
    import numpy as np

    import lazyephys as le

    recording = le.generate_recording(num_channels=4, durations=[0.5], seed=1)
    recording.set_property("quality", ["good", "bad", "good", "good"])
    recording.save(folder=tmp_path / "rec")
    sorting = le.generate_sorting(num_units=3, durations=[0.5], seed=2)
    sorting.save(folder=tmp_path / "sorting")
    capsys.readouterr()

    assert main(["info", str(tmp_path / "rec")]) == 0
    out = capsys.readouterr().out
    assert "4 channels" in out and "channel ids (4): 0, 1, 2, 3" in out and "quality" in out
    assert main(["info", str(tmp_path / "sorting")]) == 0
    out = capsys.readouterr().out
    assert f"spikes: {sorting.count_total_num_spikes()}" in out

    assert main(["convert", str(tmp_path / "rec"), str(tmp_path / "rec.zarr"),
                 "--n-jobs", "2", "--chunk-duration", "0.1s"]) == 0
    converted = le.load(tmp_path / "rec.zarr")
    np.testing.assert_array_equal(converted.get_traces(), recording.get_traces())
    assert converted.get_property("quality").tolist() == ["good", "bad", "good", "good"]
    assert main(["convert", str(tmp_path / "sorting"), str(tmp_path / "sorting.zarr")]) == 0
    np.testing.assert_array_equal(le.load(tmp_path / "sorting.zarr").to_spike_vector(),
                                  sorting.to_spike_vector())


def test_bad_path_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "missing" in err and "does not exist" in err and "Traceback" not in err
