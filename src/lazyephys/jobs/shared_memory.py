"""Computing a recording into memory, shared between processes or private to this one."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..base.shared_memory import SharedBlock, attach_shared_array
from ..recording.base import Recording
from ..recording.shared_memory import SharedMemoryRecording
from .executor import run_chunked_job
from .job_kwargs import fix_job_kwargs, split_job_kwargs

__all__ = ["write_memory_recording", "save_to_shared_memory"]

BufferType = Literal["auto", "numpy", "sharedmem"]


class _Targets:
    """What a worker writes into: the arrays themselves, or shared blocks it maps by name."""

    def __init__(self, arrays: list[np.ndarray] | None, blocks: list[tuple[str, tuple[int, ...]]],
                 dtype: np.dtype) -> None:
        self.arrays = arrays
        self.blocks = blocks
        self.dtype = dtype

    def open(self) -> list[np.ndarray]:
        if self.arrays is not None:
            return self.arrays
        return [attach_shared_array(name, shape, self.dtype, self, writeable=True)
                for name, shape in self.blocks]


def _init(recording: Recording, targets: _Targets) -> dict[str, Any]:
    return {"recording": recording, "arrays": targets.open(), "targets": targets}


def _run(segment_index: int, start_frame: int, end_frame: int, state: dict[str, Any]) -> None:
    traces = state["recording"].get_traces(segment_index, start_frame, end_frame)
    target = state["arrays"][segment_index]
    target[start_frame:end_frame] = traces.astype(target.dtype, copy=False)


def write_memory_recording(
    recording: Recording,
    dtype: Any = None,
    verbose: bool = False,
    buffer_type: BufferType = "auto",
    job_name: str = "write_memory",
    **job_kwargs: Any,
) -> tuple[list[np.ndarray], list[SharedBlock | None]]:
    """Compute a recording's traces into arrays in memory, chunk by chunk.

    Parameters
    ----------
    recording : Recording
    dtype : numpy dtype or None
        The arrays' dtype (default: the recording's).
    verbose : bool
        Print the plan and the speed.
    buffer_type : {"auto", "numpy", "sharedmem"}
        ``"sharedmem"`` puts each segment in named shared memory (process workers write it
        in place, and :class:`~lazyephys.recording.SharedMemoryRecording` maps it without
        copies); ``"numpy"`` uses private arrays; ``"auto"`` is shared memory when
        ``n_jobs > 1``.
    job_name : str
    **job_kwargs
        ``n_jobs``, ``chunk_duration``, ``progress_bar``...

    Returns
    -------
    arrays : list of numpy.ndarray
        One (time, channel) array per segment.
    shms : list of SharedBlock or None
        The shared blocks (None for numpy buffers); a block is freed when its object is
        collected, so keep it while the arrays are used.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> arrays, shms = write_memory_recording(rec, buffer_type="sharedmem")
    >>> bool((arrays[0] == rec.get_traces(segment_index=0)).all()), shms[0] is not None
    (True, True)
    """
    if buffer_type not in ("auto", "numpy", "sharedmem"):
        raise ValueError(f"buffer_type must be 'auto', 'numpy' or 'sharedmem', got {buffer_type!r}")
    fixed = fix_job_kwargs(dict(job_kwargs))
    if buffer_type == "auto":
        buffer_type = "sharedmem" if fixed["n_jobs"] > 1 else "numpy"
    dtype = np.dtype(recording.get_dtype() if dtype is None else dtype)
    shapes = [recording.get_shape(i) for i in range(recording.get_num_segments())]
    blocks: list[SharedBlock | None]
    if buffer_type == "sharedmem":
        made = [SharedBlock(shape, dtype) for shape in shapes]
        arrays = [block.array for block in made]
        blocks = list(made)
        targets = _Targets(None, [(block.name, block.shape) for block in made], dtype)
        if fixed["pool_engine"] in ("thread", "serial"):
            targets.arrays = arrays
    else:
        arrays = [np.zeros(shape, dtype=dtype) for shape in shapes]
        blocks = [None] * len(shapes)
        targets = _Targets(arrays, [], dtype)
        # private arrays can only be filled in place by threads of this process
        job_kwargs = {**job_kwargs, "pool_engine": "thread"}
    run_chunked_job(recording, _init, {"targets": targets}, _run, job_name=job_name,
                    verbose=verbose, **job_kwargs)
    return arrays, blocks


def save_to_shared_memory(recording: Recording, dtype: Any = None,
                          **job_kwargs: Any) -> SharedMemoryRecording:
    """Compute ``recording`` into shared memory; the result owns the memory.

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> shared = save_to_shared_memory(rec)
    >>> bool((shared.get_traces() == rec.get_traces()).all())
    True
    """
    job_kwargs, rest = split_job_kwargs(job_kwargs)
    if rest:
        raise TypeError(f"unexpected arguments for a shared-memory save: {sorted(rest)}")
    arrays, blocks = write_memory_recording(recording, dtype=dtype, buffer_type="sharedmem",
                                            job_name="save to shared memory", **job_kwargs)
    result = SharedMemoryRecording(
        [block.name for block in blocks if block is not None], [a.shape for a in arrays],
        arrays[0].dtype, recording.get_sampling_frequency(), recording.get_channel_ids(),
        [recording.get_start_time(i) for i in range(recording.get_num_segments())],
        main_shm_owner=True,
    )
    for block in blocks:
        if block is not None:
            block.hand_over()
    return result
