"""``load_sweeps``: a saved or described sweep recording, back as a SweepRecording."""

from __future__ import annotations

import os
from typing import Any

from ..io.load import load
from ..recording.base import Recording
from .recording import SweepRecording

__all__ = ["load_sweeps"]


def load_sweeps(file_or_folder_or_dict: Any, base_folder: str | os.PathLike[str] | None = None,
                **load_options: Any) -> SweepRecording:
    """Load sweeps saved with ``save`` (binary folder, zarr) or described by ``to_dict`` or
    ``dump_to_json``.

    :func:`lazyephys.load` already gives a :class:`SweepRecording` for sweeps saved by this
    library; this also rebuilds one over any recording that carries the sweep metadata as
    its ``"sweep_table"`` annotation (a folder copied by another tool, a plain recording
    given directly), and refuses anything else.

    Parameters
    ----------
    file_or_folder_or_dict : path, URL, dict or Recording
        As for :func:`lazyephys.load`; or the recording ``save`` returned.
    base_folder : path or None
        As for :func:`lazyephys.load`.
    **load_options
        Passed to :func:`lazyephys.load` (``storage_options``, ``allow_paths_outside``...).

    Examples
    --------
    >>> saved = sweeps.save(folder="sweeps_folder")  # doctest: +SKIP
    >>> load_sweeps("sweeps_folder").get_sweep_table()["protocol"]  # doctest: +SKIP
    """
    if isinstance(file_or_folder_or_dict, Recording):
        loaded: Any = file_or_folder_or_dict
    else:
        loaded = load(file_or_folder_or_dict, base_folder, **load_options)
    if not isinstance(loaded, SweepRecording):
        if not isinstance(loaded, Recording):
            raise TypeError(f"{file_or_folder_or_dict!r} holds a {type(loaded).__name__}, "
                            "not sweeps")
        loaded = SweepRecording.from_recording(loaded)
    return loaded
