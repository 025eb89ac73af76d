"""The chunked job executor: job kwargs, chunk plans and backends."""

from ..errors import (
    DtypeOverflowError,
    InvalidJobKwargsError,
    JobChunkError,
    JobInitError,
    JobWorkerDiedError,
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
]
