"""Job kwargs: how a chunked job is split and run, their validation, and the global defaults.

Every function that walks a recording chunk by chunk takes the same keyword arguments:

=========================  ====================================================================
``n_jobs``                 workers: an int (``-1`` = every usable core, ``-2`` all but one...)
                           or a float in (0, 1], a fraction of the usable cores
``chunk_size``             samples per chunk
``chunk_duration``         seconds per chunk: ``"1s"``, ``"500ms"``, or a number of seconds
``chunk_memory``           bytes per chunk: ``"50k"``, ``"100M"``, ``"1G"`` (powers of 1000),
                           ``"500Mi"``, ``"2GiB"`` (powers of 1024), or a number of bytes
``total_memory``           bytes for all workers together (divided by ``n_jobs``)
``progress_bar``           show a tqdm bar over the chunks (default: on in interactive sessions,
                           see :func:`interactive_session`)
``mp_context``             ``"fork"``, ``"spawn"`` or ``"forkserver"``: a process pool with that
                           start method; None (default): joblib's loky workers, warm between jobs
``max_threads_per_worker`` BLAS/OpenMP threads allowed in each worker (threadpoolctl)
``pool_engine``            ``"process"`` (loky, or ``mp_context``'s pool), ``"loky"``,
                           ``"thread"``, ``"dask"``, ``"serial"``, or a registered backend
``verbose``                print the plan, the backend and the timing
``client``                 a ``dask.distributed.Client`` (implies ``pool_engine="dask"``)
=========================  ====================================================================

Only one chunk key is in effect: ``chunk_size`` wins over ``chunk_memory``, which wins over
``total_memory``, which wins over ``chunk_duration``. A chunk key given to a job replaces the
chunk key of the globals rather than competing with it.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from typing import Any

from ..errors import InvalidJobKwargsError, UnknownJobKwargError
from .backends.registry import is_backend_name, registered_backends

__all__ = [
    "JOB_KWARG_KEYS",
    "CHUNK_KEYS",
    "split_job_kwargs",
    "fix_job_kwargs",
    "set_global_job_kwargs",
    "get_global_job_kwargs",
    "reset_global_job_kwargs",
    "usable_cpu_count",
    "resolve_n_jobs",
    "parse_duration",
    "parse_memory",
    "interactive_session",
]

# The order is the precedence used when several are given to one job.
CHUNK_KEYS = ("chunk_size", "chunk_memory", "total_memory", "chunk_duration")

JOB_KWARG_KEYS = (
    "n_jobs",
    *CHUNK_KEYS,
    "progress_bar",
    "mp_context",
    "max_threads_per_worker",
    "pool_engine",
    "verbose",
    "client",
)

MP_CONTEXTS = ("fork", "spawn", "forkserver")

def interactive_session() -> bool:
    """True in an interactive session: a terminal, the Python prompt, IPython or Jupyter.

    The progress bar is on by default there, as in SpikeInterface, and off in scripts whose
    output goes to a file or a pipe (logs of batch jobs and CI stay clean).
    """
    import sys

    if hasattr(sys, "ps1") or sys.flags.interactive or "ipykernel" in sys.modules:
        return True
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


_DEFAULT_GLOBALS: dict[str, Any] = {
    "pool_engine": "process",
    "n_jobs": 1,
    "chunk_duration": "1s",
    "progress_bar": interactive_session(),
    "mp_context": None,
    "max_threads_per_worker": 1,
}

_global_job_kwargs: dict[str, Any] = dict(_DEFAULT_GLOBALS)


# ----------------------------------------------------------------------- parsers
def usable_cpu_count() -> int:
    """Cores this process may run on (its CPU affinity), not the machine's core count."""
    counter = getattr(os, "process_cpu_count", None)  # Python >= 3.13
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def resolve_n_jobs(n_jobs: Any) -> int:
    """The number of workers ``n_jobs`` stands for.

    Examples
    --------
    >>> resolve_n_jobs(3)
    3
    >>> resolve_n_jobs(-1) == usable_cpu_count()
    True
    """
    cores = usable_cpu_count()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Real):
        raise InvalidJobKwargsError(
            f"n_jobs must be an int or a float in (0, 1], got {n_jobs!r}"
        )
    if isinstance(n_jobs, numbers.Integral):
        value = int(n_jobs)
        if value == 0:
            raise InvalidJobKwargsError(
                "n_jobs=0 runs nothing: give a positive number of workers, -1 for every usable "
                f"core ({cores} here), or a fraction such as 0.5"
            )
        if value < 0:
            # -1 is every core, -2 all but one...; never fewer than one worker
            return max(1, cores + 1 + value)
        return value
    fraction = float(n_jobs)
    if not (math.isfinite(fraction) and 0 < fraction <= 1):
        raise InvalidJobKwargsError(
            f"a float n_jobs is a fraction of the usable cores and must be in (0, 1], "
            f"got {n_jobs!r}"
        )
    return max(1, int(fraction * cores))


