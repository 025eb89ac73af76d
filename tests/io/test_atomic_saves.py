"""Saves never replace what they were not asked to, and leave nothing behind when killed."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base.temporaries import host_tag
from lazyephys.cli import main
from lazyephys.io import atomic
from lazyephys.io.atomic import atomic_folder, clean_stale_temporaries, find_stale_temporaries


@pytest.fixture
def rec():
    return le.generate_recording(num_channels=2, durations=[0.1], seed=1, dtype="int16")


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_dotdot_through_a_missing_folder_does_not_replace(tmp_path, monkeypatch, rec):
    monkeypatch.chdir(tmp_path)
    other = le.generate_recording(num_channels=3, durations=[0.1], seed=2, dtype="int16")
    other.save(folder="victim")
    with pytest.raises(FileExistsError, match="victim"):
        rec.save(folder="y/../victim")
    assert le.load("victim").get_num_channels() == 3
    assert _names(tmp_path) == ["victim"]  # no stray "y" either
    # the same spelling cannot overwrite the folder the saved object reads from
    loaded = le.load("victim")
    with pytest.raises(ValueError, match="reads from"):
        loaded.save(folder="y/../victim", overwrite=True)
    np.testing.assert_array_equal(le.load("victim").get_traces(), other.get_traces())


def test_dotdot_target_saves_where_it_points(tmp_path, monkeypatch, rec):
    monkeypatch.chdir(tmp_path)
    saved = rec.save(folder="y/../fresh")
    np.testing.assert_array_equal(saved.get_traces(), rec.get_traces())
    assert _names(tmp_path) == ["fresh"]


@pytest.mark.parametrize("target", ["", ".", "a/.."])
def test_target_without_a_name_refused(tmp_path, monkeypatch, rec, target):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="folder name"):
        rec.save(folder=target)


def test_a_target_created_while_writing_is_never_replaced(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(FileExistsError, match="nothing was replaced"):
        with atomic_folder(target) as temporary:
            (temporary / "mine").write_text("new")
            target.mkdir()  # another process won the race
            (target / "theirs").write_text("old")
    assert _names(target) == ["theirs"]
    assert _names(tmp_path) == ["out"]


def test_two_concurrent_saves_one_wins_one_is_told(tmp_path):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(name: str) -> None:
        try:
            with atomic_folder(tmp_path / "out") as temporary:
                (temporary / "writer").write_text(name)
                barrier.wait(timeout=10)  # both have checked and written; now both rename
            outcomes.append("saved")
        except FileExistsError:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert (tmp_path / "out" / "writer").read_text() in ("a", "b")
    assert _names(tmp_path) == ["out"]


def test_two_processes_saving_the_same_target(tmp_path):
    script = (
        "import sys, time, lazyephys as le\n"
        "rec = le.generate_recording(num_channels=2, durations=[2.0], seed=int(sys.argv[2]))\n"
        "try:\n"
        "    rec.save(folder=sys.argv[1], chunk_size=3000)\n"
        "    print('saved')\n"
        "except FileExistsError:\n"
        "    print('refused')\n"
    )
    target = str(tmp_path / "out")
    processes = [subprocess.Popen([sys.executable, "-c", script, target, str(seed)],
                                  stdout=subprocess.PIPE, text=True) for seed in (1, 2)]
    outputs = sorted(p.communicate(timeout=120)[0].strip() for p in processes)
    assert outputs == ["refused", "saved"]
    assert _names(tmp_path) == ["out"]


@pytest.mark.parametrize("exchange", [True, False])
def test_overwrite_swaps_in_the_new_folder(tmp_path, monkeypatch, rec, exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_use_renameat2", False)  # the plain-rename fallback
    le.generate_recording(num_channels=3, durations=[0.1], seed=2).save(folder=tmp_path / "r")
    saved = rec.save(folder=tmp_path / "r", overwrite=True)
    np.testing.assert_array_equal(saved.get_traces(), rec.get_traces())
    assert _names(tmp_path) == ["r"]


def test_overwrite_interrupted_after_the_swap_keeps_a_whole_target(tmp_path, monkeypatch, rec):
    old = le.generate_recording(num_channels=3, durations=[0.1], seed=2)
    old.save(folder=tmp_path / "r")

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_remove_tree", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rec.save(folder=tmp_path / "r", overwrite=True)
    monkeypatch.undo()
    # the target is never missing: it holds the new folder, the old one waits to be removed
    np.testing.assert_array_equal(le.load(tmp_path / "r").get_traces(), rec.get_traces())


def _fake_temporary(folder: Path, target: str, pid: int, host: str | None = None) -> Path:
    path = folder / f".{target}.partial-{host or host_tag()}-{pid}-0badf00d"
    path.mkdir()
    (path / "traces_seg0.raw").write_bytes(b"\0" * 1000)
    return path


def test_next_save_removes_stale_partials_only(tmp_path, rec):
    stale = _fake_temporary(tmp_path, "r", _dead_pid())
    mine = _fake_temporary(tmp_path, "r", os.getpid())  # this live process
    elsewhere = _fake_temporary(tmp_path, "r", _dead_pid(), host="ffffffff")
    other_target = _fake_temporary(tmp_path, "q", _dead_pid())
    rec.save(folder=tmp_path / "r")
    assert not stale.exists()
    assert mine.exists() and elsewhere.exists() and other_target.exists()


def test_clean_lists_and_removes_stale_temporaries(tmp_path, capsys):
    stale = _fake_temporary(tmp_path, "r", _dead_pid())
    live = _fake_temporary(tmp_path, "s", os.getpid())
    (tmp_path / "keep").mkdir()
    assert [s.path for s in find_stale_temporaries(tmp_path)] == [stale]
    assert main(["clean", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert stale.name in out and "1000 bytes" in out and "would remove 1" in out
    assert stale.exists()
    assert main(["clean", str(tmp_path)]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["keep", live.name])
    assert clean_stale_temporaries(tmp_path) == []
    assert main(["clean", str(tmp_path / "keep" / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_json_on_a_full_disk_leaves_no_temporary(tmp_path, monkeypatch, rec):
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    rec.dump_to_json(tmp_path / "rec.json")
    before = (tmp_path / "rec.json").read_text()
    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError, match=r"no space left on the device holding .*rec\.json: "
                                      r"writing it needs \d+ bytes"):
        rec.frame_slice(0, 10).dump_to_json(tmp_path / "rec.json")
    monkeypatch.undo()
    assert _names(tmp_path) == ["rec.json"]
    assert (tmp_path / "rec.json").read_text() == before
    json.loads(before)
