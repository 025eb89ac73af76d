"""The ``lazyephys demo`` command runs end to end and checks its own round trips."""

from __future__ import annotations

from lazyephys.cli import main


def test_demo_runs_and_its_round_trips_are_identical(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "384 channels" in out and "2_592_000_000 samples" in out
    assert out.count("identical: True") == 3
    assert "identical: False" not in out
