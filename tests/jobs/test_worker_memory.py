"""Workers give large freed blocks back to the system (glibc only), measured in a fresh
process from the kernel's own count of its anonymous memory."""

import os
import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's allocator"
)

_SCRIPT = textwrap.dedent(
    """
    import sys

    import numpy as np

    from lazyephys.jobs.worker_memory import release_freed_memory, return_large_blocks

    def anonymous_kb():
        with open("/proc/self/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("RssAnon:"))

    if sys.argv[1] == "workers":
        return_large_blocks()
    base = anonymous_kb()
    # chunk buffers of a job: each a little smaller than the last, as glibc's moving
    # threshold then places every one after the first in the heap
    for megabytes in (24, 20, 16, 12):
        buffer = np.ones(megabytes * 1_000_000 // 8)
        del buffer
    held = anonymous_kb() - base
    if sys.argv[1] == "trim":
        release_freed_memory()
    print(held, anonymous_kb() - base)
    """
)


def _held_kb(mode):
    # glibc's defaults: a MALLOC_* variable (dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its
    # own process for the workers it spawns) would fix the threshold for every child
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", _SCRIPT, mode], capture_output=True, text=True,
                         check=True, env=env).stdout.split()
    return int(out[0]), int(out[1])


def test_freed_chunk_buffers_stay_held_by_default_and_are_returned_in_workers():
    held, _ = _held_kb("default")
    assert held > 10_000  # the buffers of the last chunks stay in the heap: what is fixed
    held, _ = _held_kb("workers")
    assert held < 2_000


def test_the_caller_gives_back_what_its_chunks_freed():
    held, after_trim = _held_kb("trim")
    assert held > 10_000 and after_trim < 2_000
