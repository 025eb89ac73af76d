"""Parallel jobs from the code users write: unguarded scripts, `python -c`, stdin sessions.

Each runs in a fresh interpreter, with the default job kwargs (joblib's loky workers).
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

import lazyephys as le

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and paths")

SCRIPTS = Path(__file__).parent / "scripts"


def run_python(args, cwd, stdin=None, timeout=240):
    env = dict(os.environ, TMPDIR=str(cwd), PYTHONUNBUFFERED="1")
    result = subprocess.run([sys.executable, *args], cwd=cwd, input=stdin, capture_output=True,
                            text=True, timeout=timeout, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def wait_for(condition, limit=120.0):
    # a guard against hanging, not a timing assertion
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def test_the_seed_tutorial_runs_as_an_unguarded_script(tmp_path):
    run_python([str(SCRIPTS / "seed_core_tutorial.py")], tmp_path)
    # its zarr and binary saves ran with n_jobs=2 and read back whole
    zarr_recording = le.load(tmp_path / "test_recording.zarr")
    binary_recording = le.load(tmp_path / "test_recording")
    assert zarr_recording.get_channel_ids().tolist() == ["a", "b", "c"]
    assert zarr_recording.get_num_samples() == binary_recording.get_num_samples() == 300_000
    assert le.load(tmp_path / "test_sorting.zarr").get_unit_ids().tolist() == [
        "unit1", "unit2", "unit3"]
    assert (tmp_path / "new_working_with_preprocessing_provenance").is_dir()


UNGUARDED_ZARR = textwrap.dedent(
    """
    import os
    import sys

    import numpy as np

    import lazyephys as le

    # top-level code a worker must never run: it would leave a file named after its process
    open(f"top-level-ran-in-{os.getpid()}", "w").close()

    rec = le.generate_recording(num_channels=4, durations=[2.0], seed=1)
    rec.save(folder="r.zarr", format="zarr")
    loaded = le.load("r.zarr")  # zarr 3 now runs threads in this process
    binary = loaded.save(folder="copy_binary", n_jobs=2, chunk_duration="0.25s")
    zarr_copy = loaded.save(folder="copy.zarr", format="zarr", n_jobs=2,
                            chunk_duration="0.25s")
    expected = rec.get_traces()
    assert np.array_equal(binary.get_traces(), expected)
    assert np.array_equal(zarr_copy.get_traces(), expected)
    from lazyephys.jobs import start_workers

    print(" ".join(map(str, start_workers(2))))
    print(os.getpid())
    """
)


def test_an_unguarded_script_saves_zarr_and_binary_in_parallel_and_workers_skip_its_top(
    tmp_path,
):
    (tmp_path / "unguarded.py").write_text(UNGUARDED_ZARR)
    *_, workers, parent = run_python(["unguarded.py"], tmp_path).strip().splitlines()
    ran = sorted(p.name for p in tmp_path.glob("top-level-ran-in-*"))
    assert ran == [f"top-level-ran-in-{parent}"]
    # the script has exited: its warm workers were shut down with it
    processes = []
    for pid in workers.split():
        try:
            processes.append(psutil.Process(int(pid)))
        except psutil.NoSuchProcess:
            pass
    wait_for(lambda: all(stopped(p) for p in processes), limit=30.0)


MAIN_FUNCTIONS = textwrap.dedent(
    """
    import os

    import numpy as np
    import lazyephys as le
    from lazyephys.jobs import run_chunked_job
    from lazyephys.jobs import start_workers

    SCALE = 3.0

    def init_func(recording, offset):
        return {"recording": recording, "offset": offset}

    def run_func(segment_index, start, end, state):
        traces = state["recording"].get_traces(segment_index, start, end)
        return float(traces.astype("float64").sum() * SCALE + state["offset"]), os.getpid()

    # a job this small would run in this process alone: start workers, so that it runs in them
    workers = start_workers(2)
    rec = le.generate_recording(num_channels=2, durations=[1.0], seed=2)
    results = run_chunked_job(rec, init_func, {"offset": 1.0}, run_func, n_jobs=2,
                              chunk_size=5000)
    expected = [float(rec.get_traces(0, s, s + 5000).astype("float64").sum() * SCALE + 1.0)
                for s in range(0, 30000, 5000)]
    assert [total for total, _ in results] == expected, (results, expected)
    assert {pid for _, pid in results} <= set(workers) and os.getpid() not in workers
    print("main functions ran in workers")
    """
)


@pytest.mark.parametrize("how", ["python -c", "stdin"])
def test_functions_defined_in_main_reach_the_workers(tmp_path, how):
    if how == "python -c":
        out = run_python(["-c", MAIN_FUNCTIONS], tmp_path)
    else:
        out = run_python(["-"], tmp_path, stdin=MAIN_FUNCTIONS)
    assert "main functions ran in workers" in out


CTRL_C_THEN_AGAIN = textwrap.dedent(
    """
    import os
    import signal
    import sys
    import time

    import numpy as np

    import lazyephys as le
    from lazyephys.recording.base import Recording, RecordingSegment


    class SlowSegment(RecordingSegment):
        def get_traces(self, start, end, selector):
            time.sleep(0.2)
            return np.ones((end - start, 2), dtype="int16")[:, selector]


    class SlowRecording(Recording):
        def __init__(self, num_samples):
            super().__init__(1000.0, ["a", "b"], "int16")
            self.add_segment(SlowSegment(num_samples))


    # as in an interactive session, whatever the test runner did with SIGINT
    signal.signal(signal.SIGINT, signal.default_int_handler)
    out = sys.argv[1]
    try:
        le.write_binary_recording(SlowRecording(400_000), out + "/slow.raw", n_jobs=2,
                                  chunk_size=1000)
    except KeyboardInterrupt:
        print("interrupted; left:", sorted(os.listdir(out)), flush=True)
    rec = le.NumpyRecording([np.arange(2000, dtype="int16").reshape(1000, 2)], 1000.0)
    # a job this small would run in this process alone: start workers, so that it runs in them
    from lazyephys.jobs import start_workers

    start_workers(2)
    again = rec.save(folder=out + "_again", n_jobs=2, chunk_size=100)
    assert np.array_equal(again.get_traces(), rec.get_traces())
    print("the next job ran", flush=True)
    # the warm pool waits for the next job; the test now kills this process
    time.sleep(600)
    """
)


def loky_workers(parent):
    return [p for p in parent.children() if "LokyProcess" in " ".join(p.cmdline())]


def stopped(process):
    return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE


def test_ctrl_c_stops_the_job_the_next_job_runs_and_workers_die_with_the_caller(tmp_path):
    (tmp_path / "ctrl_c.py").write_text(CTRL_C_THEN_AGAIN)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "ctrl_c.py", str(out)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        parent = psutil.Process(process.pid)
        wait_for(lambda: any(out.iterdir()) and len(loky_workers(parent)) >= 2)
        interrupted = loky_workers(parent)
        time.sleep(0.5)  # chunks are being written
        os.kill(process.pid, signal.SIGINT)
        assert process.stdout.readline().strip() == "interrupted; left: []"
        assert process.stdout.readline().strip() == "the next job ran"
        # the interrupted job's workers were stopped, not left writing
        assert all(stopped(worker) for worker in interrupted)
        warm = loky_workers(parent)
        assert warm
        process.kill()  # no chance to clean up: the warm workers notice on their own
        process.communicate(timeout=60)
        wait_for(lambda: all(stopped(worker) for worker in warm), limit=30.0)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
