"""Recordings whose traces live in shared memory, read by workers without copies."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..base.shared_memory import attach_shared_array
from .base import Recording
from .in_memory import ArraySegment

__all__ = ["SharedMemoryRecording"]


@register_kind
class SharedMemoryRecording(Recording):
    """A recording over (time, channel) arrays in named shared memory, one per segment.

    Pickling it (as the executor does to reach workers) sends the block names, not the
    traces: workers map the same memory. The object that made the blocks
    (``save(format="memory", sharedmem=True)``, ``write_memory_recording``) owns them and
    frees them when it is collected; keep it alive while others read.

    Parameters
    ----------
    shm_names : list of str
        One shared block per segment.
    shape_list : list of (int, int)
        The (time, channel) shape of each block.
    dtype : numpy dtype
    sampling_frequency : float
    channel_ids : list or None
        Defaults to ``0..n-1``.
    t_starts : list of float or None
    main_shm_owner : bool
        Free the blocks when this object is collected (set by the object that made them;
        objects rebuilt from it never own them).

    Examples
    --------
    >>> import lazyephys as le
    >>> rec = le.generate_recording(num_channels=2, durations=[1.0], seed=0)
    >>> shared = rec.save_to_memory(sharedmem=True)
    >>> bool((shared.get_traces() == rec.get_traces()).all())
    True
    """

    _holds_data_in_memory = True

    def __init__(
        self,
        shm_names: list[str],
        shape_list: list[Any],
        dtype: Any,
        sampling_frequency: float,
        channel_ids: Any = None,
        t_starts: list[float] | None = None,
        main_shm_owner: bool = True,
    ) -> None:
        shapes = [tuple(int(n) for n in shape) for shape in shape_list]
        if len(shapes) != len(shm_names) or not shapes:
            raise ValueError(f"{len(shm_names)} shm_names for {len(shapes)} shapes: give one "
                             "(time, channel) shape per shared block")
        if any(len(shape) != 2 or shape[1] != shapes[0][1] for shape in shapes):
            raise ValueError(f"shape_list must hold (time, channel) shapes with one channel "
                             f"count, got {shapes}")
        if channel_ids is None:
            channel_ids = np.arange(shapes[0][1], dtype=np.int64)
        super().__init__(sampling_frequency, channel_ids, dtype)
        if self.get_num_channels() != shapes[0][1]:
            raise ValueError(f"{self.get_num_channels()} channel_ids for {shapes[0][1]} channels")
        if t_starts is not None and len(t_starts) != len(shapes):
            raise ValueError(f"{len(t_starts)} t_starts given for {len(shapes)} segments")
        for index, (name, shape) in enumerate(zip(shm_names, shapes, strict=True)):
            traces = attach_shared_array(str(name), shape, self._dtype, self,
                                         owner=bool(main_shm_owner))
            self.add_segment(ArraySegment(traces), None if t_starts is None else t_starts[index])
        # whatever is rebuilt from this object's provenance (a worker's copy) only attaches
        self._record_argument("main_shm_owner", False)
