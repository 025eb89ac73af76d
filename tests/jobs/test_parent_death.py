"""Workers exit when the process that started them dies, whatever killed it and the backend.

Each case runs a parallel save in a real subprocess, kills that process with SIGKILL or SIGTERM
while its workers write, and checks that every process it had started (workers, a fork server,
helpers) is gone soon after and that nothing loadable is left at the target.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

import lazyephys as le

_SAVE = textwrap.dedent(
    """
    import sys
    import lazyephys as le

    engine = sys.argv[3]
    kwargs = {"pool_engine": "process", "mp_context": engine} if engine != "loky" else {}
    # long enough that it is always still running when it is killed
    rec = le.NoiseGeneratorRecording(64, 30000.0, [3600.0], seed=0, mode="noise_generator")
    if __name__ == "__main__":
        rec.save(folder=sys.argv[1], format=sys.argv[2], n_jobs=2, chunk_duration="0.2s",
                 **kwargs)
    """
)


def _wait_for(condition, limit=60.0):
    # a guard against hanging, not a timing assertion
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _writing(tmp_path) -> bool:
    return any(path.is_file() for partial in tmp_path.glob(".out*.partial-*")
               for path in partial.rglob("*"))


def _stop(caller: subprocess.Popen) -> None:
    """Kill the caller if it still runs, and close its error pipe."""
    if caller.poll() is None:
        caller.kill()
        caller.wait()
    if caller.stderr is not None:
        caller.stderr.close()


def _assert_none_survive(started: list, limit: float) -> None:
    """Every process in ``started`` is gone within ``limit`` seconds (survivors are killed)."""
    alive = lambda: [p for p in started  # noqa: E731
                     if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    survivors = [] if _wait_for(lambda: not alive(), limit=limit) else alive()
    for process in survivors:
        process.kill()
    assert survivors == [], f"still running after their caller died: {survivors}"


@pytest.mark.parametrize("engine, fmt, signum", [
    ("loky", "binary", signal.SIGKILL),
    ("loky", "zarr", signal.SIGTERM),
    ("fork", "binary", signal.SIGTERM),
    ("forkserver", "zarr", signal.SIGKILL),  # the same watch serves spawn workers
])
def test_workers_exit_with_their_killed_caller(tmp_path, engine, fmt, signum):
    script = tmp_path / "save.py"
    script.write_text(_SAVE)
    target = tmp_path / "out"
    caller = subprocess.Popen([sys.executable, str(script), str(target), fmt, engine],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started: list[psutil.Process] = []
    try:
        parent = psutil.Process(caller.pid)
        started_writing = _wait_for(lambda: caller.poll() is not None or (
            _writing(tmp_path) and len(parent.children()) >= 2))
        assert started_writing and caller.poll() is None, caller.stderr.read().decode()
        started = parent.children(recursive=True)
        caller.send_signal(signum)
        caller.wait(timeout=30)
    finally:
        _stop(caller)
    _assert_none_survive(started, limit=20.0)
    with pytest.raises(FileNotFoundError):
        le.load(target if fmt == "binary" else tmp_path / "out.zarr")


_DASK_SAVE = textwrap.dedent(
    """
    import sys
    import lazyephys as le

    # long enough that it is always still running when it is killed
    rec = le.NoiseGeneratorRecording(16, 30000.0, [3600.0], seed=0, mode="noise_generator")
    if __name__ == "__main__":
        # no client: the backend starts a local cluster of worker processes for this job
        rec.save(folder=sys.argv[1], n_jobs=2, pool_engine="dask", chunk_duration="0.2s")
    """
)


def _written_by_workers(tmp_path) -> bool:
    # the raw file is created sparse at its full size: blocks appear as chunks are written,
    # and under dask only its workers write them
    return any(path.stat().st_blocks > 0 for path in tmp_path.glob(".out*.partial-*/*")
               if path.is_file())


def test_dask_workers_exit_with_their_killed_caller(tmp_path):
    """The local cluster the dask backend starts when no client is given: its worker
    processes are ended by distributed's own watch of their parent (a pipe from the caller
    that closes when it dies); this guards that they still are."""
    pytest.importorskip("distributed")
    script = tmp_path / "save.py"
    script.write_text(_DASK_SAVE)
    caller = subprocess.Popen([sys.executable, str(script), str(tmp_path / "out")],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started: list[psutil.Process] = []
    try:
        parent = psutil.Process(caller.pid)
        writing = _wait_for(lambda: caller.poll() is not None or _written_by_workers(tmp_path))
        if caller.poll() is not None:  # it failed: its error says why
            raise AssertionError(caller.stderr.read().decode())
        assert writing, "no chunk was written within the limit"
        started = parent.children(recursive=True)
        workers = [p for p in started if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) >= 2, [p.cmdline() for p in started]
        caller.send_signal(signal.SIGKILL)
        caller.wait(timeout=30)
    finally:
        _stop(caller)
    _assert_none_survive(started, limit=15.0)
    with pytest.raises(FileNotFoundError):
        le.load(tmp_path / "out")
