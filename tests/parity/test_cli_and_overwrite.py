"""The command line (``convert``, ``--version``) and what ``save(overwrite=True)`` may replace."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import lazyephys as le
from lazyephys.cli import main


@pytest.fixture
def saved(tmp_path):
    rec = le.generate_recording(num_channels=3, durations=[0.2], seed=0)
    rec.save(folder=tmp_path / "rec")
    return rec, tmp_path / "rec"


def test_version_exits_zero():
    done = subprocess.run([sys.executable, "-m", "lazyephys.cli", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.strip() == f"lazyephys {le.__version__}"


def test_help_shows_the_default_format(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["convert", "--help"])
    assert exited.value.code == 0
    assert "(default: zarr)" in capsys.readouterr().out


def test_convert_says_what_it_wrote(saved, tmp_path, capsys):
    rec, folder = saved
    assert main(["convert", str(folder), str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'out.zarr'}" in out and "asked for" in out
    assert not (tmp_path / "out").exists()
    np.testing.assert_array_equal(le.load(tmp_path / "out.zarr").get_traces(), rec.get_traces())
    assert main(["convert", str(folder), str(tmp_path / "exact.zarr")]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'exact.zarr'} in" in out
    assert main(["convert", str(folder), str(tmp_path / "bin"), "--format", "binary"]) == 0
    assert f"wrote {tmp_path / 'bin'} in" in capsys.readouterr().out


def test_convert_names_the_flag_not_the_argument(saved, tmp_path, capsys):
    _, folder = saved
    assert main(["convert", str(folder), str(tmp_path / "o.zarr")]) == 0
    capsys.readouterr()
    assert main(["convert", str(folder), str(tmp_path / "o.zarr")]) == 2
    err = capsys.readouterr().err
    assert "--overwrite" in err and "overwrite=True" not in err
    assert main(["convert", str(folder), str(tmp_path / "o.zarr"), "--overwrite"]) == 0


def test_convert_zarr_format_2(saved, tmp_path):
    rec, folder = saved
    assert main(["convert", str(folder), str(tmp_path / "v2.zarr"), "--zarr-format", "2"]) == 0
    assert (tmp_path / "v2.zarr" / ".zgroup").is_file()
    np.testing.assert_array_equal(le.load(tmp_path / "v2.zarr").get_traces(), rec.get_traces())


def test_overwrite_refuses_a_folder_of_other_files(saved, tmp_path):
    rec, folder = saved
    victim = tmp_path / "thesis"
    victim.mkdir()
    (victim / "chapter1.tex").write_text("years of work")
    with pytest.raises(FileExistsError, match="not empty"):
        rec.save(folder=victim, overwrite=True)
    assert (victim / "chapter1.tex").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    rec.save(folder=empty, overwrite=True)  # an empty folder may be replaced
    again = rec.save(folder=folder, overwrite=True)  # a saved object of ours may be replaced
    np.testing.assert_array_equal(again.get_traces(), rec.get_traces())
    store = rec.save(folder=tmp_path / "s.zarr", format="zarr")
    rec.save(folder=tmp_path / "s.zarr", format="zarr", overwrite=True)
    assert store is not None


def test_overwrite_replaces_a_spikeinterface_folder(fixture_copy):
    rec = le.generate_recording(num_channels=2, durations=[0.1], seed=0)
    rec.save(folder=fixture_copy, overwrite=True)
    assert le.load(fixture_copy).get_num_channels() == 2


@pytest.fixture
def fixture_copy(tmp_path):
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "data" / "spikeinterface-0.105.3"
    target = tmp_path / "si_folder"
    shutil.copytree(source / "recording_binary", target)
    return target


def test_overwrite_never_replaces_the_working_directory(saved, tmp_path, monkeypatch):
    rec, folder = saved
    inner = folder / "sub"
    inner.mkdir()
    monkeypatch.chdir(inner)
    for target in (inner, folder):
        with pytest.raises(FileExistsError, match="working directory"):
            rec.save(folder=target, overwrite=True)
    for target in (os.curdir, os.pardir):  # refused before any check: no folder name
        with pytest.raises(ValueError, match="folder name"):
            rec.save(folder=target, overwrite=True)
    assert (folder / "lazyephys.json").is_file()
