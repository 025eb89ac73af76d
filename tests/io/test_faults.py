"""An interrupted save never leaves a folder that loads as if whole.

Two faults: a job that fails midway (an exception in a chunk) and a process killed midway
(SIGKILL while saving, in a subprocess).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import lazyephys as le
from lazyephys.base.provenance import register_kind
from lazyephys.io.formats import FormatError
from lazyephys.recording.base import Recording, RecordingSegment


class _FailingSegment(RecordingSegment):
    __slots__ = ("fail_at",)

    def __init__(self, num_samples: int, fail_at: int) -> None:
        super().__init__(num_samples)
        self.fail_at = fail_at

    def get_traces(self, start_frame, end_frame, channel_selector):
        if end_frame > self.fail_at:
            raise RuntimeError(f"disk error at frame {self.fail_at}")
        return np.ones((end_frame - start_frame, 2), dtype="int16")[:, channel_selector]


@register_kind
class FaultTestFailingRecording(Recording):
    """Two channels of ones that fail once a chunk reaches ``fail_at``."""

    def __init__(self, num_samples: int, fail_at: int) -> None:
        super().__init__(1000.0, ["a", "b"], "int16")
        self.add_segment(_FailingSegment(num_samples, fail_at))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["binary", "zarr"])
@pytest.mark.parametrize("engine", [{"n_jobs": 1}, {"n_jobs": 2, "pool_engine": "thread"},
                                    {"n_jobs": 2, "pool_engine": "process",
                                     "mp_context": "fork"}])
def test_failing_job_leaves_nothing(tmp_path, fmt, engine):
    rec = FaultTestFailingRecording(10_000, fail_at=7_000)
    with pytest.raises(Exception, match="disk error") as info:
        rec.save(folder=tmp_path / "out", format=fmt, chunk_size=1000, **engine)
    assert "7" in str(info.value) or info.value.__cause__ is not None
    assert _leftovers(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        le.load(tmp_path / "out")


def test_failing_overwrite_keeps_the_old_folder(tmp_path):
    good = le.generate_recording(num_channels=2, durations=[1.0], seed=3, dtype="int16")
    good.save(folder=tmp_path / "out")
    rec = FaultTestFailingRecording(10_000, fail_at=5_000)
    with pytest.raises(Exception, match="disk error"):
        rec.save(folder=tmp_path / "out", overwrite=True, chunk_size=1000)
    assert _leftovers(tmp_path) == ["out"]
    np.testing.assert_array_equal(le.load(tmp_path / "out").get_traces(), good.get_traces())


def test_keyboard_interrupt_leaves_nothing(tmp_path, monkeypatch):
    from lazyephys.io import binary_folder

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(binary_folder, "write_common_recording_files", interrupted)
    rec = le.generate_recording(num_channels=2, durations=[0.5], seed=3, dtype="int16")
    with pytest.raises(KeyboardInterrupt):
        rec.save(folder=tmp_path / "out")
    assert _leftovers(tmp_path) == []


_SLOW_SAVE = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import lazyephys as le
    from lazyephys.base.provenance import register_kind
    from lazyephys.recording.base import Recording, RecordingSegment

    class SlowSegment(RecordingSegment):
        def get_traces(self, start_frame, end_frame, channel_selector):
            time.sleep(0.02)
            return np.full((end_frame - start_frame, 4), 7, dtype="int16")[:, channel_selector]

    @register_kind
    class SlowRecording(Recording):
        def __init__(self, num_samples):
            super().__init__(1000.0, ["a", "b", "c", "d"], "int16")
            self.add_segment(SlowSegment(num_samples))

    SlowRecording(1_000_000).save(folder=sys.argv[1], format=sys.argv[2], chunk_size=1000,
                                  n_jobs=1)
    """
)


def _file_sizes(folder: Path) -> list[int]:
    """Sizes of the files under a folder being written (files may vanish while we look)."""
    sizes = []
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                sizes.append(path.stat().st_size)
        except FileNotFoundError:
            continue
    return sizes


@pytest.mark.parametrize("fmt", ["binary", "zarr"])
def test_killed_process_leaves_no_loadable_folder(tmp_path, fmt):
    target = tmp_path / ("out.zarr" if fmt == "zarr" else "out")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    process = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(target), fmt], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        partial: list[Path] = []
        while time.monotonic() < deadline and process.poll() is None:
            partial = list(tmp_path.glob(f".{target.name}.partial-*"))
            # wait until chunks are being written (zarr: chunk files; binary: the raw file)
            sizes = _file_sizes(partial[0]) if partial else []
            if len(sizes) > 8 or sum(sizes) > 20_000:
                break
            time.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert partial, "the save never started"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    assert not target.exists()
    with pytest.raises(FileNotFoundError, match="interrupted save"):
        le.load(target)
    with pytest.raises(FormatError):
        le.load(partial[0])
    # the next save to the same target removes what the killed one left
    rec = le.generate_recording(num_channels=2, durations=[0.1], seed=0, dtype="int16")
    rec.save(folder=target, format=fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
