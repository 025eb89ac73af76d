"""Sortings whose spike vector lives in shared memory, read by workers without copies."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base.provenance import register_kind
from ..base.shared_memory import SharedBlock, attach_shared_array
from .base import SPIKE_DTYPE, Sorting
from .in_memory import NumpySorting

__all__ = ["SharedMemorySorting"]


@register_kind
class SharedMemorySorting(NumpySorting):
    """A sorting over a spike vector in named shared memory.

    Pickling it sends the block's name, not the spikes: workers map the same memory. The
    object made by :meth:`from_sorting` (or ``sorting.to_shared_memory_sorting()``) owns the
    block and frees it when collected; keep it alive while others read.

    Parameters
    ----------
    shm_name : str
        The shared block holding the spike vector (sorted by segment, sample, unit).
    shape : (int,)
        Number of spikes, as a one-element shape.
    sampling_frequency : float
    unit_ids : list
    dtype : numpy dtype or None
        The spike vector's dtype: None or :data:`~lazyephys.sorting.SPIKE_DTYPE`.
    main_shm_owner : bool
        Free the block when this object is collected (objects rebuilt from it never do).
    num_samples : list of int or None
        Samples per segment, when known.

    Examples
    --------
    >>> import lazyephys as le
    >>> sorting = le.generate_sorting(num_units=3, durations=[1.0], seed=0)
    >>> shared = sorting.to_shared_memory_sorting()
    >>> shared.count_total_num_spikes() == sorting.count_total_num_spikes()
    True
    """

    def __init__(
        self,
        shm_name: str,
        shape: Any,
        sampling_frequency: float,
        unit_ids: Any,
        dtype: Any = None,
        main_shm_owner: bool = True,
        num_samples: list[int | None] | None = None,
    ) -> None:
        dims = tuple(int(n) for n in np.atleast_1d(shape))
        if len(dims) != 1:
            raise ValueError(f"shape must be (num_spikes,), got {tuple(dims)}")
        if dtype is not None and np.dtype(dtype) != SPIKE_DTYPE:
            raise ValueError(f"dtype must be the spike vector dtype {SPIKE_DTYPE}, got {dtype}")
        spikes = attach_shared_array(str(shm_name), dims, SPIKE_DTYPE, self,
                                     owner=bool(main_shm_owner))
        super().__init__(spikes, sampling_frequency, unit_ids, num_samples)
        self._record_argument("main_shm_owner", False)
        self._record_argument("dtype", None)

    @classmethod
    def from_sorting(cls, sorting: Sorting, with_metadata: bool = True) -> SharedMemorySorting:
        """Copy ``sorting``'s spike vector (and metadata) into a new shared block."""
        if not isinstance(sorting, Sorting):
            raise TypeError(f"expected a Sorting, got {type(sorting).__name__}")
        vector = sorting.to_spike_vector(concatenated=True)
        block = SharedBlock((max(vector.size, 1),), SPIKE_DTYPE)
        block.array[: vector.size] = vector
        known = [sorting.known_num_samples(i) for i in range(sorting.get_num_segments())]
        result = cls(block.name, (vector.size,), sorting.get_sampling_frequency(),
                     sorting.get_unit_ids(), SPIKE_DTYPE, True, known)
        block.hand_over()
        if with_metadata:
            for key in sorting.get_property_keys():
                result.set_property(key, sorting.get_property(key))
            annotations = {k: sorting.get_annotation(k) for k in sorting.get_annotation_keys()}
            if annotations:
                result.annotate(**annotations)
        return result
