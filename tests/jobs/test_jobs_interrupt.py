"""Ctrl-C and unguarded spawn scripts, run as real subprocesses."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SLOW_EXPORT = textwrap.dedent(
    """
    import signal
    import sys
    import time

    import numpy as np

    import lazyephys as le
    from lazyephys.recording.base import Recording, RecordingSegment


    class SlowSegment(RecordingSegment):
        def get_traces(self, start, end, selector):
            time.sleep(0.3)
            return np.zeros((end - start, 2), dtype="int16")[:, selector]


    class SlowRecording(Recording):
        def __init__(self, num_samples):
            super().__init__(1000.0, ["a", "b"], "int16")
            self.add_segment(SlowSegment(num_samples))


    if __name__ == "__main__":
        # as in an interactive session, whatever the test runner did with SIGINT
        signal.signal(signal.SIGINT, signal.default_int_handler)
        rec = SlowRecording(200_000)
        le.write_binary_recording(rec, sys.argv[1], n_jobs=2, mp_context="fork",
                                  chunk_size=1000)
    """
)

UNGUARDED = textwrap.dedent(
    """
    import sys

    import lazyephys as le

    rec = le.generate_recording(num_channels=2, durations=[1.0])
    le.write_binary_recording(rec, sys.argv[1], n_jobs=2, mp_context="spawn", chunk_size=3000)
    """
)


def wait_for(condition, limit=60.0):
    # a guard against hanging, not a timing assertion
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def test_ctrl_c_stops_workers_and_removes_partial_output(tmp_path):
    script = tmp_path / "export.py"
    script.write_text(SLOW_EXPORT)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, str(script), str(out / "traces.raw")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        parent = psutil.Process(process.pid)
        wait_for(lambda: any(out.iterdir()) and len(parent.children()) >= 2)
        workers = parent.children()
        time.sleep(0.5)  # chunks are being written
        os.kill(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode != 0
    assert b"KeyboardInterrupt" in stderr
    assert list(out.iterdir()) == []
    for worker in workers:
        assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE


def test_spawn_without_main_guard_explains_the_guard(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run([sys.executable, str(script), str(out / "traces.raw")],
                            capture_output=True, timeout=120, cwd=tmp_path)
    assert result.returncode != 0
    stderr = result.stderr.decode()
    assert 'if __name__ == "__main__":' in stderr
    assert "MainGuardError" in stderr and "JobWorkerDiedError" in stderr
    assert list(out.iterdir()) == []
