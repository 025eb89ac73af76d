"""Worker processes that exit when the process that started their job dies.

A worker blocked in a job (or idle in its pool) would otherwise outlive a caller killed with
SIGKILL or SIGTERM, holding memory and the partial output's files open. The worker's direct
parent is not always the caller (a fork server starts forkserver workers), so the caller is
named by its process id and recognised by its start time, which a later process reusing the
id does not share; a zombie caller counts as dead.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["watch_caller", "process_is_alive"]

#: Seconds between two looks at the caller.
POLL_INTERVAL = 0.25


def _linux_identity(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from ``/proc``, or None if it does not exist there."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode(errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the name, in parentheses, may hold spaces
    return fields[0], fields[19]


def process_is_alive(pid: int, start_time: str | None = None) -> bool:
    """Whether process ``pid`` runs (and, given ``start_time``, is the one that started then)."""
    if os.path.isdir("/proc/self"):
        identity = _linux_identity(pid)
        if identity is None or identity[0] in ("Z", "X"):
            return False
        return start_time is None or identity[1] == start_time
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_caller(caller_pid: int) -> None:
    """Start a daemon thread that ends this process as soon as ``caller_pid`` is gone.

    Called in a worker as it starts. ``os._exit`` ends the worker even while its main thread
    is blocked in a read or a write.
    """
    identity = _linux_identity(caller_pid)
    start_time = None if identity is None else identity[1]
    if not process_is_alive(caller_pid, start_time):
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(POLL_INTERVAL)
            if not process_is_alive(caller_pid, start_time):
                os._exit(1)

    threading.Thread(target=watch, name="lazyephys-caller-watch", daemon=True).start()