_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(s|ms|us)?\s*$")
_DURATION_UNITS = {None: 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}


def parse_duration(value: Any, name: str = "chunk_duration") -> float:
    """Seconds from ``"1s"``, ``"500ms"``, ``"250us"`` or a number of seconds.

    Examples
    --------
    >>> parse_duration("500ms")
    0.5
    >>> parse_duration(2)
    2.0
    """
    if isinstance(value, bool):
        raise InvalidJobKwargsError(f"{name} must be seconds or a string like '1s', got {value!r}")
    if isinstance(value, numbers.Real):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise InvalidJobKwargsError(
                f"{name}={value!r} is not a duration: use a number of seconds or a string such "
                "as '1s', '0.5s', '500ms'"
            )
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    else:
        raise InvalidJobKwargsError(f"{name} must be seconds or a string like '1s', got {value!r}")
    if not (math.isfinite(seconds) and seconds > 0):
        raise InvalidJobKwargsError(f"{name} must be a positive duration, got {value!r}")
    return seconds


_MEMORY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKMGT]?)(i?)(B?)\s*$")
_DECIMAL = {"": 1, "k": 1000, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4}
_BINARY = {"k": 1024, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_memory(value: Any, name: str = "chunk_memory") -> int:
    """Bytes from ``"50k"``, ``"100M"``, ``"1G"``, ``"2T"`` (powers of 1000), ``"500Mi"``,
    ``"500MiB"``, ``"2GiB"`` (powers of 1024), or a number of bytes.

    Examples
    --------
    >>> parse_memory("100M")
    100000000
    >>> parse_memory("1GiB")
    1073741824
    """
    if isinstance(value, bool):
        raise InvalidJobKwargsError(f"{name} must be bytes or a string like '100M', got {value!r}")
    if isinstance(value, numbers.Real):
        size = float(value)
    elif isinstance(value, str):
        match = _MEMORY.match(value)
        if match is None or (match.group(3) and not match.group(2)):
            raise InvalidJobKwargsError(
                f"{name}={value!r} is not a memory size: use bytes, or a number followed by k, "
                "M, G, T (powers of 1000: '100M') or Ki, Mi, Gi, Ti (powers of 1024: '500Mi', "
                "'2GiB')"
            )
        number, prefix, binary = match.group(1), match.group(2), match.group(3)
        size = float(number) * (_BINARY[prefix] if binary else _DECIMAL[prefix])
    else:
        raise InvalidJobKwargsError(f"{name} must be bytes or a string like '100M', got {value!r}")
    if not (math.isfinite(size) and size >= 1):
        raise InvalidJobKwargsError(f"{name} must be at least one byte, got {value!r}")
    return int(size)


def _as_flag(key: str, value: Any) -> bool:
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    raise InvalidJobKwargsError(f"{key} must be True or False, got {value!r}")


def _validate(key: str, value: Any) -> Any:
    """The checked, normalised value of one job kwarg (raises naming it when invalid)."""
    if key not in JOB_KWARG_KEYS:
        raise UnknownJobKwargError(
            f"unknown job kwarg {key!r}; the job kwargs are {', '.join(JOB_KWARG_KEYS)}"
        )
    if key == "n_jobs":
        resolve_n_jobs(value)
        return value
    if key in CHUNK_KEYS and value is None:
        return None
    if key == "chunk_size":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise InvalidJobKwargsError(f"chunk_size must be an int (samples), got {value!r}")
        if int(value) < 1:
            raise InvalidJobKwargsError(
                f"chunk_size must be at least one sample, got {value!r}"
            )
        return int(value)
    if key == "chunk_duration":
        parse_duration(value)
        return value
    if key in ("chunk_memory", "total_memory"):
        parse_memory(value, key)
        return value
    if key in ("progress_bar", "verbose"):
        return _as_flag(key, value)
    if key == "mp_context":
        if value is not None and value not in MP_CONTEXTS:
            raise InvalidJobKwargsError(
                f"mp_context must be None or one of {MP_CONTEXTS}, got {value!r}"
            )
        return value
    if key == "max_threads_per_worker":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise InvalidJobKwargsError(
                f"max_threads_per_worker must be None or an int >= 1, got {value!r}"
            )
        return int(value)
    if key == "pool_engine":
        if not is_backend_name(value):
            raise InvalidJobKwargsError(
                f"pool_engine must be one of {registered_backends()}, got {value!r}"
            )
        return value
    # client: anything that can submit and scatter like a dask.distributed.Client
    if value is not None and not (hasattr(value, "submit") and hasattr(value, "scatter")):
        raise InvalidJobKwargsError(
            f"client must be a dask.distributed.Client, got {type(value).__name__}"
        )
    return value


# ------------------------------------------------------------------- public API
def split_job_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate job kwargs from the other keyword arguments of a function.

    Returns
    -------
    job_kwargs, other_kwargs : dict, dict

    Examples
    --------
    >>> split_job_kwargs({"n_jobs": 2, "folder": "out"})
    ({'n_jobs': 2}, {'folder': 'out'})
    """
    job = {k: v for k, v in kwargs.items() if k in JOB_KWARG_KEYS}
    rest = {k: v for k, v in kwargs.items() if k not in JOB_KWARG_KEYS}
    return job, rest


def fix_job_kwargs(job_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Merge the global defaults under ``job_kwargs``, validate, and complete them.

    Explicit values win over globals; a chunk key given here replaces the globals' chunk key.
    ``n_jobs`` is resolved to a positive int; chunk keys keep the value given (they are
    resolved against a recording by :func:`~lazyephys.jobs.plan.make_chunk_plan`). The result
    can be passed to ``fix_job_kwargs`` again unchanged.

    Raises
    ------
    UnknownJobKwargError
        For a key that is not a job kwarg (the message lists the valid ones).
    InvalidJobKwargsError
        For an invalid value (``n_jobs=0``, ``chunk_size=0``, ``chunk_duration="fast"``...).

    Examples
    --------
    >>> fixed = fix_job_kwargs({"n_jobs": 2, "chunk_size": 1000})
    >>> fixed["n_jobs"], fixed["chunk_size"], "chunk_duration" in fixed
    (2, 1000, False)
    """
    given = {key: _validate(key, value) for key, value in job_kwargs.items()}
    merged = {key: value for key, value in _global_job_kwargs.items()}
    if any(given.get(key) is not None for key in CHUNK_KEYS):
        for key in CHUNK_KEYS:
            merged.pop(key, None)
    for key, value in given.items():
        if key in CHUNK_KEYS and value is None:
            continue
        merged[key] = value
    client = merged.get("client")
    if client is not None and "pool_engine" not in given:
        merged["pool_engine"] = "dask"
    if client is not None and merged.get("pool_engine") != "dask":
        raise InvalidJobKwargsError(
            f"a dask client was given with pool_engine={merged['pool_engine']!r}: use "
            "pool_engine='dask' (or leave pool_engine out)"
        )
    if merged.get("pool_engine") == "loky" and merged.get("mp_context") is not None:
        raise InvalidJobKwargsError(
            f"mp_context={merged['mp_context']!r} was given with pool_engine='loky': loky "
            "starts its own workers; use pool_engine='process' for that start method, or "
            "leave mp_context unset for loky"
        )
    fixed: dict[str, Any] = {
        "pool_engine": merged.get("pool_engine", "process"),
        "n_jobs": resolve_n_jobs(merged.get("n_jobs", 1)),
        "progress_bar": merged.get("progress_bar", False),
        "mp_context": merged.get("mp_context"),
        "max_threads_per_worker": merged.get("max_threads_per_worker", 1),
        "verbose": merged.get("verbose", False),
    }
    for key in CHUNK_KEYS:
        if merged.get(key) is not None:
            fixed[key] = merged[key]
    if client is not None:
        fixed["client"] = client
    return fixed


def set_global_job_kwargs(**job_kwargs: Any) -> None:
    """Set default job kwargs for every later job (only the keys given change).

    A chunk key given here replaces the globals' chunk key (``chunk_size=...`` removes a
    global ``chunk_duration``); a chunk key set to None removes it.

    Examples
    --------
    >>> set_global_job_kwargs(n_jobs=2, chunk_duration="0.5s")
    >>> get_global_job_kwargs()["chunk_duration"]
    '0.5s'
    >>> reset_global_job_kwargs()
    """
    for key, value in job_kwargs.items():
        _validate(key, value)
    if any(job_kwargs.get(key) is not None for key in CHUNK_KEYS):
        for key in CHUNK_KEYS:
            _global_job_kwargs.pop(key, None)
    for key, value in job_kwargs.items():
        if key in CHUNK_KEYS and value is None:
            _global_job_kwargs.pop(key, None)
        else:
            _global_job_kwargs[key] = value


def get_global_job_kwargs() -> dict[str, Any]:
    """A new dict of the global job kwargs, values exactly as they were given.

    Examples
    --------
    >>> sorted(get_global_job_kwargs())  # doctest: +NORMALIZE_WHITESPACE
    ['chunk_duration', 'max_threads_per_worker', 'mp_context', 'n_jobs', 'pool_engine',
     'progress_bar']
    """
    return dict(_global_job_kwargs)


def reset_global_job_kwargs() -> None:
    """Restore the default global job kwargs."""
    _global_job_kwargs.clear()
    _global_job_kwargs.update(_DEFAULT_GLOBALS)
