"""The chunked job executor: job kwargs, chunk plans and backends."""

from typing import Any

from ..errors import (
    DtypeOverflowError,
    InvalidJobKwargsError,
    JobChunkError,
    JobInitError,
    MainGuardError,
    UnknownJobKwargError,
)
from .chunkable import Chunkable
from .ensure import ensure_chunk_size, ensure_n_jobs, get_best_job_kwargs
from .executor import close_worker_state, read_chunk_with_margin, run_chunked_job
from .job_kwargs import (
    fix_job_kwargs,
    get_global_job_kwargs,
    reset_global_job_kwargs,
    set_global_job_kwargs,
    split_job_kwargs,
)
from .plan import ChunkPlan, make_chunk_plan
from .shared_memory import write_memory_recording

__all__ = [
    "Chunkable",
    "DtypeOverflowError",
    "InvalidJobKwargsError",
    "JobChunkError",
    "JobInitError",
    "JobWorkerDiedError",
    "MainGuardError",
    "UnknownJobKwargError",
    "close_worker_state",
    "read_chunk_with_margin",
    "run_chunked_job",
    "fix_job_kwargs",
    "get_global_job_kwargs",
    "reset_global_job_kwargs",
    "set_global_job_kwargs",
    "split_job_kwargs",
    "ChunkPlan",
    "make_chunk_plan",
    "ensure_chunk_size",
    "ensure_n_jobs",
    "get_best_job_kwargs",
    "write_memory_recording",
    "start_workers",
    "shutdown_pool",
]

#: Names of the loky backend, imported on first use (it imports joblib).
_LOKY_NAMES = ("start_workers", "shutdown_pool")


def __getattr__(name: str) -> Any:
    # JobWorkerDiedError subclasses concurrent.futures' BrokenProcessPool: built on first use
    # (see lazyephys.errors), so that importing the executor does not import process pools
    if name == "JobWorkerDiedError":
        from .. import errors

        return errors.JobWorkerDiedError
    if name in _LOKY_NAMES:
        from .backends import loky

        return getattr(loky, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
